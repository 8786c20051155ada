"""Alembic environment of the contracts service."""

from passerelle.contracts.adapters.orm import metadata
from passerelle.contracts.config import Settings
from passerelle.libs.migrations import run_migrations_env

run_migrations_env(Settings().database_url, [metadata])
