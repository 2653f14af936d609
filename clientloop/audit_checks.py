"""The audit checks the CLI and the worker run: chain, anchors, and the records behind them.

This is where the pieces meet: the chain (`review.audit`), its anchors outside the
database (`review.checkpoint`: the key file and the checkpoint log named by the
settings), and the re-derivation of the gate's and the actions' records from the trail
(`review.audit_deep`, `clients.action_audit`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clientloop.container import Container
from clients.action_audit import verify_action_statuses
from records.session import session_scope
from review.audit import VerifyResult, verify_chain
from review.audit_deep import Disagreement, verify_gate_records
from review.checkpoint import (
    AnchorResult,
    Checkpoint,
    checkpoint_due,
    load_or_create_key,
    verify_anchors,
    write_checkpoint,
)


@dataclass
class AuditReport:
    """Everything `clientloop audit verify` found."""

    chain: VerifyResult
    anchors: AnchorResult
    disagreements: list[Disagreement] = field(default_factory=list)
    deep: bool = False

    @property
    def ok(self) -> bool:
        """Nothing disagreed."""
        return self.chain.ok and self.anchors.ok and not self.disagreements


def verify_audit(container: Container, *, deep: bool = False, expected_head: str | None = None) -> AuditReport:
    """Verify the chain, its MACs and checkpoints, and with `deep` every record against the trail."""
    s = container.settings
    key = load_or_create_key(s.resolved_audit_key_file)
    with session_scope(container.engine) as session:
        chain = verify_chain(session, expected_head=expected_head)
        anchors = verify_anchors(session, key=key, path=s.resolved_audit_checkpoint_file)
        found = verify_gate_records(session) + verify_action_statuses(session) if deep else []
    return AuditReport(chain, anchors, found, deep)


def checkpoint_now(container: Container) -> Checkpoint | None:
    """Write a signed checkpoint of the chain head now (None when the chain is empty)."""
    s = container.settings
    with session_scope(container.engine) as session:
        return write_checkpoint(session, key=load_or_create_key(s.resolved_audit_key_file),
                                path=s.resolved_audit_checkpoint_file)


def maybe_checkpoint(container: Container) -> Checkpoint | None:
    """Write a checkpoint if the schedule says one is due (the worker calls this between jobs)."""
    s = container.settings
    with session_scope(container.engine) as session:
        due = checkpoint_due(session, path=s.resolved_audit_checkpoint_file, every=s.audit_checkpoint_every,
                             seconds=s.audit_checkpoint_seconds)
    return checkpoint_now(container) if due else None
