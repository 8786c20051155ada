"""Migration 0008 (the dashboard's covering ways): reversible, the ORM's metadata matched, and a searched text
longer than btree's row limit still inserted and found (the indexes carry its head only)."""

from __future__ import annotations

import random
import uuid

import pytest
import sqlalchemy as sa
from alembic import command

from passerelle.contracts.adapters.orm import SEARCH_HEAD_CHARACTERS
from passerelle.contracts.adapters.orm import metadata as contracts_metadata
from passerelle.libs.migrations import alembic_config
from passerelle.libs.testing.database import fresh_service_database, schema_differences
from passerelle.libs.testing.stack import ensure_stack

from .conftest import SERVICE_DIR

pytestmark = pytest.mark.integration

WAY_INDEXES = ("contract_employer_siret", "contract_training_uai", "contract_training_siret")


def _insert(conn: sa.Connection, search_text: str, in_charge: str = "{}") -> uuid.UUID:
    contract_id = uuid.uuid4()
    conn.execute(
        sa.text(
            "INSERT INTO contract (id, contract_type, status, revision, version, owner_id, in_charge,"
            " created_by_side, visible_to_employer, employer_siret, training_uai, training_siret, search_text, form,"
            " created_at, updated_at)"
            " VALUES (:id, 'apprentissage', 'draft', 1, 1, 'someone', CAST(:in_charge AS jsonb), 'employer', true,"
            " '81208328500013', '0754321P', '19793776650011', :text, '{}'::jsonb, now(), now())"
        ),
        {"id": contract_id, "text": search_text, "in_charge": in_charge},
    )
    return contract_id


def _indexes(conn: sa.Connection) -> dict[str, str]:
    rows = conn.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contract'"))
    return {name: definition for name, definition in rows}


def test_0008_goes_down_to_0007_and_up_again_matching_the_metadata():
    ensure_stack()
    url = fresh_service_database(SERVICE_DIR, "contracts_migration_0008")
    assert schema_differences(url, contracts_metadata) == []
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        kept = _insert(conn, "employeur 81208328500013 apprenti dupont", '{"employer": "a", "training": "b"}')
    config = alembic_config(SERVICE_DIR, url)
    command.downgrade(config, "0007")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("contract")}
        assert {"employer_in_charge", "training_in_charge", "search_head"}.isdisjoint(columns)
        indexes = _indexes(conn)
        assert "contract_in_charge" in indexes and "contract_search_text" in indexes  # 0007's GIN indexes are back
        assert "contract_search_head" not in indexes
        assert "search_head" not in indexes["contract_training_uai"]
        assert "INCLUDE" not in indexes["contract_training_siret"]
    command.upgrade(config, "head")
    assert schema_differences(url, contracts_metadata) == []
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT employer_in_charge, training_in_charge, search_head FROM contract WHERE id = :id"),
            {"id": kept},
        ).one()
        indexes = _indexes(conn)
    engine.dispose()
    # The generated columns are computed again for the rows already there.
    assert tuple(row) == ("a", "b", "employeur 81208328500013 apprenti dupont")
    assert "gin_trgm_ops" in indexes["contract_search_head"] and "contract_search_text" not in indexes
    for name in WAY_INDEXES:
        assert "search_head" in indexes[name] and "employer_in_charge" in indexes[name], indexes[name]


def test_a_searched_text_past_the_index_row_limit_is_inserted_and_its_head_carried():
    ensure_stack()
    url = fresh_service_database(SERVICE_DIR, "contracts_migration_long_text")
    engine = sa.create_engine(url)
    # Random ideograms (3 bytes each, hardly compressible): 9,000 bytes, far past btree's 2,704 if the whole text
    # were carried by the ways' indexes.
    draw = random.Random(17)
    long_text = "".join(chr(draw.randrange(0x4E00, 0x9FFF)) for _ in range(3_000))
    with engine.begin() as conn:
        contract_id = _insert(conn, long_text)
        head = conn.execute(
            sa.text("SELECT search_head FROM contract WHERE id = :id"), {"id": contract_id}
        ).scalar_one()
        # And on an update, which writes new index rows too.
        conn.execute(
            sa.text("UPDATE contract SET search_text = :text WHERE id = :id"),
            {"id": contract_id, "text": "x" + long_text},
        )
        # The text is long enough to matter: an index carrying it whole cannot even be built.
        with pytest.raises(sa.exc.OperationalError, match="index row"), conn.begin_nested():
            conn.execute(sa.text("CREATE INDEX whole_text ON contract (training_uai) INCLUDE (search_text)"))
    engine.dispose()
    assert head == long_text[:SEARCH_HEAD_CHARACTERS]
    assert len(head.encode()) <= 2_000
