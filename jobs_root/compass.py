from app.jobs import Job, ChoiceVar, register_jobs

DIRECTIONS = (
    ("n", "North"),
    ("s", "South"),
    ("e", "East"),
    ("w", "West"),
)


class CompassJob(Job):
    direction = ChoiceVar(
        choices=DIRECTIONS,
        description="Choose a cardinal direction."
    )

    def run(self, *, direction):
        self.logger.info("You chose to go: %s", dict(DIRECTIONS)[direction])


register_jobs(CompassJob)
