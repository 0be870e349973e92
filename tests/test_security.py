"""Permissions (app/security/): can(), restrict(), constraints, caching, Django-style names."""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import uuid

import pytest
from flask_login import AnonymousUserMixin

from app import db
from app import security
from app.models import FileProxy
from app.models import Group
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from app.models import ObjectPermission
from app.models import PermissionGroup
from app.models import PermissionUser
from app.models import Token
from app.models import User
from app.models import UserGroup
from app.security import PermissionDenied
from app.security import can
from app.security import has_django_perm
from app.security import object_type_of
from app.security import object_types
from app.security import require
from app.security import restrict
from app.security import user_permissions

_names = itertools.count()


@pytest.fixture
def database(tmp_path):
    db.bind(f"sqlite:///{tmp_path}/t.sqlite3")
    db.migrate()
    yield
    db.database.close()


def make_user(username=None, **fields) -> User:
    return User.create(username=username or f"user{next(_names)}", **fields)


def make_job(name, grouping="Misc", **fields) -> JobRecord:
    class_path = f"jobs.{name.replace(' ', '')}{next(_names)}"
    module, _, class_name = class_path.rpartition(".")
    return JobRecord.create(
        module_name=module,
        job_class_name=class_name,
        class_path=class_path,
        name=name,
        grouping=grouping,
        **fields,
    )


def make_result(job=None, user=None, status="SUCCESS") -> JobResult:
    return JobResult.create(name=job.name if job else "orphan", job_record=job, user=user, status=status)


def grant(object_types, actions, constraints=None, users=(), groups=(), enabled=True) -> ObjectPermission:
    permission = ObjectPermission.create(
        name=f"perm{next(_names)}",
        object_types=list(object_types),
        actions=list(actions),
        constraints=constraints,
        enabled=enabled,
    )
    for user in users:
        PermissionUser.create(permission=permission, user=user)
    for group in groups:
        PermissionGroup.create(permission=permission, group=group)
    return permission


def ids(query) -> set:
    return {row.id for row in query}


@contextlib.contextmanager
def counted_queries():
    """Collect the SQL statements peewee runs (it logs each at DEBUG)."""
    statements = []
    handler = logging.Handler()
    handler.emit = lambda record: statements.append(record.msg)
    logger = logging.getLogger("peewee")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


# --- who: superusers, anonymous, inactive, direct and group grants -----------------------------


def test_superuser_may_do_everything_without_permissions(database):
    root = make_user(is_superuser=True)
    job = make_job("Backup")
    for action in security.ACTIONS:
        assert can(root, action, job) and can(root, action, JobRecord) and can(root, action, "users.token")
    query = JobRecord.select()
    assert restrict(query, root, "delete") is query


def test_inactive_superuser_may_do_nothing(database):
    root = make_user(is_superuser=True, is_active=False)
    job = make_job("Backup")
    assert not can(root, "view", job)
    assert ids(restrict(JobRecord.select(), root, "view")) == set()


@pytest.mark.parametrize("anonymous", [None, AnonymousUserMixin()])
def test_anonymous_may_do_nothing(database, anonymous):
    job = make_job("Backup")
    grant(["extras.job"], ["view"])  # assigned to nobody
    assert not can(anonymous, "view", job) and not can(anonymous, "view", JobRecord)
    assert ids(restrict(JobRecord.select(), anonymous, "view")) == set()
    assert user_permissions(anonymous) == {}


def test_inactive_user_with_permission_is_denied(database):
    user = make_user(is_active=False)
    grant(["extras.job"], ["view"], users=[user])
    assert not can(user, "view", make_job("Backup"))


def test_user_without_permissions_sees_nothing(database):
    user = make_user()
    make_job("Backup")
    assert not can(user, "view", JobRecord)
    assert ids(restrict(JobRecord.select(), user, "view")) == set()


def test_direct_permission_covers_only_its_types_and_actions(database):
    user = make_user()
    job = make_job("Backup")
    grant(["extras.job"], ["view", "run"], users=[user])
    assert can(user, "view", job) and can(user, "run", job)
    assert not can(user, "change", job) and not can(user, "delete", JobRecord)
    assert not can(user, "view", make_result(job))


def test_group_permission_applies_to_members_only(database):
    member, outsider = make_user(), make_user()
    operators = Group.create(name="operators")
    UserGroup.create(user=member, group=operators)
    grant(["extras.job"], ["run"], groups=[operators])
    job = make_job("Backup")
    assert can(member, "run", job)
    assert not can(outsider, "run", job)


