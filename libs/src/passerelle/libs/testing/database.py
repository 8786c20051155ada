"""Fresh, migrated databases for a service's integration tests (real PostgreSQL of the test stack)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from passerelle.libs.migrations import upgrade
from passerelle.libs.testing.stack import database_admin_url


def recreate_database(name: str) -> str:
    """Drops and recreates database `name` on the stack's server; returns its URL."""
    admin = database_admin_url()
    engine = sa.create_engine(f"{admin}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{admin}/{name}"


def fresh_service_database(service_dir: Path, name: str) -> str:
    """A new database `name` with the service's migrations applied (they run for real, every time)."""
    url = recreate_database(name)
    upgrade(service_dir, url)
    return url


def schema_differences(url: str, *metadatas: sa.MetaData, delivery: bool = True) -> list[Any]:
    """What Alembic's autogenerate would change to make the database at `url` match `metadatas` ([] if none).

    The delivery tables' metadata is included unless `delivery=False`; tables of no metadata (alembic_version)
    are ignored.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from passerelle.libs.outbox import metadata as delivery_metadata

    known = [delivery_metadata, *metadatas] if delivery else list(metadatas)
    names = {table for metadata in known for table in metadata.tables}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": False,
                    "include_name": lambda name, kind, _: kind != "table" or name in names,
                },
            )
            return list(compare_metadata(context, known))  # type: ignore[arg-type]  # a list of MetaData is accepted
    finally:
        engine.dispose()
