"""Fresh, migrated databases for a service's integration tests (real PostgreSQL of the test stack)."""

from __future__ import annotations

from pathlib import Path

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
