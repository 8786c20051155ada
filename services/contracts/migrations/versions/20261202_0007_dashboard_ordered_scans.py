"""The dashboard's remaining orders and ways in, each answered by an index read in order: the apprentice's name
within an establishment or a UAI, and the proposals sent to an e-mail that no establishment holds yet. The
indexes of an establishment's and a UAI's contracts carry the columns the dashboard filters on, so its count is
read from the index alone (a large CFA's 20,000 contracts lie on as many table pages); the searched text is
indexed by trigrams.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# What the dashboard's count filters on (besides the way in itself): carried by the ways' indexes.
COUNTED = [
    "status",
    "archived",
    "contract_type",
    "visible_to_employer",
    "employer_siret",
    "training_uai",
    "training_siret",
    "created_at",
    "start_date",
    "transmitted_at",
    "private_to",  # drafts private to their creator (0006) are left out of every way in
]


def _carrying(column: str) -> list[str]:
    return [name for name in COUNTED if name != column]


def upgrade() -> None:
    for name, column in (("contract_employer_siret", "employer_siret"), ("contract_training_uai", "training_uai")):
        op.drop_index(name, table_name="contract")
        op.create_index(name, "contract", [column, sa.text("updated_at DESC")], postgresql_include=_carrying(column))
    op.create_index("contract_employer_siret_employee", "contract", ["employer_siret", "employee_name"])
    op.create_index("contract_training_uai_employee", "contract", ["training_uai", "employee_name"])
    op.create_index("contract_proposed_to_email", "contract", [sa.text("lower(proposed_to_email)")])
    # Words searched anywhere in the text (names, SIRET, file number): trigrams, so a search within a large CFA
    # reads the matching contracts, not all of them. pg_trgm is a trusted extension (the database's owner adds it).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "contract_search_text",
        "contract",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("contract_search_text", table_name="contract")
    for name, column in (("contract_employer_siret", "employer_siret"), ("contract_training_uai", "training_uai")):
        op.drop_index(name, table_name="contract")
        op.create_index(name, "contract", [column, sa.text("updated_at DESC")])
    op.drop_index("contract_proposed_to_email", table_name="contract")
    op.drop_index("contract_training_uai_employee", table_name="contract")
    op.drop_index("contract_employer_siret_employee", table_name="contract")