def test_disabled_permission_is_ignored(database):
    user = make_user()
    grant(["extras.job"], ["run"], users=[user], enabled=False)
    job = make_job("Backup")
    assert not can(user, "run", job) and not can(user, "run", JobRecord)
    assert ids(restrict(JobRecord.select(), user, "run")) == set()


def test_unconstrained_grant_wins_over_constrained(database):
    user = make_user()
    grant(["extras.job"], ["view"], {"grouping": "Reports"}, users=[user])
    grant(["extras.job"], ["view"], None, users=[user])
    other = make_job("Other", grouping="Other")
    assert can(user, "view", other)
    query = JobRecord.select()
    assert restrict(query, user, "view") is query


def test_unknown_action_is_a_programming_error(database):
    with pytest.raises(ValueError, match="unknown action 'execute'"):
        can(make_user(), "execute", JobRecord)
    with pytest.raises(ValueError, match="unknown action"):
        restrict(JobRecord.select(), make_user(is_superuser=True), "edit")


# --- constraints -------------------------------------------------------------------------------


def test_constraint_by_grouping(database):
    user = make_user()
    grant(["extras.job"], ["run"], {"grouping": "Reports"}, users=[user])
    report, other = make_job("Daily", grouping="Reports"), make_job("Backup", grouping="Backups")
    assert can(user, "run", report) and not can(user, "run", other)
    assert ids(restrict(JobRecord.select(), user, "run")) == {report.id}


def test_model_class_check_ignores_constraints(database):
    user = make_user()
    grant(["extras.job"], ["run"], {"grouping": "Nothing has this"}, users=[user])
    assert can(user, "run", JobRecord) and can(user, "run", "extras.job")
    assert not can(user, "view", JobRecord)


@pytest.mark.parametrize("key", ["id", "id__in", "pk"])
def test_constraint_by_id_list(database, key):
    user = make_user()
    first, second, third = make_job("A"), make_job("B"), make_job("C")
    grant(["extras.job"], ["view"], {key: [str(first.id), str(third.id)]}, users=[user])
    assert [can(user, "view", job) for job in (first, second, third)] == [True, False, True]
    assert ids(restrict(JobRecord.select(), user, "view")) == {first.id, third.id}


def test_constraint_by_single_id(database):
    user = make_user()
    first, second = make_job("A"), make_job("B")
    grant(["extras.job"], ["change"], {"id": str(first.id)}, users=[user])
    assert can(user, "change", first) and not can(user, "change", second)


def test_user_token_means_own_results(database):
    alice, bob = make_user("alice"), make_user("bob")
    readers = Group.create(name="readers")
    UserGroup.create(user=alice, group=readers)
    UserGroup.create(user=bob, group=readers)
    grant(["extras.jobresult"], ["view", "delete"], {"user": "$user"}, groups=[readers])
    job = make_job("Backup")
    mine, theirs, nobodys = make_result(job, alice), make_result(job, bob), make_result(job, None)
    assert can(alice, "view", mine) and not can(alice, "view", theirs) and not can(alice, "view", nobodys)
    assert can(bob, "delete", theirs) and not can(bob, "delete", mine)
    assert ids(restrict(JobResult.select(), alice, "view")) == {mine.id}
    assert ids(restrict(JobResult.select(), bob, "delete")) == {theirs.id}


def test_fk_traversal_results_of_jobs_in_grouping(database):
    user = make_user()
    grant(["extras.jobresult"], ["view"], {"job_record__grouping": "Reports"}, users=[user])
    report, backup = make_job("Daily", grouping="Reports"), make_job("Backup", grouping="Backups")
    wanted, unwanted, orphan = make_result(report), make_result(backup), make_result(None)
    assert can(user, "view", wanted) and not can(user, "view", unwanted) and not can(user, "view", orphan)
    assert ids(restrict(JobResult.select(), user, "view")) == {wanted.id}


def test_fk_traversal_does_not_disturb_callers_joins(database):
    user = make_user()
    grant(["extras.jobresult"], ["view"], {"job_record__grouping": "Reports"}, users=[user])
    report, backup = make_job("Daily", grouping="Reports"), make_job("Backup", grouping="Backups")
    wanted = make_result(report)
    make_result(backup)
    query = JobResult.select(JobResult, JobRecord).join(JobRecord).where(JobRecord.name != "")
    rows = list(restrict(query, user, "view"))
    assert [row.id for row in rows] == [wanted.id] and rows[0].job_record.grouping == "Reports"


