from app.jobs import Job, IntegerVar, StringVar, register_jobs

name = "Hello Jobs"


class HelloJobs(Job):
    class Meta:
        name = "Say Hello"
        description = "Greets someone in the job log."
        has_sensitive_variables = False      # inputs may be stored and re-run

    person_name = StringVar(description="Name of the person to greet", default="world")
    greeting_count = IntegerVar(description="How many times to greet", default=1, min_value=1)

    def run(self, *, person_name, greeting_count):
        for i in range(greeting_count):
            self.logger.info("Hello, %s! (%d)", person_name, i + 1)
        return {"greeted": person_name}


register_jobs(HelloJobs)
