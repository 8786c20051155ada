"""Alembic environment of the opco-processing service."""

from passerelle.libs.migrations import run_migrations_env
from passerelle.opco_processing.adapters.tables import metadata
from passerelle.opco_processing.config import Settings

run_migrations_env(Settings().database_url, [metadata])
