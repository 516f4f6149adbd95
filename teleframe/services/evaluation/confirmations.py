"""Yes/no questions the policy requires answered yes: privacy and readiness."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .facts import section
from .findings import Finding, client_text

Asks = tuple[tuple[str, str, str], ...]  # (policy flag, check-in key, message to the client)


_PRIVACY_ASKS: Asks = (
    (
        "require_private_space",
        "private_space",
        client_text(
            "Please make sure you have a private space where no one can overhear you before the session starts."
        ),
    ),
    (
        "require_can_speak_freely",
        "can_speak_freely",
        client_text(
            "Please make sure you have a place where you can speak freely before the session starts."
        ),
    ),
    (
        "require_headphones",
        "headphones",
        client_text("Please make sure you have headphones before the session starts."),
    ),
)

_READINESS_ASKS: Asks = (
    (
        "require_good_time",
        "good_time_to_proceed",
        client_text("Please check in when it is a good time to talk."),
    ),
    (
        "require_not_driving",
        "not_driving",
        client_text(
            "Please do not join while driving. Park somewhere safe or join from elsewhere."
        ),
    ),
    (
        "require_identity_confirmation",
        "identity_confirmed",
        client_text("Please confirm your identity to continue."),
    ),
)


def _unconfirmed(ctx: Context, name: str, code: str, asks: Asks) -> Iterator[Finding]:
    """A finding per required answer that is not yes; `name` is both the check-in section and
    the policy's rules section."""
    rules = ctx.policy.rules[name]
    if not rules["enabled"]:
        return
    answers = section(ctx.checkin, name)
    for flag, key, message in asks:
        if rules[flag] and answers.get(key) is not True:
            answered = "said no" if answers.get(key) is False else "did not answer"
            yield Finding(
                code,
                rules["severity"],
                f"{name}.{key}",
                message,
                f"Client {answered} to {name}.{key}.",
                f"rules.{name}.{flag}",
            )


def check_privacy(ctx: Context) -> Iterator[Finding]:
    return _unconfirmed(ctx, "privacy", "PRIVACY_NOT_PRIVATE", _PRIVACY_ASKS)


def check_readiness(ctx: Context) -> Iterator[Finding]:
    return _unconfirmed(ctx, "readiness", "NOT_READY", _READINESS_ASKS)
