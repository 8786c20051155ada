"""PostgreSQL 15 (Debian's): one cluster per stack, settings on the command line, a role and the databases."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from .common import IS_ROOT, log, run
from .config import DATABASES, DB_PASSWORD, DB_ROLE, Config

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PACKAGES = ["postgresql-15"]


def installed() -> bool:
    return (PG_BIN / "postgres").exists()


def missing_packages() -> list[str]:
    return [] if installed() else list(PACKAGES)


def server_settings(port: int | str, socket_dir: str, listen_addresses: str = "127.0.0.1") -> dict[str, object]:
    """The server's settings (the same in any deployment of the test infrastructure); a value may be a shell
    reference ("$PG_PORT") for a container's entrypoint to fill in."""
    return {
        "listen_addresses": listen_addresses,
        "port": port,
        "unix_socket_directories": socket_dir,
        "max_connections": 300,
        # Small 2-core dev machine: modest memory, no JIT. Durability stays on: a consumer commits its
        # Kafka offset right after its transaction, so a commit lost in a crash would be an effect lost.
        "shared_buffers": "128MB",
        "effective_cache_size": "1GB",
        "work_mem": "4MB",
        "maintenance_work_mem": "64MB",
        "fsync": "on",
        "synchronous_commit": "on",
        "max_wal_size": "1GB",
        "jit": "off",
        "logging_collector": "off",
        "log_line_prefix": "%m [%p] %q%u@%d ",
        "timezone": "UTC",
    }


def server_command(postgres: str, data_dir: str, settings: dict[str, object]) -> list[str]:
    """`postgres -D <data> --name=value...`: settings on the command line, so a port change is a config change."""
    return [postgres, "-D", data_dir, *[f"--{k.replace('_', '-')}={v}" for k, v in settings.items()]]


def setup_sql(databases: tuple[str, ...] = DATABASES, role: str = DB_ROLE, password: str = DB_PASSWORD) -> str:
    """psql script (idempotent): the platform's role and one database per service."""
    dbs = ",".join(f"'{db}'" for db in databases)
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} LOGIN CREATEDB PASSWORD '{password}';
  ELSE
    ALTER ROLE {role} LOGIN CREATEDB PASSWORD '{password}';
  END IF;
END $$;
-- Tests drop their scratch databases WITH (FORCE), which must also end autovacuum workers there.
GRANT pg_signal_backend TO {role};
SELECT format('CREATE DATABASE %I OWNER {role}', d) FROM unnest(ARRAY[{dbs}]) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \\gexec
"""


def chown_postgres(path: Path) -> None:
    if IS_ROOT:
        shutil.chown(path, "postgres", "postgres")


def postgres_can_reach(path: Path) -> bool:
    return subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(path)], check=False).returncode == 0


def place_cluster(cfg: Config) -> None:
    """A clone under a folder closed to other users (/root, say) cannot hold the cluster, which runs as
    the postgres user: it then lives in /var/lib/passerelle/<hash of STACK_DIR>, linked from STACK_DIR."""
    link = cfg.stack_dir / "postgres"
    if not IS_ROOT or link.exists() or link.is_symlink():
        return
    cfg.stack_dir.mkdir(parents=True, exist_ok=True)
    if postgres_can_reach(cfg.stack_dir):
        return
    target = Path("/var/lib/passerelle") / hashlib.sha1(str(cfg.stack_dir).encode()).hexdigest()[:12] / "postgres"
    target.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=True)
    log(f"postgres cluster kept in {target} (the postgres user cannot reach {cfg.stack_dir})")


def configure(cfg: Config) -> list[str]:
    """initdb once; returns the server's command line."""
    place_cluster(cfg)
    cfg.pg_dir.mkdir(parents=True, exist_ok=True)
    cfg.pg_sock_dir.mkdir(parents=True, exist_ok=True)
    chown_postgres(cfg.pg_dir)
    chown_postgres(cfg.pg_sock_dir)
    if not (cfg.pg_data / "PG_VERSION").exists():
        shutil.rmtree(cfg.pg_data, ignore_errors=True)  # leftovers of an interrupted initdb
        log("initdb postgres cluster")
        run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(cfg.pg_data),
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--no-locale",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ],
            what="initdb",
            user="postgres" if IS_ROOT else None,
            cwd=cfg.pg_dir,
        )
    settings = server_settings(cfg.port("PG_PORT"), str(cfg.pg_sock_dir))
    return server_command(str(PG_BIN / "postgres"), str(cfg.pg_data), settings)


def program_user() -> str | None:
    """When the stack runs as root, the server runs as the postgres user."""
    return "postgres" if IS_ROOT else None


def probe(cfg: Config) -> bool:
    return (
        subprocess.run(
            [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(cfg.port("PG_PORT"))], check=False
        ).returncode
        == 0
    )


def setup(cfg: Config) -> None:
    run(
        [
            str(PG_BIN / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(cfg.pg_sock_dir),
            "-p",
            str(cfg.port("PG_PORT")),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-f",
            "-",
        ],
        what="postgres role/databases",
        input=setup_sql().encode(),
    )
    log(f"postgres role {DB_ROLE} and databases {', '.join(DATABASES)} ready")
