"""Transcript loaders: plain, WebVTT, SRT and JSON."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import (
    MalformedDocument,
)
from pipeline.loaders import load_document
from tests.pipeline.loaders.helpers import SECRET, assert_refused, span


def test_load_plain_transcript_turns() -> None:
    text = "Olivia Mensah: Morning, Henrik.\nHenrik Lindqvist: Morning.\nit's noisy here.\nOlivia Mensah: Fine.\n"
    doc = load_document(text.encode(), "call.txt")
    assert doc.kind == "transcript"
    assert doc.text == text
    assert [(s.speaker, span(doc, s)) for s in doc.sections] == [
        ("Olivia Mensah", "Olivia Mensah: Morning, Henrik."),
        ("Henrik Lindqvist", "Henrik Lindqvist: Morning.\nit's noisy here."),
        ("Olivia Mensah", "Olivia Mensah: Fine."),
    ]
    assert all(s.role == "turn" for s in doc.sections)
    assert doc.metadata["speakers"] == "Olivia Mensah, Henrik Lindqvist"


VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.500
<v Priya Natarajan>Good morning, Graham.</v>

2
00:00:03.500 --> 00:00:05.000
<v Priya Natarajan>Is now a good time?

NOTE this is a comment

00:00:05.000 --> 00:01:02.250 align:start
Graham: Yes, <i>go on</i>.
"""


def test_load_vtt_voice_tags_merge_and_timestamps() -> None:
    doc = load_document(VTT.encode(), "call.vtt")
    assert doc.kind == "transcript"
    assert doc.media_type == "text/vtt"
    assert doc.text == "Priya Natarajan: Good morning, Graham. Is now a good time?\nGraham: Yes, go on ."
    first, second = doc.sections
    assert (first.speaker, first.start_time, first.end_time) == ("Priya Natarajan", 1.0, 5.0)
    assert (second.speaker, second.start_time, second.end_time) == ("Graham", 5.0, 62.25)
    assert span(doc, second) == "Graham: Yes, go on ."
    assert doc.metadata["speakers"] == "Priya Natarajan, Graham"


def test_load_vtt_without_speakers_marks_unknown() -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nHello there.\n\n00:02.000 --> 00:03.000\nGeneral Kenobi.\n"
    doc = load_document(vtt.encode(), "anon.vtt")
    assert doc.metadata["speakers"] == "unknown"
    assert [(s.speaker, span(doc, s)) for s in doc.sections] == [(None, "Hello there."), (None, "General Kenobi.")]


def test_load_vtt_without_header_raises_malformed() -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(f"00:01.000 --> 00:02.000\n{SECRET}\n".encode(), "nohead.vtt")
    assert_refused(exc, "nohead.vtt")
    assert "WEBVTT" in str(exc.value)


def test_load_srt_cues_and_speakers() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nAmira: Hello.\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nDanny: Hi, it's Danny.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nDanny: About the loan.\n"
    )
    doc = load_document(srt.encode(), "call.srt")
    assert doc.media_type == "application/x-subrip"
    assert doc.text == "Amira: Hello.\nDanny: Hi, it's Danny. About the loan."
    assert [(s.speaker, s.start_time, s.end_time) for s in doc.sections] == [
        ("Amira", 1.0, 2.0),
        ("Danny", 2.5, 5.0),
    ]


def test_load_srt_bad_timestamp_names_cue() -> None:
    srt = f"1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:xx --> 00:00:04,000\n{SECRET}\n"
    with pytest.raises(MalformedDocument) as exc:
        load_document(srt.encode(), "bad.srt")
    assert_refused(exc, "bad.srt")
    assert "cue 2" in str(exc.value)


def test_load_json_transcript_segments() -> None:
    payload = {
        "segments": [
            {"speaker": "RM", "start": 0, "end": 2.5, "text": "Hello."},
            {"speaker": "Client", "start": 2.5, "end": 4, "text": "Hi."},
        ]
    }
    doc = load_document(json.dumps(payload).encode(), "call.json")
    assert doc.kind == "transcript"
    assert doc.text == "RM: Hello.\nClient: Hi."
    assert [(s.speaker, s.start_time, s.end_time, span(doc, s)) for s in doc.sections] == [
        ("RM", 0.0, 2.5, "RM: Hello."),
        ("Client", 2.5, 4.0, "Client: Hi."),
    ]


def test_load_json_transcript_list_and_qmsum_shape() -> None:
    doc = load_document(json.dumps({"meeting_transcripts": [{"speaker": "PM", "content": "Okay."}]}).encode(), "m.json")
    assert doc.text == "PM: Okay."
    doc = load_document(json.dumps([{"text": "No speaker."}]).encode(), "l.json")
    assert doc.metadata["speakers"] == "unknown"


@pytest.mark.parametrize(
    ("payload", "index"),
    [
        ([{"speaker": "A", "text": "ok"}, {"speaker": "B", "words": SECRET}], 1),
        ([{"text": "ok"}, {"text": "ok"}, SECRET], 2),
        ([{"text": "ok", "start": SECRET}], 0),
    ],
)
def test_load_json_transcript_bad_item_names_index(payload: object, index: int) -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(json.dumps(payload).encode(), "bad.json")
    assert_refused(exc, "bad.json")
    assert f"item {index}" in str(exc.value)


@pytest.mark.parametrize("payload", [f'{{"foo": "{SECRET}"}}', f'["{SECRET}"', '"just a string"'])
def test_load_json_transcript_wrong_shape_raises_malformed(payload: str) -> None:
    with pytest.raises(MalformedDocument) as exc:
        load_document(payload.encode(), "shape.json")
    assert_refused(exc, "shape.json")


def test_load_kind_override_and_vtt_sniffed_in_txt() -> None:
    doc = load_document(VTT.encode(), "call.txt", kind="note")
    assert doc.kind == "note"
    assert doc.sections[0].speaker == "Priya Natarajan"
