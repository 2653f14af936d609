"""`clientloop clients list`, `brief` and `weekly` with `--as`: an RM sees their own book, service staff none."""

from __future__ import annotations

import json

from tests.factories import BOOK_TODAY, make_book_world


def test_clients_list_and_weekly_as_a_user_keep_to_their_book(cli, container) -> None:
    world = make_book_world(container)
    everyone = json.loads(cli("clients", "list", "--json").stdout)
    mine = json.loads(cli("clients", "list", "--as", "priya", "--json").stdout)
    assert world.client_id in {c["id"] for c in mine} and len(mine) < len(everyone)
    assert {c["relationship_owner"] for c in mine} == {"priya"}
    assert {"id", "name", "external_id", "segment", "relationship_owner"} == set(mine[0])
    # An RM asking for another book still gets their own.
    assert json.loads(cli("clients", "list", "--as", "priya", "--owner", "tom", "--json").stdout) == mine

    week = json.loads(cli("weekly", "--as", "priya", "--owner", "tom", "--as-of", BOOK_TODAY, "--json").stdout)
    assert week["owner"] == "priya" and week["clients"] == len(mine)
    # The plain review prints each overdue action's and waiting item's id, to paste into the next command.
    text = cli("weekly", "--as", "priya", "--as-of", BOOK_TODAY).stdout
    overdue = [r["action_id"] for rows in week["overdue_by_owner"].values() for r in rows[:5]]
    assert overdue and all(a in text for a in overdue)
    assert world.review_id in text
    assert json.loads(cli("weekly", "--as", "rita", "--as-of", BOOK_TODAY, "--json").stdout)["clients"] == len(everyone)
    for args in (["weekly", "--as", "sam"], ["clients", "list", "--as", "sam"], ["brief", "CRM-1001", "--as", "sam"]):
        r = cli(*args)
        assert r.exit_code == 1 and "needs the role" in r.output, (args, r.output)


def test_themes_command_keeps_to_the_users_book_and_refuses_service_staff(cli, container) -> None:
    make_book_world(container)
    mine = json.loads(cli("themes", "--as", "priya", "--json").stdout)
    assert mine["owner"] == "priya" and mine["themes"]
    assert mine["clients"] < json.loads(cli("themes", "--json", "--since", "2026-01-01").stdout)["clients"]
    text = cli("themes", "--as", "priya").stdout
    assert "Service themes" in text and "mentions" in text
    refused = cli("themes", "--as", "sam")
    assert refused.exit_code == 1 and "needs the role" in refused.output
    assert cli("themes", "--since", "yesterday").exit_code == 2
