"""The Django-style manager (``Model.objects``) on SQLite and on PostgreSQL.

Every test runs on both: a migrated SQLite file, and a PostgreSQL database of this module's own
(created next to JOBDECK_TEST_POSTGRES_URL's and dropped afterwards). Each test's rows are rolled
back. Outside CI the PostgreSQL half skips without a server; under CI=true it fails.
"""

from __future__ import annotations

import datetime
import os
import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import peewee
import pytest

from app import db
from app.models import FileProxy
from app.models import Job
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from app.models import User
from app.objects.manager import F
from app.objects.manager import FieldError
from app.objects.manager import Manager
from app.objects.manager import MultipleObjectsReturned
from app.objects.manager import NotSupportedError
from app.objects.manager import ObjectDoesNotExist
from app.objects.manager import Q
from app.objects.manager import QuerySet

POSTGRES_URL = os.environ.get("JOBDECK_TEST_POSTGRES_URL")
T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


def _own_postgres_database():
    """Create a database of this module's own on the test server; yield its URL, then drop it."""
    import psycopg2

    parts = urlsplit(POSTGRES_URL)
    name = f"jobdeck_manager_{os.getpid()}"
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request, tmp_path_factory):
    if request.param == "sqlite":
        database = db.bind(f"sqlite:///{tmp_path_factory.mktemp('manager')}/jobdeck.db")
        db.migrate()
        yield database
        database.close()
        return
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("JOBDECK_TEST_POSTGRES_URL is not set: CI must provide a PostgreSQL server")
        pytest.skip("set JOBDECK_TEST_POSTGRES_URL to run the PostgreSQL tests")
    own = _own_postgres_database()
    database = db.bind(next(own))
    db.migrate()
    yield database
    database.close()
    own.close()


@pytest.fixture
def data(backend):
    """Two users, three job records, four results (one without a job), log lines and a file."""
    db.database.initialize(backend)
    with backend.atomic() as transaction:
        ada = User.objects.create(username="ada", email="ada@example.com")
        bob = User.objects.create(username="bob", email="BOB@example.com")
        hello = _record("hello_jobs", "HelloJobs", "Say Hello", "Greetings", enabled=True, time_limit=30)
        net = _record("net_tools", "PingSweep", "Ping 10%_sweep", "Network", enabled=True, time_limit=300)
        backup = _record("net_tools", "BackupConfigs", "Backup Configs", "Network", time_limit=600)
        runs = [
            JobResult.objects.create(job_record=hello, name="hello 1", user=ada, status="SUCCESS",
                                     date_created=T0),
            JobResult.objects.create(job_record=hello, name="hello 2", user=bob, status="FAILURE",
                                     date_created=T0 + datetime.timedelta(hours=1), approved_by=ada),
            JobResult.objects.create(job_record=net, name="ping 1", user=ada, status="SUCCESS",
                                     date_created=T0 + datetime.timedelta(hours=2)),
            JobResult.objects.create(job_record=None, name="orphan", user=None, status="ERRORED",
                                     date_created=T0 + datetime.timedelta(hours=3)),
        ]
        for index, level in enumerate(["info", "warning", "failure"]):
            JobLogEntry.objects.create(job_result=runs[1], log_level=level, message=f"line {index}")
        JobLogEntry.objects.create(job_result=runs[2], log_level="info", message="pong")
        FileProxy.objects.create(job_result=runs[2], name="sweep.csv", content=b"ip\n", size=3)
        yield SimpleNamespace(ada=ada, bob=bob, hello=hello, net=net, backup=backup, runs=runs)
        transaction.rollback()


def _record(module, cls, name, grouping, **fields):
    return JobRecord.objects.create(module_name=module, job_class_name=cls, class_path=f"{module}.{cls}",
                                    name=name, grouping=grouping, **fields)


def names(queryset) -> list[str]:
    return sorted(row.name for row in queryset)


# --- evaluation, chaining, laziness ----------------------------------------------------------------


def test_all_count_len_bool_exists_and_iteration(data):
    everything = JobRecord.objects.all()
    assert isinstance(everything, QuerySet)
    assert everything.count() == 3 and len(everything) == 3 and bool(everything) and everything.exists()
    assert names(everything) == ["Backup Configs", "Ping 10%_sweep", "Say Hello"]
    nothing = JobRecord.objects.filter(name="nope")
    assert nothing.count() == 0 and len(nothing) == 0 and not nothing and not nothing.exists()
    assert list(nothing) == []