def test_list_of_constraints_is_or(database):
    user = make_user()
    constraints = [{"grouping": "Reports"}, {"grouping": "Backups", "enabled": True}]
    grant(["extras.job"], ["run"], constraints, users=[user])
    report = make_job("Daily", grouping="Reports")
    enabled_backup = make_job("Backup", grouping="Backups", enabled=True)
    disabled_backup = make_job("Old backup", grouping="Backups", enabled=False)
    other = make_job("Other", grouping="Other", enabled=True)
    expected = {report.id, enabled_backup.id}
    candidates = (report, enabled_backup, disabled_backup, other)
    assert {job.id for job in candidates if can(user, "run", job)} == expected
    assert ids(restrict(JobRecord.select(), user, "run")) == expected


@pytest.mark.parametrize(
    "constraints",
    [
        {"no_such_field": "x"},
        {"grouping__regex": ".*"},
        {"job_record__grouping": "Reports"},  # JobRecord has no job_record FK
        {"grouping__name": "Reports"},  # grouping is not an FK
        {"task_queues__contains": "default"},  # JSON text is not searchable
        {"__": 1},
        {"": 1},
    ],
)
def test_unknown_fields_never_match_and_never_crash(database, constraints):
    user = make_user()
    grant(["extras.job"], ["view"], constraints, users=[user])
    job = make_job("Daily", grouping="Reports", task_queues=["default"])
    assert not can(user, "view", job)
    assert ids(restrict(JobRecord.select(), user, "view")) == set()
    assert can(user, "view", JobRecord)  # the permission exists; it just matches no object


def test_malformed_permission_rows_do_not_crash(database):
    user = make_user()
    grant(["extras.job"], ["view"], users=[user])
    broken = grant([], [], users=[user])
    ObjectPermission.update(object_types=7, actions={"run": 1}).where(ObjectPermission.id == broken.id).execute()
    job = make_job("Daily")
    assert can(user, "view", job) and not can(user, "run", job)


def test_unknown_field_in_one_alternative_leaves_the_others(database):
    user = make_user()
    grant(["extras.job"], ["view"], [{"bogus": 1}, {"grouping": "Reports"}], users=[user])
    job = make_job("Daily", grouping="Reports")
    assert can(user, "view", job)
    assert ids(restrict(JobRecord.select(), user, "view")) == {job.id}


def test_json_true_is_not_user_id_one(database):
    first = make_user()  # id 1: typically the first administrator
    grant(["extras.jobresult"], ["view"], {"user": True}, users=[first])
    result = make_result(make_job("Backup"), first)
    assert first.id == 1
    assert not can(first, "view", result)
    assert ids(restrict(JobResult.select(), first, "view")) == set()


@pytest.mark.parametrize(
    ("constraints", "expected"), [([], False), ([{}], True), ({}, True), ("junk", False)]
)
def test_degenerate_constraint_shapes(database, constraints, expected):
    user = make_user()
    grant(["extras.job"], ["view"], constraints, users=[user])
    job = make_job("Daily")
    assert can(user, "view", job) is expected
    assert (ids(restrict(JobRecord.select(), user, "view")) == {job.id}) is expected


def test_partially_selected_row_is_judged_on_its_real_values(database):
    user = make_user()
    grant(["extras.job"], ["view"], {"grouping": "Reports"}, users=[user])
    report = make_job("Daily", grouping="Reports")
    partial = JobRecord.select(JobRecord.id, JobRecord.name).where(JobRecord.id == report.id).get()
    assert "grouping" not in partial.__data__
    assert can(user, "view", partial)


def test_file_is_checked_through_its_result(database):
    alice, bob = make_user("alice"), make_user("bob")
    grant(["extras.jobresult"], ["view"], {"user": "$user"}, users=[alice, bob])
    result = make_result(make_job("Export"), alice)
    output = FileProxy.create(job_result=result, name="out.csv", content=b"a,b")
    orphan = FileProxy.create(job_result=None, name="upload.txt", content=b"x")
    assert object_type_of(output) == "extras.jobresult"
    assert can(alice, "view", output) and not can(bob, "view", output)
    assert not can(alice, "view", orphan)
    assert ids(restrict(FileProxy.select(), alice, "view")) == {output.id}
    assert ids(restrict(FileProxy.select(), bob, "view")) == set()


