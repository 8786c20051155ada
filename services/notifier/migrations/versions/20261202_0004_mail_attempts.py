"""Each mail's attempt is committed before the server gets it: the `sending` state, its sender, and the count of
messages sent again because their sender was killed during the attempt.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mails", sa.Column("sending_by", PG_UUID(as_uuid=True)))
    op.add_column("mails", sa.Column("sending_since", sa.DateTime(timezone=True)))
    op.add_column("mails", sa.Column("resent_in_doubt", sa.Integer, nullable=False, server_default="0"))
    op.create_index("mails_sending", "mails", ["sending_by"], postgresql_where=sa.text("status = 'sending'"))


def downgrade() -> None:
    op.drop_index("mails_sending", table_name="mails")
    op.drop_column("mails", "resent_in_doubt")
    op.drop_column("mails", "sending_since")
    op.drop_column("mails", "sending_by")
