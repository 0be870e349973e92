"""The job author API: everything a job file imports.

Port a Nautobot job file by changing its import line to ``from app.jobs import ...`` (or
``from app import jobs``).
"""

from app.exceptions import AbortTransaction
from app.exceptions import SoftTimeLimitExceeded
from app.jobs.base import Job
from app.jobs.choices import JobResultStatusChoices
from app.jobs.choices import LogLevelChoices
from app.jobs.logger import get_task_logger
from app.jobs.network_vars import IPAddressVar
from app.jobs.network_vars import IPAddressWithMaskVar
from app.jobs.network_vars import IPNetworkVar
from app.jobs.object_vars import MultiObjectVar
from app.jobs.object_vars import ObjectVar
from app.jobs.receivers import JobButtonReceiver
from app.jobs.receivers import JobHookReceiver
from app.jobs.registry import register_jobs
from app.jobs.vars import BooleanVar
from app.jobs.vars import ChoiceVar
from app.jobs.vars import DryRunVar
from app.jobs.vars import FileVar
from app.jobs.vars import IntegerVar
from app.jobs.vars import JSONVar
from app.jobs.vars import MultiChoiceVar
from app.jobs.vars import ScriptVariable
from app.jobs.vars import StringVar
from app.jobs.vars import TextVar

__all__ = [
    "AbortTransaction",
    "BooleanVar",
    "ChoiceVar",
    "DryRunVar",
    "FileVar",
    "IPAddressVar",
    "IPAddressWithMaskVar",
    "IPNetworkVar",
    "IntegerVar",
    "JSONVar",
    "Job",
    "JobButtonReceiver",
    "JobHookReceiver",
    "JobResultStatusChoices",
    "LogLevelChoices",
    "MultiChoiceVar",
    "MultiObjectVar",
    "ObjectVar",
    "ScriptVariable",
    "SoftTimeLimitExceeded",
    "StringVar",
    "TextVar",
    "get_task_logger",
    "register_jobs",
]

# Every variable class a job can declare.
VARIABLE_TYPES = (
    StringVar,
    TextVar,
    JSONVar,
    IntegerVar,
    BooleanVar,
    DryRunVar,
    ChoiceVar,
    MultiChoiceVar,
    ObjectVar,
    MultiObjectVar,
    FileVar,
    IPAddressVar,
    IPAddressWithMaskVar,
    IPNetworkVar,
)
