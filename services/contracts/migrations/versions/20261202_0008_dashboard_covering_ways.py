"""The dashboard's search answered from the ways' indexes alone (#17): each way in (an establishment, a UAI, a
training SIRET) has one index carrying every column the search filters on, the person in charge per side and the
head of the searched text included, and the contract's id, so the matching contracts are found, counted and
ordered without reading the table; only the page's rows are then read, by id.

- `employer_in_charge` / `training_in_charge`: the person in charge on each side, generated from `in_charge`, so
  the filter is a plain comparison carried by the indexes (and a btree of its own per side replaces the GIN
  index on the JSON).
- `search_head`: the first 500 characters of the searched text (4 bytes a character at most: 2,000 bytes), so the
  index row stays under btree's limit (2,704 bytes) whatever the names; the text is built from the form's
  bounded fields, the words that identify a contract first.
- The trigrams (0007) index the text's head, which the search reads now, instead of the whole text.
- The orders by transmission carry the id after the date: the contracts not transmitted yet are read in the
  index's order too (by id, after the dated ones), instead of through the primary key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SEARCH_HEAD_CHARACTERS = 500

# What 0007's indexes carried, then what the ids-first search reads from the index besides.
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
    "private_to",
]
CARRIED = [*COUNTED, "employer_in_charge", "training_in_charge", "search_head", "employee_name", "id"]

# The ways in: (index, its keys before the order, partial condition). A training SIRET's contracts are keyed by
# their UAI next: those outside the organisation's UAIs (whose way has found them already) are ranges of it.
WAYS = (
    ("contract_employer_siret", ["employer_siret"], None),
    ("contract_training_uai", ["training_uai"], None),
    ("contract_training_siret", ["training_siret", "training_uai"], "training_siret IS NOT NULL"),
)
TRANSMITTED = (
    ("contract_employer_siret_transmitted", "employer_siret"),
    ("contract_training_uai_transmitted", "training_uai"),
)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE contract"
        " ADD COLUMN employer_in_charge text GENERATED ALWAYS AS (in_charge ->> 'employer') STORED,"
        " ADD COLUMN training_in_charge text GENERATED ALWAYS AS (in_charge ->> 'training') STORED,"
        f" ADD COLUMN search_head text GENERATED ALWAYS AS (left(search_text, {SEARCH_HEAD_CHARACTERS})) STORED"
    )
    for name, keys, where in WAYS:
        op.drop_index(name, table_name="contract")
        op.create_index(
            name,
            "contract",
            [*keys, sa.text("updated_at DESC")],
            postgresql_include=[column for column in CARRIED if column not in keys],
            postgresql_where=sa.text(where) if where else None,
        )
    for name, column in TRANSMITTED:
        op.drop_index(name, table_name="contract")
        op.create_index(name, "contract", [column, sa.text("transmitted_at DESC"), "id"])
    op.drop_index("contract_in_charge", table_name="contract")
    op.create_index("contract_employer_in_charge", "contract", ["employer_in_charge"])
    op.create_index("contract_training_in_charge", "contract", ["training_in_charge"])
    # The text is searched in its head now: the trigrams follow it (an OPCO's way has no covering index, its
    # staff's text search is answered by them).
    op.drop_index("contract_search_text", table_name="contract")
    op.create_index(
        "contract_search_head",
        "contract",
        ["search_head"],
        postgresql_using="gin",
        postgresql_ops={"search_head": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("contract_search_head", table_name="contract")
    op.create_index(
        "contract_search_text",
        "contract",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_index("contract_training_in_charge", table_name="contract")
    op.drop_index("contract_employer_in_charge", table_name="contract")
    op.create_index(
        "contract_in_charge",
        "contract",
        ["in_charge"],
        postgresql_using="gin",
        postgresql_ops={"in_charge": "jsonb_path_ops"},
    )
    for name, column in TRANSMITTED:
        op.drop_index(name, table_name="contract")
        op.create_index(name, "contract", [column, sa.text("transmitted_at DESC")])
    for name, [column, *_], where in WAYS:
        op.drop_index(name, table_name="contract")
        if where:  # 0002's plain index
            op.create_index(name, "contract", [column, sa.text("updated_at DESC")])
        else:
            op.create_index(
                name,
                "contract",
                [column, sa.text("updated_at DESC")],
                postgresql_include=[carried for carried in COUNTED if carried != column],
            )
    op.drop_column("contract", "search_head")
    op.drop_column("contract", "training_in_charge")
    op.drop_column("contract", "employer_in_charge")
