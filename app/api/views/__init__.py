"""The API's views, one module per resource; importing them registers their routes."""

from app.api.views import approvals
from app.api.views import docs
from app.api.views import files
from app.api.views import git
from app.api.views import job_edit
from app.api.views import jobs
from app.api.views import logs
from app.api.views import object_changes
from app.api.views import queues
from app.api.views import results
from app.api.views import root
from app.api.views import run
from app.api.views import schedules
from app.api.views import users

__all__ = ["approvals", "docs", "files", "git", "job_edit", "jobs", "logs", "object_changes", "queues", "results",
           "root", "run", "schedules", "users"]