# --- restrict() and can() agree -----------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_url(tmp_path_factory):
    """One database with a varied set of jobs and results, shared by the agreement scenarios."""
    url = f"sqlite:///{tmp_path_factory.mktemp('mixed')}/mixed.sqlite3"
    db.bind(url)
    db.migrate()
    alice, bob = make_user("alice"), make_user("bob")
    jobs = [
        make_job("Daily report", grouping="Reports", enabled=True, soft_time_limit=30),
        make_job("Weekly REPORT", grouping="reports", enabled=False, soft_time_limit=10),
        make_job("Backup configs", grouping="Backups", enabled=True, git_repository="netops"),
        make_job("Backup old", grouping="Backups", enabled=False),
        make_job("RÉPERTOIRE sync", grouping="Misc", enabled=True, soft_time_limit=10.5),
        make_job("Cleanup", grouping="", enabled=False, hidden=True),
    ]
    for job, user, status in itertools.product(jobs[:4], (alice, bob, None), ("SUCCESS", "FAILURE")):
        make_result(job, user, status)
    make_result(None, alice, "ERRORED")
    make_result(None, None, "REVOKED")
    db.database.close()
    return url


@pytest.fixture
def mixed(mixed_url):
    db.bind(mixed_url)
    yield
    db.database.close()


def _first_job_ids():
    return [str(job.id) for job in JobRecord.select().order_by(JobRecord.name).limit(2)]


JOB_SCENARIOS = [
    None,
    {"grouping": "Reports"},
    {"grouping__iexact": "REPORTS"},
    {"grouping__in": ["Reports", "Backups", "nope"]},
    {"name__icontains": "report"},
    {"name__contains": "REPORT"},
    {"name__contains": "É"},
    {"name__contains": "é"},
    {"name__icontains": "répertoire"},
    {"name__iexact": "Répertoire SYNC"},
    {"git_repository__icontains": "NET"},
    {"name__startswith": "Backup"},
    {"name__startswith": "backup"},
    {"enabled": True},
    {"enabled": "false"},
    {"hidden": 1},
    {"soft_time_limit__gt": 10},
    {"soft_time_limit__gte": 10},
    {"soft_time_limit__lt": 10.5},
    {"soft_time_limit__lte": "10.5"},
    {"git_repository__isnull": True},
    {"git_repository__isnull": False},
    {"git_repository": None},
    {"git_repository": "netops"},
    {"grouping": ""},
    {"created__lt": "2999-01-01T00:00:00+02:00"},
    {"created__gt": "not a date"},
    {"id": "not-a-uuid"},
    {"id__in": "not-a-list"},
    {"id": "$first_two"},
    {"grouping": "Backups", "enabled": True},
    [{"grouping": "Reports"}, {"enabled": True}],
    [{"no_such_field": 1}, {"name__icontains": "old"}],
    {"task_queues__isnull": False},
    {"soft_time_limit__gt": None},
    {"name__icontains": 5},
]

RESULT_SCENARIOS = [
    {"user": "$user"},
    {"user_id": "$user"},
    {"user__in": ["$user", 999]},
    {"user__username": "bob"},
    {"user__username__startswith": "AL"},
    {"user__isnull": True},
    {"job_record__isnull": True},
    {"job_record__grouping": "Reports"},
    {"job_record__grouping__iexact": "reports"},
    {"job_record__enabled": True, "status": "SUCCESS"},
    {"job_record__git_repository__isnull": True},
    {"status__in": ["FAILURE", "ERRORED"]},
    [{"user": "$user"}, {"job_record__grouping": "Backups"}],
    {"user": True},
    {"job_record__no_such_field": 1},
]


def _assert_agree(user, model, object_type, constraints, action="view"):
    """Give user exactly one permission; can() over every row must equal restrict()."""
    PermissionUser.delete().where(PermissionUser.user == user).execute()
    grant([object_type], [action], constraints, users=[user])
    allowed_by_can = {obj.id for obj in model.select() if can(User.get_by_id(user.id), action, obj)}
    allowed_by_restrict = ids(restrict(model.select(), User.get_by_id(user.id), action))
    assert allowed_by_can == allowed_by_restrict
    return allowed_by_can


