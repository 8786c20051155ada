"""The delivery tables come from libs' versioned Alembic branch, and a migrated database matches the metadata.

A change of `passerelle.libs.outbox`'s tables without a revision of the `delivery` branch fails the first
test; a new delivery revision that a service has not merged yet fails the second (one head per service).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from passerelle.libs.delivery_migrations import HEAD, VERSIONS
from passerelle.libs.migrations import alembic_config
from passerelle.libs.outbox import metadata as delivery_metadata
from passerelle.libs.testing.database import fresh_service_database, recreate_database, schema_differences
from passerelle.libs.testing.stack import REPO, ensure_stack

pytestmark = pytest.mark.integration
SERVICES = sorted(p.parent for p in (REPO / "services").glob("*/alembic.ini"))


def delivery_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(VERSIONS.parent))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(VERSIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def test_the_delivery_branch_builds_exactly_the_tables_of_the_metadata():
    ensure_stack()
    url = recreate_database("libs_delivery_migrations")
    command.upgrade(delivery_config(url), "delivery@head")
    assert schema_differences(url) == []
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


def test_a_database_made_before_the_branch_is_adopted():
    ensure_stack()
    url = recreate_database("libs_delivery_adopted")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        delivery_metadata.create_all(conn)  # what the services' first revision used to do
    engine.dispose()
    command.upgrade(delivery_config(url), "delivery@head")
    assert schema_differences(url) == []


@pytest.mark.parametrize("service_dir", SERVICES, ids=lambda p: p.name)
def test_every_service_starts_on_the_delivery_branch_with_one_head(service_dir: Path):
    script = ScriptDirectory.from_config(alembic_config(service_dir, "postgresql://unused"))
    heads = script.get_heads()
    assert len(heads) == 1, f"{service_dir.name}: several heads {heads}: add a merge revision"
    ancestors = {rev.revision for rev in script.iterate_revisions(heads[0], "base")}
    assert HEAD in ancestors, f"{service_dir.name} does not include the delivery branch's head {HEAD}"


@pytest.mark.parametrize("service_dir", SERVICES, ids=lambda p: p.name)
def test_a_migrated_service_database_has_the_delivery_tables_of_the_metadata(service_dir: Path):
    ensure_stack()
    url = fresh_service_database(service_dir, f"libs_migrated_{service_dir.name.replace('-', '_')}")
    assert schema_differences(url) == []  # only the delivery tables are compared here


def test_a_difference_is_seen():
    ensure_stack()
    url = recreate_database("libs_delivery_changed")
    command.upgrade(delivery_config(url), "delivery@head")
    changed = sa.MetaData()
    for table in delivery_metadata.tables.values():
        table.to_metadata(changed)
    sa.Table("outbox", changed, sa.Column("tenant", sa.Text), extend_existing=True)
    differences = schema_differences(url, changed, delivery=False)
    assert any("tenant" in repr(d) for d in differences), differences
