"""The `teleframe` command: set up a practice, run embedded, manage keys and policies."""

from __future__ import annotations

import os
import sys
import uuid

import click
from flask import Flask
from sqlalchemy import select, update

from config.settings import load_settings
from teleframe import migrations


def _app() -> Flask:
    from teleframe import create_app

    return create_app()


@click.group()
def main() -> None:
    """teleframe: telehealth session-frame checker."""


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
def keys() -> None:
    """API keys of a practice."""


@keys.command("create")
@click.argument("practice_id", type=click.UUID)
@click.option("--label", default="")
@click.option(
    "--role",
    type=click.Choice(["platform", "admin"]),
    default="platform",
    show_default=True,
    help="admin keys may also change the policy, integrations and webhook endpoints",
)
def keys_create(practice_id: uuid.UUID, label: str, role: str) -> None:
    """Issue another key for PRACTICE_ID and print it once."""
    from teleframe.api.auth import issue_key
    from teleframe.extensions import db as database
    from teleframe.models import Practice

    with _app().app_context():
        if database.session.get(Practice, practice_id) is None:
            raise click.ClickException("no such practice")
        key = issue_key(database.session, practice_id, label=label, role=role)
        database.session.commit()
    click.echo(key)


@keys.command("list")
@click.argument("practice_id", type=click.UUID)
def keys_list(practice_id: uuid.UUID) -> None:
    """Show a practice's keys by prefix (never the key)."""
    from teleframe.extensions import db as database
    from teleframe.models import ApiKey

    with _app().app_context():
        rows = database.session.scalars(select(ApiKey).where(ApiKey.practice_id == practice_id))
        for row in rows:
            state = "revoked" if row.revoked_at else "active"
            click.echo(
                f"{row.prefix}...  {row.role}  {state}  {row.created_at:%Y-%m-%d}  {row.label}"
            )


@keys.command("revoke")
@click.argument("prefix")
def keys_revoke(prefix: str) -> None:
    """Revoke the key starting with PREFIX (as `keys list` shows it)."""
    from teleframe.extensions import db as database
    from teleframe.models import ApiKey
    from teleframe.models.base import utcnow

    with _app().app_context():
        done = database.session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        database.session.commit()
    click.echo(f"revoked {done.rowcount} key(s)")  # type: ignore[attr-defined]


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


if __name__ == "__main__":
    main()
