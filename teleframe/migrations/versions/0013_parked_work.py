"""Parked work: failure counts, retry times and reasons on staged work, webhooks and deliveries

Revision ID: 0013
Revises: 0015
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _retry_columns(batch: Any, count: str) -> None:
    batch.add_column(sa.Column(count, sa.Integer(), nullable=False, server_default="0"))
    batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    batch.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
    batch.add_column(sa.Column("last_error", sa.String(100), nullable=True))


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        _retry_columns(batch, "failures")
        batch.create_index(
            "ix_outbox_staged", ["task", "done_at", "practice_id", "created_at"]
        )
    with op.batch_alter_table("inbound_events") as batch:
        _retry_columns(batch, "attempts")
        batch.create_index(
            "ix_inbound_events_practice_unprocessed", ["processed_at", "practice_id"]
        )
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            "ix_webhook_deliveries_endpoint_due", ["endpoint_id", "status", "next_attempt_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_index("ix_webhook_deliveries_endpoint_due")
        batch.drop_column("parked_at")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_index("ix_inbound_events_practice_unprocessed")
        for name in ("last_error", "parked_at", "retry_at", "attempts"):
            batch.drop_column(name)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_staged")
        for name in ("last_error", "parked_at", "retry_at", "failures"):
            batch.drop_column(name)
