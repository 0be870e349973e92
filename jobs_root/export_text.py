from app.jobs import Job, register_jobs


class ExportText(Job):
    class Meta:
        name = "Export Text File"

    def run(self):
        self.create_file("output.txt", "Export completed successfully.")
        self.logger.info("File has been created for download.")


register_jobs(ExportText)
