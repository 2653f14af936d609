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
    r"\bapprov\w*|\bsign-?\s?off\b|\bwaiv\w*|\bwaiver\b|\brefund\w*|\bexception\b|\bcredit (?:application|committee|"
    r"decision|approval)\b|\blimit\b[^.]{0,40}\b(?:up|increase|higher|raise|change)|\b(?:increase|raise|change)\w*\b"
    r"[^.]{0,30}\blimit\b|\bpayment plan\b|\bgoodwill\b|\bmatch\b.{0,20}?(?:%|rate|per cent)|\bpremium reduction\b"
    r"|\bunderwriting approval\b|\bconcession\b|\bsubmit\b[^.]{0,50}\bto (?:the )?credit\b"
    r"|\bdiscount\b|\bbetter (?:rate|price|terms)\b"
    r"|\breduc\w+ (?:the |my |our |your )?(?:[\w-]+ )?(?:premium|fee|rate|margin|charge)"
    # Taking a case to credit is seeking its decision: "I'll put the whole thing to credit".
    r"|\b(?:put|take|submit|send|present|refer)\b[^.]{0,60}?\bto (?:the |our )?(?:credit|underwrit\w*|u/w)"
    r"(?!\s+cards?\b)"
    # Reimbursing a loss the client blames on the firm: "I expect you to cover the £40".
    r"|\breimburs\w*|\bcompensat\w*"
    r"|\bcover (?:the |that |my |our |his |her |your )?(?:[£$€]\s?\d|\w+ (?:fee|charge|costs?)\b)"
    # Asking for a decision is seeking one: "ask the lending team for a decision on the increase".
    r"|\bfor (?:a|their|the|its) decision\b"
    # A committee decides: "take the arrangement fee question to the pricing committee".
    r"|\b(?:put|take|submit|send|present|refer|ask)\b[^.]{0,60}?\b(?:committee|panel)\b"
    # Asking whether terms can be bent: "ask our underwriters whether they can extend full cover".
    r"|\bask\w*\b[^.]{0,60}\bwhether\b[^.]{0,40}\b(?:can|could|would|will)\s+(?:\w+\s+)?(?:extend|match|drop"
    r"|reduce|lower|cut|waive|increase|raise|approve|refund)\b",
    re.IGNORECASE,
)
# Deciding whether to pay redress is an approval wherever the clause says it ("...because of the
# delay, and whether we should pay you the difference").
REDRESS_DECISION = re.compile(
    r"\bwhether (?:we|they|you|the firm) (?:should|can|could|will|would) (?:pay|refund|compensate|reimburse)\b",
    re.IGNORECASE,
)
# The speaker says the decision is not theirs to make ("that's the bit I can't tick off myself",
# "it needs a manager's approval"): asking a team about it then seeks a sign-off.
SIGNOFF_CONTEXT = re.compile(
    r"(?:\b(?:can't|can’t|cannot|can not|not able to|unable to)|\bnot (?:something|a thing|one) (?:I|we) can)"
    r"\s+(?:\w+\s+)?(?:(?:tick|sign)\s+(?:\w+\s+)?off|approve|authori[sz]e|agree)\b"
    r"|\bneeds?\s+(?:\w+\s+){0,2}(?:sign-off|sign off|approval|authori[sz]ation)\b"
    r"|\b(?:outside|beyond|above)\s+(?:my|our)\s+(?:authority|mandate|remit|limit|discretion)\b"
    r"|\b(?:can't|can’t|cannot)\s+(?:change|adjust|reduce|lower|match|waive|refund|do)\s+(?:it|that|this|the \w+)"
    r"\s+(?:myself|on my own|personally)\b|\bmore than I(?:'m|’m| am) allowed\b",
    re.IGNORECASE,
)
CASE = re.compile(
    r"\b(?:log|logs|logged|raise|open|lodge|file|register|reopen|re-open|submit|send|start|initiate|make)\b[^.]{0,40}?"
    r"\b(?:complaint|claim(?! form| pack)\b|referral|trace|recall|investigation|dispute)"
    # Recording a failure formally opens a record: "record this formally ... as a service failure".
    r"|\brecord\w*\b[^.]{0,40}?\b(?:formally|as an? (?:formal )?(?:complaint|service failure))\b"
    # Referring a matter to a team that opens its own record is a referral.
    r"|\brefer\w*\b[^.]{0,30}?\bto (?:our|the|a) (?:[\w-]+ )?(?:fraud|safeguarding|complaints?|financial crime"
    r"|vulnerable customers?|scams?|disputes?)\b"
    # Tracing, recalling or investigating a payment is a formal record too.
    # An investigation is a formal record: "our fraud team will investigate".
    r"|\binvestigat(?:e|es|ing|ion)\b(?!\s+(?:why|how|what|whether)\b)"
    r"|\b(?:recall|trace|investigate|chase down)\s+(?:the|a|that|this|their|your|my)\s+(?:[\w-]+\s+)?"
    r"(?:payment|transfer"
    r"|funds|wire|money|transaction|debit|charge)s?\b",
    re.IGNORECASE,
)
_TEAMISH = (
    r"(?:team|desk|department|people|underwriters?|underwriting|colleagues|specialists?|committee|credit|tax"
    r"|compliance|legal|operations|payments|lending|risk|fraud|pricing|u/w|planning|planners?|services)"
)
INTERNAL = re.compile(
    # Asking someone internal: "ask our credit team", "check with them", "speak to wealth planning".
    rf"\b(?:ask|check (?:(?:it|that|this|these|those)\s+)?with|confirm with|speak (?:to|with)|talk (?:to|with)"
    rf"|liaise with|consult"
    rf"|refer\w* (?:it |this )?to|run [^.]{{0,30}} past|find out from|chase|chasing|follow up with"
    rf"|raise (?:it|that|this) with|put (?:it|that|this) to|put (?:a|the|in a) request (?:in )?(?:to|with)"
    rf"|send (?:a|the) request to)\b[^.]{{0,60}}?\b(?:{_TEAMISH}|them)\b"
    # Contacting a team directly: "I'll get onto the pensions people", "I'll email our tax team".
    rf"|\b(?:get onto|get on to|get in touch with|contact|reach out to|ring|call|phone|email|e-mail|message)"
    rf" (?:our|the|my) (?:[\w-]+ ){{0,2}}{_TEAMISH}\b"
    # Sending work to a team: "send the figures over to our tax team", "send a request to our X team".
    rf"|\b(?:send|pass|forward|refer|escalate)\b[^.]{{0,60}}\bto (?:our|the) (?:[\w-]+ ){{0,3}}{_TEAMISH}\b"
    # Getting a team's view: "get pricing desk's view on...".
    rf"|\bget\b[^.]{{0,40}}\b(?:view|input|opinion|thoughts|steer)\b"
    # Getting something from a team: "PH to get GIT quote at £25k from u/w".
    rf"|\bget\b[^.]{{0,40}}\bfrom (?:our |the )?(?:[\w-]+ )?{_TEAMISH}(?!\w)"
    rf"|\bget (?:our|the) (?:[\w-]+ ){{0,3}}{_TEAMISH} to\b"
    rf"|\b(?:your|our) (?:[\w-]+ ){{0,2}}(?:people|team|desk|specialists?)\b[^.]{{0,15}}"
    rf"\b(?:give|provide|check|look)\b",
    re.IGNORECASE,
)
CLIENT_RESPONSE = re.compile(
    r"\b(?:let (?:you|him|her|them|me|us|the client|[A-Z]\w+) know|(?:call|ring|phone|email|e-mail|update|write to|post"
    r"|send|get back to|come back to|revert to|reply to|respond to|tell|explain to) (?:you|him|her|me|us|the client)\b"
    r"|call (?:you )?back|\bgive (?:you|him|her|me|us|them) a (?:ring|call|bell|buzz)\b"
    r"|\b(?:get|have|send)\s+[^.,;]{1,50}?\s+(?:over\s+|back\s+)?(?:to|with)"
    r"\s+(?:you|him|her|me|us)\b|\byou(?:'ll|’ll| will| should)\s+(?:have|get|receive)\s+(?:that|it|them|this)\b"
    r"|\bconfirm\b|\breply\b|\bwrite up\b|\bsend (?:over|out)\b|\bto (?:the )?client\b"
    # "You'll get a written acknowledgement from our complaints team": what the client receives.
    r"|\byou(?:'ll|’ll| will| should)\s+(?:get|receive|hear)\b"
    # Working something out for the client is answering them: "I'll then work out the rough gain for you".
    r"|\b(?:work out|calculate|find out|figure out)\b[^.]{0,50}\bfor (?:you|him|her|the client)\b"
    r"|(?:send|email|post|forward|share|provide|issue|prepare|circulate)\b[^.]{0,70}\b(?:pack|forms?|invitation"
    r"|proposal|report|summary|statement|schedule|dates|wording|analysis|documents?|details|copy|letter|terms"
    r"|agreement|note|quote|illustration|breakdown|confirmation|response|update|outcome|recap|minutes"
    r"|brochure|guide|factsheet|valuation)\b)",
    re.IGNORECASE,
)
# The guide's order: the first rule that applies decides.
TYPE_PRECEDENCE: tuple[ActionType, ...] = ("approval", "case", "internal_request", "client_response", "task")
_REPORT_VERBS = frozenset({"let", "call", "ring", "phone", "update", "come", "get", "confirm", "write", "email",
                           "reply", "respond", "tell", "post"})
