"""Redaction before text leaves for a model endpoint, and restoration of what comes back.

Client data stays home unless the bank says otherwise: before an interaction goes to a
chat model, account numbers, sort codes, IBANs, card numbers (Luhn-checked), National
Insurance numbers, emails, phone numbers, postcodes, dates of birth and the names of the
people involved are replaced by stable placeholders (`<PERSON_1>`, `<IBAN_CODE_1>`: the
same value gets the same placeholder throughout one draft), and the model's answer has
them mapped back, so owners and evidence quotes in the stored draft are the real text
and grounding against the source still holds.

Presidio finds the values: its pattern recognisers (credit card with the Luhn check,
IBAN, UK NINO, UK postcode, phone numbers through `phonenumbers`) and ours (sort codes,
account numbers, emails, dates of birth), plus a deny-list recogniser built from the
names the records know (participants, the client, the client's contacts) and each of
their parts. It runs with Presidio's no-op NLP engine: no spaCy model is downloaded or
loaded. Presidio's anonymizer applies the placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPostcodeRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

ENTITIES = ("PERSON", "CREDIT_CARD", "IBAN_CODE", "UK_NINO", "UK_POSTCODE", "PHONE_NUMBER", "EMAIL_ADDRESS",
            "UK_SORT_CODE", "ACCOUNT_NUMBER", "DATE_OF_BIRTH")
_PLACEHOLDER = re.compile(r"<([A-Z_]+)_(\d+)>")
_NAME_PART = re.compile(r"[A-Za-zÀ-ÿ'’-]{3,}")
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "the", "and"}


def _own_recognizers() -> list[PatternRecognizer]:
    return [
        PatternRecognizer(supported_entity="EMAIL_ADDRESS", patterns=[
            Pattern("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", 0.9)]),
        PatternRecognizer(supported_entity="UK_SORT_CODE", patterns=[
            Pattern("sort code", r"\b\d{2}[- ]\d{2}[- ]\d{2}\b", 0.8)]),
        PatternRecognizer(supported_entity="ACCOUNT_NUMBER", patterns=[
            Pattern("account number", r"(?<![\d£$€.,])\b\d{8}\b(?![.,]\d)", 0.6)]),
        # Presidio's own phone and postcode recognisers score plain numbers low without
        # context words; these UK shapes are specific enough to stand alone.
        PatternRecognizer(supported_entity="PHONE_NUMBER", patterns=[Pattern(
            "uk phone", r"(?<!\d)(?:\+44\s?\(?0?\)?\s?|0)(?:7\d{3}|\d{2,4})[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)", 0.7)]),
        PatternRecognizer(supported_entity="UK_POSTCODE", patterns=[Pattern(
            "uk postcode", r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", 0.7)]),
        PatternRecognizer(supported_entity="DATE_OF_BIRTH", patterns=[Pattern(
            "date of birth",
            r"(?i)(?:born(?: on)?|date of birth:?|d\.?o\.?b\.?:?)\s*"
            r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)? [A-Za-z]{3,9},? \d{4})", 0.9)]),
    ]


@lru_cache(maxsize=1)
def _base_registry() -> tuple[Any, ...]:
    # The recognisers that do not depend on the request, built once per process.
    return (CreditCardRecognizer(), IbanRecognizer(), UkNinoRecognizer(), UkPostcodeRecognizer(),
            PhoneRecognizer(supported_regions=("GB", "US", "IE", "FR", "DE", "ES")), *_own_recognizers())


@lru_cache(maxsize=1)
def _nlp() -> NoOpNlpEngine:
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    engine.load()
    return engine


def name_terms(names: Iterable[str]) -> list[str]:
    """Full names and their parts (three letters or more, honorifics dropped), longest first."""
    terms: set[str] = set()
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        terms.add(name)
        terms.update(p for p in _NAME_PART.findall(name) if p.lower() not in _HONORIFICS)
    return sorted(terms, key=len, reverse=True)


class Redactor:
    """Replaces sensitive values with placeholders for one draft, and maps them back."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in _base_registry():
            registry.add_recognizer(recognizer)
        terms = name_terms(names)
        if terms:
            registry.add_recognizer(PatternRecognizer(supported_entity="PERSON", deny_list=terms,
                                                      deny_list_score=1.0, name="known people"))
        self._analyzer = AnalyzerEngine(registry=registry, nlp_engine=_nlp(), supported_languages=["en"])
        self._anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[str, str] = {}

    def _placeholder(self, entity: str, value: str) -> str:
        key = (entity, value)
        if key not in self._by_value:
            count = sum(1 for e, _v in self._by_value if e == entity) + 1
            placeholder = f"<{entity}_{count}>"
            self._by_value[key] = placeholder
            self._by_placeholder[placeholder] = value
        return self._by_value[key]

    def redact(self, text: str) -> str:
        """The text with every value found replaced by its placeholder."""
        if not text:
            return text
        found = self._analyzer.analyze(text=text, language="en", entities=list(ENTITIES), score_threshold=0.5)
        if not found:
            return text
        operators = {entity: OperatorConfig("custom", {"lambda": (lambda v, e=entity: self._placeholder(e, v))})
                     for entity in {r.entity_type for r in found}}
        # Presidio's analyzer and anonymizer each declare their own (identical) result class.
        return str(self._anonymizer.anonymize(text=text, analyzer_results=found,  # type: ignore[arg-type]
                                              operators=operators).text)

    def restore(self, text: str) -> str:
        """The text with placeholders this redactor made mapped back to the values they stand for."""
        return _PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m[0], m[0]), text)

    def restore_data(self, data: Any) -> Any:
        """`restore` applied to every string in a JSON-like structure."""
        if isinstance(data, str):
            return self.restore(data)
        if isinstance(data, list):
            return [self.restore_data(v) for v in data]
        if isinstance(data, dict):
            return {k: self.restore_data(v) for k, v in data.items()}
        return data

    @property
    def replaced(self) -> dict[str, str]:
        """Placeholder to original value, for this draft so far."""
        return dict(self._by_placeholder)


def redact_messages(messages: Iterable[Any], redactor: Redactor | None) -> list[Any]:
    """Chat messages with their text redacted (unchanged without a redactor)."""
    if redactor is None:
        return list(messages)
    return [m.model_copy(update={"content": redactor.redact(str(m.content))}) for m in messages]


def restore_parsed(parsed: Any, redactor: Redactor | None) -> Any:
    """A model's structured answer (a Pydantic object) with the placeholders mapped back."""
    if redactor is None:
        return parsed
    return type(parsed).model_validate(redactor.restore_data(parsed.model_dump(mode="json")))
