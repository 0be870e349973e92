from app.jobs import Job, StringVar, register_jobs


class CheckOccasion(Job):
    occasion = StringVar(description="Enter an occasion")

    def run(self, *, occasion):
        if not occasion.startswith("Taco"):
            self.logger.error("Occasion must begin with 'Taco'")
            raise Exception("Input validation failed.")

        if not occasion.endswith("Tuesday"):
            self.fail("It's supposed to be Tuesday!")  # Marks job as FAILURE without traceback

        self.logger.info("Perfect! Today is %s", occasion)
        return occasion


register_jobs(CheckOccasion)
