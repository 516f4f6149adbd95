"""`teleframe key add|list|revoke|rotate`, and the older `teleframe keys create|list|revoke`:
one set of commands under both names (`keys` is the first release's, kept for scripts)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.db import audit


@contextmanager
def _database() -> Iterator[Session]:
    from teleframe import create_app
    from teleframe.extensions import db

    with create_app().app_context():
        try:
            yield db.session
        finally:
            # the command may run inside a longer-lived process: leave no connection open
            db.session.close()
            db.engine.dispose()


def _actor() -> audit.Actor:
    # "teleframe key add": the program's own name, however it was started
    command = click.get_current_context().command_path.split(" ", 1)[-1]
    return audit.system_actor(f"teleframe {command}")


def _label(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The API's rule for a key's name: at most 200 characters, none of them control ones."""
    from marshmallow import ValidationError

    from teleframe.api.fields import printable

    try:
        printable(value)
    except ValidationError:
        raise click.BadParameter("must not contain control characters") from None
    if len(value) > 200:
        raise click.BadParameter("at most 200 characters")
    return value


@click.command()
@click.argument("practice_id", type=click.UUID)
@click.option("--label", default="", callback=_label)
@click.option(
    "--role",
    type=click.Choice(["platform", "admin"]),
    default="platform",
    show_default=True,
    help="admin keys may also change the policy, integrations and webhook endpoints",
)
def add(practice_id: uuid.UUID, label: str, role: str) -> None:
    """Issue another key for PRACTICE_ID and print it once."""
    from teleframe.models import Practice
    from teleframe.operations import api_key

    with _database() as session:
        if session.get(Practice, practice_id) is None:
            raise click.ClickException("no such practice")
        _, key = api_key.issue(session, practice_id, label, role, _actor())
        session.commit()
    click.echo(key)


@click.command("list")
@click.argument("practice_id", type=click.UUID)
def list_keys(practice_id: uuid.UUID) -> None:
    """Show a practice's keys by prefix (never the key), with their last use."""
    from teleframe.operations import api_key

    with _database() as session:
        for row in api_key.keys_of(session, practice_id):
            state = "revoked" if row.revoked_at else "active"
            used = f"{row.last_used_at:%Y-%m-%dT%H:%MZ}" if row.last_used_at else "never-used"
            click.echo(
                f"{row.prefix}...  {row.role}  {state}  {row.created_at:%Y-%m-%d}  {used}  "
                f"{row.label}"
            )


def _active_with_prefix(session: Session, given: str) -> list[Any]:
    """Active keys with the prefix `given` names: as `list` shows it (`tf_AbCdEfG...`), bare,
    or the whole key (a leaked key pasted as is), all of which start with the 10 characters
    stored."""
    from teleframe.models import ApiKey

    prefix = given.rstrip(".")[:10]
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        ).all()
    )


@click.command()
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke the key starting with PREFIX (as `list` shows it, or the whole key)."""
    from teleframe.operations import api_key

    with _database() as session:
        rows = _active_with_prefix(session, prefix)
        if not rows:  # a typo must not look like a revocation that happened
            raise click.ClickException(f"0 active keys start with {prefix!r}; nothing revoked")
        try:
            for row in rows:
                api_key.revoke(session, row, _actor())  # refused at once on every API process
        except api_key.LastAdminKey:
            raise click.ClickException("that is the practice's last active admin key") from None
        session.commit()
    click.echo(f"revoked {len(rows)} key(s)")


@click.command()
@click.argument("prefix")
def rotate(prefix: str) -> None:
    """Give the key starting with PREFIX a new secret and print it once; the old one is
    refused at once on every API process."""
    from teleframe.operations import api_key

    with _database() as session:
        rows = _active_with_prefix(session, prefix)
        if len(rows) != 1:
            raise click.ClickException(f"{len(rows)} active keys start with {prefix!r}, not one")
        try:
            key = api_key.rotate(session, rows[0], _actor())
        except api_key.KeyRevoked:  # revoked since it was read
            raise click.ClickException("that key was just revoked") from None
        session.commit()
    click.echo(key)


@click.group()
def key() -> None:
    """API keys of a practice."""


@click.group()
def keys() -> None:
    """API keys of a practice (the same commands as `key`; `create` is `add`)."""


for name, command in (("add", add), ("list", list_keys), ("revoke", revoke), ("rotate", rotate)):
    key.add_command(command, name)
    keys.add_command(command, "create" if name == "add" else name)
