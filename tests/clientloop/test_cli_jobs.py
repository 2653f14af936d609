"""`clientloop jobs`: drafting jobs as the job access rule shows them."""

from __future__ import annotations

import json

from tests.factories import make_book_world


def test_jobs_list_and_show_follow_the_job_access_rule(cli, container) -> None:
    world = make_book_world(container)
    rows = json.loads(cli("jobs", "list", "--json").stdout)
    assert [r["id"] for r in rows] == [world.job_id] and rows[0]["status"] == "done"
    shown = json.loads(cli("jobs", "show", world.job_id, "--as", "priya", "--json").stdout)
    assert shown["draft"]["id"] == world.draft_id and shown["review"]["review_id"] == world.review_id
    assert shown["draft"]["content"]["summary"]["client"]
    r = cli("jobs", "show", world.job_id, "--as", "rita")
    assert r.exit_code == 0 and world.draft_id in r.stdout and world.review_id in r.stdout, r.output
    # Another RM's book and the service role: the job answers like one that does not exist.
    for name in ("tom", "sam"):
        r = cli("jobs", "show", world.job_id, "--as", name)
        assert r.exit_code == 1 and "no job" in r.output, (name, r.output)
        assert json.loads(cli("jobs", "list", "--as", name, "--json").stdout) == []
    assert json.loads(cli("jobs", "list", "--status", "failed", "--json").stdout) == []
