"""The seed's two time-limit examples.

``job_code()`` stands for work that may take too long; here it waits in small steps so the limits
can be seen in action.
"""

import time

from app.jobs import Job, SoftTimeLimitExceeded, register_jobs

name = "Time Limits"


def job_code(seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)


class ExampleJobWithSoftTimeLimit(Job):
    class Meta:
        name = "Soft Time Limit"
        description = "Set a soft time limit of 10 seconds"
        soft_time_limit = 10

    def run(self):
        try:
            # code which might take longer than 10 seconds to run
            job_code()
        except SoftTimeLimitExceeded:
            # any clean up code
            self.logger.warning("Soft time limit reached; cleaning up in a hurry.")
            self.create_file("partial.txt", "cleanup done")
            raise


class ExampleJobWithHardTimeLimit(Job):
    class Meta:
        name = "Hard Time Limit"
        description = "Set a hard time limit of 10 seconds`"
        time_limit = 10

    def run(self):
        # code which might take longer than 10 seconds to run
        # this code will be stopped if the time_limit is exceeded
        job_code()


register_jobs(ExampleJobWithSoftTimeLimit, ExampleJobWithHardTimeLimit)