@pytest.mark.parametrize("constraints", JOB_SCENARIOS, ids=repr)
def test_restrict_agrees_with_can_on_jobs(mixed, constraints):
    if constraints == {"id": "$first_two"}:
        constraints = {"id": _first_job_ids()}
    allowed = _assert_agree(make_user(), JobRecord, "extras.job", constraints)
    if constraints is None:
        assert len(allowed) == JobRecord.select().count()


@pytest.mark.parametrize("constraints", RESULT_SCENARIOS, ids=repr)
@pytest.mark.parametrize("username", ["alice", "bob"])
def test_restrict_agrees_with_can_on_results(mixed, constraints, username):
    # Ownership ("$user") scenarios need the users that own results.
    _assert_agree(User.get(User.username == username), JobResult, "extras.jobresult", constraints)


def test_agreement_scenarios_are_not_trivial(mixed):
    """Guard the agreement tests: the scenarios must produce varied answers, some empty."""
    alice = User.get(User.username == "alice")
    for model, object_type, scenarios in (
        (JobRecord, "extras.job", JOB_SCENARIOS),
        (JobResult, "extras.jobresult", RESULT_SCENARIOS),
    ):
        answers = set()
        for constraints in scenarios:
            if constraints != {"id": "$first_two"}:
                answers.add(frozenset(_assert_agree(alice, model, object_type, constraints)))
        assert len(answers) >= len(scenarios) // 2 and frozenset() in answers


# --- caching ----------------------------------------------------------------------------------


def test_permissions_load_in_at_most_two_queries_and_are_memoized(database):
    user = make_user()
    team = Group.create(name="team")
    UserGroup.create(user=user, group=team)
    grant(["extras.job"], ["view"], {"grouping": "Reports"}, users=[user])
    grant(["extras.job"], ["run"], {"enabled": True}, groups=[team])
    jobs = [
        make_job(f"Job {n}", grouping="Reports" if n % 2 else "Other", enabled=n % 3 == 0) for n in range(50)
    ]
    with counted_queries() as statements:
        visible = [job for job in jobs if can(user, "view", job)]
        runnable = [job for job in jobs if can(user, "run", job)]
        user_permissions(user)
    assert len(statements) <= 2
    assert len(visible) == 25 and len(runnable) == 17
    assert getattr(user, security.CACHE_ATTRIBUTE) is not None


def test_fk_constraints_fetch_each_related_row_once(database):
    user = make_user()
    grant(["extras.jobresult"], ["view"], {"job_record__grouping": "Reports"}, users=[user])
    job = make_job("Daily", grouping="Reports")
    results = [make_result(job) for _ in range(20)]
    fresh = [JobResult.get_by_id(result.id) for result in results]
    with counted_queries() as statements:
        assert all(can(user, "view", result) for result in fresh)
    assert len(statements) <= 2  # the permissions, then the one job record


def test_cache_is_per_user_object_and_can_be_cleared(database):
    user = make_user()
    job = make_job("Daily")
    assert not can(user, "view", job)
    grant(["extras.job"], ["view"], users=[user])
    assert not can(user, "view", job)  # memoized for this user object (one request)
    assert can(User.get_by_id(user.id), "view", job)  # the next request's user object
    security.clear_permission_cache(user)
    assert can(user, "view", job)


def test_user_permissions_shape(database):
    user = make_user()
    grant(["extras.job", "extras.jobresult"], ["view"], {"grouping": "Reports"}, users=[user])
    grant(["extras.job"], ["run"], None, users=[user])
    assert user_permissions(user) == {
        ("extras.job", "view"): [{"grouping": "Reports"}],
        ("extras.jobresult", "view"): [{"grouping": "Reports"}],
        ("extras.job", "run"): None,
    }


# --- names, Django-style permissions, messages --------------------------------------------------


def test_object_type_of_models_and_instances(database):
    expected = {
        JobRecord: "extras.job",
        JobResult: "extras.jobresult",
        JobLogEntry: "extras.jobresult",  # log lines are seen through their result,
        FileProxy: "extras.jobresult",
        User: "users.user",
        Group: "users.group",
        ObjectPermission: "users.objectpermission",
        Token: "users.token",
    }
    for model, name in expected.items():
        assert object_type_of(model) == name
    assert object_type_of(make_job("Daily")) == "extras.job"
    assert object_type_of("extras.scheduledjob") == "extras.scheduledjob"
    with pytest.raises(ValueError, match="has no object type"):
        object_type_of(db.MigrationHistory)


