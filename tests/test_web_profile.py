"""A profiled run leaves a .pstats file that downloads from its result page and loads with pstats."""

from __future__ import annotations

import pstats
import re
from pathlib import Path

from app.jobs.fields import InMemoryFile
from app.testing import run_job_for_testing
from tests.factories import login_as
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import text


def test_the_profile_of_the_everything_job_downloads_from_the_result_page(jobdeck, tmp_path):
    result = run_job_for_testing(
        "everything.ExampleEverythingJob",
        data={"example_string": "profile me", "example_choice": "a", "example_file": InMemoryFile(b"x", "x.txt")},
        profile=True,
    )
    name = f"job-result-{result.id}.pstats"
    Path(f"/tmp/{name}").unlink(missing_ok=True)  # the worker-side copy; the download must not need it
    client = login_as(make_app(jobdeck), make_user("ada", superuser=True))

    page = text(client.get(f"/results/{result.id}/"))
    assert name in page
    row = re.search(re.escape(name) + r"</td>.*?</tr>", page, re.S)
    link = row and re.search(r'href="(/files/[0-9a-f-]+/download)"', row.group(0))
    assert link, "the result page has no download link for the profile"
    download = client.get(link.group(1))

    assert download.status_code == 200
    assert name in download.headers["Content-Disposition"]
    saved = tmp_path / name
    saved.write_bytes(download.data)
    functions = {function for _file, _line, function in pstats.Stats(str(saved)).stats}
    assert {"run", "before_start", "on_success"} <= functions
