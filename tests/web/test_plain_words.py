"""The client reads plain English: at or below a 6th-grade reading level (Flesch-Kincaid)."""

from __future__ import annotations

import textstat

from teleframe.services.policy.consent import DEFAULT_TEXT
from tests.web.test_translations import _client_texts

SIXTH_GRADE = 6.0


def _sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!", ":")) else text + "."


def test_the_page_and_findings_read_at_a_sixth_grade_level():
    texts = sorted(_client_texts())
    assert len(texts) > 100
    assert textstat.flesch_kincaid_grade(" ".join(map(_sentence, texts))) <= SIXTH_GRADE
    # no single long sentence much harder than the rest
    long = [text for text in texts if len(text.split()) >= 10]
    hard = {text: textstat.flesch_kincaid_grade(text) for text in long}
    assert max(hard.values()) <= 9, sorted(hard.items(), key=lambda item: -item[1])[:3]


def test_the_default_consent_text_reads_at_a_sixth_grade_level():
    assert textstat.flesch_kincaid_grade(DEFAULT_TEXT["en"]) <= SIXTH_GRADE
