"""Secret rotation with an overlap (endpoints and integrations), an endpoint's failure streak,
and the subscription table the fan-out reads by event type

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECRET_COLUMNS = ("webhook_endpoints", "integrations")


def upgrade() -> None:
    for table in SECRET_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("previous_secret", sa.Text(), nullable=True))
            batch.add_column(
                sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True)
            )
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "webhook_subscriptions",
        sa.Column(
            "endpoint_id",
            sa.Uuid(),
            sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("event_type", sa.String(40), primary_key=True),
        sa.Column(
            "practice_id",
            sa.Uuid(),
            sa.ForeignKey("practices.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_webhook_subscriptions_practice_type",
        "webhook_subscriptions",
        ["practice_id", "event_type"],
    )
    _subscribe_existing()


def _subscribe_existing() -> None:
    """Every endpoint's `event_types`, one row each."""
    endpoints = sa.table(
        "webhook_endpoints",
        sa.column("id", sa.Uuid()),
        sa.column("practice_id", sa.Uuid()),
        sa.column("event_types", sa.JSON()),
    )
    subscriptions = sa.table(
        "webhook_subscriptions",
        sa.column("endpoint_id", sa.Uuid()),
        sa.column("event_type", sa.String()),
        sa.column("practice_id", sa.Uuid()),
    )
    rows = [
        {"endpoint_id": row.id, "event_type": kind, "practice_id": row.practice_id}
        for row in op.get_bind().execute(sa.select(endpoints))
        for kind in sorted(set(row.event_types or []))
    ]
    if rows:
        op.bulk_insert(subscriptions, rows)


def downgrade() -> None:
    op.drop_index("ix_webhook_subscriptions_practice_type", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("failing_since")
    for table in SECRET_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("previous_secret_until")
            batch.drop_column("previous_secret")