def test_none_matches_nothing_and_stays_empty(data):
    empty = JobRecord.objects.none()
    assert list(empty) == [] and empty.count() == 0 and not empty.exists()
    assert list(empty.filter(name="Say Hello")) == []
    assert empty.update(name="x") == 0 and empty.delete() == (0, {})
    assert JobResult.objects.filter(job_record__in=empty).count() == 0


def test_each_call_returns_a_new_lazy_queryset(data):
    network = JobRecord.objects.filter(grouping="Network")
    enabled = network.filter(enabled=True)
    assert names(network) == ["Backup Configs", "Ping 10%_sweep"]
    assert names(enabled) == ["Ping 10%_sweep"]
    pending = JobRecord.objects.filter(grouping="Network").order_by("name")
    _record("net_tools", "Traceroute", "Traceroute", "Network")  # created after the query was built
    assert [row.name for row in pending] == ["Backup Configs", "Ping 10%_sweep", "Traceroute"]


def test_repr_lists_rows_like_django(data):
    assert repr(JobRecord.objects.order_by("name")[:2]) == (
        "<QuerySet [<JobRecord: Backup Configs>, <JobRecord: Ping 10%_sweep>]>")
    for index in range(22):
        JobLogEntry.objects.create(job_result=data.runs[0], message=f"many {index}")
    assert repr(JobLogEntry.objects.all()).endswith(", ...(remaining elements truncated)...]>")
    assert repr(JobRecord.objects.values_list("name", flat=True).filter(pk=data.hello.pk)) == (
        "<QuerySet ['Say Hello']>")


def test_manager_is_not_reachable_from_an_instance(data):
    with pytest.raises(AttributeError, match="Manager isn't accessible via JobRecord instances"):
        data.hello.objects  # noqa: B018


def test_job_alias_reads_as_nautobot(data):
    assert Job is JobRecord
    assert Job.objects.get(job_class_name="HelloJobs", module_name="hello_jobs").name == "Say Hello"


def test_peewee_keyword_get_still_works(data):
    assert JobRecord.get(job_class_name="HelloJobs", module_name="hello_jobs").id == data.hello.id
    assert JobRecord.filter(module_name="net_tools").count() == 2


# --- get() and its errors --------------------------------------------------------------------------


def test_get_returns_the_one_row(data):
    assert JobRecord.objects.get(pk=data.hello.pk).name == "Say Hello"
    assert JobRecord.objects.filter(grouping="Network").get(enabled=True).name == "Ping 10%_sweep"
    assert JobRecord.objects.get(Q(name="Say Hello")).id == data.hello.id


def test_get_of_nothing_raises_the_models_does_not_exist(data):
    with pytest.raises(JobRecord.DoesNotExist) as raised:
        JobRecord.objects.get(name="nope")
    assert str(raised.value) == "JobRecord matching query does not exist."
    assert isinstance(raised.value, ObjectDoesNotExist)
    assert not isinstance(raised.value, JobResult.DoesNotExist)


def test_get_of_several_raises_the_models_multiple_objects_returned(data):
    with pytest.raises(JobRecord.MultipleObjectsReturned) as raised:
        JobRecord.objects.get(grouping="Network")
    assert str(raised.value) == "get() returned more than one JobRecord -- it returned 2!"
    assert isinstance(raised.value, MultipleObjectsReturned)
    assert not isinstance(raised.value, JobResult.MultipleObjectsReturned)
    for index in range(25):
        JobLogEntry.objects.create(job_result=data.runs[0], message=f"many {index}")
    with pytest.raises(JobLogEntry.MultipleObjectsReturned, match="it returned more than 20!"):
        JobLogEntry.objects.get(job_result=data.runs[0])


# --- lookups ---------------------------------------------------------------------------------------


def test_exact_and_iexact(data):
    assert names(JobRecord.objects.filter(name="Say Hello")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name__exact="Say Hello")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name="say hello")) == []
    assert names(JobRecord.objects.filter(name__iexact="SAY hello")) == ["Say Hello"]
    assert [user.username for user in User.objects.filter(email__iexact="bob@EXAMPLE.com")] == ["bob"]


def test_contains_startswith_endswith_are_case_sensitive_and_i_variants_are_not(data):
    assert names(JobRecord.objects.filter(name__contains="Hello")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name__contains="hello")) == []
    assert names(JobRecord.objects.filter(name__icontains="hELLo")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name__startswith="Say")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name__startswith="say")) == []
    assert names(JobRecord.objects.filter(name__istartswith="say")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name__endswith="Configs")) == ["Backup Configs"]
    assert names(JobRecord.objects.filter(name__endswith="configs")) == []
    assert names(JobRecord.objects.filter(name__iendswith="CONFIGS")) == ["Backup Configs"]


