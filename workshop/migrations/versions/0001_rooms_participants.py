"""Rooms and participants (predictions and latest plans).

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("room_code", sa.String(12), sa.ForeignKey("rooms.code", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("prediction", sa.Float(), nullable=True),
        sa.Column("predicted_at", sa.DateTime(), nullable=True),
        sa.Column("plan_json", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("revisions", sa.Integer(), nullable=False),
    )
    op.create_index("ix_participants_room_code", "participants", ["room_code"])


def downgrade() -> None:
    op.drop_index("ix_participants_room_code", table_name="participants")
    op.drop_table("participants")
    op.drop_table("rooms")
