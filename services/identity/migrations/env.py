"""Alembic environment of the identity service."""

from passerelle.identity.adapters.tables import metadata
from passerelle.identity.config import Settings
from passerelle.libs.migrations import run_migrations_env

run_migrations_env(Settings().database_url, [metadata])
