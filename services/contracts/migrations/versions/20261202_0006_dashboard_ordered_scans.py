"""The dashboard's remaining orders and ways in, each answered by an index read in order: the apprentice's name
within an establishment or a UAI, and the proposals sent to an e-mail that no establishment holds yet.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("contract_employer_siret_employee", "contract", ["employer_siret", "employee_name"])
    op.create_index("contract_training_uai_employee", "contract", ["training_uai", "employee_name"])
    op.create_index("contract_proposed_to_email", "contract", [sa.text("lower(proposed_to_email)")])


def downgrade() -> None:
    op.drop_index("contract_proposed_to_email", table_name="contract")
    op.drop_index("contract_training_uai_employee", table_name="contract")
    op.drop_index("contract_employer_siret_employee", table_name="contract")
