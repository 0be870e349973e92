"""The seed's ``template_name`` example: a job whose form page carries its own CSS, HTML and JavaScript.

``custom_template.html`` sits next to this file and extends ``extras/job.html``; its
``{{ block.super }}`` calls keep the standard page and add to it.
"""

from app.jobs import Job, StringVar, register_jobs

name = "Custom Template"


class ExampleWithCustomTemplate(Job):
    """Greets a colleague; the page around the form is customised by ``custom_template.html``."""

    class Meta:
        name = "Example with a custom template"
        description = "Shows how `template_name` adds styles, a panel and a script to the job page."
        template_name = "custom_template.html"

    colleague = StringVar(description="Who should be greeted", default="Ada")

    def run(self, *, colleague):
        self.logger.info("Hello, %s, from a job with its own template.", colleague)
        return {"greeted": colleague}


register_jobs(ExampleWithCustomTemplate)