def test_registered_plugin_model(database, monkeypatch):
    class Device(db.BaseModel):
        name = db.peewee.CharField()

        def __str__(self):
            return self.name

    monkeypatch.setattr(object_types, "_REGISTRY", dict(object_types._REGISTRY))
    security.register_object_type(Device, "dcim.device")
    Device.create_table()
    user = make_user()
    grant(["dcim.device"], ["view"], {"name__startswith": "rtr"}, users=[user])
    router, switch = Device.create(name="rtr1"), Device.create(name="sw1")
    assert can(user, "view", router) and not can(user, "view", switch)
    assert ids(restrict(Device, user, "view")) == {router.id}
    assert has_django_perm(user, "dcim.view_device")
    with pytest.raises(PermissionDenied, match="to view the device “sw1”"):
        require(user, "view", switch)


def test_has_django_perm_names(database):
    user = make_user()
    grant(["extras.job"], ["run", "change"], {"grouping": "Reports"}, users=[user])
    grant(["extras.jobresult"], ["view"], users=[user])
    grant(["users.token"], ["add"], users=[user])
    report, other = make_job("Daily", grouping="Reports"), make_job("Backup", grouping="Backups")
    assert has_django_perm(user, "extras.run_job") and has_django_perm(user, "extras.change_job")
    assert has_django_perm(user, "extras.run_job", report)
    assert not has_django_perm(user, "extras.run_job", other)
    assert has_django_perm(user, "extras.view_jobresult") and has_django_perm(user, "users.add_token")
    assert not has_django_perm(user, "extras.delete_job") and not has_django_perm(user, "users.add_user")
    assert not has_django_perm(user, "extras.export_job")  # not an action we know
    assert user.has_perm("extras.run_job", report) and not user.has_perm("extras.approve_job")


@pytest.mark.parametrize("perm", ["run_job", "extras.runjob", "extras.", ".run_job", ""])
def test_has_django_perm_rejects_malformed_names(database, perm):
    with pytest.raises(ValueError, match="invalid permission"):
        has_django_perm(make_user(), perm)


def test_has_django_perm_rejects_mismatched_object(database):
    with pytest.raises(ValueError, match="does not apply"):
        has_django_perm(make_user(), "extras.run_job", make_result(make_job("Daily")))


def test_require_messages(database):
    user = make_user()
    job = make_job("Backup configs")
    with pytest.raises(PermissionDenied) as denied:
        require(user, "run", job)
    assert str(denied.value) == "You do not have permission to run the job “Backup configs”."
    assert (denied.value.action, denied.value.object_type) == ("run", "extras.job")
    with pytest.raises(PermissionDenied, match=r"^You do not have permission to view job results\.$"):
        require(user, "view", JobResult)
    with pytest.raises(PermissionDenied, match=r"^You do not have permission to approve jobs\.$"):
        require(user, "approve", "extras.job")


def test_require_passes_silently_when_allowed(database):
    user = make_user()
    grant(["extras.job"], ["run"], users=[user])
    assert require(user, "run", make_job("Daily")) is None


def test_unsaved_object_with_uuid_string_is_judged(database):
    user = make_user()
    job = make_job("Daily", grouping="Reports")
    grant(["extras.job"], ["view"], {"id": str(job.id)}, users=[user])
    assert can(user, "view", JobRecord(id=str(job.id), grouping="x"))
    assert not can(user, "view", JobRecord(id=str(uuid.uuid4())))


def test_case_insensitive_filter_works_on_every_threads_connection(tmp_path):
    """SQLite connections are per thread; each must know the Unicode lower() restrict() uses."""
    database = db.bind(f"sqlite:///{tmp_path}/threads.sqlite3")
    db.migrate()
    user = make_user()
    grant(["extras.job"], ["view"], {"name__icontains": "ÉTAT"}, users=[user])
    job = make_job("État des lieux")
    other_ready, main_done = threading.Event(), threading.Event()
    outcome = {}

    def other_thread():
        database.connect()  # open before the main thread first filters case-insensitively
        other_ready.set()
        main_done.wait(5)
        try:
            outcome["ids"] = ids(restrict(JobRecord.select(), User.get_by_id(user.id), "view"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc
        finally:
            database.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    other_ready.wait(5)
    assert ids(restrict(JobRecord.select(), User.get_by_id(user.id), "view")) == {job.id}
    main_done.set()
    thread.join(10)
    assert outcome == {"ids": {job.id}}
    database.close()
