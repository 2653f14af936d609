"""Looser written signals of a request, for sentence-level intent scoring only (`detect(loose=True)`).

The drafting engine never uses them: they skip the labelling guide's exclusions for vague objects,
conditions and courtesies, and count polite wishes, "let's", broader imperatives and direct
questions as asking the reader to do or answer something.
"""

from __future__ import annotations

import re

from pipeline.rules.patterns import IMPERATIVE_LEAD

# Looser written signals, used only when scoring sentence-level intent (`loose=True`): the
# guide's exclusions for vague objects, conditions and courtesies are not applied there, and
# these forms count as asking the reader to do or answer something.
LOOSE_IMPERATIVE = re.compile(
    IMPERATIVE_LEAD + r"(?:(?:do not|don't|don’t)\s+(?:forget|hesitate|miss|make|send|sign|pay|change|delete|share"
    r"|forward|reply|respond|wait|worry)\b|(?:let'?s|let’s)\s+(?P<verb2>[a-z]+)|(?P<verb>come|join|read|visit"
    r"|click|use|try|keep|see(?! you\b)|meet|follow|find|go|hold|plan|bring|enter|log|register|sign up|start"
    r"|talk|discuss"
    r"|think|consider|tell|show|download|install|give|get|take|have|put|pick|grab|feel free|stop by|drop"
    r"|remind|include|attach|note|expect|save|reserve|mark|leave|ask|reach out|write|answer|help|invite|open"
    r"|accept|activate|learn|explore|view|browse|shop|order|apply|claim|call|tell|head|hurry|act|enjoy|rsvp"
    r"|print|watch|listen|check out|sign in|subscribe|unsubscribe|opt|update|upgrade|connect|vote|rate|fill"
    r"|choose|select|pick up|drop by|swing by|hang on|hang in|bear with|stay|wait|make|do|be)\b)",
    re.IGNORECASE,
)
LOOSE_REQUEST = re.compile(
    r"(?<!to )(?<!sure )\b(?:please|pls|plz|kindly),?\s+(?P<verb>[a-z]+)"
    r"|\bI (?:do |would |'d )?hope (?:that )?you(?:'ll|’ll| will| can| could| would)\b"
    r"|\b(?:would|'d|’d)\s+(?:\w+\s+)?(?:appreciate|be (?:\w+\s+)?(?:grateful|helpful|great|useful|nice|good"
    r"|appreciated|wonderful|ideal))\b"
    r"|\b(?:I|we)\s+(?:need|want|would like|'d like|’d like)\s+you\b"
    r"|\byou\s+(?:should|need to|must|have to|will want to)\s+(?P<verb3>[a-z]+)"
    # Asks for a reply or a call anywhere in the sentence: "if you want to discuss, let me know".
    r"|\blet (?:me|us) know\b|\b(?:give|drop|shoot) (?:me|us) (?:a )?(?:quick )?(?:call|ring|line|note|e-?mail|shout)\b"
    r"|\bget back to (?:me|us)\b|\bwhy (?:don't|don’t|not) (?:you|we)\b|\byou(?:'re|’re| are) welcome to\b"
    r"|\bI(?: would|'d|’d)? (?:suggest|recommend)\b|\b(?:I|we) need (?:your|you|this|that|it|the)\b"
    # Proposals to meet or talk: "we could discuss this on Monday", "I'd like to set up a call".
    r"|\b(?:we|you|I)\s+(?:can|could|should|might|may|need to|want to|would like to|'d like to|’d like to"
    r"|would love to|'d love to|’d love to|ought to|must)\s+(?:\w+\s+)?(?:discuss|meet|talk|chat|speak|get together"
    r"|catch up|sit down|go over|set up|schedule|arrange|have (?:a |an )?(?:\w+ )?(?:call|meeting|lunch|dinner|chat"
    r"|discussion))\b",
    re.IGNORECASE,
)
LOOSE_KEEP = frozenset({"negated", "mailing list"})
# Loose mode still leaves out standing offers of help and opt-out choices: "if you have any
# questions, contact us", "if you'd rather not receive these, click below". They invite
# nothing unless the reader's situation calls for it.
OPEN_OFFER = re.compile(
    r"\bif you (?:have|should have|need|experience|encounter|run into) (?:any|further|other|more|additional)?\s*"
    r"(?:\w+\s+)?(?:questions?|queries|problems?|concerns?|comments?|issues?|trouble|difficult(?:y|ies)|help"
    r"|assistance|support|feedback|suggestions?)\b"
    r"|\bif you(?: would|'d|’d| do)? (?:no longer|not|rather not|prefer not|don't|don’t)\b"
    r"|\bif you(?: would|'d|’d)? (?:like|wish|want|prefer|choose) to (?:unsubscribe|stop|opt|be removed|remove"
    r"|update your|change your|manage|cancel|no longer|be taken)\b",
    re.IGNORECASE,
)
SEGMENT = re.compile(
    r"^(?:if|when|once|whenever|as soon as|after|before|until|unless|in case|since|for|to)\b[^,;:]{0,120}?"
    r"(?:[,;:]|\s[-–—]+)\s+",
    re.IGNORECASE,
)