_SUBMIT_VERBS = frozenset({"submit", "put", "request", "ask", "seek", "apply", "push"})
_SUBORDINATE = re.compile(
    r",?\s+(?:so that|so|while|because|since|once|until|as soon as)\s+(?!far\b)|,\s+as\s+(?!soon\b|well\b|per\b)",
    re.IGNORECASE,
)
# Booking or scheduling a meeting is a task, even when the invite goes to the client.
BOOKING = re.compile(
    r"\b(?:calendar|meeting|diary|teams|zoom|outlook) (?:invite|invitation|request)s?\b|\bbook\w*\b[^.]{0,40}"
    r"\b(?:call|meeting|appointment|slot|review|visit)\b|\bfind (?:a|some) (?:slot|time|date)s?\b"
    r"|\bsend (?:the|an|a) (?:diary |calendar |meeting )?invite\b",
    re.IGNORECASE,
)
# Sending a document or answer to the client is a response; sending money is fulfilment.
SEND = re.compile(r"\b(?:send|email|e-mail|post|forward|share|circulate)\b", re.IGNORECASE)
MONEY_OBJECT = re.compile(
    r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:k|m|thousand|million|pounds|euros|dollars)\b|\b(?:money|funds|payment|cash|balance"
    r"|proceeds|transfer|wire|chequebook|cheque book|card|cards|pin)\b",
    re.IGNORECASE,
)


