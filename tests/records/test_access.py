"""The one access rule: its table, its scopes, and the README's statement of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from records.access import (
    PERMISSIONS,
    ROLES,
    SCOPED,
    book_owner,
    can_read_client,
    can_read_draft,
    can_read_job,
    can_upload_for,
    has_permission,
    new_client_owner,
    require_permission,
    require_upload_client,
)
from records.errors import Forbidden, UnknownClient
from records.tables import Client, Job, User

README = Path(__file__).resolve().parents[2] / "README.md"


def _user(name: str, role: str) -> User:
    return User(name=name, role=role, key_hash=f"sha256:{name}")


PRIYA, TOM, RITA, SAM, ADA = (_user("priya", "rm"), _user("tom", "rm"), _user("rita", "reviewer"),
                              _user("sam", "service"), _user("ada", "admin"))
MINE = Client(name="Esme Achterberg", relationship_owner="priya")


@pytest.mark.parametrize(("user", "reads", "drafts", "uploads"), [
    (PRIYA, True, True, True), (TOM, False, False, False), (RITA, True, True, False), (SAM, False, False, True),
    (ADA, True, True, True), (None, True, True, True),
])
def test_a_clients_records_by_role(user, reads: bool, drafts: bool, uploads: bool) -> None:
    assert can_read_client(user, MINE) is reads
    assert can_read_draft(user, MINE) is drafts
    assert can_upload_for(user, MINE) is uploads


def test_service_never_reads_a_draft_of_any_client() -> None:
    for client in (MINE, Client(name="Unowned"), None):
        assert not can_read_draft(SAM, client)


def test_a_job_is_visible_to_its_uploader_without_its_draft() -> None:
    job = Job(source_id="s", requested_by="sam")
    assert can_read_job(SAM, job, MINE) and not can_read_draft(SAM, MINE)
    assert not can_read_job(SAM, Job(source_id="s", requested_by="priya"), MINE)
    assert not can_read_job(TOM, Job(source_id="s", requested_by="priya"), MINE)


def test_wrong_role_is_forbidden_and_another_book_is_not_found() -> None:
    with pytest.raises(Forbidden, match="rm or reviewer or admin"):
        require_permission(SAM, "review")
    with pytest.raises(Forbidden):
        require_upload_client(RITA, MINE, "CRM-1001")
    with pytest.raises(UnknownClient):
        require_upload_client(TOM, MINE, "CRM-1001")
    require_upload_client(SAM, MINE, "CRM-1001")


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(Forbidden, match="unknown role"):
        has_permission(_user("x", "superuser"), "ask")


def test_new_clients_join_an_rms_book_and_an_rm_gets_their_own_weekly() -> None:
    assert new_client_owner(PRIYA) == "priya" and new_client_owner(SAM) is None
    assert book_owner(PRIYA, "tom") == "priya" and book_owner(RITA, "tom") == "tom"


def _readme_table() -> dict[str, dict[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Who may read and write what", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        permission = re.fullmatch(r"`(\w+)`", cells[0])
        assert permission, line
        rows[permission[1]] = dict(zip(header[2:], cells[2:], strict=True))
    return rows


def test_readme_table_states_the_rule() -> None:
    labels = {"own_book": "own book", "every_book": "every client", "none": "no"}
    table = _readme_table()
    assert set(table) == {p for grants in PERMISSIONS.values() for p in grants}
    for permission, cells in table.items():
        assert set(cells) == set(ROLES), permission
        for role in ROLES:
            if permission not in PERMISSIONS[role]:
                expected = "no"
            elif permission in SCOPED:
                expected = labels[SCOPED[permission][role]]
            else:
                expected = "yes"
            assert cells[role] == expected, (permission, role)
