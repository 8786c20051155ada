"""Alembic helpers shared by every service's migrations."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from sqlalchemy import MetaData

from passerelle.libs.delivery_migrations import VERSIONS as DELIVERY_VERSIONS
from passerelle.libs.outbox import metadata as delivery_metadata


def create_delivery_tables(op: Operations) -> None:
    """Former: the outbox and inbox from the *current* metadata. Migrations use the `delivery` branch now."""
    delivery_metadata.create_all(op.get_bind())


def drop_delivery_tables(op: Operations) -> None:
    delivery_metadata.drop_all(op.get_bind())


def alembic_config(service_dir: Path, database_url: str | None) -> Config:
    """A service's Alembic configuration, its own versions and the delivery branch's (found where libs is
    installed, not through the repository-relative path of the service's alembic.ini). Without a database URL,
    the service's migrations/env.py takes its settings' own."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join([str(service_dir / "migrations" / "versions"), str(DELIVERY_VERSIONS)])
    )
    if database_url is not None:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


def sync_url(url: str) -> str:
    return url  # psycopg 3 serves both the async engine and Alembic's synchronous one


def upgrade(service_dir: Path, database_url: str, revision: str = "heads") -> None:
    """Run a service's migrations (the app's start and the tests call this before serving)."""
    os.environ.setdefault("PASSERELLE_MIGRATING", "1")
    command.upgrade(alembic_config(service_dir, database_url), revision)


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


def main(argv: list[str] | None = None) -> None:
    """`python -m passerelle.libs.migrations SERVICE_DIR`: the service's migrations (a folder holding its
    alembic.ini and migrations/) up to their heads, with the database of its settings: what a service image's
    `migrate` command runs (the Helm hook Job, compose's one-shots, the container stack)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("service_dir", type=Path)
    parser.add_argument("--revision", default="heads")
    args = parser.parse_args(argv)
    os.environ.setdefault("PASSERELLE_MIGRATING", "1")
    command.upgrade(alembic_config(args.service_dir, None), args.revision)


if __name__ == "__main__":
    main()
