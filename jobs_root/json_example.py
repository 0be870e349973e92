from app.jobs import Job, JSONVar, register_jobs


class ExampleJSONVarJob(Job):
    var1 = JSONVar(
        description="Provide a JSON object with a 'key1' field.",
    )

    def run(self, var1):
        # Example input: {"key1": "value1"}
        if "key1" in var1:
            self.logger.info("The value of key1 is: %s", var1["key1"])
        else:
            self.logger.error("Missing required key: key1")


register_jobs(ExampleJSONVarJob)
