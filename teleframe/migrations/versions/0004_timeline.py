"""integrations, inbound webhooks, session events, outbound events, continuity on sessions

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("practice_id", sa.Uuid(), sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "inbound_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("practice_id", sa.Uuid(), sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("integration_id", sa.Uuid(), sa.ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("room_id", sa.String(200), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("integration_id", "dedupe_key"),
    )
    op.create_index("ix_inbound_events_unprocessed", "inbound_events", ["processed_at"])
    op.create_table(
        "session_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("practice_id", sa.Uuid(), sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("participant_key", sa.String(255), nullable=True),
        sa.Column("connection_key", sa.String(255), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("modality", sa.String(20), nullable=True),
        sa.Column("inbound_event_id", sa.Uuid(), sa.ForeignKey("inbound_events.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("session_id", "dedupe_key"),
    )
    op.create_table(
        "outbound_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("practice_id", sa.Uuid(), sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("occurrence", sa.String(100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "type", "occurrence"),
    )
    op.create_index("ix_outbound_events_practice_created", "outbound_events", ["practice_id", "created_at"])
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("continuity", JSON, nullable=True))
        batch.add_column(sa.Column("outage_open_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_sessions_outage_open_since", ["outage_open_since"])


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ix_sessions_outage_open_since")
        batch.drop_column("ended_at")
        batch.drop_column("outage_open_since")
        batch.drop_column("continuity")
    op.drop_table("outbound_events")
    op.drop_table("session_events")
    op.drop_table("inbound_events")
    op.drop_table("integrations")
