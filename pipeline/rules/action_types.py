"""Action type classification, applying the labelling guide's ordered rules.

1. `approval`: seeks or gives sign-off (waivers, refunds, rate/pricing exceptions, credit and
   limit decisions, payment plans, goodwill, underwriting approval);
2. `case`: opens a formal record (complaint, claim, fraud/safeguarding referral, trace, recall,
   investigation);
3. `internal_request`: asks another internal team for input, information or work;
4. `client_response`: the firm communicates back to the client (reply, callback, update,
   summary, proposal, documents or forms the client needs);
5. `task`: everything else, and every client-owned action.

Keywords are checked on the clause's main part (before "so ...", "while ..."), because
subordinate clauses talk about other things ("...so nothing leaves your account while we
wait for the approval" is not an approval action). When the clause's verb only submits or
asks ("I'll submit it today", "I'll put the request in"), the whole sentence is consulted,
since the thing being submitted is often named just before ("It needs a manager's approval").
"""

from __future__ import annotations

import re

from pipeline.schemas import ActionType

APPROVAL = re.compile(
    r"\bapprov\w*|\bsign-?\s?off\b|\bwaive\w*|\bwaiver\b|\brefund\w*|\bexception\b|\bcredit (?:application|committee|"
    r"decision|approval)\b|\blimit\b[^.]{0,40}\b(?:up|increase|higher|raise|change)|\b(?:increase|raise|change)\w*\b"
    r"[^.]{0,30}\blimit\b|\bpayment plan\b|\bgoodwill\b|\bmatch\b.{0,20}?(?:%|rate|per cent)|\bpremium reduction\b"
    r"|\bunderwriting approval\b|\bconcession\b|\bsubmit\b[^.]{0,50}\bto (?:the )?credit\b",
    re.IGNORECASE,
)
CASE = re.compile(
    r"\b(?:log|logs|logged|raise|open|lodge|file|register|reopen|re-open|submit|send|start|initiate|make)\b[^.]{0,40}?"
    r"\b(?:complaint|claim(?! form)\b|referral|trace|recall|investigation|dispute)",
    re.IGNORECASE,
)
_TEAMISH = (
    r"(?:team|desk|department|people|underwriters?|underwriting|colleagues|specialists?|committee|credit|tax"
    r"|compliance|legal|operations|payments|lending|risk|fraud|pricing)"
)
INTERNAL = re.compile(
    # Asking someone internal: "ask our credit team", "check with them", "speak to wealth planning".
    rf"\b(?:ask|check with|speak (?:to|with)|talk (?:to|with)|liaise with|consult|refer\w* (?:it |this )?to"
    rf"|run [^.]{{0,30}} past|find out from)\b[^.]{{0,60}}?\b(?:{_TEAMISH}|them)\b"
    # Sending work to a team: "send the figures over to our tax team", "send a request to our X team".
    rf"|\b(?:send|pass|forward|refer|escalate)\b[^.]{{0,60}}\bto (?:our|the) (?:[\w-]+ ){{0,3}}{_TEAMISH}\b"
    # Getting a team's view: "get pricing desk's view on...".
    rf"|\bget\b[^.]{{0,40}}\b(?:view|input|opinion|thoughts|steer)\b"
    rf"|\bget (?:our|the) (?:[\w-]+ ){{0,3}}{_TEAMISH} to\b"
    rf"|\b(?:your|our) (?:[\w-]+ ){{0,2}}(?:people|team|desk|specialists?)\b[^.]{{0,15}}"
    rf"\b(?:give|provide|check|look)\b",
    re.IGNORECASE,
)
CLIENT_RESPONSE = re.compile(
    r"\b(?:let (?:you|him|her|them|the client|[A-Z]\w+) know|(?:call|ring|phone|email|e-mail|update|write to|post"
    r"|send|get back to|come back to|revert to|reply to|respond to) (?:you|him|her|the client)\b|call (?:you )?back"
    r"|\bconfirm\b|\breply\b|\bwrite up\b|\bsend (?:over|out)\b|\bto (?:the )?client\b"
    r"|(?:send|email|post|forward|share|provide|issue|prepare|circulate)\b[^.]{0,70}\b(?:pack|forms?|invitation"
    r"|proposal|report|summary|statement|schedule|dates|wording|analysis|documents?|details|copy|letter|terms"
    r"|agreement|note|quote|illustration|breakdown|confirmation|response|update|outcome|recap|minutes"
    r"|brochure|guide|factsheet|valuation)\b)",
    re.IGNORECASE,
)
_REPORT_VERBS = frozenset({"let", "call", "ring", "phone", "update", "come", "get", "confirm", "write", "email",
                           "reply", "respond", "tell", "post"})
_SUBMIT_VERBS = frozenset({"submit", "put", "request", "ask", "seek", "apply", "push"})
_SUBORDINATE = re.compile(r",?\s+(?:so that|so|while|because|since)\s+(?!far\b)", re.IGNORECASE)


def main_part(clause: str) -> str:
    """The clause up to its first subordinate 'so/while/because' part."""
    m = _SUBORDINATE.search(clause, 15)
    return clause[: m.start()] if m else clause


def classify_type(
    clause: str, *, verb: str, owner_side: str, owner_is_team: bool, sentence: str = ""
) -> ActionType:
    """Apply the guide's ordered type rules to one action.

    Args:
        clause: The clause stating the action.
        verb: Its main verb ("send", "ask", "submit"...).
        owner_side: `firm` or `client`.
        owner_is_team: True when a team, not a participant, owns the action.
        sentence: The whole sentence, consulted for approval words when the verb only submits.

    Returns:
        The action type.
    """
    if owner_side == "client":
        return "task"
    main = main_part(clause)
    approval_text = main
    if verb in _SUBMIT_VERBS and sentence:
        approval_text = sentence
    if verb not in _REPORT_VERBS or re.search(r"\b(?:ask|request|seek|submit)\b", main, re.IGNORECASE):
        if APPROVAL.search(approval_text):
            return "approval"
    if CASE.search(main):
        return "case"
    if not owner_is_team and INTERNAL.search(main):
        return "internal_request"
    if CLIENT_RESPONSE.search(main):
        return "client_response"
    return "task"
