"""Job results, their logs, cancelling and output files (app/api/views/results.py, logs.py, files.py)."""

from __future__ import annotations

import datetime
import time
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from app.db import database
from app.execution.submit import run_in_process
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobResult
from tests.test_api_support import COMPASS
from tests.test_api_support import EXPORT
from tests.test_api_support import HELLO
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import enabled
from tests.test_api_support import grant
from tests.test_api_support import job
from tests.test_api_support import key_for
from tests.test_api_support import make_user
from tests.test_api_support import result_for

RESULTS = "/api/extras/job-results/"
LOGS = "/api/extras/job-logs/"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["results"]]


def hello_run(user=None):
    """A finished HelloJobs run, owned by ``user``."""
    result = run_in_process(enabled(HELLO), None, {"person_name": "Ada", "greeting_count": 2})
    JobResult.update(user=user).where(JobResult.id == result.id).execute()
    return result


def test_detail_of_a_finished_run(api, admin_key):
    result = hello_run()
    body = api.get(f"{RESULTS}{result.id}/", admin_key).json
    assert body["status"] == {"value": "SUCCESS", "label": "SUCCESS"}
    assert body["url"] == f"http://localhost{RESULTS}{result.id}/"
    assert body["name"] == "Say Hello" and body["task_name"] == HELLO
    assert body["date_done"].endswith("Z") and body["date_started"]
    assert body["task_kwargs"] == {"person_name": "Ada", "greeting_count": 2}  # HelloJobs keeps its inputs
    assert body["job_model"]["id"] == str(job(HELLO).id) and body["user"] is None
    assert body["log_count"] == 4 and body["logs_url"] == f"http://localhost{RESULTS}{result.id}/logs/"


def test_detail_404(api, admin_key):
    response = api.get(f"{RESULTS}00000000-0000-0000-0000-000000000000/", admin_key)
    assert response.status_code == 404
    assert response.json == {"detail": "No JobResult matches the given query."}


def test_list_newest_first_and_filters(api, admin_key):
    ada, bob = make_user("ada"), make_user("bob")
    hello, compass = job(HELLO), job(COMPASS)
    old = result_for(hello, ada, "FAILURE", date_created=datetime.datetime(2024, 1, 1))
    new = result_for(compass, bob, "SUCCESS", date_created=datetime.datetime(2025, 1, 1))
    assert ids(api.get(RESULTS, admin_key)) == [str(new.id), str(old.id)]
    assert ids(api.get(f"{RESULTS}?job_model={hello.id}", admin_key)) == [str(old.id)]
    assert ids(api.get(f"{RESULTS}?job_model=CompassJob", admin_key)) == [str(new.id)]
    assert ids(api.get(f"{RESULTS}?status=failure", admin_key)) == [str(old.id)]
    assert len(ids(api.get(f"{RESULTS}?status=FAILURE&status=SUCCESS", admin_key))) == 2
    assert ids(api.get(f"{RESULTS}?user=bob", admin_key)) == [str(new.id)]
    assert ids(api.get(f"{RESULTS}?user={ada.id}", admin_key)) == [str(old.id)]
    assert ids(api.get(f"{RESULTS}?name=Say+Hello", admin_key)) == [str(old.id)]
    assert ids(api.get(f"{RESULTS}?date_created__gte=2024-06-01", admin_key)) == [str(new.id)]
    assert ids(api.get(f"{RESULTS}?date_created__lte=2024-06-01T00:00:00Z", admin_key)) == [str(old.id)]
    assert ids(api.get(f"{RESULTS}?id={old.id}", admin_key)) == [str(old.id)]


def test_list_filter_errors(api, admin_key):
    response = api.get(f"{RESULTS}?status=DONE&date_created__gte=yesterday&job=1", admin_key)
    assert response.status_code == 400
    assert response.json["job"] == ["Unknown filter field"]
    assert "status" in response.json and "date_created__gte" in response.json


def test_users_see_only_the_results_they_may_view(api):
    ada, bob = make_user("ada"), make_user("bob")
    grant(ada, ["view"], ["extras.jobresult"], {"user": "$user"})
    mine, theirs = result_for(job(HELLO), ada), result_for(job(HELLO), bob)
    key = key_for(ada)
    assert ids(api.get(RESULTS, key)) == [str(mine.id)]
    assert api.get(f"{RESULTS}{theirs.id}/", key).status_code == 404
    assert api.get(f"{RESULTS}{theirs.id}/logs/", key).status_code == 404
    grant(ada, ["view"], ["extras.jobresult"])
    assert len(ids(api.get(RESULTS, key))) == 2


