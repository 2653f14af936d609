"""`clientloop handover`: the one-read view, a proposal with --to, and an admin's --approve."""

from __future__ import annotations

import json

from tests.factories import BOOK_TODAY, make_book_world, make_user


def test_handover_view_proposal_and_approval_from_the_command_line(cli, container) -> None:
    make_book_world(container)
    make_user(container, "zed", "admin")
    view = json.loads(cli("handover", "CRM-1001", "--as", "priya", "--as-of", BOOK_TODAY, "--json").stdout)
    assert view["owner"] == "priya" and len(view["sections"]) == 9
    text = cli("handover", "CRM-1001", "--as-of", BOOK_TODAY).stdout
    assert "Key decisions" in text and "What should happen next" in text

    proposed = cli("handover", "CRM-1001", "--to", "tom", "--as", "priya", "--reason", "leaving", "--json")
    assert proposed.exit_code == 0, proposed.stdout
    assert json.loads(proposed.stdout)["change"]["status"] == "pending"
    refused = cli("handover", "CRM-1001", "--approve", "--as", "priya")
    assert refused.exit_code == 1 and "needs the role admin" in refused.stderr
    approved = cli("handover", "CRM-1001", "--approve", "--as", "zed", "--json")
    assert approved.exit_code == 0, approved.stdout
    body = json.loads(approved.stdout)
    assert body["owner"] == "tom" and body["change"]["status"] == "approved"
    assert cli("handover", "CRM-1001", "--to", "tom", "--approve").exit_code == 2
