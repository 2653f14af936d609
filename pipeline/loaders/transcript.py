"""Call transcripts: WebVTT, SRT, JSON exports and plain `Speaker: text` lines.

Every transcript normalises to one line per turn, `Speaker: text` (or just `text` when
nobody is named), each line a `Section(role="turn")` with the speaker and, when the
format has them, start and end times in seconds. Plain-text transcripts are kept
verbatim (their lines already have that form); the other formats are rebuilt.

Consecutive VTT/SRT cues by the same named speaker merge into one turn: subtitle
tools cut speech into two-second cues, which is not how people take turns. Unnamed
cues are not merged, because "same speaker" cannot be known.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from pipeline.documents import Section
from pipeline.errors import MalformedDocument
from pipeline.loaders._text import TextBuilder, collapse_spaces

# A speaker label: up to five words starting with a capital, no digits or sentence punctuation.
_SPEAKER_LINE = re.compile(r"^[ \t]*([A-Z][\w'’.\-]*(?:[ \t]+[\w'’.\-()]+){0,4}):[ \t]+(\S.*)$")
_NOT_SPEAKERS = {"http", "https", "note", "notes", "re", "fw", "fwd", "ps", "nb", "tel", "fax", "email"}
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_VTT_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")
_SRT_TIME = re.compile(r"^(\d+):(\d{1,2}):(\d{2})[,.](\d{1,3})$")


@dataclass
class Turn:
    """One speaker turn before it is written out."""

    speaker: str | None
    text: str
    start: float | None = None
    end: float | None = None


def speaker_of(line: str) -> tuple[str, str] | None:
    """Split `Name: text` into name and text, if the line has a speaker label.

    Args:
        line: One line.

    Returns:
        (speaker, utterance) or None.
    """
    m = _SPEAKER_LINE.match(line)
    if not m or re.search(r"\d", m.group(1)) or m.group(1).lower() in _NOT_SPEAKERS:
        return None
    return m.group(1).strip(), m.group(2)


def looks_like_transcript(text: str) -> bool:
    """Decide whether plain text is a `Speaker: text` transcript rather than prose.

    Most non-empty lines must carry a speaker label, from a small set of names that
    recur. Notes with one-off labels ("Date: ...", "Attendees: ...") fail the
    "recur" test.

    Args:
        text: Normalised text.

    Returns:
        True for a transcript.
    """
    lines = [ln for ln in text.split("\n") if ln.strip()]
    speakers = Counter(s[0] for ln in lines if (s := speaker_of(ln)))
    labelled = sum(speakers.values())
    if labelled < 2 or labelled < 0.6 * len(lines):
        return False
    repeated = sum(n for n in speakers.values() if n >= 2)
    return len(speakers) <= 12 and repeated >= 0.5 * labelled


def _speakers_meta(turns: list[Section]) -> dict[str, str]:
    names = list(dict.fromkeys(t.speaker for t in turns if t.speaker))
    return {"speakers": ", ".join(names) if names else "unknown"}


def parse_plain_transcript(text: str) -> tuple[list[Section], dict[str, str]]:
    """Make turn sections from verbatim `Speaker: text` lines.

    Unlabelled lines continue the previous turn (a long utterance wrapped by the
    editor), or stand alone before the first label.

    Args:
        text: Normalised text.

    Returns:
        Turn sections and metadata with the speakers.
    """
    sections: list[Section] = []
    current: tuple[int, int, str | None] | None = None
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        label = speaker_of(line)
        if label is None and current is not None:
            current = (current[0], end, current[2])
            continue
        if current is not None:
            sections.append(Section(start=current[0], end=current[1], role="turn", speaker=current[2]))
        lead = len(line) - len(line.lstrip())
        current = (start + lead, end, label[0] if label else None)
    if current is not None:
        sections.append(Section(start=current[0], end=current[1], role="turn", speaker=current[2]))
    # Trailing spaces are not part of a turn.
    sections = [s.model_copy(update={"end": s.start + len(text[s.start : s.end].rstrip())}) for s in sections]
    return sections, _speakers_meta(sections)


def _write_turns(turns: list[Turn], builder: TextBuilder, *, merge: bool) -> dict[str, str]:
    merged: list[Turn] = []
    for turn in turns:
        if not turn.text:
            continue
        prev = merged[-1] if merged else None
        if merge and prev is not None and turn.speaker is not None and prev.speaker == turn.speaker:
            prev.text = f"{prev.text} {turn.text}"
            prev.end = turn.end if turn.end is not None else prev.end
        else:
            merged.append(Turn(turn.speaker, turn.text, turn.start, turn.end))
    for turn in merged:
        line = f"{turn.speaker}: {turn.text}" if turn.speaker else turn.text
        builder.add(line, separator="\n", role="turn", speaker=turn.speaker, start_time=turn.start, end_time=turn.end)
    return _speakers_meta(builder.sections)


def _cue_text(lines: list[str]) -> tuple[str | None, str]:
    raw = " ".join(lines)
    speaker: str | None = None
    if voice := _VOICE.search(raw):
        speaker = collapse_spaces(voice.group(1)) or None
    text = collapse_spaces(_TAG.sub(" ", raw))
    if speaker is None and (label := speaker_of(text)):
        speaker, text = label
    return speaker, text


def _seconds(value: str, pattern: re.Pattern[str]) -> float | None:
    m = pattern.match(value.strip())
    if not m:
        return None
    hours = int(m.group(1) or 0)
    return hours * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4).ljust(3, "0")) / 1000


def _timing(line: str, pattern: re.Pattern[str]) -> tuple[float, float] | None:
    if "-->" not in line:
        return None
    left, right = line.split("-->", 1)
    start = _seconds(left, pattern)
    end = _seconds(right.strip().split(" ")[0] if right.strip() else "", pattern)
    if start is None or end is None:
        return None
    return start, end


def parse_vtt(text: str, builder: TextBuilder, filename: str) -> dict[str, str]:
    """Read WebVTT cues into turns.

    Args:
        text: Normalised text.
        builder: Receives the turn lines.
        filename: For error messages.

    Returns:
        Metadata with the speakers.

    Raises:
        MalformedDocument: No `WEBVTT` header, or a cue with a bad timestamp.
    """
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", text.split("\n", 1)[0].strip()):
        raise MalformedDocument(
            "a WebVTT file must start with a 'WEBVTT' line; fix the header or upload it as .txt",
            filename=filename,
        )
    turns: list[Turn] = []
    cue = 0
    for block in re.split(r"\n[ \t]*\n", text)[1:]:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, ln in enumerate(lines[:2]) if "-->" in ln), None)
        if timing_at is None:
            continue  # a stray text block with no timing is not a cue
        cue += 1
        timing = _timing(lines[timing_at], _VTT_TIME)
        if timing is None:
            raise MalformedDocument(
                f"cue {cue} has an unreadable timestamp (expected hh:mm:ss.ttt --> hh:mm:ss.ttt)",
                filename=filename,
            )
        speaker, utterance = _cue_text(lines[timing_at + 1 :])
        turns.append(Turn(speaker, utterance, *timing))
    return _write_turns(turns, builder, merge=True)


def parse_srt(text: str, builder: TextBuilder, filename: str) -> dict[str, str]:
    """Read SRT cues into turns.

    Args:
        text: Normalised text.
        builder: Receives the turn lines.
        filename: For error messages.

    Returns:
        Metadata with the speakers.

    Raises:
        MalformedDocument: A cue without a readable `-->` timestamp line.
    """
    turns: list[Turn] = []
    for position, block in enumerate(re.split(r"\n[ \t]*\n", text.strip()), start=1):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        number = lines[0].strip() if lines[0].strip().isdigit() else str(position)
        timing_at = 1 if lines[0].strip().isdigit() else 0
        timing = _timing(lines[timing_at], _SRT_TIME) if len(lines) > timing_at else None
        if timing is None:
            raise MalformedDocument(
                f"cue {number} has an unreadable timestamp (expected hh:mm:ss,ttt --> hh:mm:ss,ttt)",
                filename=filename,
            )
        speaker, utterance = _cue_text(lines[timing_at + 1 :])
        turns.append(Turn(speaker, utterance, *timing))
    if not turns:
        raise MalformedDocument("the SRT file has no cues", filename=filename)
    return _write_turns(turns, builder, merge=True)


class Segment(BaseModel):
    """One item of a JSON transcript export."""

    model_config = ConfigDict(extra="ignore")

    speaker: str | None = None
    start: float | None = Field(default=None, ge=0)
    end: float | None = Field(default=None, ge=0)
    text: str = Field(validation_alias=AliasChoices("text", "content", "utterance"))


def parse_json_transcript(text: str, builder: TextBuilder, filename: str) -> dict[str, str]:
    """Read a JSON transcript export.

    Accepts a list of `{speaker, start, end, text}` objects, or an object holding that
    list under `segments` (also `turns`, `utterances` or QMSum's `meeting_transcripts`,
    whose items use `content` for the text).

    Args:
        text: Normalised JSON text.
        builder: Receives the turn lines.
        filename: For error messages.

    Returns:
        Metadata with the speakers.

    Raises:
        MalformedDocument: Invalid JSON, or the wrong shape; names the first bad item.
    """
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedDocument(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}); fix the file or export it again",
            filename=filename,
        ) from None
    if isinstance(payload, dict):
        key = next((k for k in ("segments", "turns", "utterances", "meeting_transcripts") if k in payload), None)
        payload = payload[key] if key else None
    if not isinstance(payload, list):
        raise MalformedDocument(
            'a JSON transcript must be a list of {speaker, start, end, text} items or an object with a "segments" list',
            filename=filename,
        )
    turns: list[Turn] = []
    for index, item in enumerate(payload):
        try:
            seg = Segment.model_validate(item)
        except ValidationError as exc:
            # Name the field and the problem, never the offending value.
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "item"
            raise MalformedDocument(
                f"transcript item {index} is not a segment ({where}: {err['msg']}); "
                "each item needs a text string and optional speaker, start, end",
                filename=filename,
            ) from None
        if seg.start is not None and seg.end is not None and seg.end < seg.start:
            raise MalformedDocument(
                f"transcript item {index} ends before it starts; fix its start and end times",
                filename=filename,
            )
        turns.append(Turn(collapse_spaces(seg.speaker or "") or None, collapse_spaces(seg.text), seg.start, seg.end))
    # JSON exports are already turn-level; merging would blur their timings.
    return _write_turns(turns, builder, merge=False)