def test_list_has_output_files_and_no_query_per_row(api, admin_key):
    for _ in range(3):
        run_in_process(enabled(EXPORT), None, {})
    body = api.get(RESULTS, admin_key).json
    assert all(len(item["files"]) == 1 for item in body["results"])
    item = body["results"][0]["files"][0]
    assert item["name"] == "output.txt" and item["size"] == 30 and item["object_type"] == "extras.fileproxy"
    assert item["download_url"] == f"{item['url']}download/"
    queries = []
    original = database.obj.execute_sql
    database.obj.execute_sql = lambda sql, *args, **kwargs: queries.append(sql) or original(sql, *args, **kwargs)
    try:
        api.get(RESULTS, admin_key)
    finally:
        database.obj.execute_sql = original
    assert len(queries) <= 6, queries


def test_result_logs_endpoint(api, admin_key):
    result = hello_run()
    body = api.get(f"{RESULTS}{result.id}/logs/", admin_key).json
    assert body["count"] == 4
    assert [item["message"] for item in body["results"]] == [
        "Running job", "Hello, Ada! (1)", "Hello, Ada! (2)", "Job completed"]
    assert ids(api.get(f"{RESULTS}{result.id}/logs/?log_level=success", admin_key)) == [body["results"][3]["id"]]
    assert api.get(f"{RESULTS}{result.id}/logs/?job_result={result.id}", admin_key).status_code == 400


def test_job_logs_list_shape_and_filters(api, admin_key):
    result, other = hello_run(), hello_run()
    body = api.get(f"{LOGS}?job_result={result.id}", admin_key).json
    assert body["count"] == 4
    entry = body["results"][0]
    assert entry["object_type"] == "extras.joblogentry" and entry["display"] == "Running job"
    assert entry["log_level"] == "info" and entry["grouping"] == "initialization"
    assert entry["log_object"] == "Say Hello"
    assert entry["job_result"]["url"] == f"http://localhost{RESULTS}{result.id}/"
    assert entry["url"] == f"http://localhost{LOGS}{entry['id']}/"
    assert entry["created"].endswith("Z")
    assert len(ids(api.get(LOGS, admin_key))) == 8
    assert len(ids(api.get(f"{LOGS}?job_result={result.id}&grouping=run", admin_key))) == 2
    assert len(ids(api.get(f"{LOGS}?job_result={other.id}&q=ada%21+%282%29", admin_key))) == 1
    assert len(ids(api.get(f"{LOGS}?log_level=SUCCESS", admin_key))) == 2
    assert api.get(f"{LOGS}?log_level=loud", admin_key).status_code == 400
    assert api.get(f"{LOGS}?job_result=nope", admin_key).status_code == 400


def test_job_log_detail(api, admin_key):
    result = hello_run()
    entry = JobLogEntry.select().where(JobLogEntry.job_result == result.id).first()
    assert api.get(f"{LOGS}{entry.id}/", admin_key).json["message"] == "Running job"
    response = api.get(f"{LOGS}999999/", admin_key)
    assert response.status_code == 404 and response.json == {"detail": "No JobLogEntry matches the given query."}


def test_logs_follow_result_visibility(api):
    ada, bob = make_user("ada"), make_user("bob")
    grant(ada, ["view"], ["extras.jobresult"], {"user": "$user"})
    mine, theirs = hello_run(ada), hello_run(bob)
    key = key_for(ada)
    assert api.get(f"{LOGS}?job_result={mine.id}", key).json["count"] == 4
    assert api.get(f"{LOGS}?job_result={theirs.id}", key).json["count"] == 0
    assert api.get(LOGS, key).json["count"] == 4
    hidden = JobLogEntry.select().where(JobLogEntry.job_result == theirs.id).first()
    assert api.get(f"{LOGS}{hidden.id}/", key).status_code == 404
    assert api.get(LOGS, key_for(make_user())).json["count"] == 0


def _many_lines(result, count):
    rows = [{"job_result": result.id, "message": f"line {n}", "grouping": "run", "log_level": "info"}
            for n in range(count)]
    with database.atomic():
        for start in range(0, count, 5000):
            JobLogEntry.insert_many(rows[start:start + 5000]).execute()


