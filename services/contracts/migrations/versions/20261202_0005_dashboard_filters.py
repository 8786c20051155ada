"""The dashboard's filters and orders: the contract's start date as a column, indexes on the dates searched
within an establishment, and on the persons in charge.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DATED = (
    ("contract_employer_siret_created", "employer_siret", "created_at DESC"),
    ("contract_training_uai_created", "training_uai", "created_at DESC"),
    ("contract_employer_siret_start", "employer_siret", "start_date"),
    ("contract_training_uai_start", "training_uai", "start_date"),
    ("contract_employer_siret_transmitted", "employer_siret", "transmitted_at DESC"),
    ("contract_training_uai_transmitted", "training_uai", "transmitted_at DESC"),
)


def upgrade() -> None:
    op.add_column("contract", sa.Column("start_date", sa.Date, nullable=True))
    # The form keeps dates as ISO strings (AAAA-MM-JJ); anything else was never a valid date of the form.
    op.execute(
        "UPDATE contract SET start_date = (form -> 'contract' ->> 'start_date')::date "
        "WHERE form -> 'contract' ->> 'start_date' ~ '^\\d{4}-\\d{2}-\\d{2}$'"
    )
    for name, column, order in DATED:
        op.create_index(name, "contract", [column, sa.text(order)])
    op.create_index(
        "contract_in_charge",
        "contract",
        ["in_charge"],
        postgresql_using="gin",
        postgresql_ops={"in_charge": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index("contract_in_charge", table_name="contract")
    for name, _, _ in DATED:
        op.drop_index(name, table_name="contract")
    op.drop_column("contract", "start_date")
