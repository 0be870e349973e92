"""Peewee models. MODELS lists every table in dependency order."""

from app.models.changes import ObjectChange
from app.models.git import GitRepository
from app.models.jobs import JobRecord
from app.models.queues import JobQueue
from app.models.results import FileProxy
from app.models.results import JobLogEntry
from app.models.results import JobResult
from app.models.schedules import ScheduledJob
from app.models.users import FailedLogin
from app.models.users import Group
from app.models.users import LoginFailure
from app.models.users import ObjectPermission
from app.models.users import PermissionGroup
from app.models.users import PermissionUser
from app.models.users import Token
from app.models.users import User
from app.models.users import UserGroup
from app.models.users import UserSession
from app.models.workers import WorkerHeartbeat

MODELS = (
    User,
    Group,
    UserGroup,
    ObjectPermission,
    PermissionUser,
    PermissionGroup,
    Token,
    LoginFailure,
    UserSession,
    FailedLogin,
    GitRepository,
    JobQueue,
    JobRecord,
    ScheduledJob,
    JobResult,
    JobLogEntry,
    FileProxy,
    WorkerHeartbeat,
    ObjectChange,
)

# Nautobot's name for the job record (``nautobot.extras.models.Job``): ``Job.objects.get(...)`` reads as there.
Job = JobRecord

__all__ = [model.__name__ for model in MODELS] + ["Job", "MODELS"]
