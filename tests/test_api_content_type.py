"""A JSON body sent without ``Content-Type: application/json`` gets a 415 that says what to send."""

from __future__ import annotations

import json

from app import create_app
from app.models import JobResult
from tests.conftest import enable
from tests.test_api_support import ApiClient
from tests.test_api_support import key_for
from tests.test_api_support import make_user

HELLO = "hello_jobs.HelloJobs"
BODY = json.dumps({"data": {"person_name": "Ada", "greeting_count": 1}})
ADVICE = "send it with the header \u201cContent-Type: application/json\u201d"


def test_json_sent_as_a_form_is_415_with_the_header_to_send(jobdeck):
    """What ``curl -d '{...}'`` sends: application/x-www-form-urlencoded."""
    record = enable(HELLO)
    api = ApiClient(create_app(jobdeck))
    key = key_for(make_user("root", is_superuser=True))
    url = f"/api/extras/jobs/{record.id}/run/"
    answer = api.post(url, key, data=BODY, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 415
    assert "The request body is JSON but was sent as application/x-www-form-urlencoded" in answer.json["detail"]
    assert ADVICE in answer.json["detail"]
    plain = api.patch(f"/api/extras/jobs/{record.id}/", key, data='{"enabled": false}', content_type="text/plain")
    assert plain.status_code == 415 and ADVICE in plain.json["detail"]
    assert JobResult.select().count() == 0
    # A real form still goes through, and so does JSON labelled as JSON.
    form = api.post(url, key, data={"person_name": "Ada", "greeting_count": "1"},
                    content_type="application/x-www-form-urlencoded")
    assert form.status_code == 201, form.json
    assert api.post(url, key, data=BODY, content_type="application/json").status_code == 201
