"""Runs the delivery branch alone (libs' own tests): `script_location` = this folder."""

from passerelle.libs.migrations import run_migrations_env

run_migrations_env(None, [])
