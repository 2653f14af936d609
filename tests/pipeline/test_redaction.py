"""Nothing planted in an interaction reaches the model; the stored draft has the real values back."""

from __future__ import annotations

import html
import json
import re

from sqlmodel import Session

from clientloop.interactions import submit_interaction
from clientloop.worker import claim, process_job
from clients.models import Contact
from pipeline.llm_engine import LLMExtraction
from pipeline.redaction import Redactor, name_terms
from records.session import session_scope
from records.tables import Draft, Job
from tests.factories import make_client
from tests.fakes import FakeChatModel, tool_reply

RMS = ["Priya Shah", "Omar Haddad", "Rosa Delgado", "Tom Reilly", "Grace Lin"]
CLIENTS = ["Daniel Okafor", "Amelia Hart", "Samuel Castellano", "Ingrid Lindqvist", "Kwame Mensah", "Fatima Noor"]
SPOUSES = ["Ruth", "Henry", "Lucia", "Erik", "Abena", "Yusuf"]
# Valid Luhn numbers (test card ranges) and valid-format IBANs, NINOs, sort codes and postcodes.
CARDS = ["4111 1111 1111 1111", "5555 5555 5555 4444", "4012 8888 8888 1881", "3782 822463 10005",
         "6011 1111 1111 1117"]
IBANS = ["GB29NWBK60161331926819", "GB82WEST12345698765432", "GB33BUKB20201555555555", "DE89370400440532013000",
         "FR1420041010050500013M02606"]
NINOS = ["AB123456C", "CE654321A", "JG103759A", "PR112233B", "ST998877D"]
POSTCODES = ["SW1A 1AA", "EC2V 7HH", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT"]


def _case(i: int) -> dict[str, str]:
    client = CLIENTS[i % len(CLIENTS)]
    return {
        "rm": RMS[i % len(RMS)], "client": client, "spouse": f"{SPOUSES[i % len(SPOUSES)]} {client.split()[1]}",
        "account": f"{31926819 + i * 7919:08d}", "sort": f"{20 + i % 70:02d}-{(i * 3) % 100:02d}-{(i * 7) % 100:02d}",
        "iban": IBANS[i % len(IBANS)], "card": CARDS[i % len(CARDS)], "nino": NINOS[i % len(NINOS)],
        "email": f"{client.split()[0].lower()}.{i}@example-mail.co.uk", "phone": f"07700 900{100 + i:03d}",
        "postcode": POSTCODES[i % len(POSTCODES)], "dob": f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{50 + i % 40}",
    }


CORPUS = [_case(i) for i in range(30)]
COMMITMENT = "I'll send you the ISA transfer form by Friday."


def _transcript(c: dict[str, str]) -> str:
    first = c["client"].split()[0]
    return (f"{c['rm']}: Good morning {first}, it's {c['rm'].split()[0]} from the bank.\n"
            f"{c['client']}: Hello. My account is {c['account']}, sort code {c['sort']}, IBAN {c['iban']}.\n"
            f"{c['client']}: The card is {c['card']} and my NI number is {c['nino']}.\n"
            f"{c['client']}: Email me at {c['email']} or ring {c['phone']}; I'm at {c['postcode']}, "
            f"date of birth {c['dob']}.\n"
            f"{c['client']}: {c['spouse']} may call you about it too.\n"
            f"{c['rm']}: {COMMITMENT}\n")


def _planted(c: dict[str, str]) -> list[str]:
    values = [c[k] for k in ("account", "sort", "iban", "card", "nino", "email", "phone", "postcode", "dob")]
    return values + name_terms([c["rm"], c["client"], c["spouse"]])


def _answer_from_prompt(messages) -> object:
    """What a model would answer: the commitment, quoted as it saw it (placeholders included)."""
    text = html.unescape("\n".join(str(m.content) for m in messages))  # the prompt quotes the text as XML
    found = re.search(r"(<PERSON_\d+>|[A-Z][a-z]+ [A-Z][a-z]+): " + re.escape(COMMITMENT), text)
    assert found, text[-400:]
    line, speaker = found[0], found[1]
    return tool_reply(LLMExtraction, {
        "purpose": "product_question", "sentiment": "neutral", "client_asks": [], "decisions": [], "key_facts": [],
        "concerns": [], "actions": [{
            "evidence_quote": line.strip(), "owner": speaker, "owner_side": "firm",
            "description": "Send the ISA transfer form", "type": "client_response", "due_phrase": "by Friday",
            "due_date": "", "close_condition": "The form is sent"}],
    })


def test_no_planted_value_reaches_the_model_and_the_draft_keeps_the_real_ones(container) -> None:
    container.settings.engines = ["rules", "llm"]
    fake = FakeChatModel(responses=[_answer_from_prompt] * len(CORPUS))
    container._chat_model = fake
    leaks: list[str] = []
    for i, c in enumerate(CORPUS):
        client = make_client(container, c["client"], owner="priya") if i < len(CLIENTS) else None
        if client is not None:
            with session_scope(container.engine) as s:
                s.add(Contact(client_id=client.id, name=c["spouse"], role="spouse"))
        participants = json.dumps([{"name": c["rm"], "role": "relationship_manager", "side": "firm"},
                                   {"name": c["client"], "role": "client", "side": "client"}])
        job = submit_interaction(container, data=_transcript(c).encode(), filename=f"call-{i}.txt",
                                 kind="call_transcript", client=c["client"], engine="llm", participants=participants,
                                 occurred_at=f"2026-11-{1 + i % 28:02d}T10:00:00+00:00")
        assert claim(container, job.id, "w1") and process_job(container, job.id, "w1") == "done", i
        prompt = fake.prompt_text()
        leaks += [f"case {i}: {v!r}" for v in _planted(c) if re.search(re.escape(v), prompt)]
        with Session(container.engine) as s:
            stored = json.loads(s.get(Draft, s.get(Job, job.id).draft_id).content_json)
        (action,) = stored["actions"]
        assert action["owner"] == c["rm"]  # the placeholder the model answered with, mapped back
        assert action["evidence"]["text"].endswith(COMMITMENT) and action["evidence"]["text"] in _transcript(c)
    assert fake.calls == len(CORPUS) and leaks == []


def test_same_value_same_placeholder_and_non_luhn_numbers_are_left_alone() -> None:
    r = Redactor(["Priya Shah"])
    text = "Card 4111 1111 1111 1111, again 4111 1111 1111 1111; reference 4111 1111 1111 1112. Priya."
    out = r.redact(text)
    assert out.count("<CREDIT_CARD_1>") == 2 and "4111 1111 1111 1112" in out and "Priya" not in out
    assert r.restore(out) == text


def test_amounts_and_dates_that_are_not_birth_dates_stay() -> None:
    out = Redactor().redact("Move £20,000 by 12/03/2026 and pay 25 GBP.")
    assert out == "Move £20,000 by 12/03/2026 and pay 25 GBP."


def test_with_redaction_off_the_values_do_reach_the_model(container) -> None:
    container.settings.engines = ["rules", "llm"]
    container.settings.redact_model_input = False  # an endpoint the firm runs itself
    fake = FakeChatModel(responses=[_answer_from_prompt])
    container._chat_model = fake
    c = CORPUS[0]
    make_client(container, c["client"], owner="priya")
    job = submit_interaction(container, data=_transcript(c).encode(), filename="call.txt", kind="call_transcript",
                             client=c["client"], engine="llm", occurred_at="2026-11-02T10:00:00+00:00")
    assert claim(container, job.id, "w1") and process_job(container, job.id, "w1") == "done"
    assert c["iban"] in fake.prompt_text() and c["client"] in fake.prompt_text()
