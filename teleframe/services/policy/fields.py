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
