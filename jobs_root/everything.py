"""The seed's "Everything" job, widened to every variable type and every lifecycle method."""

from app.jobs import (
    BooleanVar,
    ChoiceVar,
    DryRunVar,
    FileVar,
    IntegerVar,
    IPAddressVar,
    IPAddressWithMaskVar,
    IPNetworkVar,
    Job,
    JSONVar,
    MultiChoiceVar,
    MultiObjectVar,
    ObjectVar,
    StringVar,
    TextVar,
    register_jobs,
)
from app.models import JobRecord

name = "Examples"


class ExampleEverythingJob(Job):
    class Meta:
        name = "Everything Demo"
        description = """
            Demonstrates many Job features.

            Every variable type, every lifecycle method, an output file and a YAML file read from
            beside the job's source.
        """
        field_order = ["example_string", "example_choice"]
        has_sensitive_variables = False

    example_string = StringVar(description="A text input.", max_length=100)
    example_choice = ChoiceVar(
        choices=[("a", "Alpha"), ("b", "Beta")],
        description="Pick a choice."
    )
    example_file = FileVar(description="Upload a file.", required=False)
    example_text = TextVar(description="Several lines of text.", required=False)
    example_json = JSONVar(description="A JSON document.", required=False)
    example_integer = IntegerVar(description="A number from 0 to 10.", default=3, min_value=0, max_value=10)
    example_boolean = BooleanVar(description="A flag.")
    dryrun = DryRunVar()
    example_multi_choice = MultiChoiceVar(
        choices=[("x", "Ex"), ("y", "Why"), ("z", "Zed")], required=False, description="Pick any."
    )
    example_job = ObjectVar(model=JobRecord, required=False, description="Pick a job.")
    example_jobs = MultiObjectVar(model=JobRecord, required=False, description="Pick several jobs.")
    example_ip = IPAddressVar(required=False, description="An address.")
    example_ip_with_mask = IPAddressWithMaskVar(required=False, description="An address with its mask.")
    example_network = IPNetworkVar(
        required=False, min_prefix_length=8, max_prefix_length=30, description="A network (/8 to /30)."
    )

    def before_start(self, task_id, args, kwargs):
        self.logger.info("Before starting job.")

    def run(self, *, example_string, example_choice, example_file, example_text, example_json,
            example_integer, example_boolean, dryrun, example_multi_choice, example_job, example_jobs,
            example_ip, example_ip_with_mask, example_network):
        self.logger.info("Received string: %s", example_string)
        self.logger.info("Choice selected: %s", example_choice)
        data = self.load_yaml("everything.yaml")
        self.logger.info("%s (%d sites)", data["greeting"], len(data["sites"]))
        if example_file is not None:
            file_content = example_file.read().decode("utf-8")
            self.create_file("copy.txt", file_content)
        if example_network is not None:
            self.logger.info("Network %s has %d addresses", example_network, example_network.size)
        if example_job is not None:
            self.logger.info("Picked job %s", example_job, extra={"object": example_job})
        if dryrun:
            self.logger.warning("Dry run: nothing would be changed.")
        return "Done!"

    def on_success(self, retval, task_id, args, kwargs):
        self.logger.success("Job completed successfully.")

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        self.logger.failure("Job failed: %s", exc)

    def after_return(self, status, retval, task_id, args, kwargs, einfo):
        self.logger.info("Finished with status %s.", status)


register_jobs(ExampleEverythingJob)
