"""Partial indexes over parked work: the /metrics scrape and the parked-work list read only
parked rows, which are few, instead of scanning every outbox row and stored webhook

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARKED = sa.text("parked_at IS NOT NULL")
INDEXES = {
    "ix_outbox_parked": "outbox",
    "ix_inbound_events_parked": "inbound_events",
}


def upgrade() -> None:
    for name, table in INDEXES.items():
        op.create_index(
            name,
            table,
            ["practice_id", "parked_at", "id"],
            postgresql_where=PARKED,
            sqlite_where=PARKED,
        )


def downgrade() -> None:
    for name, table in INDEXES.items():
        op.drop_index(name, table_name=table)
