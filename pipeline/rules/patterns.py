"""The pattern table of commitments, requests and exclusions: one regular expression per rule.

Read against the labelling guide: each pattern is a row (who commits, who is asked, what
is excluded), and none names a person, firm or amount. `pipeline.rules.commitments`
applies them to a clause; the engine uses the reply and date-correction patterns.
"""

from __future__ import annotations

import re

_ADVERBS = r"(?:(?:also|then|now|personally|just|definitely|certainly|first|straight|still|actually|both)\s+)*"
# Every way of putting a verb in the future: "I'll", "we will", "I'm going to", "I'm also going to".
_MODAL = (
    rf"(?:'ll|’ll|\s+will|\s+shall|(?:'m|’m|\s+am|'re|’re|\s+are)\s+{_ADVERBS}going to)"
)

# "I'll try to get it to you by Friday", "I should be able to send it next week": the work is the verb after.
_EFFORT = r"(?:(?:try|aim|endeavour|hope|plan|intend|be able|make every effort) to\s+)?"
FIRST_PERSON = re.compile(
    rf"\b(?P<subj>I|[Ww]e)(?:{_MODAL}|\s+should(?=\s+be able to\b))\s+{_ADVERBS}{_EFFORT}{_ADVERBS}(?P<verb>[a-z]+)"
)
# "Let me" commits only with work verbs aimed beyond the call ("let me check with our credit
# team"); "let me check what you hold" or "let me double-check" happen during the call itself.
LET_ME = re.compile(
    r"\b[Ll]et me\s+(?P<verb>check with|speak to|talk to|ask|find out|get back|come back|look into|raise|chase"
    r"|arrange|book|send|email|write|get (?:that|it|this|them|those) (?:sent|over|across|booked|done|sorted))\b"
)
# A note may open on what was agreed before naming who acts: "Agreed - payments ops team to switch it on".
NOTE_ACTION = re.compile(
    r"^(?:(?i:agreed|ok|okay|so|then|and|next)\s*[-–:,]?\s+)?"
    # "Once order in, Account Services team to re-title 4471": the condition only times the work.
    r"(?:(?i:once|when|after|as soon as)\b[^,;]{2,40},\s*)?"
    r"(?P<who>[A-Z]{2,4}|(?:[A-Za-z][\w&/-]*\s+)(?:[\w&/][\w&/-]*\s+){0,3}?(?:team|desk|department|unit)"
    r"|[A-Z][a-z]+)"
    r"\s+(?:to|will)\s+(?P<verb>[a-z]+)"
)
# An action list item names its owner before a colon: "SW: council tax bill into branch by the 14th",
# "IT: call LH in a fortnight re docs". The item may be a bare deliverable, without a verb.
NOTE_ITEM = re.compile(r"^(?:\d+[.)]\s*)?(?P<who>[A-Z]{2,4}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s*:\s+(?P<item>\S.{4,})$")
# A deliverable going to someone by a date, without a verb: "Indicative terms to MB by end of Q1".
NOTE_DELIVERY = re.compile(
    r"^(?P<item>[A-Z][\w&+/'’-]*(?:\s+[\w&+/'’-]+){0,6}?)\s+to\s+(?P<who>[A-Z]{2,4})"
    r"\s+(?:by|on|before|w/c|within|in)\s+\S"
)
THIRD_PARTY = re.compile(
    # "What happens next is our claims team will...": after "is"/"that" the subject starts afresh.
    r"(?:^|[,:;]\s*|\b(?:[Tt]hen|[Aa]nd|[Ss]o|is|that)\s+)(?P<who>(?:[Oo]ur|[Tt]he)\s+(?:[\w&-]+\s+){0,3}?(?:team|desk|department|unit)"
    r"|[A-Z][\w&-]+(?:\s+[A-Za-z][\w&-]+){0,2}\s+(?:team|services|operations|relations|support|care|underwriting)"
    # "A claims handler will call you": someone in that department, so the department's work.
    r"|[Aa]n?\s+[a-z][\w-]+\s+(?:handler|adviser|advisor|specialist|assessor|caseworker|case worker)"
    r"|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
    # "My colleague in payments will...": the work falls to that department.
    r"|(?:[Mm]y|[Oo]ur|[Aa]|[Oo]ne of (?:my|our)) colleagues? (?:in|from|on) (?:the )?[\w&-]+(?:\s+[\w&-]+)?"
    # "Someone from our fraud team will ring you back": the team's work.
    r"|(?:[Ss]omeone|[Ss]omebody|[Aa] member of|[Oo]ne of) (?:from |in |on )?(?:our|the) (?:[\w&-]+\s+){0,2}?team)"
    rf"{_MODAL}\s+{_ADVERBS}(?P<verb>[a-z]+)"
)
# "They'll send you a claim pack" after "our bereavement team will look after the claim": the team
# named just before acts. "They'll be with you tomorrow to put a cover on" does the work after "to".
PRONOUN_TEAM = re.compile(
    rf"^(?:(?:once|when|after)\b[^,;]{{0,40}},\s*)?(?:(?:and|then|so|but)\s+)*(?P<who>[Tt]hey)"
    # What a team usually does next is what it will do: "They usually come back to you within three days".
    rf"(?:{_MODAL}|\s+(?:usually|normally|generally|typically)(?=\s+(?:come|get|call|ring|phone|write|contact|respond"
    rf"|reply|send|update)\b))\s+{_ADVERBS}(?P<verb>[a-z]+)"
    r"(?:\s+(?:with you|there|round|over|out)\b[^.;]{0,40}?\bto\s+(?P<then>[a-z]+))?"
)
SIGNOFF_TEAM = re.compile(
    r"\bneeds?\s+(?:sign-off|sign off|approval|authori[sz]ation)\s+from\s+"
    r"(?P<who>(?:our|the)\s+(?:[\w&-]+\s+){0,3}?team)\b",
    re.IGNORECASE,
)

