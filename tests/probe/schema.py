"""Creates a probe database's tables (the probe has no Alembic history: it is rebuilt every run)."""

import sqlalchemy as sa

from passerelle.libs.outbox import metadata as delivery_metadata
from tests.probe.model import metadata


def reset_database(admin_url: str, name: str) -> str:
    """Drops and recreates database `name`; returns its URL."""
    engine = sa.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = f"{admin_url}/{name}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        delivery_metadata.create_all(conn)
        metadata.create_all(conn)
    engine.dispose()
    return url
