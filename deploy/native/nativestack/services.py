"""The platform's Python services under supervisord: `uvicorn <asgi>` each, after `alembic upgrade head`.

Which services exist, their ports and ASGI applications come from the service registry (services.toml).
"""

from __future__ import annotations

import functools
import os

from .common import log, run, url_ready
from .config import REPO, VENV, Config, registry, service_kafka_env, stack_env
from .supervision import program_names, program_section, wait_for

SERVICES = registry.services()


def sections(cfg: Config) -> list[str]:
    env = {**stack_env(cfg), "PYTHONUNBUFFERED": "1"}
    if "deca-fake" in {svc.name for svc in SERVICES}:
        # The services the stack runs deposit with its fake administration (tests and benchmarks choose their own).
        env["OPCO_PROCESSING_DECA_URL"] = f"http://127.0.0.1:{cfg.port('DECA_FAKE_PORT')}"
    return [
        program_section(
            cfg,
            svc.name,
            [
                str(VENV / "bin" / "uvicorn"),
                svc.asgi,
                "--host",
                "127.0.0.1",
                "--port",
                str(cfg.port(svc.port_var)),
                "--no-server-header",
                # X-Forwarded-For is read by the services from their trusted proxies only (libs.clients).
                "--no-proxy-headers",
            ],
            env={**env, **service_kafka_env(cfg, svc.module)},
            stopwait=15,
        )
        for svc in SERVICES
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
    for svc in SERVICES:
        url = f"http://127.0.0.1:{cfg.port(svc.port_var)}/ready"
        wait_for(cfg, svc.name, functools.partial(url_ready, url), 90)
