"""Testing jobs: run them in-process against a throwaway database and inspect the result.

The port target of ``nautobot.apps.testing`` / ``nautobot.utilities.testing``::

    from app.testing import TransactionTestCase, run_job_for_testing, log_entries

With pytest, the ``job_environment`` fixture (registered by this package as a pytest plugin) gives
each test a fresh database with the jobs of a chosen folder synced.
"""

from app.testing.cases import TransactionTestCase
from app.testing.environment import JobEnvironment
from app.testing.runs import create_test_user
from app.testing.runs import find_job_record
from app.testing.runs import log_entries
from app.testing.runs import log_messages
from app.testing.runs import output_files
from app.testing.runs import run_job_for_testing

__all__ = [
    "JobEnvironment",
    "TransactionTestCase",
    "create_test_user",
    "find_job_record",
    "log_entries",
    "log_messages",
    "output_files",
    "run_job_for_testing",
]
