"""How long a client's records are kept: the APA Record Keeping Guidelines as a pure rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

AGE_OF_MAJORITY = 18
YEARS_AFTER_MAJORITY = 3


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    ends_on: date
    rule: str


def retention_ends(
    *, first_service: date, last_service: date, date_of_birth: date | None, years: int
) -> Retention:
    """APA Record Keeping Guidelines: `years` after the last date of service, or three years
    after a client who was a minor when served reaches majority, whichever is later."""
    after_service = Retention(add_years(last_service, years), "years_after_last_service")
    if date_of_birth is None or add_years(date_of_birth, AGE_OF_MAJORITY) <= first_service:
        return after_service
    after_majority = add_years(date_of_birth, AGE_OF_MAJORITY + YEARS_AFTER_MAJORITY)
    if after_majority > after_service.ends_on:
        return Retention(after_majority, "years_after_majority")
    return after_service
