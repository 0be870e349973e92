"""The names and behaviour job files rely on, used the way a ported Nautobot job uses them."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

import pytest
import wtforms
from werkzeug.datastructures import MultiDict

import app.exceptions
import app.jobs
from app.jobs import VARIABLE_TYPES
from app.jobs import JobResultStatusChoices
from app.jobs import widgets
from app.jobs.forms import JobDataError
from app.jobs.forms import validate_data
from app.jobs.registry import JobDefinitionError
from app.models import JobRecord
from app.security import PermissionDenied
from app.testing import create_test_user
from app.testing import log_entries
from app.testing import run_job_for_testing

PORTED = Path(__file__).resolve().parent / "fixtures" / "ported_jobs"
EXAMPLES = Path(__file__).resolve().parent.parent / "jobs_root"

pytestmark = pytest.mark.jobs_root(PORTED)


# -- the public names ------------------------------------------------------------------------------


def test_star_import_gives_a_job_file_every_public_name():
    namespace = {}
    exec("from app.jobs import *", namespace)
    variables = {name for name in app.jobs.__all__ if name.endswith("Var")}
    assert variables >= {
        "StringVar", "TextVar", "JSONVar", "IntegerVar", "BooleanVar", "DryRunVar", "ChoiceVar",
        "MultiChoiceVar", "ObjectVar", "MultiObjectVar", "FileVar", "IPAddressVar",
        "IPAddressWithMaskVar", "IPNetworkVar",
    }
    assert {var.__name__ for var in VARIABLE_TYPES} <= variables
    expected = variables | {
        "Job", "register_jobs", "SoftTimeLimitExceeded", "get_task_logger", "JobResultStatusChoices",
        "LogLevelChoices", "JobHookReceiver", "JobButtonReceiver", "AbortTransaction",
    }
    assert expected <= set(namespace)
    assert len(app.jobs.__all__) == len(set(app.jobs.__all__))
    assert "loader" not in namespace and "base" not in namespace  # only the declared names


def test_exceptions_module_is_the_port_target_of_nautobot_and_celery_exceptions():
    from app.exceptions import AbortTransaction
    from app.exceptions import SoftTimeLimitExceeded

    assert SoftTimeLimitExceeded is app.jobs.SoftTimeLimitExceeded
    assert AbortTransaction is app.jobs.AbortTransaction
    assert {"AbortTransaction", "SoftTimeLimitExceeded", "JobNotRunnable", "JobLoadError"} <= set(
        app.exceptions.__all__
    )
    assert issubclass(SoftTimeLimitExceeded, Exception)


def _public_members(cls):
    """(name, documented object) of each public method and property a class defines itself."""
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if hasattr(value, "fget"):  # property, classproperty
            yield name, value.fget
        elif inspect.isfunction(value) or isinstance(value, (classmethod, staticmethod)):
            yield name, getattr(cls, name)  # getdoc() then inherits an overridden method's docstring


def test_every_public_name_documents_itself_with_an_example():
    missing = []
    for name in app.jobs.__all__:
        doc = inspect.getdoc(getattr(app.jobs, name)) or ""
        if "::" not in doc and ">>>" not in doc:
            missing.append(name)
    job_bases = app.jobs.Job.__mro__[:-1]  # Job and the mixins it inherits (the 1.x log_* methods)
    for cls in (*job_bases, *VARIABLE_TYPES, app.jobs.JobHookReceiver, app.jobs.JobButtonReceiver):
        for member, func in _public_members(cls):
            if not (inspect.getdoc(func) or "").strip():
                missing.append(f"{cls.__name__}.{member}")
    for name in widgets.__all__:
        if "(" not in (inspect.getdoc(getattr(widgets, name)) or ""):
            missing.append(f"widgets.{name}")
    for name in app.exceptions.__all__:
        if not inspect.getdoc(getattr(app.exceptions, name)):
            missing.append(f"exceptions.{name}")
    assert missing == []


# -- statuses, loggers, request, user --------------------------------------------------------------


def test_status_choices_equal_the_status_given_to_after_return_and_stored(job_environment):
    result = run_job_for_testing("task_logger.LoggingPatterns")
    assert result.status == JobResultStatusChoices.STATUS_SUCCESS
    assert type(result.status) is str and result.status == "SUCCESS"
    assert ("info", "after_return", "status is success: True") in log_entries(result)


def test_get_task_logger_in_a_module_level_helper_writes_into_the_result(job_environment):
    result = run_job_for_testing("task_logger.LoggingPatterns")
    entries = log_entries(result)
    assert ("info", "helper_check", "helper checked 3 items") in entries
    assert ("warning", "helper-group", "helper warning") in entries
    assert ("error", "run", "An unexpected error occurred.") in entries
    assert ("success", "run", "Provisioning complete.") in entries
    assert ("info", "inventory-check", "Validated device") in entries
    assert ("info", "myjobisrunning", "This job is running!") in entries
    assert not any("Debugging message" in message for _, _, message in entries)  # skip_db_logging
    assert not any("hunter2" in message for _, _, message in entries)  # sanitized
    linked = result.logs.where(app.models.JobLogEntry.grouping == "inventory-check").get()
    assert (linked.object_type, linked.object_id) == ("job_result", str(result.id))


def test_get_task_logger_outside_a_job_is_an_ordinary_console_logger(caplog):
    logger = app.jobs.get_task_logger("some.helper")
    with caplog.at_level(logging.INFO):
        logger.info("outside any job")
        logger.success("custom level too")
    assert [record.getMessage() for record in caplog.records] == ["outside any job", "custom level too"]
    assert caplog.records[1].levelname == "SUCCESS"
    assert logger.logger.propagate and not logger.logger.handlers


def test_request_carries_the_task_id_user_and_submission_headers(job_environment):
    meta = {"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "pytest-agent"}
    result = run_job_for_testing("request_data.WhoRanMe", request_meta=meta)
    assert result.status == "SUCCESS", result.traceback
    assert result.result["request_id"] == str(result.id)
    assert result.result["agent"] == "pytest-agent"
    messages = [message for _, _, message in log_entries(result)]
    assert "Running as user test-user (IP: 192.0.2.10)..." in messages
    assert f"Job {result.id} initiated by user test-user is running." in messages
    assert "task_id matches request.id: True" in messages


def test_user_permissions_go_through_the_permission_model(job_environment):
    create_test_user("alice", superuser=False, permissions=["extras.run_job"])
    create_test_user("alice", permissions=["extras.run_job"])  # idempotent
    result = run_job_for_testing("request_data.WhoRanMe", username="alice")
    assert result.result == {
        "request_id": str(result.id), "agent": None, "email": "", "is_staff": False,
        "is_superuser": False, "is_active": True, "can_run_jobs": True, "can_approve_jobs": False,
    }

    create_test_user("bob", superuser=False)
    with pytest.raises(PermissionDenied):
        run_job_for_testing("request_data.WhoRanMe", username="bob")


def test_without_a_user_the_job_runs_as_the_system_user(job_environment):
    result = run_job_for_testing("request_data.WhoRanMe", username=None)
    assert result.user is None
    assert result.result["can_run_jobs"] is True and result.result["agent"] is None
    assert "Running as user jobdeck-system (IP: None)..." in [m for _, _, m in log_entries(result)]


# -- reserved attributes ----------------------------------------------------------------------------


@pytest.mark.jobs_root(EXAMPLES)
def test_reserved_attributes_are_readable_on_every_job(job_environment):
    from app.catalog import job_class_for

    record = JobRecord.get_for_class_path("hello_jobs.HelloJobs")
    hello = job_class_for(record)
    assert hello.class_path == "hello_jobs.HelloJobs"
    assert hello.grouping == "Hello Jobs"
    assert hello.description_first_line == "Greets someone in the job log."
    assert hello.supports_dryrun is False
    assert hello.properties_dict["name"] == "Say Hello"
    assert hello().job_model == record
    form = hello.as_form({"person_name": "Ada", "greeting_count": 2})
    assert form.validate() and form.cleaned_data() == {"person_name": "Ada", "greeting_count": 2}
    everything = job_class_for(JobRecord.get_for_class_path("everything.ExampleEverythingJob"))
    assert everything.supports_dryrun is True
    assert everything.description_first_line == "Demonstrates many Job features."


def test_redefining_a_read_only_attribute_warns_and_is_ignored(job_environment):
    warnings = [message for module, message in job_environment.sync_report.warnings if module == "shadowing"]
    assert len(warnings) == 2
    assert any("'class_path'" in message and "Shadowing" in message for message in warnings)
    assert any("'grouping'" in message for message in warnings)
    record = JobRecord.get_for_class_path("shadowing.Shadowing")
    assert record.grouping == "shadowing"
    result = run_job_for_testing(record)
    assert result.result == ["shadowing.Shadowing", "shadowing"]


def test_a_mixin_cannot_redefine_a_read_only_attribute_either():
    class Mixin:
        def supports_dryrun(self):
            return "mine"

    class Mixed(Mixin, app.jobs.Job):
        def run(self):
            pass

    class Child(Mixed):
        pass

    assert Mixed.supports_dryrun is False and Child.supports_dryrun is False
    assert Mixed._jobdeck_shadowed == ("supports_dryrun",) and Child._jobdeck_shadowed == ()
    from app.jobs.registry import check_job_class

    assert check_job_class(Child) == [
        "Job Child: Mixed redefines 'supports_dryrun', a read-only attribute of Job; Jobdeck ignores the redefinition"
    ]


# -- Nautobot 1.x log_* methods ----------------------------------------------------------------------


def test_legacy_log_methods_write_through_the_logger_and_log_failure_fails(job_environment):
    result = run_job_for_testing("legacy_logging.LegacyLogging")
    assert result.status == JobResultStatusChoices.STATUS_FAILURE
    assert result.traceback is None and result.result == "finished"
    entries = log_entries(result)
    assert entries[1:8] == [
        ("info", "run", "plain log line"),
        ("debug", "run", "debugging ams01"),
        ("info", "run", "info without object"),
        ("success", "run", "linked to the result"),
        ("warning", "run", "a warning"),
        ("failure", "run", "this marks the job failed"),
        ("info", "run", "still running after log_failure"),
    ]
    linked = [entry for entry in result.logs.order_by(app.models.JobLogEntry.id) if entry.object_id == str(result.id)]
    assert [entry.log_level for entry in linked] == ["success", "failure"]


# -- widgets ----------------------------------------------------------------------------------------


def test_django_widget_names_render_through_wtforms(job_environment):
    from app.catalog import job_class_for

    job_class = job_class_for(JobRecord.get_for_class_path("widgets_job.WidgetJob"))
    form = job_class.as_form()
    assert 'rows="3"' in str(form.notes()) and "<textarea" in str(form.notes())
    assert 'type="password"' in str(form.secret())
    assert 'type="hidden"' in str(form.version()) and 'value="v2"' in str(form.version())
    assert 'type="checkbox"' in str(form.confirm())
    assert "multiple" in str(form.sizes())
    result = run_job_for_testing(job_class, data={"secret": "s3cret", "color": "g", "sizes": ["s", "l"]})
    assert result.status == "SUCCESS" and result.result == 6
    assert ("info", "run", "version v2, color g, sizes ['s', 'l'], confirm False") in log_entries(result)


def test_widget_accepts_wtforms_classes_instances_names_and_django_widgets():
    assert isinstance(widgets.resolve_widget(wtforms.widgets.TextArea), wtforms.widgets.TextArea)
    instance = wtforms.widgets.PasswordInput(hide_value=False)
    assert widgets.resolve_widget(instance) is instance
    assert isinstance(widgets.resolve_widget("Textarea"), widgets.Textarea)
    # A real Django widget (class or instance) maps to ours, keeping its attrs.
    django_textarea = type("Textarea", (), {"__module__": "django.forms.widgets", "attrs": {}})
    assert isinstance(widgets.resolve_widget(django_textarea), widgets.Textarea)
    django_instance = django_textarea()
    django_instance.attrs = {"rows": 7}
    assert widgets.resolve_widget(django_instance).attrs == {"rows": 7}


@pytest.mark.parametrize("bad", [42, "Bogus", object, type("ClockWidget", (), {"__module__": "django.forms"})])
def test_anything_else_as_widget_is_a_load_error_naming_job_and_variable(bad):
    class Bad(app.jobs.Job):
        comment = app.jobs.StringVar(widget=bad)

        def run(self, *, comment):
            pass

    with pytest.raises(JobDefinitionError, match=r"Job Bad: variable 'comment' has an invalid widget"):
        app.jobs.register_jobs(Bad)


def test_a_bad_widget_in_a_job_file_is_reported_at_load(job_environment):
    errors = dict(job_environment.sync_report.errors)
    assert "Job BadWidgetJob: variable 'comment' has an invalid widget: NotAWidget is not a widget" in errors[
        "bad_widget"
    ]
    assert "(bad_widget.py, line" in errors["bad_widget"]


# -- BooleanVar and DryRunVar -----------------------------------------------------------------------


def test_booleans_are_never_required_and_missing_api_keys_take_defaults(job_environment):
    record = JobRecord.get_for_class_path("dryrun_job.CarefulJob")
    assert record.dryrun_default is True and record.supports_dryrun is True
    result = run_job_for_testing(record)
    assert result.result == {"dryrun": True, "verbose": True, "quiet": False}
    assert result.task_kwargs == {"dryrun": True, "verbose": True, "quiet": False}
    result = run_job_for_testing(record, data={"dryrun": False, "verbose": "false", "quiet": "true"})
    assert result.result == {"dryrun": False, "verbose": False, "quiet": True}


def test_dryrun_follows_the_records_effective_dryrun_default(job_environment):
    from app.catalog import job_class_for

    record = JobRecord.get_for_class_path("dryrun_job.CarefulJob")
    record.dryrun_default, record.dryrun_default_override = False, True
    record.save()
    job_environment.sync()
    record = JobRecord.get_for_class_path("dryrun_job.CarefulJob")
    assert record.dryrun_default is False
    job_class = job_class_for(record)
    assert job_class.as_form(record=record).dryrun.data is False
    assert run_job_for_testing(record).result["dryrun"] is False

    record.dryrun_default_override = False
    record.save()
    job_environment.sync()
    record = JobRecord.get_for_class_path("dryrun_job.CarefulJob")
    form = job_class.as_form(record=record)
    assert form.dryrun.data is True and not form.dryrun.flags.required and not form.verbose.flags.required


def test_unchecked_boxes_in_a_browser_form_mean_false(job_environment):
    from app.catalog import job_class_for

    record = JobRecord.get_for_class_path("dryrun_job.CarefulJob")
    job_class = job_class_for(record)
    assert validate_data(job_class, MultiDict(), record=record, strict=False) == {
        "dryrun": False, "verbose": False, "quiet": False,
    }
    assert validate_data(job_class, MultiDict({"quiet": "y"}), record=record, strict=False)["quiet"] is True


def test_reserved_variable_name_is_refused_with_a_rename_hint(job_environment):
    errors = dict(job_environment.sync_report.errors)
    assert "Job LunchOrder: variable 'name' uses a reserved name of the Job class; rename the variable" in errors[
        "lunch_order"
    ]
    with pytest.raises(JobRecord.DoesNotExist):
        JobRecord.get_for_class_path("lunch_order.LunchOrder")


def test_invalid_input_names_the_field(job_environment):
    with pytest.raises(JobDataError) as caught:
        run_job_for_testing("network_tools.Ping", address="not-an-ip")
    assert list(caught.value.errors) == ["address"]
