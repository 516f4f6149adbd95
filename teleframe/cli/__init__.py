"""The `teleframe` command: set up a practice, run embedded, manage keys and policies."""

from __future__ import annotations

import os
import sys
import uuid

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import load_settings
from teleframe import migrations
from teleframe.cli.keys import key, keys


def _app() -> Flask:
    from teleframe import create_app

    return create_app()


@click.group()
def main() -> None:
    """teleframe: telehealth session-frame checker."""


main.add_command(key)
main.add_command(keys)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to TELEFRAME_DATABASE_URL."""
    migrations.upgrade(load_settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--practice-name", default="My practice", show_default=True)
def init(practice_name: str) -> None:
    """Create a practice with the default policy and print its first API key (once)."""
    from teleframe.api.auth import issue_key
    from teleframe.extensions import db as database
    from teleframe.models import Practice
    from teleframe.operations import policy
    from teleframe.runtime.data_dir import PRIVATE_UMASK, make_private

    os.umask(PRIVATE_UMASK)
    settings = load_settings()
    make_private(settings.data_dir, create=settings.embedded)
    migrations.upgrade(settings.database_url)
    app = _app()
    with app.app_context():
        practice = Practice(id=uuid.uuid4(), name=practice_name)
        database.session.add(practice)
        database.session.flush()
        policy.ensure_default(database.session, practice.id)
        key = issue_key(database.session, practice.id, label="first key")
        database.session.commit()
        practice_id = practice.id
    click.echo(f"practice: {practice_id}")
    click.echo(f"api key (shown once; store it now): {key}")


@main.group()
def user() -> None:
    """People who sign in to the dashboard at /app."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "clinician"]), required=True)
@click.option("--clinician", "clinician_id", type=click.UUID, help="their clinician record")
@click.option("--practice", "practice_id", type=click.UUID, help="needed when there are several")
def user_add(
    email: str, role: str, clinician_id: uuid.UUID | None, practice_id: uuid.UUID | None
) -> None:
    """Add a user and print their one-time set-up link (72 hours)."""
    from teleframe.accounts import users
    from teleframe.db import audit

    settings = load_settings()
    with _app().app_context():
        from teleframe.extensions import db as database

        try:
            practice_id = practice_id or _only_practice(database.session, clinician_id)
            added, token = users.add_user(database.session, practice_id, email, role, clinician_id)
            audit.record(
                database.session,
                audit.system_actor("teleframe user add"),
                practice_id=practice_id,
                action="create",
                resource_type="user",
                resource_id=added.id,
                detail={"role": role},
            )
            database.session.commit()
        except users.AccountError as error:
            raise click.ClickException(error.message) from None
        finally:
            # the command may run inside a longer-lived process: leave no connection open
            database.session.close()
            database.engine.dispose()
    base = settings.public_url or "http://127.0.0.1:8000"
    click.echo(f"user: {added.id}")
    click.echo(f"set-up link (one use, 72 hours): {users.link_url(base, token)}")


def _only_practice(session: Session, clinician_id: uuid.UUID | None) -> uuid.UUID:
    from teleframe.models import Clinician, Practice

    if clinician_id is not None:
        clinician = session.get(Clinician, clinician_id)
        if clinician is None:
            raise click.ClickException("no such clinician")
        return clinician.practice_id
    ids = session.scalars(select(Practice.id).limit(2)).all()
    if len(ids) != 1:
        raise click.ClickException("give --practice: there is not exactly one practice")
    return ids[0]


@main.group()
def report() -> None:
    """Frame reports."""


@report.command("verify")
@click.argument("session_id", type=click.UUID)
def report_verify(session_id: uuid.UUID) -> None:
    """Recompute SESSION_ID's report hash chain; exit 1 if any version was altered."""
    from teleframe.extensions import db as database
    from teleframe.operations import report

    with _app().app_context():
        verdict = report.verify(database.session, session_id)
    if verdict.ok:
        click.echo(f"ok: {verdict.checked} version(s) verified, head {verdict.head_hash}")
        return
    where = f"version {verdict.broken_at}" if verdict.broken_at else "report"
    click.echo(f"BROKEN at {where}: {verdict.reason}", err=True)
    sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Run the API with a supervised worker and beat (embedded: SQLite and a private Redis)."""
    from teleframe.runtime.serve import run

    sys.exit(run(host, port, threads, say=lambda line: click.echo(line, err=True)))


@main.group()
def policy() -> None:
    """Frame policy documents."""


@policy.command("lint")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=str))
def policy_lint(path: str) -> None:
    """Check a policy file (YAML or JSON) without a server; exit 1 on errors."""
    from teleframe.services.policy import PolicyError, content_hash, parse_policy

    # Bytes that are not UTF-8 become lone surrogates, which the parser reports like any
    # other unusable character instead of the command failing with a traceback.
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        text = handle.read()
    try:
        document = parse_policy(text)
    except PolicyError as error:
        for item in error.errors:
            where = f"{path}:{item['line']}" if item.get("line") else path
            click.echo(f"{where}: {item['path']}: {item['message']}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{path}: valid ({content_hash(document)})")


@main.group()
def reference() -> None:
    """Reviewed reference data: compacts, emergency numbers, crisis lines."""


@reference.command("check")
def reference_check() -> None:
    """List entries older than 12 months, unsourced values and secondary-only sources; exit 1
    when an entry is stale."""
    from datetime import date

    from teleframe.services.reference.review import review

    found = review(date.today())
    for kind, line in found:
        click.echo(f"{kind}: {line}")
    click.echo(f"{len(found)} item(s) to review")
    if any(kind == "stale" for kind, _ in found):
        raise SystemExit(1)
