from app.jobs import Job, StringVar, register_jobs


class SimpleGreetingJob(Job):
    name_input = StringVar(description="Who should we greet?")

    def run(self, *, name_input):
        self.logger.info("Hello, %s!", name_input)


register_jobs(SimpleGreetingJob)
