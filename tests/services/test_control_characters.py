"""The text checks are regexes for speed; they must refuse exactly what Unicode calls control
characters (Cc) and lone surrogates (Cs), every code point checked."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from marshmallow import ValidationError

from teleframe.api.fields import printable
from teleframe.services.providers import storable

CODE_POINTS = [chr(point) for point in range(sys.maxunicode + 1)]


def _control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs")


def test_storable_refuses_exactly_control_characters_and_surrogates() -> None:
    refused = [char for char in CODE_POINTS if not storable(f"a{char}b")]
    assert refused == [char for char in CODE_POINTS if _control(char)]


def test_printable_refuses_the_same_but_tab_and_newline() -> None:
    def refused(char: str) -> bool:
        try:
            printable(f"a{char}b")
        except ValidationError:
            return True
        return False

    expected = [char for char in CODE_POINTS if _control(char) and char not in "\t\n"]
    assert [char for char in CODE_POINTS if refused(char)] == expected


@pytest.mark.parametrize("text", ["Oakland, CA", "Zoë's flat 🏠"])
def test_ordinary_text_passes_both(text: str) -> None:
    printable(text)
    assert storable(text)


def test_a_note_may_break_lines_but_a_webhook_field_may_not() -> None:
    printable("line one\nline two\ttab")
    assert not storable("line one\nline two")
