"""The platform's Python services under supervisord: `uvicorn <asgi>` each, after `alembic upgrade head`.

Which services exist, their ports and ASGI applications come from the service registry (services.toml).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

from .common import log, run, url_ready
from .config import REPO, VENV, Config, registry, service_kafka_env, stack_env
from .supervision import program_names, program_section, wait_for

SERVICES = registry.services()
# A consumer service's second instance listens on its port + 100, the third on + 200...
REPLICA_PORT_STEP = 100


@dataclass(frozen=True)
class Instance:
    program: str  # supervisord's program: the service's name, then <name>-2, <name>-3...
    service: Any  # its registry entry
    port: int


def instances(cfg: Config) -> list[Instance]:
    """Every process to run: one per service, and SERVICE_REPLICAS of each service that consumes events (same
    database, same consumer group: Kafka splits the partitions between them; stateless HTTP besides)."""
    found = []
    for svc in SERVICES:
        count = cfg.replicas if svc.consumers else 1
        for n in range(count):
            program = svc.name if n == 0 else f"{svc.name}-{n + 1}"
            found.append(Instance(program, svc, cfg.port(svc.port_var) + n * REPLICA_PORT_STEP))
    return found


def sections(cfg: Config) -> list[str]:
    env = {**stack_env(cfg), "PYTHONUNBUFFERED": "1"}
    if "deca-fake" in {svc.name for svc in SERVICES}:
        # The services the stack runs deposit with its fake administration (tests and benchmarks choose their own).
        env["OPCO_PROCESSING_DECA_URL"] = f"http://127.0.0.1:{cfg.port('DECA_FAKE_PORT')}"
    return [
        program_section(
            cfg,
            instance.program,
            [
                str(VENV / "bin" / "uvicorn"),
                instance.service.asgi,
                "--host",
                "127.0.0.1",
                "--port",
                str(instance.port),
                "--no-server-header",
                # X-Forwarded-For is read by the services from their trusted proxies only (libs.clients).
                "--no-proxy-headers",
                # Idle connections kept longer than any client keeps its own (libs.client.SERVER_KEEP_ALIVE_SECONDS).
                "--timeout-keep-alive",
                "75",
            ],
            env={**env, **service_kafka_env(cfg, instance.service.module)},
            stopwait=15,
        )
        for instance in instances(cfg)
    ]


def configured(cfg: Config) -> bool:
    """Whether the running supervisord already has the services (an earlier `start --with-services`)."""
    return bool({svc.name for svc in SERVICES} & program_names(cfg))


def run_migrations(cfg: Config) -> None:
    env = {**os.environ, **stack_env(cfg)}
    for svc in SERVICES:
        ini = svc.folder / "alembic.ini"
        if ini.exists():
            log(f"alembic upgrade head for {svc.name}")
            run(
                # heads: the service's own history and libs' delivery branch (the outbox and inbox) may both grow.
                [str(VENV / "bin" / "alembic"), "-c", str(ini.relative_to(REPO)), "upgrade", "heads"],
                what=f"alembic upgrade ({svc.name})",
                env=env,
                cwd=REPO,
            )


def wait(cfg: Config) -> None:
    for instance in instances(cfg):
        url = f"http://127.0.0.1:{instance.port}/ready"
        wait_for(cfg, instance.program, functools.partial(url_ready, url), 90)
