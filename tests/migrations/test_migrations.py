"""The migrations build exactly the schema the models describe, on PostgreSQL and SQLite."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory

from teleframe import migrations


def test_postgres_schema_matches_the_models(pg_url):
    command.check(migrations.alembic_config(pg_url))  # raises on any difference


def test_sqlite_schema_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrations.upgrade(url)
    command.check(migrations.alembic_config(url))


def test_the_history_has_a_single_head():
    """Work merged from several branches must be chained, never left as parallel heads."""
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
