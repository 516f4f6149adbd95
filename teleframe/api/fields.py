"""Strict marshmallow fields for the values a check-in carries."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import phonenumbers
import pycountry
from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length

from teleframe.services.moments import EARLIEST, LATEST, OutOfRange, bounded_utc


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: `fields.Boolean` would accept 0, 1, "yes" and "off"."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise ValidationError("Must be true or false.")
        return value


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2, upper case."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) != 2 or pycountry.countries.get(alpha_2=text.upper()) is None:
            raise ValidationError("Not an ISO 3166-1 alpha-2 country code.")
        return text.upper()


class SubdivisionCode(fields.String):
    """ISO 3166-2, for example US-CA."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).upper()
        if "-" not in text or len(text) > 10 or pycountry.subdivisions.get(code=text) is None:
            raise ValidationError("Not an ISO 3166-2 subdivision code (for example US-CA).")
        return text


class Jurisdiction(fields.String):
    """A licensing jurisdiction: an ISO 3166-2 subdivision or an ISO 3166-1 country."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).upper()
        if "-" in text:
            known = len(text) <= 10 and pycountry.subdivisions.get(code=text) is not None
        else:
            known = len(text) == 2 and pycountry.countries.get(alpha_2=text) is not None
        if not known:
            raise ValidationError("Not an ISO 3166-2 subdivision or ISO 3166-1 country code.")
        return text


class E164Phone(fields.String):
    """A phone number written in E.164 (+ and digits) that could exist.

    Whether it is valid for the client's country is a policy finding, not a shape error.
    """

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text.startswith("+") or not text[1:].isdigit() or len(text) > 16:
            raise ValidationError("Must be an E.164 phone number, for example +15105550123.")
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            raise ValidationError("Not a phone number.") from None
        if not phonenumbers.is_possible_number(number):
            raise ValidationError("Not a possible phone number.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Unicode's Cc (C0, DEL, C1) and Cs (surrogates) categories but tab and newline, as one class:
# a regex scan instead of a category lookup per character (every text field of a check-in)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(value: str) -> None:
    """No control characters (PostgreSQL refuses NUL) or lone surrogates (not UTF-8)."""
    if _UNPRINTABLE.search(value):
        raise ValidationError("Must not contain control characters.")


def text(max_length: int = 200, **kwargs: Any) -> fields.String:
    return fields.String(validate=[Length(min=1, max=max_length), printable], **kwargs)


class BoundedDateTime(fields.AwareDateTime):
    """An RFC 3339 time with an offset, between 1970 and 2200 once in UTC."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return bounded_utc(parsed)
        except OutOfRange:
            raise ValidationError(
                f"Must lie between {EARLIEST.year} and {LATEST.year - 1} (UTC)."
            ) from None


class BoundedDate(fields.Date):
    """A calendar day between 1900 and 2199: `earliest` lets birth dates reach further back."""

    def __init__(self, *, earliest: date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.earliest = earliest or EARLIEST.date()

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not self.earliest <= day < LATEST.date():
            raise ValidationError(
                f"Must lie between {self.earliest.isoformat()} and {LATEST.year - 1}-12-31."
            )
        return day


class ChangeSchema(Schema):
    """A PATCH body: every field optional, but an empty one changes nothing and is refused."""

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: object) -> None:
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")
