"""Sessions wait for their events to settle before their record moves them on or emits

Revision ID: 0012
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("settle_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_sessions_settle_at", ["settle_at"])


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ix_sessions_settle_at")
        batch.drop_column("settle_at")
