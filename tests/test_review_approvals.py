"""Review findings on approvals and schedules: ways around "another user must approve a run"."""

from __future__ import annotations

from app.execution import approvals
from app.models.schedules import ScheduledJob
from tests import test_api_support as support
from tests.factories import grant
from tests.factories import make_app
from tests.factories import make_request
from tests.test_approvals import alice  # noqa: F401 (fixtures)
from tests.test_approvals import bob  # noqa: F401
from tests.test_approvals import jobs  # noqa: F401
from tests.test_approvals import reboot
from tests.test_dispatcher import hello  # noqa: F401
from tests.test_dispatcher import root  # noqa: F401


def test_an_approved_schedules_crontab_cannot_be_changed_without_a_new_approval(jobs, alice, bob):  # noqa: F811
    grant(alice, ["extras.scheduledjob"], ["view", "change"])
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"}, interval="custom", crontab="0 3 1 1 *")
    approvals.approve(request, bob)
    api = support.ApiClient(make_app(jobs))
    response = api.patch(f"/api/extras/scheduled-jobs/{request.id}/", support.key_for(alice),
                         json={"crontab": "* * * * *"})
    assert response.status_code == 400, response.json
    assert "approv" in response.json["crontab"][0]
    assert ScheduledJob.get_by_id(request.id).crontab == "0 3 1 1 *"
    renamed = api.patch(f"/api/extras/scheduled-jobs/{request.id}/", support.key_for(alice),
                        json={"name": "Yearly reboot", "crontab": "0 3 1 1 *"})
    assert renamed.status_code == 200, renamed.json  # the approved crontab itself may be sent back

