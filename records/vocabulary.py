"""The controlled vocabulary every package shares: each a `Literal` type and its tuple.

Design decisions:

- The `Literal` is the definition and the tuple is derived from it with `get_args`, so the
  two can never disagree; validation (Pydantic), type checking (mypy) and membership tests
  (`value in CHANNELS`) all read the same list.
- The kernel holds them because the shared tables, the pipeline's schemas, the review gate
  and the client record all speak them; `records` imports nothing else, so any package may
  import this module.
- Other spellings of a value arrive only from outside (a CRM export, older stored drafts).
  They are mapped to the one spelling at that seam (`canonical_channel`), never stored.
"""

from __future__ import annotations

from typing import Literal, get_args

InteractionKind = Literal["call_transcript", "meeting_notes", "email"]
"""What an interaction's source is: a call transcript, meeting notes or an email thread."""

INTERACTION_KINDS: tuple[InteractionKind, ...] = get_args(InteractionKind)

Channel = Literal["phone", "email", "meeting", "video call", "other"]
"""How an interaction happened. An in-person meeting is `meeting`."""

CHANNELS: tuple[Channel, ...] = get_args(Channel)

KIND_CHANNEL: dict[InteractionKind, Channel] = {
    "call_transcript": "phone",
    "meeting_notes": "meeting",
    "email": "email",
}
"""The channel an interaction of each kind has when nothing says otherwise."""

_CHANNEL_ALIASES: dict[str, Channel] = {
    "in person": "meeting",
    "in-person": "meeting",
    "face to face": "meeting",
    "face-to-face": "meeting",
    "branch": "meeting",
    "call": "phone",
    "telephone": "phone",
    "phone call": "phone",
    "e-mail": "email",
    "video": "video call",
    "video-call": "video call",
    "videocall": "video call",
}


def canonical_channel(value: str) -> Channel | None:
    """Map a channel as some other system spells it to the one spelling, or None if unknown.

    Args:
        value: The channel as written, e.g. `In person`, `telephone`, `meeting`.

    Returns:
        The `Channel` it means (case and surrounding space ignored), or None when it is not
        a channel clientloop knows.
    """
    key = " ".join(value.split()).lower()
    if key in CHANNELS:
        return key
    return _CHANNEL_ALIASES.get(key)