def test_text_lookups_take_wildcards_literally(data):
    assert names(JobRecord.objects.filter(name__contains="%_")) == ["Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(name__icontains="0%_S")) == ["Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(name__contains="_")) == ["Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(name__contains="%")) == ["Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(name__startswith="Say_")) == []
    assert names(JobRecord.objects.filter(name__contains="*")) == []
    assert names(JobRecord.objects.filter(name__contains="?")) == []


def test_in_with_values_objects_an_empty_list_and_a_queryset(data):
    assert names(JobRecord.objects.filter(job_class_name__in=["HelloJobs", "PingSweep"])) == [
        "Ping 10%_sweep", "Say Hello"]
    assert names(JobRecord.objects.filter(pk__in=[data.hello.pk])) == ["Say Hello"]
    assert names(JobRecord.objects.filter(name__in=[])) == []
    network = JobRecord.objects.filter(grouping="Network")
    assert names(JobResult.objects.filter(job_record__in=network)) == ["ping 1"]
    assert names(JobResult.objects.filter(job_record__in=[data.hello, data.backup])) == ["hello 1", "hello 2"]
    ids = JobRecord.objects.filter(enabled=True).values_list("id", flat=True)
    assert names(JobResult.objects.filter(job_record_id__in=ids)) == ["hello 1", "hello 2", "ping 1"]


