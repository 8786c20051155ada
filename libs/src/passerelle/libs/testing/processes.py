"""Service processes for end-to-end tests: started for real, waited for, killed for real."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import httpx

from passerelle.libs.client import SERVER_KEEP_ALIVE_SECONDS
from passerelle.libs.testing import containers
from passerelle.libs.testing.stack import REPO


def service_principal_env(app: str, env: dict[str, str]) -> dict[str, str]:
    """A platform service (`passerelle.<service>.main:app`) logs in to Kafka as its own principal, as it does
    under `make up`: the broker's ACLs then hold in every end-to-end test. Other programs (the relay CLI, the
    probe apps) keep the environment's login (the stack's admin), as does a test that sets one itself."""
    folder = env.get("PASSERELLE_KAFKA_CREDENTIALS_DIR", os.environ.get("PASSERELLE_KAFKA_CREDENTIALS_DIR"))
    parts = app.split(":")[0].split(".")
    if not folder or "PASSERELLE_KAFKA_SASL_USERNAME" in env or len(parts) != 3 or parts[0] != "passerelle":
        return {}
    password = Path(folder) / f"{parts[1]}.password"
    if not password.exists():
        return {}
    # The password itself rather than the file: a service run as a container (testing.containers) cannot read it.
    return {
        "PASSERELLE_KAFKA_SASL_USERNAME": parts[1],
        "PASSERELLE_KAFKA_SASL_PASSWORD": password.read_text().strip(),
        "PASSERELLE_KAFKA_SASL_PASSWORD_FILE": "",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServiceProcess:
    """`uvicorn <app>` or `python -m <module>` in its own process group, with its own log file."""

    # The containers started and not yet removed, by every ServiceProcess of this test process: any other
    # container of theirs still running has outlived its process (see tests/e2e/conftest.py).
    live_containers: ClassVar[set[str]] = set()

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.name = name
        self.args = args
        self.env = {**os.environ, **env}
        self.port = port
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.container: str | None = None  # its name, when it runs as a container

    @classmethod
    def uvicorn(cls, name: str, app: str, env: dict[str, str], log_dir: Path) -> ServiceProcess:
        port = free_port()
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--app-dir",
            str(REPO),
            "--no-server-header",
            "--no-proxy-headers",
            # As the platform runs it: idle connections kept longer than any client keeps its own (libs.client).
            "--timeout-keep-alive",
            str(SERVER_KEEP_ALIVE_SECONDS),
        ]
        return cls(name, args, {**env, **service_principal_env(app, env)}, log_dir, port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def profiled(self, folder: str | None) -> ServiceProcess:
        """Runs under cProfile when a folder is given (the benches' `--profile`): `bench/profiled.py` writes the
        statistics to `<folder>/<name>.prof` when the process stops."""
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            out = str(Path(folder).resolve() / f"{self.name}.prof")
            self.args = [self.args[0], str(REPO / "bench" / "profiled.py"), out, *self.args[1:]]
        return self

    def start(self, ready_timeout: float = 60.0) -> ServiceProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.container = None
        args = self.args
        if containers.containers_enabled() and (found := containers.image_for(self.args)):
            # On the container stack the same program runs from its service's image (see testing.containers).
            args = containers.docker_run_command(self.name, *found, self.env)
            self.container = containers.container_name(args)
            ServiceProcess.live_containers.add(self.container)
        self.proc = subprocess.Popen(
            args, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if self.port is not None:
            try:
                self.wait_ready(ready_timeout)
            except BaseException:
                # Never leave it running: a service that outlived its test keeps consuming and relaying from the
                # next run's databases of the same name.
                self.kill()
                raise
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                r = httpx.get(f"{self.url}/ready", timeout=2.0)
                if r.status_code == 200:
                    return
                last = r.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s: {last}\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL, no goodbye: what a crash looks like."""
        if self.container:
            # The container, whatever became of its `docker run` client: a client that is gone (killed, or exited
            # while the engine was slow) does not take its container with it, which would go on consuming.
            containers.docker_signal(self.container, kill=True)
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self._gone()

    def stop(self) -> None:
        if self.container:
            containers.docker_signal(self.container, kill=False)
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._gone()

    def _gone(self) -> None:
        """Its container removed (`docker run --rm` removes it on exit, unless its client went first)."""
        if self.container:
            containers.docker_remove(self.container)
            ServiceProcess.live_containers.discard(self.container)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def pids(processes: Mapping[str, ServiceProcess]) -> dict[str, int]:
    """The pid of each started process, by name (a benchmark's CPU meter watches them)."""
    out = {}
    for name, process in processes.items():
        assert process.proc is not None, f"{name} is not started"
        out[name] = process.proc.pid
    return out
