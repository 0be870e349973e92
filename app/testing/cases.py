"""unittest support: a TestCase whose every test gets its own fresh Jobdeck database."""

from __future__ import annotations

import unittest
from typing import ClassVar

from app.testing.environment import JobEnvironment


class TransactionTestCase(unittest.TestCase):
    """Each test runs against a new, migrated temp database with the jobs of ``jobs_root`` synced.

    Set ``jobs_root`` (default: the configured jobs root) and, if needed, ``jobdeck_config`` (config
    overrides such as ``{"debug": True}``); ``self.job_environment`` is the test's JobEnvironment::

        class MyJobTestCase(TransactionTestCase):
            jobs_root = "jobs_root"

            def test_my_job(self):
                job = JobRecord.get(job_class_name="MyJob", module_name="my_job_file", source="local")
                job_result = run_job_for_testing(job, data={})
                self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS)
    """

    jobs_root = None
    jobs_root_copy = False
    jobdeck_config: ClassVar[dict] = {}

    def setUp(self):
        super().setUp()
        self.job_environment = JobEnvironment(self.jobs_root, copy=self.jobs_root_copy, **self.jobdeck_config)
        self.addCleanup(self.job_environment.stop)
        self.job_environment.start()
