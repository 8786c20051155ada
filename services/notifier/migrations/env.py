"""Alembic environment of the notifier service."""

from passerelle.libs.migrations import run_migrations_env
from passerelle.notifier.adapters.tables import metadata
from passerelle.notifier.config import Settings

run_migrations_env(Settings().database_url, [metadata])