def test_100k_log_lines_page_quickly_with_threaded_client_paging(api, admin_key):
    result = result_for(job(HELLO))
    _many_lines(result, 100_000)
    _many_lines(result_for(job(COMPASS)), 1000)
    started = time.perf_counter()
    first = api.get(f"{LOGS}?job_result={result.id}&limit=0", admin_key).json
    last = api.get(f"{LOGS}?job_result={result.id}&limit=1000&offset=99500", admin_key).json
    elapsed = time.perf_counter() - started
    assert first["count"] == 100_000 and len(first["results"]) == 1000
    assert first["results"][0]["message"] == "line 0"
    assert len(last["results"]) == 500 and last["results"][-1]["message"] == "line 99999"
    assert last["next"] is None
    assert parse_qs(urlsplit(last["previous"]).query) == {"job_result": [str(result.id)], "limit": ["1000"],
                                                          "offset": ["98500"]}
    assert elapsed < 2.0, elapsed
    plan = database.obj.execute_sql(
        "EXPLAIN QUERY PLAN SELECT * FROM job_log_entry WHERE job_result_id = ? ORDER BY id LIMIT 50",
        (result.id.hex,)).fetchall()
    assert "job_log_entry_job_result_id_id" in " ".join(str(row) for row in plan)


def test_cancel_pending(api, admin_key):
    result = result_for(enabled(HELLO), status="PENDING")
    response = api.post(f"{RESULTS}{result.id}/cancel/", admin_key)
    assert response.status_code == 200
    assert response.json["status"]["value"] == "REVOKED"
    assert JobResult.get_by_id(result.id).status == "REVOKED"


def test_cancel_finished_is_409(api, admin_key):
    result = result_for(job(HELLO), status="SUCCESS")
    response = api.post(f"{RESULTS}{result.id}/cancel/", admin_key)
    assert response.status_code == 409
    assert "already finished (SUCCESS)" in response.json["detail"]


def test_cancel_needs_run_permission_on_the_job(api):
    user = make_user()
    grant(user, ["view"], ["extras.jobresult"])
    grant(user, ["run"], ["extras.job"], {"grouping": "Hello Jobs"})
    key = key_for(user)
    compass = result_for(job(COMPASS), status="STARTED")
    assert api.post(f"{RESULTS}{compass.id}/cancel/", key).status_code == 403
    assert JobResult.get_by_id(compass.id).status == "STARTED"
    hello = result_for(job(HELLO), status="STARTED")
    assert api.post(f"{RESULTS}{hello.id}/cancel/", key).status_code == 200
    invisible = api.post(f"{RESULTS}{hello.id}/cancel/", key_for(make_user()))
    assert invisible.status_code == 404


def test_file_proxies(api, admin_key):
    result = run_in_process(enabled(EXPORT), None, {})
    proxy = FileProxy.get(FileProxy.job_result == result.id)
    listed = api.get(f"/api/extras/file-proxies/?job_result={result.id}", admin_key).json
    assert [item["id"] for item in listed["results"]] == [str(proxy.id)]
    detail = api.get(f"/api/extras/file-proxies/{proxy.id}/", admin_key).json
    assert detail["job_result"]["id"] == str(result.id)
    download = api.get(f"/api/extras/file-proxies/{proxy.id}/download/", admin_key)
    assert download.status_code == 200
    assert download.data == b"Export completed successfully."
    assert download.headers["Content-Disposition"] == "attachment; filename=output.txt"
    assert download.mimetype == "text/plain"


def test_input_files_and_invisible_files_are_not_served(api, admin_key):
    result = result_for(job(HELLO))
    secret = FileProxy.create(job_result=result, name="in.csv", content=b"x", size=1, purpose=FileProxy.PURPOSE_INPUT)
    assert api.get(f"/api/extras/file-proxies/{secret.id}/download/", admin_key).status_code == 404
    assert api.get("/api/extras/file-proxies/", admin_key).json["count"] == 0
    output = FileProxy.create(job_result=result, name="out.txt", content=b"y", size=1)
    assert api.get(f"/api/extras/file-proxies/{output.id}/download/", key_for(make_user())).status_code == 404


def test_users_endpoint_resolves_the_user_reference(api, admin_key):
    ada = make_user("ada")
    body = api.get(f"{RESULTS}{result_for(job(HELLO), ada).id}/", admin_key).json
    user = api.get(body["user"]["url"], admin_key).json
    assert user["username"] == "ada" and user["object_type"] == "users.user"
    found = api.get("/api/users/users/?username=ada", admin_key).json["results"]
    assert [item["username"] for item in found] == ["ada"]
    assert api.get(f"/api/users/users/{ada.id}/", key_for(make_user())).status_code == 404
