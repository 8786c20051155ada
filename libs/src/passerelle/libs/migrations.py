"""Alembic helpers shared by every service's migrations."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from sqlalchemy import MetaData

from passerelle.libs.outbox import metadata as delivery_metadata


def create_delivery_tables(op: Operations) -> None:
    """The outbox and inbox tables every service has."""
    delivery_metadata.create_all(op.get_bind())


def drop_delivery_tables(op: Operations) -> None:
    delivery_metadata.drop_all(op.get_bind())


def sync_url(url: str) -> str:
    return url  # psycopg 3 serves both the async engine and Alembic's synchronous one


def upgrade(service_dir: Path, database_url: str, revision: str = "head") -> None:
    """Run a service's migrations (the app's start and the tests call this before serving)."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    os.environ.setdefault("PASSERELLE_MIGRATING", "1")
    command.upgrade(config, revision)


def target_metadata(*metadatas: MetaData) -> list[MetaData]:
    return [delivery_metadata, *metadatas]


def run_migrations_env(default_url: str | None, metadatas: list[MetaData]) -> None:
    """The body of every service's migrations/env.py (online mode, psycopg 3)."""
    from alembic import context
    from sqlalchemy import create_engine, pool

    config = context.config
    url = config.get_main_option("sqlalchemy.url") or default_url
    if not url:
        raise RuntimeError("no database URL: set the service's DATABASE_URL or PASSERELLE_DATABASE_URL_BASE")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata(*metadatas), compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
