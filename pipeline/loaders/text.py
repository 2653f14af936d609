"""What a `.txt` file really is.

Plain text arrives in several guises: an email pasted with its header block (the form
the shared evaluation data uses), a `Speaker: text` transcript, a WebVTT file saved
as .txt, or prose. The order of the checks matters: an email header block is the most
specific signal, and a transcript test run first would take "From:"/"To:" lines for
speakers.
"""

from __future__ import annotations

from typing import Literal

from pipeline.loaders.email import text_email_header_end
from pipeline.loaders.transcript import looks_like_transcript

TextGuise = Literal["email", "vtt", "transcript", "prose"]


def sniff_text(text: str) -> TextGuise:
    """Classify decoded plain text.

    Args:
        text: Normalised text.

    Returns:
        "email", "vtt", "transcript" or "prose".
    """
    if text.lstrip().startswith("WEBVTT"):
        return "vtt"
    if text_email_header_end(text) is not None:
        return "email"
    if looks_like_transcript(text):
        return "transcript"
    return "prose"
