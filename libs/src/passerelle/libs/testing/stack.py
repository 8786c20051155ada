"""The test stack: real PostgreSQL, Kafka, S3, SMTP and clamd, on the test suite's own ports and folder.

`make test` starts it once and exports its endpoints; a developer running pytest alone gets it started
(and stopped at exit) by `ensure_stack()`. With PASSERELLE_TESTCONTAINERS=1 the end-to-end suite runs on the
container stack instead (testing.containers: infrastructure and services started with Testcontainers);
everything reads the same variables.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minio import Minio

REPO = Path(__file__).resolve().parents[5]
STACK_SCRIPT = REPO / "deploy" / "native" / "stack.py"
REGISTRY_SCRIPT = REPO / "scripts" / "registry.py"


def load_registry() -> ModuleType:
    """The service registry's reader (scripts/registry.py, standard library only; `scripts/` is no package)."""
    name = "passerelle_service_registry"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REGISTRY_SCRIPT)
        assert spec and spec.loader, REGISTRY_SCRIPT
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before exec: its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


def shifted_test_ports(offset: int | None = None) -> dict[str, str]:
    """Every port of the test stack: the registry's development ports shifted by TEST_PORT_OFFSET (10000
    by default: Kafka on 19092, ...), as scripts/test.sh exports them."""
    registry = load_registry()
    shift = registry.test_port_offset() if offset is None else offset
    return {var: str(port) for var, port in registry.shifted_ports(shift).items()}


TEST_STACK_ENV = {"STACK_DIR": str(REPO / ".stack" / "test"), **shifted_test_ports()}


def stack_command(*args: str) -> list[str]:
    return [sys.executable, str(STACK_SCRIPT), *args]


def test_stack_env() -> dict[str, str]:
    env = dict(os.environ)
    for key, value in TEST_STACK_ENV.items():
        env.setdefault(key, value)
    return env


def ensure_stack() -> dict[str, str]:
    """Endpoints of a running stack; starts the test stack if none is configured."""
    if os.environ.get("PASSERELLE_KAFKA_BOOTSTRAP"):
        return dict(os.environ)
    env = test_stack_env()
    subprocess.run(stack_command("install"), env=env, check=True)
    subprocess.run(stack_command("start"), env=env, check=True)
    atexit.register(lambda: subprocess.run(stack_command("stop"), env=env, check=False))
    endpoints = json.loads(
        subprocess.run(stack_command("env", "--json"), env=env, check=True, capture_output=True, text=True).stdout
    )
    os.environ.update({k: str(v) for k, v in endpoints.items()})
    os.environ.setdefault("STACK_DIR", env["STACK_DIR"])
    return dict(os.environ)


def supervisorctl(*args: str) -> subprocess.CompletedProcess[str]:
    """Controls a program of the running stack (e.g. stop/start kafka in a fault test).

    On the container stack (testing.containers) stop/start/restart act on the component's container and answer
    in supervisorctl's words, so fault tests run unchanged on either."""
    if os.environ.get("PASSERELLE_CONTAINERS") == "1" and len(args) == 2:
        return container_control(*args)
    stack_dir = Path(os.environ.get("STACK_DIR", TEST_STACK_ENV["STACK_DIR"]))
    exe = Path(sys.executable).parent / "supervisorctl"
    return subprocess.run(
        [str(exe), "-c", str(stack_dir / "supervisord.conf"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def container_control(action: str, component: str) -> subprocess.CompletedProcess[str]:
    """`supervisorctl stop|start|restart <program>` on the container stack: `docker stop|start` of the component's
    container (names in PASSERELLE_CONTAINER_NAMES, set by testing.containers), answering in supervisorctl's words."""
    names: dict[str, str] = json.loads(os.environ.get("PASSERELLE_CONTAINER_NAMES", "{}"))
    args = ["supervisorctl", action, component]
    if component not in names or action not in ("stop", "start", "restart"):
        return subprocess.CompletedProcess(args, 1, f"{component}: ERROR (no such container or action)", "")
    wait = ["--time", "30"] if action in ("stop", "restart") else []  # Kafka shuts down cleanly, as natively
    done = subprocess.run(["docker", action, *wait, names[component]], capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        return subprocess.CompletedProcess(args, done.returncode, f"{component}: ERROR ({done.stderr.strip()})", "")
    word = "stopped" if action == "stop" else "started"
    return subprocess.CompletedProcess(args, 0, f"{component}: {word}", "")


def database_admin_url() -> str:
    return os.environ["PASSERELLE_DATABASE_URL_BASE"]


async def wait_for_kafka(bootstrap: str, timeout: float = 180.0) -> None:
    """Until the broker answers a metadata request (after a restart in a fault test)."""
    import asyncio
    import time

    from aiokafka import AIOKafkaClient
    from aiokafka.errors import KafkaError

    from passerelle.libs.kafka_auth import kafka_options

    deadline = time.monotonic() + timeout
    while True:
        client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **kafka_options())
        try:
            await client.bootstrap()
            return
        except (KafkaError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await client.close()


def s3_client() -> Minio:
    """A raw S3 client on the stack's object store (tests and benchmarks check the store behind a service)."""
    from minio import Minio

    return Minio(
        os.environ["PASSERELLE_S3_ENDPOINT"],
        access_key=os.environ["PASSERELLE_S3_ACCESS_KEY"],
        secret_key=os.environ["PASSERELLE_S3_SECRET_KEY"],
        secure=os.environ.get("PASSERELLE_S3_SECURE", "false").lower() == "true",
        region="us-east-1",
    )


@contextmanager
def scratch_bucket(prefix: str) -> Iterator[str]:
    """A bucket of its own for one run: the documents service reconciles its bucket with its database,
    so a fresh database needs an empty bucket. Emptied and removed afterwards."""
    client = s3_client()
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    client.make_bucket(name)
    try:
        yield name
    finally:
        for obj in client.list_objects(name, recursive=True):
            client.remove_object(name, obj.object_name)
        client.remove_bucket(name)