def test_comparisons_and_range(data):
    assert names(JobRecord.objects.filter(time_limit__gt=300)) == ["Backup Configs"]
    assert names(JobRecord.objects.filter(time_limit__gte=300)) == ["Backup Configs", "Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(time_limit__lt=300)) == ["Say Hello"]
    assert names(JobRecord.objects.filter(time_limit__lte=300)) == ["Ping 10%_sweep", "Say Hello"]
    assert names(JobRecord.objects.filter(time_limit__range=(30, 300))) == ["Ping 10%_sweep", "Say Hello"]
    later = JobResult.objects.filter(date_created__gte=T0 + datetime.timedelta(hours=2))
    assert names(later) == ["orphan", "ping 1"]
    window = (T0 + datetime.timedelta(minutes=30), T0 + datetime.timedelta(hours=2))
    assert names(JobResult.objects.filter(date_created__range=window)) == ["hello 2", "ping 1"]
    paris = datetime.timezone(datetime.timedelta(hours=2))
    aware = (T0 + datetime.timedelta(hours=2)).replace(tzinfo=datetime.timezone.utc).astimezone(paris)  # 14:00 UTC
    assert names(JobResult.objects.filter(date_created__gte=aware)) == ["orphan", "ping 1"]
    assert names(JobResult.objects.filter(date_created__in=[aware])) == ["ping 1"]
    assert names(JobResult.objects.filter(date_created__range=(aware, aware))) == ["ping 1"]


def test_isnull_and_none(data):
    assert names(JobResult.objects.filter(job_record__isnull=True)) == ["orphan"]
    assert names(JobResult.objects.filter(job_record__isnull=False)) == ["hello 1", "hello 2", "ping 1"]
    assert names(JobResult.objects.filter(job_record=None)) == ["orphan"]
    assert names(JobResult.objects.filter(approved_by__username__isnull=False)) == ["hello 2"]


def test_f_compares_and_updates_with_the_rows_own_fields(data):
    JobRecord.objects.filter(pk=data.hello.pk).update(soft_time_limit=10)
    JobRecord.objects.filter(pk=data.net.pk).update(soft_time_limit=300)
    assert names(JobRecord.objects.filter(time_limit__gt=F("soft_time_limit"))) == ["Backup Configs", "Say Hello"]
    assert names(JobRecord.objects.filter(time_limit=F("soft_time_limit"))) == ["Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(time_limit__gte=F("soft_time_limit") * 3)) == [
        "Backup Configs", "Say Hello"]
    assert names(JobRecord.objects.exclude(time_limit__lt=F("soft_time_limit") + 25)) == ["Backup Configs"]
    assert names(JobRecord.objects.filter(time_limit__range=(F("soft_time_limit"), 100))) == ["Say Hello"]
    assert names(JobResult.objects.filter(date_created__lt=F("job_record__created"))) == ["hello 1", "hello 2",
                                                                                           "ping 1"]
    assert JobResult.objects.filter(job_record=data.hello).update(log_count=F("log_count") + 2) == 2
    assert JobResult.objects.update(log_count=10 - F("log_count")) == 4
    assert sorted(JobResult.objects.values_list("log_count", flat=True)) == [8, 8, 10, 10]
    with pytest.raises(FieldError, match="update\\(\\) cannot set a field from a related model's field"):
        JobResult.objects.update(name=F("job_record__name"))
    with pytest.raises(NotSupportedError, match="F\\(\\) is not supported with the 'icontains' lookup"):
        JobRecord.objects.filter(name__icontains=F("grouping"))
    with pytest.raises(FieldError, match="Cannot resolve keyword 'nope' into field of JobRecord"):
        JobRecord.objects.filter(name=F("nope"))


# --- foreign keys ----------------------------------------------------------------------------------


def test_foreign_key_by_object_pk_and_id_name(data):
    expected = ["hello 1", "hello 2"]
    assert names(JobResult.objects.filter(job_record=data.hello)) == expected
    assert names(JobResult.objects.filter(job_record=data.hello.pk)) == expected
    assert names(JobResult.objects.filter(job_record=str(data.hello.pk))) == expected
    assert names(JobResult.objects.filter(job_record_id=data.hello.pk)) == expected
    assert names(JobResult.objects.filter(job_record__pk=data.hello.pk)) == expected
    assert names(JobResult.objects.filter(job_record__id=data.hello.pk)) == expected


def test_traversal_across_foreign_keys_joins_each_path_once(data):
    query = JobResult.objects.filter(job_record__grouping="Network", job_record__enabled=True)
    assert names(query) == ["ping 1"]
    assert query._query().sql()[0].count("JOIN") == 1
    assert [entry.message for entry in JobLogEntry.objects.filter(
        job_result__job_record__name__icontains="hello").order_by("id")] == ["line 0", "line 1", "line 2"]
    assert [row.name for row in FileProxy.objects.filter(job_result__user__username="ada")] == ["sweep.csv"]


def test_two_foreign_keys_to_one_model_are_joined_separately(data):
    query = JobResult.objects.filter(user__username="bob", approved_by__username="ada")
    assert names(query) == ["hello 2"]
    assert names(JobResult.objects.filter(user__username="ada", approved_by__username="ada")) == []


def test_reverse_relations_through_backrefs(data):
    assert names(JobRecord.objects.filter(results__status="FAILURE")) == ["Say Hello"]
    assert names(JobRecord.objects.filter(results__user__username="ada")) == ["Ping 10%_sweep", "Say Hello"]
    assert names(JobRecord.objects.exclude(results__status="SUCCESS")) == ["Backup Configs"]
    assert names(JobRecord.objects.filter(results__isnull=True)) == ["Backup Configs"]
    assert names(JobRecord.objects.filter(results__isnull=False)) == ["Ping 10%_sweep", "Say Hello"]
    assert names(JobRecord.objects.filter(results=data.runs[2])) == ["Ping 10%_sweep"]
    assert names(JobRecord.objects.filter(results__in=[data.runs[0], data.runs[2]])) == [
        "Ping 10%_sweep", "Say Hello"]
    assert [user.username for user in User.objects.filter(job_results__logs__log_level="failure")] == ["bob"]


def test_conditions_of_one_filter_call_on_a_reverse_relation_hold_for_the_same_row(data):
    # Say Hello has a SUCCESS run (by ada) and a run by bob (FAILURE): no single run is both.
    assert names(JobRecord.objects.filter(results__status="SUCCESS", results__user__username="bob")) == []
    assert names(JobRecord.objects.filter(results__status="FAILURE", results__user__username="bob")) == [
        "Say Hello"]
    chained = JobRecord.objects.filter(results__status="SUCCESS").filter(results__user__username="bob")
    assert names(chained) == ["Say Hello"]
    either = JobRecord.objects.filter(Q(results__status="ERRORED") | Q(results__user__username="bob"))
    assert names(either) == ["Say Hello"]
    loose = Q(results__status="ERRORED", results__user__username="bob", _connector=Q.OR)
    assert names(JobRecord.objects.filter(loose)) == ["Say Hello"]


# --- Q, exclude ------------------------------------------------------------------------------------


def test_q_or_and_not(data):
    either = JobRecord.objects.filter(Q(name="Say Hello") | Q(job_class_name="BackupConfigs"))
    assert names(either) == ["Backup Configs", "Say Hello"]
    both = JobRecord.objects.filter(Q(grouping="Network") & Q(enabled=False))
    assert names(both) == ["Backup Configs"]
    assert names(JobRecord.objects.filter(~Q(grouping="Network"))) == ["Say Hello"]
    nested = JobRecord.objects.filter(~(Q(grouping="Network") & ~Q(enabled=True)) | Q(time_limit__gt=500))
    assert names(nested) == ["Backup Configs", "Ping 10%_sweep", "Say Hello"]
    mixed = JobResult.objects.filter(Q(user__username="ada") | Q(status="ERRORED"), date_created__gt=T0)
    assert names(mixed) == ["orphan", "ping 1"]
    assert names(JobRecord.objects.filter(Q())) == names(JobRecord.objects.all())


def test_exclude_negates_all_its_conditions_together(data):
    assert names(JobRecord.objects.exclude(grouping="Network", enabled=False)) == ["Ping 10%_sweep", "Say Hello"]
    assert names(JobRecord.objects.exclude(grouping="Network").exclude(name="Say Hello")) == []


def test_exclude_keeps_rows_whose_column_is_null(data):
    # As Django: a result without a job is "not" the Say Hello job's result.
    assert names(JobResult.objects.exclude(job_record__name="Say Hello")) == ["orphan", "ping 1"]
    assert names(JobResult.objects.exclude(job_record=data.hello)) == ["orphan", "ping 1"]
    assert names(JobResult.objects.exclude(job_record=None)) == ["hello 1", "hello 2", "ping 1"]


# --- ordering, first, last -------------------------------------------------------------------------


def test_order_by_fields_descending_and_across_foreign_keys(data):
    assert [row.name for row in JobRecord.objects.order_by("name")] == [
        "Backup Configs", "Ping 10%_sweep", "Say Hello"]
    assert [row.name for row in JobRecord.objects.order_by("-time_limit")] == [
        "Backup Configs", "Ping 10%_sweep", "Say Hello"]
    by_job = JobResult.objects.filter(job_record__isnull=False).order_by("-job_record__name", "name")
    assert [row.name for row in by_job] == ["hello 1", "hello 2", "ping 1"]
    assert [row.name for row in by_job.reverse()] == ["ping 1", "hello 2", "hello 1"]
    assert sorted(row.name for row in JobRecord.objects.order_by("?")) == names(JobRecord.objects.all())
    assert names(JobRecord.objects.order_by("name").order_by()) == names(JobRecord.objects.all())


def test_first_and_last(data):
    by_date = JobResult.objects.order_by("date_created")
    assert by_date.first().name == "hello 1" and by_date.last().name == "orphan"
    assert JobResult.objects.order_by("-date_created").first().name == "orphan"
    log = JobLogEntry.objects.filter(job_result=data.runs[1])  # unordered: by primary key
    assert log.first().message == "line 0" and log.last().message == "line 2"
    assert JobRecord.objects.filter(name="nope").first() is None
    assert JobRecord.objects.filter(name="nope").last() is None


# --- values ----------------------------------------------------------------------------------------


def test_values_list_and_values(data):
    ordered = JobRecord.objects.order_by("name")
    assert list(ordered.values_list("name", flat=True)) == ["Backup Configs", "Ping 10%_sweep", "Say Hello"]
    assert list(ordered.values_list("job_class_name", "time_limit")) == [
        ("BackupConfigs", 600.0), ("PingSweep", 300.0), ("HelloJobs", 30.0)]
    rows = list(JobResult.objects.order_by("date_created").values("name", "job_record__name", "user"))
    assert rows[0] == {"name": "hello 1", "job_record__name": "Say Hello", "user": data.ada.id}
    assert rows[-1] == {"name": "orphan", "job_record__name": None, "user": None}
    whole = JobResult.objects.filter(name="hello 1").values()[0]
    assert whole["job_record_id"] == data.hello.id and whole["date_created"] == T0 and whole["options"] == {}
    assert JobResult.objects.filter(name="hello 1").values_list()[0][0] == data.runs[0].id
    assert JobRecord.objects.values_list("pk", flat=True).get(name="Say Hello") == data.hello.pk
    with pytest.raises(TypeError, match="'flat' is not valid when values_list is called with more than one"):
        JobRecord.objects.values_list("name", "grouping", flat=True)


# --- select_related / prefetch_related -------------------------------------------------------------


def test_select_related_loads_related_rows_in_the_same_query(data):
    results = list(JobResult.objects.select_related("job_record", "user").order_by("date_created"))
    JobRecord.objects.filter(pk=data.hello.pk).update(name="Renamed")  # after the rows were read
    assert results[0].job_record.name == "Say Hello" and results[0].user.username == "ada"
    assert results[-1].job_record is None and results[-1].user is None
    entries = list(JobLogEntry.objects.select_related("job_result__job_record").filter(message="pong"))
    JobRecord.objects.filter(pk=data.net.pk).update(name="Renamed too")
    assert entries[0].job_result.job_record.name == "Ping 10%_sweep"
    assert JobResult.objects.select_related().filter(name="ping 1").get().job_record.name == "Renamed too"


def test_only_and_defer_are_accepted_and_load_every_column(data):
    row = JobRecord.objects.only("name").defer("description").get(pk=data.hello.pk)
    assert (row.name, row.time_limit) == ("Say Hello", 30)


def test_prefetch_related_is_accepted(data):
    records = JobRecord.objects.prefetch_related("results").order_by("name")
    assert [len(list(record.results)) for record in records] == [0, 1, 2]
    with pytest.raises(FieldError, match="Cannot find 'name' on JobRecord to prefetch_related"):
        JobRecord.objects.prefetch_related("name")


# --- slicing ---------------------------------------------------------------------------------------


def test_slicing_limits_and_offsets(data):
    ordered = JobResult.objects.order_by("date_created")
    assert [row.name for row in ordered[:2]] == ["hello 1", "hello 2"]
    assert [row.name for row in ordered[1:3]] == ["hello 2", "ping 1"]
    assert [row.name for row in ordered[2:]] == ["ping 1", "orphan"]
    assert [row.name for row in ordered[1:][:2]] == ["hello 2", "ping 1"]
    assert [row.name for row in ordered[::2]] == ["hello 1", "ping 1"]
    assert ordered[3].name == "orphan"
    assert ordered[:2].count() == 2 and ordered[3:].exists() and not ordered[4:].exists()
    assert ordered.select_related("job_record")[1:].count() == 3
    with pytest.raises(IndexError):
        ordered[4]


def test_negative_indexing_is_refused(data):
    with pytest.raises(ValueError, match="Negative indexing is not supported."):
        JobRecord.objects.all()[-1]
    with pytest.raises(ValueError, match="Negative indexing is not supported."):
        JobRecord.objects.all()[-2:]


def test_a_sliced_queryset_refuses_filter_update_and_delete(data):
    sliced = JobRecord.objects.order_by("name")[:2]
    with pytest.raises(TypeError, match="Cannot filter a query once a slice has been taken."):
        sliced.filter(name="x")
    with pytest.raises(TypeError, match="Cannot update a query once a slice has been taken."):
        sliced.update(name="x")
    with pytest.raises(TypeError, match="Cannot delete a query once a slice has been taken."):
        sliced.delete()


# --- writing ---------------------------------------------------------------------------------------


def test_create_get_or_create_and_update_or_create(data):
    carol = User.objects.create(username="carol", email="carol@example.com")
    assert User.objects.get(username="carol").id == carol.id
    same, created = User.objects.get_or_create(username="carol", defaults={"email": "other@example.com"})
    assert (same.id, created, same.email) == (carol.id, False, "carol@example.com")
    dave, created = User.objects.get_or_create(username="dave", defaults={"email": "dave@example.com"})
    assert created and User.objects.get(username="dave").email == "dave@example.com"
    found, created = User.objects.get_or_create(username__iexact="DAVE")
    assert found.id == dave.id and not created
    updated, created = User.objects.update_or_create(username="dave", defaults={"first_name": "Dave"})
    assert (updated.id, created) == (dave.id, False) and User.objects.get(pk=dave.id).first_name == "Dave"
    erin, created = User.objects.update_or_create(username="erin", defaults={"first_name": "Erin"})
    assert created and User.objects.get(username="erin").first_name == "Erin"
    record, created = JobRecord.objects.get_or_create(
        class_path="hello_jobs.HelloJobs", defaults={"module_name": "x", "job_class_name": "y"})
    assert record.id == data.hello.id and not created


def test_get_or_create_that_cannot_create_raises_and_leaves_the_transaction_usable(data):
    with pytest.raises(peewee.IntegrityError):
        JobRecord.objects.get_or_create(name="Another Hello", defaults={
            "class_path": "hello_jobs.HelloJobs", "module_name": "m", "job_class_name": "C"})
    assert JobRecord.objects.count() == 3  # the failed insert is rolled back, the session goes on


def test_writes_refuse_unknown_fields(data):
    with pytest.raises(FieldError, match="Cannot resolve keyword 'colour' into field of User. Choices are: "):
        User.objects.create(username="carol", colour="red")
    with pytest.raises(FieldError, match="Cannot resolve keyword 'colour' into field of User"):
        User.objects.get_or_create(username="carol", defaults={"colour": "red"})
    with pytest.raises(FieldError, match="Cannot resolve keyword 'colour' into field of User"):
        User.objects.update_or_create(username="ada", defaults={"colour": "red"})
    assert not User.objects.filter(username="carol").exists()
    assert JobResult.objects.create(name="by id", job_record_id=data.net.pk).job_record.name == "Ping 10%_sweep"


def test_writes_store_aware_datetimes_as_naive_utc(data):
    paris = datetime.timezone(datetime.timedelta(hours=2))
    noon_utc = T0.replace(tzinfo=datetime.timezone.utc).astimezone(paris)
    JobResult.objects.create(name="aware", date_created=noon_utc)
    assert JobResult.objects.get(name="aware").date_created == T0
    JobResult.objects.filter(name="aware").update(date_done=noon_utc)
    JobResult.objects.update_or_create(name="aware", defaults={"date_started": noon_utc})
    row = JobResult.objects.get(name="aware")
    assert (row.date_started, row.date_done) == (T0, T0)
    assert names(JobResult.objects.filter(date_created=noon_utc)) == ["aware", "hello 1"]


def test_update_changes_only_the_matching_rows(data):
    assert JobRecord.objects.filter(grouping="Network").update(hidden=True) == 2
    assert names(JobRecord.objects.filter(hidden=True)) == ["Backup Configs", "Ping 10%_sweep"]
    # Across a join: UPDATE cannot join, so the rows are picked by primary key.
    assert JobResult.objects.filter(job_record__name="Say Hello", status="FAILURE").update(worker="w1") == 1
    assert names(JobResult.objects.filter(worker="w1")) == ["hello 2"]
    assert JobResult.objects.filter(name="orphan").update(job_record_id=data.backup.pk) == 1
    assert JobResult.objects.get(name="orphan").job_record_id == data.backup.pk
    assert JobRecord.objects.filter(results__status="FAILURE").update(description="flaky") == 1
    assert names(JobRecord.objects.filter(description="flaky")) == ["Say Hello"]
    with pytest.raises(FieldError, match="Cannot resolve keyword 'colour' into field of JobRecord"):
        JobRecord.objects.update(colour="red")


def test_delete_removes_matching_rows_and_the_database_cascades(data):
    count, per_model = JobResult.objects.filter(job_record__name="Say Hello", status="FAILURE").delete()
    assert (count, per_model) == (1, {"JobResult": 1})
    assert names(JobResult.objects.all()) == ["hello 1", "orphan", "ping 1"]
    assert not JobLogEntry.objects.filter(job_result_id=data.runs[1].id).exists()  # ON DELETE CASCADE
    assert JobRecord.objects.filter(results__isnull=True).delete() == (1, {"JobRecord": 1})
    assert JobRecord.objects.filter(grouping="Network").delete() == (1, {"JobRecord": 1})
    assert JobResult.objects.get(name="ping 1").job_record_id is None  # ON DELETE SET NULL


def test_a_rows_own_delete_and_refresh_from_db_behave_as_djangos(data):
    run = JobResult.objects.get(name="hello 2")
    JobResult.objects.filter(pk=run.pk).update(status="REVOKED", job_record_id=data.net.pk)
    assert run.status == "FAILURE" and run.job_record.name == "Say Hello"
    run.refresh_from_db()
    assert run.status == "REVOKED" and run.job_record.name == "Ping 10%_sweep"
    assert run.delete() == (1, {"JobResult": 1})
    assert not JobResult.objects.filter(name="hello 2").exists()
    assert not JobLogEntry.objects.filter(job_result_id=run.pk).exists()
    with pytest.raises(JobResult.DoesNotExist):
        run.refresh_from_db()
    assert JobResult.delete().where(JobResult.name == "orphan").execute() == 1  # Peewee's, unchanged
    assert data.runs[2].delete_instance() == 1


def test_in_bulk(data):
    bulk = JobRecord.objects.in_bulk([data.hello.pk, data.net.pk])
    assert {key: row.name for key, row in bulk.items()} == {data.hello.pk: "Say Hello", data.net.pk: "Ping 10%_sweep"}
    assert set(JobRecord.objects.in_bulk()) == {data.hello.pk, data.net.pk, data.backup.pk}
    assert JobRecord.objects.in_bulk([]) == {} and JobRecord.objects.in_bulk(iter([])) == {}
    assert list(JobRecord.objects.in_bulk(iter([data.hello.pk]))) == [data.hello.pk]
    assert set(JobRecord.objects.in_bulk(["HelloJobs"], field_name="job_class_name")) == {"HelloJobs"}


# --- errors ----------------------------------------------------------------------------------------


def test_unknown_fields_name_the_model_and_the_choices(data):
    with pytest.raises(FieldError) as raised:
        JobRecord.objects.filter(nme="x")
    message = str(raised.value)
    assert message.startswith("Cannot resolve keyword 'nme' into field of JobRecord. Choices are: ")
    assert "name" in message and "results" in message and "pk" in message
    with pytest.raises(FieldError, match="Cannot resolve keyword 'colour' into field of User"):
        JobResult.objects.filter(user__colour="red")
    with pytest.raises(FieldError, match="Cannot resolve keyword 'nope' into field of JobRecord"):
        JobRecord.objects.order_by("-nope")
    with pytest.raises(FieldError, match="Cannot resolve keyword 'nope' into field of JobRecord"):
        JobRecord.objects.values_list("nope")
    with pytest.raises(FieldError, match="Cannot resolve keyword 'nope' into field of JobRecord"):
        JobRecord.objects.get(Q(name="x") | Q(nope=1))
    with pytest.raises(TypeError, match="filter\\(\\) takes keyword lookups or Q objects, not 'name'"):
        JobRecord.objects.filter("name")


def test_unknown_lookups_name_the_field_and_the_supported_lookups(data):
    with pytest.raises(FieldError) as raised:
        JobRecord.objects.filter(name__like="x")
    assert str(raised.value).startswith("Unsupported lookup 'like' for CharField JobRecord.name. "
                                        "Supported lookups are: exact, iexact, in, contains")
    with pytest.raises(FieldError, match="Unsupported lookup 'name__exact' for CharField JobRecord.module_name"):
        JobRecord.objects.filter(module_name__name__exact="x")
    with pytest.raises(FieldError, match="JobRecord.name is a CharField, not a relation"):
        JobRecord.objects.order_by("name__length")


def test_unsupported_features_are_refused_clearly(data):
    with pytest.raises(NotSupportedError, match="annotate"):
        JobRecord.objects.annotate(n=1)
    with pytest.raises(NotSupportedError, match="aggregate"):
        JobRecord.objects.aggregate(n=1)
    with pytest.raises(NotSupportedError, match=r"distinct\(\*fields\) is not supported"):
        JobRecord.objects.distinct("name")
    with pytest.raises(FieldError, match="'results' is a reverse relation; use prefetch_related"):
        JobRecord.objects.select_related("results")
    with pytest.raises(FieldError, match="JobResult.name is not a foreign key"):
        JobResult.objects.select_related("name")
    with pytest.raises(NotSupportedError, match="ordering across a reverse relation"):
        JobRecord.objects.order_by("results__name")
    assert JobRecord.objects.filter(results__status="SUCCESS").distinct().count() == 2


def test_any_peewee_model_can_have_the_manager_and_its_own_queryset(backend):
    db.database.initialize(backend)
    from app.objects.manager import ObjectsMixin

    class Gadget(ObjectsMixin, peewee.Model):
        name = peewee.CharField()
        serial = peewee.UUIDField(default=uuid.uuid4)

        class Meta:
            database = backend
            table_name = "manager_test_gadget"

    class RecordQuerySet(QuerySet):
        def network(self):
            return self.filter(grouping="Network")

    class NetworkRecord(JobRecord):
        objects = Manager(RecordQuerySet)

        class Meta:
            table_name = "job_record"

    assert Gadget.MultipleObjectsReturned is not JobRecord.MultipleObjectsReturned
    assert issubclass(NetworkRecord.MultipleObjectsReturned, JobRecord.MultipleObjectsReturned)
    with backend.atomic() as transaction:
        _record("net_tools", "PingSweep", "Ping", "Network", enabled=True)
        _record("net_tools", "Backup", "Backup", "Network")
        assert [row.name for row in NetworkRecord.objects.filter(enabled=False).network()] == ["Backup"]
        assert NetworkRecord.objects.network().order_by("name").first().name == "Backup"
        Gadget.create_table()
        Gadget.objects.create(name="one")
        Gadget.objects.create(name="one")
        with pytest.raises(Gadget.MultipleObjectsReturned, match="more than one Gadget -- it returned 2!"):
            Gadget.objects.get(name="one")
        transaction.rollback()


# --- from a job ------------------------------------------------------------------------------------


def test_a_job_queries_records_and_results_through_the_manager(fixture_jobs):
    from app.testing import log_entries
    from app.testing import run_job_for_testing

    first = run_job_for_testing("objects_query.ObjectsQuery", name_contains="QUERY")
    assert first.status == "SUCCESS", first.traceback
    assert first.result == {"names": ["Objects Query"], "this_job": "ObjectsQuery", "earlier_runs": 0,
                            "finished_runs": 0}
    assert ("info", "run", "1 job(s) named like 'QUERY'") in log_entries(first)
    second = run_job_for_testing("objects_query.ObjectsQuery", name_contains="pick")
    assert second.result == {"names": ["Pick Jobs"], "this_job": "ObjectsQuery", "earlier_runs": 1,
                             "finished_runs": 1}
