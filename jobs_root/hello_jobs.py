"""The seed's first job, ported by changing only its import line."""

from app import jobs

name = "Hello Jobs"


class HelloJobs(jobs.Job):
    class Meta:
        name = "Say Hello"

    person_name = jobs.StringVar(
        description="Name of the person to greet",
        default="world"
    )

    greeting_count = jobs.IntegerVar(
        description="How many times to greet",
        default=1,
        min_value=1
    )

    def run(self, *, person_name, greeting_count):
        for i in range(greeting_count):
            self.logger.info("Hello, %s! (%d)", person_name, i + 1)


jobs.register_jobs(HelloJobs)
