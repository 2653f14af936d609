from __future__ import annotations

from typing import get_args

import pytest

from records import vocabulary as v


def test_each_tuple_lists_its_literal_in_order():
    assert v.CHANNELS == get_args(v.Channel)
    assert v.INTERACTION_KINDS == get_args(v.InteractionKind)


def test_every_kind_has_a_default_channel_in_the_vocabulary():
    assert set(v.KIND_CHANNEL) == set(v.INTERACTION_KINDS)
    assert set(v.KIND_CHANNEL.values()) <= set(v.CHANNELS)
    assert v.KIND_CHANNEL["meeting_notes"] == "meeting"


@pytest.mark.parametrize("raw,expected", [
    ("in person", "meeting"), ("In Person", "meeting"), ("  face to face ", "meeting"), ("meeting", "meeting"),
    ("Telephone", "phone"), ("E-mail", "email"), ("Video", "video call"), ("video  call", "video call"),
])
def test_canonical_channel_maps_other_spellings_to_the_one_spelling(raw, expected):
    assert v.canonical_channel(raw) == expected


def test_canonical_channel_is_none_for_an_unknown_channel():
    assert v.canonical_channel("carrier pigeon") is None
