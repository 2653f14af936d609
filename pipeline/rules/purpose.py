"""Purpose classification: the client's main reason for the interaction (or the firm's, if it called).

A weighted keyword vote. Each row of `PURPOSE_CUES` is a cue from the labelling guide's
purpose definitions with a weight; cues found in the opening of the interaction (email
subject, note title, the first client turns) count double, because that is where the reason
for contact is stated. `complaint` wins outright once a formal complaint is made, as the
guide requires; a relationship call with no business cue falls back to `general_check_in`.
"""

from __future__ import annotations

import re

from pipeline.schemas import Purpose

# Negated mentions ("I'm not complaining", "no complaints from me") are not grievances.
_NOT = r"(?<!not )(?<!no )(?<!n't )(?<!’t )(?<!never )(?<!no real )(?<!any )"
PURPOSE_CUES: list[tuple[Purpose, str, float]] = [
    ("complaint", r"\bformal complaint\b|\bmake a complaint\b|\blog(?:ged)? (?:this|it)? ?as a complaint\b", 6.0),
    ("complaint", rf"{_NOT}\bcomplain(?:t|ts|ing)?\b(?! at all)|\bnot acceptable\b|\bfed up\b|\breally not happy\b"
                  r"|\bredress\b|\bcompensation\b", 1.5),
    # A grievance in other words: "that's not good enough", "I'll be taking it to the ombudsman".
    ("complaint", r"\bombudsman\b|\bnot good enough\b|\b(?:pretty|really|very|so|extremely) (?:annoyed|angry|cross)\b"
                  r"|\bservice failure\b|\bput (?:this|it|things) right\b|\bshouldn't have had to chase\b", 1.5),
    ("review", r"\b(?:annual|periodic|portfolio|credit|facility|relationship|quarterly|half-yearly|six-monthly|yearly"
               r"|Q[1-4]) review\b|\bthis is your (?:annual )?review\b|\breview (?:meeting|mtg)\b"
               r"|\b(?:for|start|begin|do|time for) your (?:annual )?review\b", 3.0),
    # A review's usual business: the portfolio drifting from its agreed mix and brought back.
    ("review", r"\brebalanc\w+|\b(?:equity|bond|UK) weighting\b|\bagreed (?:about |around )?\w+ in equities\b", 1.0),
    ("renewal", r"\brenewal\b|\bmatur(?:es|ity|ing)\b|\brenew\b|\bexpiring\b|\brolls? over\b|\bup for renewal\b"
                r"|\b(?:fixed rate|fix|deal|term|policy|cover|facility) "
                r"(?:ends|finishes|expires|runs out|is ending|is finishing|comes to an end)\b"
                r"|\bproduct (?:transfer|switch)\b", 2.5),
    # A mortgage coming off its deal: the lender's reversion rate and remortgaging are renewal terms.
    ("renewal", r"\bremortgag\w*|\bstandard variable rate\b|\bSVR\b", 1.0),
    ("onboarding", r"\bnew client\b|\bonboarding\b|\baccount opening\b|\bopen(?:ing)? an? (?:new )?account\b"
                   r"|\bKYC\b|\bnew mandate\b|\binvestment management agreement\b|\bIMA\b|\bintroduced by\b"
                   r"|\bfact-?find\b|\bwelcome pack\b|\bclient agreement\b|\bsource of (?:funds|wealth)\b"
                   r"|\bwhere the (?:funds|money) came from\b"
                   r"|\b(?:once|when) the accounts? (?:is|are) (?:open|set up)\b"
                   r"|\bfirst investment\b|\bapplication form\b", 2.0),
    ("portfolio_update", r"\bquarterly (?:update|report)\b|\bQ[1-4] (?:\d{4} )?update\b|\bportfolio returned\b"
                         r"|\bperformance\b|\bfund event\b|\bmandate\b|\bbenchmark\b|\bunitholders?\b"
                         r"|\bhow the (?:fund|portfolio|investments?) (?:did|has done|have done|performed|is doing)\b"
                         r"|\b(?:fund|portfolio) returned\b|\bmerg(?:e|er|ing)\b[^.]{0,40}\bfunds?\b", 1.0),
    # A fund event the firm writes about: dealing suspended, a fund reopening, closing or merging.
    ("portfolio_update", r"\bsuspended dealing\b|\bdealing (?:is |was |has been )?suspended\b|\bsuspension\b"
                         r"|\bfund (?:does |has )?(?:reopen|suspend|clos|merg)\w*"
                         r"|\bmerg(?:e|ing) the fund\b|\bfund merger\b"
                         r"|\b(?:lead|fund|portfolio) manager\b[^.]{0,40}\b"
                         r"(?:is retiring|retires|is leaving|steps down)\b", 2.5),
    # Not the charge for repaying early (a product term), nor moving a pension or an ISA (servicing).
    ("payment_issue", r"\bpayments?\b|\bpayees?\b|(?<!early )\brepayments?\b(?! charges?\b)|\bwithdrawals?\b"
                      r"|\bduplicate\b|\bdirect debits?\b"
                      r"|(?<!pension )(?<!ISA )\btransfers?\b(?![- ](?:in|value|forms?)\b)"
                      r"|\bCHAPS\b|\bwire\b(?! transfer)|\bloan\b|\binvoice\b|\bbank details\b"
                      r"|\bpay (?:them|him|her|the (?:supplier|invoice|balance))\b", 1.0),
    # A payment that went wrong is the reason for contact, whatever limit or fee it brings up.
    ("payment_issue", r"\b(?:payments?|transfers?|run|payroll|wires?|direct debits?) (?:has |had |have )?"
                      r"(?:failed|bounced"
                      r"|(?:was |were |been )rejected|didn't go through|hasn't arrived|never arrived|gone missing)\b"
                      r"|\bfailed (?:payments?|run|transfers?)\b", 3.0),
    # Making a claim is servicing: "I need to report a leak", "I've opened a claim for you".
    ("service_issue", r"\b(?:make|making|start|register|open|opened|report|reporting) a claim\b"
                      r"|\breport (?:a|an) (?:leak|burst pipe|accident|theft|break-in|loss|incident)\b", 4.0),
    # An instruction to bring pensions or an ISA over is servicing, not a payment ("should I move it?" asks advice).
    ("service_issue", r"\b(?:pension|ISA|SIPP) transfers?\b|\btransfer(?:-| )in\b|\btransfer value\b"
                      r"|\b(?:bring|bringing|consolidat\w*|combin\w*) (?:my |our |his |her |their )?"
                      r"(?:\w+ ){0,3}?pensions?\b", 2.0),
    # A claim already open, named by its number ("RE: Claim HL-88213 - kitchen leak"), is being serviced.
    ("service_issue", r"\bclaim [A-Z]{2,}-?\d+", 2.0),
    # A card lost, kept by a machine or replaced.
    ("service_issue", r"\breplacement card\b|\blost (?:my |the |her |his )?(?:debit |credit )?card\b"
                      r"|\bcard (?:that )?was (?:kept|retained|swallowed)\b|\bkept by the machine\b", 2.0),
    # Someone acting for the client: a lasting power of attorney registered on the accounts.
    ("service_issue", r"\bLPA\b|\bPOA\b|\battorney\b|\bcorrespondence address\b", 1.5),
    # Who may sign: "change who can sign on our account", "a signed mandate change form".
    ("service_issue", r"\bwho can sign\b|\bmandate (?:change|form)\b"
                      r"|\b(?:come|go|taken|added) (?:off|on(?:to)?) the mandate\b",
     2.0),
    ("service_issue", r"(?<!completion )\bstatements?\b|\bbereave\w*|\bpassed away\b|\bdied\b|\bmake a claim\b"
                      r"|\bsignator\w*|\bredemption\b|\btariff\b|\baccess\b|\baddress change\b|\bpower of attorney\b",
     1.5),
    ("product_question", r"\bam I (?:actually )?covered\b|\bcover(?:ed|age)?\b|\bwhat (?:are|is) the (?:charges|fees)"
                         r"|\bcosts? page\b|\bcharges?\b|\bhow (?:does|do|were you thinking)\b|\btrust\b"
                         r"|\blimit\b|\bquestion\b|\basked (?:about|whether|if|re)\b|\billustrations?\b", 1.0),
    # What a policy covers, and taking card payments (a product the client asks about).
    ("product_question", r"\bspecified items?\b|\bexcess (?:for|on|is)\b"
                         r"|\bcard (?:machine|terminal|reader)s?\b|\bmerchant services\b|\bpay by card\b", 1.0),
    # A request for a limit change is a product question (the guide's definition).
    ("product_question", r"\b(?:O/D|overdraft|credit|card|borrowing|facility|daily|payment) (?:limit )?increase\b"
                         r"|\bincrease (?:in |to |on )?(?:the |my |our )?"
                         r"(?:O/D|overdraft|limit|facility|credit limit)\b"
                         r"|\blimit (?:go|going) up\b", 1.5),
    # A new product asked about: finance for a purchase, a savings or deposit account, "what sort of rate".
    ("product_question", r"\b(?:asset|equipment|vehicle|invoice|trade) finance\b"
                         r"|\bfinanc(?:e|ing) (?:all of it|it|the \w+)\b"
                         r"|\bwhat (?:sort of |kind of )?rate\b"
                         r"|\b(?:fixed|term|notice|savings) (?:deposit|account|bond)s?\b",
     1.5),
    # A bare advice request ("Is it a good idea?", "Would I be better off...?") asks about a product.
    ("product_question", r"\bgood idea\?|\bbetter off\b|\bwhat would you do\b"
                         r"|\bwould you (?:recommend|advise|suggest)\b"
                         r"|\bshould (?:I|we) (?:move|transfer|switch|sell|buy|invest|keep|leave|get out|take|gift)\b",
     1.5),
    ("general_check_in", r"\bcatch-up\b|\bjust (?:checking|check) in\b|\bcheck(?:ing)? in (?:with|on) (?:you|how)\b"
                         r"|\bcheck-in\b|\bsee how you are\b|\bhow are you getting on\b"
                         r"|\bjust (?:ringing|calling) to\b|\ball good\b", 2.5),
]
_COMPILED = [(purpose, re.compile(pattern, re.IGNORECASE), weight) for purpose, pattern, weight in PURPOSE_CUES]


def classify_purpose(text: str, *, opening: str) -> Purpose:
    """Choose the purpose of an interaction.

    Args:
        text: The whole interaction text.
        opening: The part that states the reason for contact (subject line, title, first turns).

    Returns:
        The purpose with the highest score.
    """
    scores: dict[Purpose, float] = {}
    for purpose, pattern, weight in _COMPILED:
        hits = len(pattern.findall(text))
        opening_hits = len(pattern.findall(opening))
        if hits or opening_hits:
            # Diminishing returns: a word repeated ten times is not ten times the evidence.
            scores[purpose] = scores.get(purpose, 0.0) + weight * (min(hits, 3) + 2 * min(opening_hits, 2))
    if scores.get("complaint", 0) >= 6.0 * 3:
        return "complaint"
    if not scores:
        return "general_check_in"
    return max(scores.items(), key=lambda item: item[1])[0]
