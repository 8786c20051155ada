"""Where one stack lives and which ports it uses; the endpoints every service reads from it.

Every port and folder comes from environment variables, so that a second stack (the test suite's,
STACK_DIR=.stack/test) runs beside the dev one. The default ports are the service registry's.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent.parent  # deploy/native
REPO = HERE.parents[1]
VENV = Path(os.environ.get("VENV_DIR", REPO / ".venv"))
REGISTRY_SCRIPT = REPO / "scripts" / "registry.py"

# The endpoints' credentials on the local stack (a stack is reachable from 127.0.0.1 only).
DB_ROLE, DB_PASSWORD = "passerelle", "passerelle"


def load_registry() -> ModuleType:
    """scripts/registry.py, the reader of services.toml (loaded by path: `scripts/` is no package)."""
    name = "passerelle_service_registry"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REGISTRY_SCRIPT)
        assert spec and spec.loader, REGISTRY_SCRIPT
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before exec: its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


registry = load_registry()
PORT_DEFAULTS: dict[str, int] = registry.port_defaults()
INFRA_PORTS = tuple(registry.infrastructure_ports())
DATABASES: tuple[str, ...] = registry.databases()


@dataclass(frozen=True)
class Config:
    stack_dir: Path
    cache_dir: Path
    ports: dict[str, int]
    s3_access_key: str
    s3_secret_key: str
    s3_bucket: str
    # Instances of each consumer service (SERVICE_REPLICAS): the others share the first one's database and
    # consumer group (the partitions are split between them) and listen REPLICA_PORT_STEP ports further each.
    replicas: int = 1

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ
        return cls(
            stack_dir=Path(env.get("STACK_DIR", REPO / ".stack" / "dev")).resolve(),
            cache_dir=Path(env.get("CACHE_DIR", REPO / ".stack" / "cache")).resolve(),
            ports={k: int(env.get(k, v)) for k, v in PORT_DEFAULTS.items()},
            s3_access_key=env.get("S3_ACCESS_KEY", "passerelle"),
            s3_secret_key=env.get("S3_SECRET_KEY", "passerelle-secret"),
            s3_bucket=env.get("S3_BUCKET", "passerelle-documents"),
            replicas=max(1, int(env.get("SERVICE_REPLICAS", "1"))),
        )

    def port(self, name: str) -> int:
        return self.ports[name]

    # Paths below are the single source of truth for the layout of STACK_DIR.
    @property
    def run_dir(self) -> Path:
        return self.stack_dir / "run"

    @property
    def logs_dir(self) -> Path:
        return self.stack_dir / "logs"

    @property
    def supervisor_conf(self) -> Path:
        return self.stack_dir / "supervisord.conf"

    @property
    def supervisor_sock(self) -> Path:
        return self.run_dir / "supervisor.sock"

    @property
    def pg_dir(self) -> Path:
        # Resolved: the cluster lives elsewhere when the postgres user cannot reach STACK_DIR (see
        # postgres.place_cluster), and PostgreSQL must be given a path it can traverse.
        return (self.stack_dir / "postgres").resolve()

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_sock_dir(self) -> Path:
        return self.pg_dir / "run"

    @property
    def kafka_dir(self) -> Path:
        return self.stack_dir / "kafka"

    @property
    def kafka_libs(self) -> Path:
        return self.cache_dir / "kafka" / "libs"

    @property
    def versitygw_bin(self) -> Path:
        return self.cache_dir / "bin" / "versitygw"

    @property
    def clamav_db(self) -> Path:
        return self.cache_dir / "clamav-db"

    @property
    def clamav_dir(self) -> Path:
        return self.stack_dir / "clamav"

    def log_file(self, program: str) -> Path:
        return self.logs_dir / f"{program}.log"


def service_kafka_env(cfg: Config, principal: str) -> dict[str, str]:
    """What a service process gets instead of the admin's Kafka login: its own principal, nothing else."""
    credentials = cfg.kafka_dir / "credentials"
    return {
        "PASSERELLE_KAFKA_SASL_USERNAME": principal,
        "PASSERELLE_KAFKA_SASL_PASSWORD_FILE": str(credentials / f"{principal}.password"),
        "PASSERELLE_KAFKA_CREDENTIALS_DIR": "",
    }


def stack_env(cfg: Config) -> dict[str, str]:
    """Endpoints every service (and the test suite) needs, as environment variables."""
    p = cfg.port
    credentials = cfg.kafka_dir / "credentials"
    env = {
        "PASSERELLE_KAFKA_BOOTSTRAP": f"127.0.0.1:{p('KAFKA_PORT')}",
        # SASL/SCRAM: the test run and the CLIs are the stack's admin; each service runs as its own principal
        # (services.sections); the folder holds every principal's password (0600) for tests that act as one.
        "PASSERELLE_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "PASSERELLE_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "PASSERELLE_KAFKA_SASL_USERNAME": "stack-admin",
        "PASSERELLE_KAFKA_SASL_PASSWORD_FILE": str(credentials / "stack-admin.password"),
        "PASSERELLE_KAFKA_CREDENTIALS_DIR": str(credentials),
        "PASSERELLE_DATABASE_URL_BASE": f"postgresql+psycopg://{DB_ROLE}:{DB_PASSWORD}@127.0.0.1:{p('PG_PORT')}",
        "PASSERELLE_S3_ENDPOINT": f"127.0.0.1:{p('S3_PORT')}",
        "PASSERELLE_S3_ACCESS_KEY": cfg.s3_access_key,
        "PASSERELLE_S3_SECRET_KEY": cfg.s3_secret_key,
        "PASSERELLE_S3_BUCKET": cfg.s3_bucket,
        "PASSERELLE_S3_SECURE": "false",
        "PASSERELLE_SMTP_HOST": "127.0.0.1",
        "PASSERELLE_SMTP_PORT": str(p("SMTP_PORT")),
        "PASSERELLE_MAIL_API": f"http://127.0.0.1:{p('MAIL_WEB_PORT')}",
        "PASSERELLE_CLAMD_HOST": "127.0.0.1",
        "PASSERELLE_CLAMD_PORT": str(p("CLAMD_PORT")),
        # opco-processing's machine identities: written by the demo seed (identity API clients), read by the service.
        "OPCO_PROCESSING_MACHINE_CLIENTS_FILE": str(cfg.stack_dir / "machine-clients.json"),
    }
    for svc in registry.services():
        env[svc.url_var] = f"http://127.0.0.1:{p(svc.port_var)}"
    return env


@contextlib.contextmanager
def stack_lock(cfg: Config) -> Iterator[None]:
    """Serialise start/stop on one STACK_DIR (two shells, or a test fixture and a human)."""
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    with open(cfg.run_dir / "stack.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
