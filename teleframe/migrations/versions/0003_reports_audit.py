"""frame report versions, audit events, practice retention

Revision ID: 0003
Revises: 0002

On PostgreSQL, triggers make signed report versions and audit events immutable. The one
deliberate way to delete them is retention, which sets `teleframe.retention = on` for its own
transaction (`SET LOCAL` / `set_config(..., true)`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

REPORT_GUARD = """
CREATE FUNCTION teleframe_report_version_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('teleframe.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'report version % of session % is %: signed versions never change',
        OLD.number, OLD.session_id, OLD.kind
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""

AUDIT_GUARD = """
CREATE FUNCTION teleframe_audit_event_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('teleframe.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "practice_id",
            sa.Uuid(),
            sa.ForeignKey("practices.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "session_id",
            sa.Uuid(),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("previous_hash", sa.String(80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("session_id", "number"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(80), nullable=False, index=True),
        sa.Column("remote_addr", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("detail", JSON, nullable=False),
    )
    op.create_index("ix_audit_events_practice_at", "audit_events", ["practice_id", "occurred_at"])
    with op.batch_alter_table("practices") as batch:
        batch.add_column(
            sa.Column("retention_years", sa.Integer(), nullable=False, server_default="7")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REPORT_GUARD)
        op.execute(
            "CREATE TRIGGER report_versions_immutable BEFORE UPDATE OR DELETE ON report_versions "
            "FOR EACH ROW EXECUTE FUNCTION teleframe_report_version_guard()"
        )
        op.execute(AUDIT_GUARD)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION teleframe_audit_event_guard()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS teleframe_audit_event_guard()")
        op.execute("DROP TRIGGER IF EXISTS report_versions_immutable ON report_versions")
        op.execute("DROP FUNCTION IF EXISTS teleframe_report_version_guard()")
    with op.batch_alter_table("practices") as batch:
        batch.drop_column("retention_years")
    op.drop_index("ix_audit_events_practice_at", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("report_versions")