# Verbs a request must ask for before it is a piece of work (keeps "can you hear me",
# "can you confirm your date of birth" and other in-call exchanges out).
WORK_VERBS = frozenset(
    """send post email forward return sign complete provide upload pay transfer move ring call phone contact
    check confirm give get pull match waive review arrange book cancel recall raise submit update dig find
    scan share chase speak talk ask fill drop put make set sort approve increase reduce refund change
    consider organise organize prepare write reply respond let look escalate investigate open lodge
    process release stop amend issue agree action execute draw settle remove add delete close switch sell
    buy invest redeem withdraw encash order renew extend reissue replace reinstate reverse credit correct
    fix lift lower unblock block freeze unfreeze register record note come honour backdate apply pass
    schedule top pop bring drop notify inform""".split()
)
# In writing, asking to be told or shown something is a request for a reply; in a call the
# answer comes during the call ("can you tell me your postcode").
# Work asked for in writing: "could you verify the totals", "can you include me on the invite".
WRITTEN_WORK_VERBS = WORK_VERBS | frozenset(
    """tell explain advise clarify outline show verify test include handle coordinate resend print fax mail
    email e-mail remind mention draft circulate distribute deliver obtain collect gather compile calculate run
    determine identify research trace proceed work help assist follow schedule reschedule set fill attach
    introduce recommend suggest summarise summarize finalise finalize""".split()
)
REQUEST_PATTERNS: list[re.Pattern[str]] = [
    # "What I'd like you to do is ring them": the work is the verb after "is".
    re.compile(r"\bwhat (?:I|we)(?:'d| would|’d)? (?:like|need|want) you to do (?:is|now is|first is)\s+(?:to\s+)?"
               r"(?P<verb>[a-z]+)", re.IGNORECASE),
    # "What I'd ask is that you take photos", "I'd ask that you send": a request put indirectly, so
    # plainly a request that any verb counts (`any_verb`).
    re.compile(r"\b(?:what (?:I|we)(?:'d| would|’d)? (?:ask|need|want|like) is|(?:I|we)(?:'d| would|’d) ask)"
               r"\s+(?:that\s+)?you\s+(?:please\s+|also\s+|just\s+)*(?P<verb>[a-z]+)(?P<any_verb>)", re.IGNORECASE),
    re.compile(r"\b(?:can|could|would|will)\s+you\s+(?:please\s+|also\s+|just\s+|kindly\s+|possibly\s+|perhaps\s+"
               r"|maybe\s+|quickly\s+)*(?:re-)?(?P<verb>[a-z]+)", re.IGNORECASE),
    # "Any chance you could waive the fee?", "Is there any way you could extend the deadline?"
    re.compile(r"\b(?:any chance|is there (?:any|a) way|any way)\s+(?:that\s+)?you\s+(?:could|can|would|might)\s+"
               r"(?:please\s+|possibly\s+|just\s+)*(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"(?<!to )\bplease\s+(?:could you\s+|can you\s+|do\s+)?(?:re-)?(?P<verb>[a-z]+)", re.IGNORECASE),
    # Polite forms of the same ask: "would you mind sending", "if you could post", "can I ask you to".
    re.compile(r"\bwould you mind\s+(?:just\s+|also\s+)?(?P<verb>[a-z]+ing)\b", re.IGNORECASE),
    re.compile(r"\bif you (?:could|can|would)\s+(?:please\s+|just\s+|also\s+|kindly\s+)*(?P<verb>[a-z]+)",
               re.IGNORECASE),
    re.compile(r"\b(?:can|could|may|might) I ask (?:that )?you(?: to)?\s+(?:please\s+|just\s+|also\s+)*"
               r"(?P<verb>[a-z]+)", re.IGNORECASE),
    # "Would it be possible to move the payment date?", "Is it possible for you to resend it?"
    re.compile(r"\b(?:would|will|is) (?:it|that) (?:be )?possible (?:for you )?to\s+(?:please\s+)?(?P<verb>[a-z]+)",
               re.IGNORECASE),
    # "I trust you will refund the fee": a demand put politely, whatever the verb.
    re.compile(r"\b(?:I|we) (?:trust|assume) (?:that )?you(?:'ll|’ll| will| can)\s+(?P<verb>[a-z]+)(?P<any_verb>)",
               re.IGNORECASE),
    re.compile(r"\b(?:I|we)(?:'ll|’ll| will)?\s+(?:need|would like|'d like|’d like|want)\s+you\s+to\s+(?P<verb>[a-z]+)",
               re.IGNORECASE),
    re.compile(r"\bit would (?:really )?help(?: us| me)? if you (?:could |can )?(?P<verb>[a-z]+)", re.IGNORECASE),
    # "So I expect you to cover the £40": a demand, whatever the verb.
    re.compile(r"\b(?:I|we)(?:'d| would)? expect you to (?P<verb>[a-z]+)(?P<any_verb>)", re.IGNORECASE),
    re.compile(r"\bwould you be (?:willing|able|happy) to\s+(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"\byou(?:'ll|’ll| will) need to\s+(?P<verb>[a-z]+)", re.IGNORECASE),
    re.compile(r"\b(?:can|could)\s+(?:the|your|my|our)\s+[^?]{2,60}?\s+(?:be\s+(?P<verb>[a-z]+ed)\b|"
               r"(?P<verb2>give|send|provide|check|look|confirm|go up)\b)", re.IGNORECASE),
]
# A client asking for a formal record in writing: "I need to make this a formal complaint",
# "please treat this as a complaint". The recipient owns logging it (a `case`).
RECORD_REQUEST = re.compile(
    r"\b(?:I|we)\s+(?:need|want|would like|'d like|’d like|wish|am writing|are writing)\s+to\s+(?:make|raise|lodge"
    r"|register|file|log|open)\s+(?:this|it|a|an)\s+(?:as\s+)?(?:an?\s+)?(?:formal\s+|official\s+)?"
    r"(?:complaint|claim|dispute)\b"
    r"|\b(?:please\s+)?(?:treat|log|record|register)\s+(?:this|it)\s+as\s+an?\s+(?:formal\s+)?(?:complaint|claim)\b",
    re.IGNORECASE,
)
# A written wish to change a service is a request to the recipient: "we would like to switch
# to paper statements", "I'd like to close the old account". Wishes to talk, know or
# understand are questions, not work.
# A written want of an outcome: "I would like a refund of the charge", "I'd like the account closed",
# "I want my money back", "I am writing to request a copy of my statement".
WRITTEN_WANT = re.compile(
    r"\b(?:I|we)(?:'d|’d| would)? (?:like|want|expect) (?:a|an|my|our|the) (?:full )?(?:refund|copy|replacement"
    r"|call ?back|breakdown|explanation|written (?:reply|response|explanation)|apology|reimbursement)\b"
    r"|\b(?:I|we)(?:'d|’d| would)? (?:like|want) (?:the|my|our) [\w -]{2,30}? (?:closed|cancelled|refunded|changed"
    r"|updated|moved|transferred|stopped|removed|reinstated|reversed|waived|corrected|fixed)\b"
    r"|\b(?:I|we) want (?:my|our) money back\b"
    r"|\b(?:I am|I'm|I’m|we are|we're|we’re) writing to (?:request|ask for)\b",
    re.IGNORECASE,
)
SERVICE_WISH = re.compile(
    r"\b(?:I|we)(?:\s+would|'d|’d)\s+(?:also\s+|now\s+|really\s+)?like\s+to\s+(?P<verb>switch|change|close|open|cancel|add|remove"
    r"|move|transfer|withdraw|increase|reduce|update|stop|set up|upgrade|downgrade|redeem|sell|buy|invest|top up"
    r"|pay|convert|renew|extend|order|register|opt)\b",
    re.IGNORECASE,
)
# "Could Mei Lin find a slot?": a request to another named participant, who owns it.
NAMED_REQUEST = re.compile(
    r"\b(?:can|could|would|will)\s+(?P<who>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})\s+(?:please\s+|also\s+)?"
    r"(?P<verb>[a-z]+)"
)
# "The other thing we'll need is a copy of the death certificate": a need addressed to the listener.
# A need inside a relative clause ("it explains which documents we need") states nothing.
NEED_STATEMENT = re.compile(
    r"(?<!which )(?<!what )(?<!whatever )(?<!documents )(?<!everything )(?<!nothing )(?<!anything )(?<!all )"
    r"\bwe(?:'ll|’ll| will)? need\b(?!\s+to\b)(?P<verb>)"
    # "I need your signed copy by Thursday": the speaker's need, of something the listener holds.
    r"|\bI(?:'ll|’ll| will)? need (?=your\b|a (?:signed |certified )?copy\b|the signed\b|sight of\b"
    r"|(?:the|those|these|them|it)\b[^.?!]{0,40}\bback\b)",
    re.IGNORECASE,
)
# A need that adds to the deliverable just asked for ("we'll need a certified translation with
# it") extends that request rather than creating a second one.
ADD_ON = re.compile(r"\b(?:with it|with them|with that|along with it|as well|too|alongside it)\s*[,.]?"
                    r"(?:\s*I'm afraid|\s*I’m afraid)?\s*[.!]?\s*$", re.IGNORECASE)
# Bare imperatives count only in written text (emails, notes): in speech they are mostly
# instructions for the call itself ("take photos", "read it back to me").
# A written ask may open with a greeting, the reader's name or a connective: "Mark, send...",
# "Hi all - could you...", "Also, please...". The lead-in is skipped before an imperative.
LEAD_IN = re.compile(
    r"^(?:(?:(?i:hi|hello|hey|dear|ok|okay|also|and|so|but|then|again|finally|first|meanwhile|otherwise|"
    r"in the meantime|in addition|when you get a chance|when you have a (?:minute|moment|chance)|"
    r"(?:[A-Z][a-z]+|all|everyone|everybody|guys|folks|team)(?:\s+(?:and|&)\s+[A-Z][a-z]+)?)\s*[,:;!-]+\s*)"
    r"|(?i:hi|hello|hey|dear)\s+[A-Z][a-z]+\s*[,:;!-]*\s*|(?i:hi|hey)\s+(?=[a-z]))+"
)
IMPERATIVE_LEAD = r"^(?:(?:just|simply|kindly|also|and|then|please|pls|plz),?\s+)*"
IMPERATIVE = re.compile(
    IMPERATIVE_LEAD + r"(?P<verb>send|return|sign|complete|forward|post|upload|pay"
    r"|provide|refund|waive|reverse|cancel|close|remove|add|update|transfer|sell|buy|arrange|book|confirm"
    r"|reissue|replace|call|ring|chase|credit|amend|correct|stop|switch"
    r"|review|check|(?:e-?mail|mail|fax)(?=\s+(?:me|us|him|her|them|it|the|a|an|your|this|that|those|these)\b)|scan|contact|schedule|advise|reply|respond|share|print|verify"
    r"|approve|submit|prepare|draft|circulate|distribute|notify|inform|phone|ensure|fill (?:in|out)"
    r"|set up|sort out|pass (?:on|along)|follow up (?:on|with)|get back to|get in touch"
    r"|give (?:me|us) (?:a )?(?:quick |brief )?(?:call|ring|buzz|shout)"
    r"|drop (?:me|us) (?:a )?(?:line|note|email|e-mail)"
    r"|let (?:me|us) know|make sure|remember to|go ahead (?:and|with)"
    r"|take a (?:look|moment|minute|few minutes) (?:at|to)|look (?:at|into|over|through))\b",
    re.IGNORECASE,
)
# A client's direct question in writing that no request form caught: "Is his laptop covered there, or
# would he need his own policy?", "Do we just send it by bank transfer?". Courtesies ask nothing.
READER_QUESTION = re.compile(
    r"^\s*(?:(?:and|also|so|but|one more thing|while I think of it)[,:\s–-]+)*(?:[^?]{0,60},\s*)?"
    r"(?:is|are|does|do|did|will|would|should|can|could|may|what|when|how|which|where|why|who|has|have)\b"
    r"[^?]{6,}\?\s*$",
    re.IGNORECASE,
)
COURTESY_QUESTION = re.compile(
    r"\bhow (?:are|is|have) (?:you|things|the family)\b|\bhope (?:you|all)\b|\bisn['’]t it\b|\bdon['’]t you think\b"
    r"|\b(?:did|have) you (?:have|had) a (?:good|nice|lovely)\b",
    re.IGNORECASE,
)
# A direct question in writing asks the reader to answer; tag questions ("..., isn't it?") do not.
QUESTION = re.compile(r"\?\s*[\W]*$")
TAG_QUESTION = re.compile(r",\s*(?:isn't|aren't|doesn't|don't|didn't|wasn't|won't|right|eh|huh)\s+\w*\s*\?\s*$",
                          re.IGNORECASE)
VERIFICATION = re.compile(
    r"\b(?:date of birth|postcode|post code|first line of (?:your|the) address|account number|last four"
    r"|security|your name|full name|spell|read (?:it|that) back|hear (?:me|us)|see it)\b",
    re.IGNORECASE,
)
# Exclusions from the labelling guide, one pattern per kind of non-action.
HYPOTHETICAL = re.compile(
    r"(?<!even )(?<!as )(?<!see )(?<!ask )(?<!check )(?<!know )(?<!asking )(?<!whether )\bif\b"
    r"(?!\s+(?:you|we)\s+(?:can|could)\b)(?!\s+(?:needed|necessary|required|possible)\b)"
    # "If it helps, I'll ask our team for a note", "...and a leaflet, in case it helps": a courtesy, not a condition.
    r"(?!\s+(?:it|that) (?:helps|would help)\b)"
    r"|\botherwise\b|\bin case\b(?!\s+(?:it|that|they) (?:helps?|would help|is useful|are useful)\b)|\bunless\b",
    re.IGNORECASE,
)
VAGUE = re.compile(
    r"\bfollow up\s*[.,!]?$|\bkeep in touch\b|\bbe in touch\b|\bcatch up\b|\bkeep (?:you|that|it|this) "
    r"(?:posted|updated|informed|in mind)\b|\bkeep (?:you|him|her) (?:up to date|in the loop)\b"
    r"|\bmake sure (?:you|we) have what\b|\bbear (?:that|it|this) in mind\b|\bhave a think\b|\bspeak soon\b"
    r"|\btalk soon\b|\btake care\b|\blook after\b|\bdo (?:everything|what|my best|all) (?:I|we)? ?can\b"
    r"|\bhelp you with (?:everything|anything)\b|\bmake sure the right people\b|\bdo everything\b"
    r"|\bthe right people pick up\b|\bput that right\b"
    # A step taken together while talking is done in the interaction: "then we'll look at it together".
    r"|\b(?:look at|go through|run through|go over|work through|sort)\b[^.?!]{0,40}\btogether\b"
    # Leave-takings and idioms that promise nothing: "I'll let you go", "I'll believe it when I see it".
    r"|\blet you (?:go|get on|get back)\b|\bleave you to it\b|\bbelieve it when\b|\bhold you to (?:that|it)\b"
    r"|\bwait and see\b|^\s*(?:I|we)(?:'ll|’ll| will) (?:push|aim|hope) for\b"
    r"|\bbe able to help\s*(?:with (?:that|this|it))?\s*[.!?]?$"
    # A check made while the caller holds is part of the call: "I'll just check that for you now".
    r"|\b(?:check|look|see)\b[^.?!]{0,25}?\b(?:now|right now|while you(?:'re|’re| are) on the (?:line|phone)"
    r"|whilst you hold)\s*[.!?]?$"
    r"|\bsort (?:it|that|this|things) out\s*[.!]?$"
    r"|^\s*(?:\w+,\s*)?(?:I|we)(?:'ll|’ll| will) take (?:that|it|them)\s*[.!]?$"
    r"|\bat (?:whatever|your (?:own)?|their (?:own)?) pace\b|\bmention (?:it|that|this) to (?:her|him|them)\b"
    # Guiding someone through something happens on the call itself: "I'll take you through what we need".
    r"|\b(?:take|walk|talk|run) (?:you|him|her|them) through\b"
    # Seeing to work already promised adds none: "I'll make sure the paper goes in on time".
    r"|\bmake sure (?:the|that|it|this|everything|all)\b[^.]{0,40}\b(?:on time|in time|goes (?:in|through|out)"
    r"|happens)\b"
    # An offer of help with nothing named: "Two more things, if you can help."
    r"|\bif (?:you|we|I) (?:can|could) help\s*[.!?]?$|\bhappy to help\s*[.!?]?$"
    # A look with nothing named, a time nobody set, help with whatever, passing on good wishes.
    r"|\btake a (?:quick )?look\s*[.!?]?$|\bat some point\b|\bsome time\s*[.!?]?$"
    r"|\bmake sure (?:you|we)(?:'ve|’ve| have)? (?:got )?(?:what|whatever|everything)\b"
    r"|\bpass (?:that|it|them|those) on\s*[.!?]?$|\bpass on (?:your|my|our|the) (?:best wishes|regards|thanks"
    r"|congratulations|love)\b",
    re.IGNORECASE,
)
# Recording what was just agreed is part of the call, not new work: "I'll put that on the
# referral", "I'll make a note of that", "I'll note that on your file".
NOTE_TAKING = re.compile(
    r"\b(?:put|add|note|pop|write|mark)\s+(?:that|it|this|those)\s+(?:down\s+)?(?:on|in|to|against)\s+(?:the|your|my|our)"
    r"\s+(?:\w+\s+)?(?:referral|note|notes|file|record|records|system|account|case|request|ticket|trace|claim"
    r"|complaint|application)\b"
    r"|\bmake a note\b|\b(?:note|write|jot|put) (?:that|it|this) down\b"
    # Recording what the caller has just said: "I'll make one record of this that the whole bank will use".
    r"|\bmake (?:a|one|the) (?:single |central )?record of (?:that|it|this)\b"
    r"|\b(?:I|we)(?:'ll|’ll| will) (?:just )?note (?:that|down)\b"
    r"|\bput (?:that|it|this) in (?:my|the|your) (?:diary|calendar)\b"
    # Updating a detail while the caller gives it: "Yes, I'll put your address on."
    r"|\bput (?:your|the|his|her) (?:new )?(?:address|number|email|e-mail|details|name) on\s*[.!?]?$",
    re.IGNORECASE,
)
# Written courtesies that ask for nothing: "please find attached", "please note", "please
# don't hesitate to call".
# How the firm will regard something is decided as it is said, not work for later: "Then we'll
# treat it as unauthorised", "we'll treat this as a complaint".
DECIDED_NOW = re.compile(r"\b(?:I|we)(?:'ll|’ll| will| are going to|'re going to|’re going to)\s+(?:now\s+)?"
                         r"(?:treat|class|regard|count|consider)\s+(?:it|this|that|them|the\s+[\w-]+)\s+as\b",
                         re.IGNORECASE)
COURTESY = re.compile(
    r"\bplease (?:find|see) (?:attached|enclosed|below|above|the attached)\b|\bplease note\b"
    r"|\b(?:attached|enclosed|below),? please (?:find|see)\b"
    r"|\b(?:take|taking) (?:your|all the) time\b|\bplease (?:do not|don't|don’t) hesitate\b"
    r"|\b(?:please (?:do )?)?let (?:me|us) know if you have any\b"
    r"|\blet (?:me|us) know if (?:you need|there(?:'s|’s| is)|I can) (?:anything|any)\b",
    re.IGNORECASE,
)
# Mailing-list housekeeping asks nothing of the reader's business: "add us to your address
# book", "update your email preferences", "unsubscribe here".
MAILING_LIST = re.compile(
    r"\bunsubscribe\b|\bopt[- ]?out\b|\bsafe[- ]?senders?\b|\baddress book\b|\bcontacts list\b|\bmailing list\b"
    r"|\b(?:email|e-mail|notification|subscription) (?:preferences|settings)\b|\bwhite ?list\b"
    r"|\bto (?:ensure|make sure)\b[^,;]{0,60}\b(?:inbox|delivery|deliverability)\b|\badd us to your\b",
    re.IGNORECASE,
)
# A lead-in that announces a list ("There are two things I would like you to look at:",
# "Please can you:") is not itself an action; its items are.
LIST_LEAD = re.compile(r"\b(?:following|as follows|below|these|those|things|items|points|steps|questions|list|"
                       r"details|documents|ones)\s*:\s*$|^[^a-z]*\w+(?:\s+\w+){0,2}\s*:\s*$"
                       r"|\b(?:two|three|four|five|a few|a couple of|some|several|the following|these|those)\s+"
                       r"(?:things|items|points|questions|matters|requests|issues)\b[^:]*:\s*$", re.IGNORECASE)
"""A lead-in whose object is the list after it ("please send the following:"); a request that names its own
object and ends at a colon ("could you change the payee details on my account to:") is still a request."""
SUGGESTION = re.compile(r"\b(?:may|might|could) be worth\b|\byou (?:may|might) want to\b|\bI'd suggest\b",
                        re.IGNORECASE)
OFFER = re.compile(
    r"\b(?:would you like me to|do you want me to|did you want me to|shall I|should I|would it help if I"
    r"|want me to|happy to\b.*\bif)\b",
    re.IGNORECASE,
)
ATTENDANCE = re.compile(
    r"\bsee you (?:at|there|on|then)\b|\bI(?:'ll|’ll| will) be there\b|\bbring (?:my|a|our)\b|\battend\b"
    r"|\bcome along\b|\bjoin you\b",
    re.IGNORECASE,
)
NEGATED = re.compile(
    r"\b(?:won't|won’t|will not|can't|can’t|cannot|not going to|let me not|I'd rather|I’d rather|never)\b",
    re.IGNORECASE,
)
# "I'll be handling your claim", "I will be your point of contact": roles, not deliverables.
ONGOING_VERBS = frozenset(
    {"be", "need", "keep", "have", "see", "want", "leave", "hold", "try", "wait", "hear", "think", "mull", "enjoy"}
)
VAGUE_VERBS = frozenset({"follow", "catch", "touch"})


# A reply that takes up a request without naming new work: "I can do that", "will do, I'll send it".
# Delegating it without naming new work is a pro-form too: "I'll get our secretary onto that",
# "I'll get my accountant to do it"; so is restating the ask: "could you have all of that with me".
PRO_FORM = re.compile(
    r"\b(?:do|get|send|post|return|upload|forward|sort|manage)\s+(?:that|it|them|those|this)\b"
    r"(?!\s+(?:to|on)\s+\w+ team)"
    r"|^\s*(?:yes,?\s*)?(?:will do|I can|no problem)\b"
    # "I'll email it tonight" as the whole reply; "I'll dig out the figures and email them" names new work.
    r"|^\s*(?:yes,?\s*|sure,?\s*|okay,?\s*)?(?:I|we)(?:'ll|’ll| will| can)\s+(?:just\s+)?(?:email|e-mail|scan|drop)"
    r"\s+(?:that|it|them|those|this)\b"
    r"|\bget\s+(?:our|my|the|his|her|their)\s+(?:[\w-]+\s+){0,2}?(?:onto|on to)\s+(?:that|it|this|them)\b"
    r"|\bget\s+(?:our|my|the|his|her|their)\s+(?:[\w-]+\s+){0,2}?to\s+(?:do|draft|sort|send|prepare|handle|deal with"
    r"|look at|draw up|write)\s+(?:that|it|this|them|one)\b"
    r"|\bhave\s+(?:all\s+(?:of\s+)?)?(?:that|it|them|those|this)\s+(?:back\s+)?(?:with|to)\s+(?:me|us|you)\b",
    re.IGNORECASE,
)
# Adding to a deliverable stated elsewhere is no deliverable of its own: "I'll include their details",
# "I'll include any interest in the same request", "I'll put their number in the email with the form".
ADD_TO_DELIVERABLE = re.compile(
    r"^\s*(?:(?:and|also|then|so)\s+)?(?:I|we)(?:'ll|’ll| will)\s+(?:also\s+|just\s+)?(?:include|attach|enclose)\b"
    r"|\b(?:put|add|pop|include)\b[^.]{0,50}\b(?:in|into|with|on)\s+(?:the same|that|the|this)\s+(?:request|email"
    r"|e-mail|message|letter|pack|form|application)\b",
    re.IGNORECASE,
)
# "I'll have that to you by Thursday", "I'll have an answer for you by Tuesday": a delivery, though
# "have" alone is not work.
HAVE_DELIVERY = re.compile(r"\bhave\s+[^.,;]{1,40}?\s+(?:over\s+|back\s+)?(?:to|with)\s+(?:you|him|her|them)\b"
                           r"|\bhave\s+an?\s+(?:answer|decision|update|outcome|reply)\s+for\s+(?:you|him|her|them)\b",
                           re.IGNORECASE)
# Reporting back on an ask just made: "...and I'll call you back tomorrow with where it's got to".
REPORT_BACK = re.compile(
    r"\b(?:let (?:you|him|her|them) know|(?:come|get) back to (?:you|him|her|them)|(?:call|ring|phone) (?:you|him|her"
    r"|them) back|have an? (?:answer|decision|update|outcome|reply) for (?:you|him|her|them)"
    r"|update (?:you|him|her|them))\b",
    re.IGNORECASE,
)
# The other party says the thing was done on the call: "I've got it, it's just come through", "we've done
# that already".
DONE_IN_CALL = re.compile(
    r"\b(?:it|that)(?:'s|’s| has) (?:just )?(?:come through|arrived|landed)\b"
    r"|\b(?:we|I)(?:'ve|’ve| have) (?:already )?done (?:that|it)(?: already)?\b|\balready done\b",
    re.IGNORECASE,
)
# Date corrections and confirmations: "actually, make that Thursday", "Wednesday's fine".
CORRECTION = re.compile(
    r"\b(?:actually|make (?:it|that)|let's say|let’s say|(?:can|could|shall) we say|could (?:it|we) be|can (?:it|we) be"
    r"|how about"
    r"|instead|or rather|more realistic|later said|later:|need until|needs? until|revised|moved to|agreed)(?!\w)"
    r"|^\s*(?:oh,?\s*)?(?:well,?\s*)?no,",
    re.IGNORECASE,
)
CONFIRMATION_LEAD = re.compile(r"^\s*(?:[\w ,.'’-]{0,25}?)(?:'s|’s| is| works| then)?\s*"
                               r"\b(?:fine|ok|okay|perfect|great|"
                               r"good|works|then|is the absolute latest)\b", re.IGNORECASE)
UNAVAILABLE = re.compile(
    r"\b(?:I'm|I’m|I am|he's|he’s|she's|she’s|I'll be|we're|we’re) (?:out|in|away|off|travelling|on holiday|"
    r"on leave|at (?:a|my|the|our|his|her))\b|\boff till\b|\boff until\b",
    re.IGNORECASE,
)

# A summary of what was already agreed: "so just to recap", "to confirm what we've agreed", a notes
# "Actions" heading. What it lists restates the actions above; it adds none of its own.
RECAP = re.compile(
    r"\b(?:to recap|recap(?:ping)?|to sum (?:it |that |this )?up|to summari[sz]e|in summary|so to confirm"
    r"|just to confirm|to confirm what we(?:'ve|’ve| have)? agreed|as agreed|as discussed|next steps"
    r"|(?:let me |just to )?(?:just )?(?:run|go) (?:through|over) (?:it|that|everything|what we(?:'ve|’ve| have)"
    r" (?:agreed|said))\s*[.:]"
    r"|actions?(?: points| agreed)?\s*:?\s*$"
    # A spoken summary that counts what was agreed: "Just three things. Keep the computer off. Ring Carol."
    r"|(?:^|[.!?]\s+)(?:so,?\s+)?(?:just\s+)?(?:two|three|four|five) things(?:,? then)?\s*[.:]"
    r"|^\s*(?:next(?: steps)?|to ?dos?|follow[- ]?ups?|outstanding)\b[^:\n]{0,30}:?\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