_FOR_SIGNOFF = re.compile(r"\bfor (?:\w+ )?(?:sign-?\s?off|approval)\b", re.IGNORECASE)
_INTERNAL_DESTINATION = re.compile(rf"\bto (?:our|the|my) (?:[\w-]+ ){{0,3}}{_TEAMISH}\b", re.IGNORECASE)


def _flat(text: str) -> str:
    """One line, one space between words, "w/" written out: notes and wrapped emails read as prose."""
    text = re.sub(r"\bw/(?=\s)", "with", " ".join(text.split()))
    # Approval as a time or a condition is not the work: "issue the cards within 5 days of approval".
    return re.sub(r"\b(?:of|after|following|pending|subject to|once|on) (?:\w+ )?approval\b", "", text,
                  flags=re.IGNORECASE)


def main_part(clause: str) -> str:
    """The clause up to its first subordinate 'so/while/because' part."""
    m = _SUBORDINATE.search(clause, 15)
    return clause[: m.start()] if m else clause


def classify_type(
    clause: str, *, verb: str, owner_side: str, owner_is_team: bool, sentence: str = "", context: str = ""
) -> ActionType:
    """Apply the guide's ordered type rules to one action.

    Args:
        clause: The clause stating the action.
        verb: Its main verb ("send", "ask", "submit"...).
        owner_side: `firm` or `client`.
        owner_is_team: True when a team, not a participant, owns the action.
        sentence: The whole sentence, consulted for approval words when the verb only submits.
        context: The speaker's whole turn (or line); an internal ask made right after saying the
            decision needs someone else's sign-off is an approval.

    Returns:
        The action type.
    """
    if owner_side == "client":
        return "task"
    # Hard-wrapped emails break phrases across lines ("let you\n  know by Friday").
    clause, sentence, context = (_flat(t) for t in (clause, sentence, context))
    main = main_part(clause)
    approval_text = main
    if verb in _SUBMIT_VERBS and sentence:
        approval_text = sentence
    # A report-back verb talks about the decision rather than seeking it ("I'll call you once it's
    # approved"); "get" only when it gets back to someone ("I'll get the limit increased" seeks it).
    reports = verb in _REPORT_VERBS and (verb != "get" or re.search(r"\bget back\b", main, re.IGNORECASE))
    if not reports or re.search(r"\b(?:ask|request|seek|submit)\b", main, re.IGNORECASE):
        if APPROVAL.search(approval_text):
            return "approval"
    if _FOR_SIGNOFF.search(main):
        return "approval"  # "write up the annual review for credit sign-off"
    if REDRESS_DECISION.search(clause):
        return "approval"
    if CASE.search(main):
        return "case"
    if not owner_is_team and INTERNAL.search(main):
        before = context[: context.find(clause)] if clause in context else ""
        return "approval" if SIGNOFF_CONTEXT.search(before) else "internal_request"
    if BOOKING.search(main):
        return "task"
    if CLIENT_RESPONSE.search(main):
        return "client_response"
    if SEND.search(main) and not MONEY_OBJECT.search(main) and not _INTERNAL_DESTINATION.search(main):
        # "KV to send the pricing grid", "our team will send the draft plan to AC": a firm-owned
        # send with no internal destination reaches the client.
        return "client_response"
    return "task"
