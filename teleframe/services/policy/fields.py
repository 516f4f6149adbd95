"""Strict marshmallow fields and the field shapes the policy schema repeats."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

SEVERITIES = ("block", "warn", "info")


class StrictBoolean(fields.Boolean):
    """Only true and false; a policy saying `require_x: 1` or `"yes"` is a mistake."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class StrictInteger(fields.Integer):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("Must be a whole number.")
        return value


def flag(default: bool) -> StrictBoolean:
    return StrictBoolean(load_default=default)


def severity_choice(default: str) -> fields.String:
    return fields.String(load_default=default, validate=validate.OneOf(SEVERITIES))


def seconds(default: int, maximum: int = 86_400) -> StrictInteger:
    return StrictInteger(load_default=default, validate=validate.Range(0, maximum))


def section(schema: type[Schema]) -> fields.Nested:
    """A nested section that may be left out, in which case all its defaults apply."""
    return fields.Nested(schema, load_default=lambda: schema().load({}))


def codes(default: list[str], pattern: re.Pattern[str]) -> fields.List:
    item = fields.String(validate=validate.Regexp(pattern, error="Not an ISO 3166 code."))
    return fields.List(item, load_default=lambda: list(default))


LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
SOURCE_LANGUAGE = "en"


class LocalisedText(fields.Field):
    """Text the client reads: one string (English), or one per language with English required
    as the fallback, e.g. `{en: "Please...", es: "Por favor..."}`."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def _text(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("Must be text.")
        if len(value) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        return value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if not isinstance(value, dict) or not value:
            raise ValidationError("Must be text, or a map of language code to text.")
        problems = {
            str(key): ["Not a language code such as en or es."]
            for key in value
            if not isinstance(key, str) or not LANGUAGE.match(key)
        }
        if problems:
            raise ValidationError(problems)
        if SOURCE_LANGUAGE not in value:
            raise ValidationError("Give the English text (en): it is shown when no translation is.")
        return {key: self._text(text) for key, text in value.items()}


def in_language(text: str | dict[str, str], language: str) -> str:
    """The text for a language, else English."""
    if isinstance(text, str):
        return text
    return text.get(language) or text[SOURCE_LANGUAGE]


def translations(text: str | dict[str, str]) -> dict[str, str] | None:
    """The non-English versions of a localised text, or None when it has none."""
    if isinstance(text, str):
        return None
    return {key: value for key, value in text.items() if key != SOURCE_LANGUAGE} or None
