"""Alembic environment of the documents service."""

from passerelle.documents.adapters.orm import metadata
from passerelle.documents.config import Settings
from passerelle.libs.migrations import run_migrations_env

run_migrations_env(Settings().database_url, [metadata])
