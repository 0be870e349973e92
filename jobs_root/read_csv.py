import csv
from app.jobs import Job, FileVar, register_jobs


class ReadCSVJob(Job):
    class Meta:
        name = "Read CSV Upload"
        has_sensitive_variables = False

    input_file = FileVar(description="Upload a CSV file with hostname,ip_address columns")

    def run(self, *, input_file):
        decoded_file = input_file.read().decode("utf-8").splitlines()
        reader = csv.DictReader(decoded_file)
        for row in reader:
            self.logger.info("Hostname: %s, IP Address: %s", row["hostname"], row["ip_address"])


register_jobs(ReadCSVJob)
