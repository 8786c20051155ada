"""The whole platform in containers, started with Testcontainers: the infrastructure and the six services.

`ContainerStack().start()` builds or loads the project's images (deploy/images/build.py), starts PostgreSQL,
Kafka (KRaft), versitygw, clamd and the mail catcher, creates the topics and the bucket, runs each service's
migrations from its own image, starts the six services and waits until each answers `/ready`. It returns the
same PASSERELLE_* variables as the native stack, so the end-to-end tests run unchanged against it; the service
processes those tests start themselves (`ServiceProcess`) become containers of the same images too.

Facts of the machines this runs on, and what is done about them:
- Ryuk (Testcontainers' reaper) is an image from a registry, which is unreachable: it stays disabled, and every
  container carries the label `org.passerelle.session`, so leftovers of an interrupted run are removed first.
- No bridge network: every container runs on the host network, with its ports taken from the environment and
  checked free first; `HostNetworkContainer` answers Testcontainers' port questions accordingly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from passerelle.libs.testing.stack import REPO, TEST_STACK_ENV

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from testcontainers.core.container import DockerContainer  # noqa: E402 - reads the variable above at import

SESSION_LABEL = "org.passerelle.session"
COMPONENT_LABEL = "org.passerelle.component"
# On the containers a test's ServiceProcess runs (not the stack's): an end-to-end test may leave none behind.
PROCESS_LABEL = "org.passerelle.test-process"
INFRA = ("postgres", "kafka", "s3", "clamd", "mail")
CONTAINERS_FLAG = "PASSERELLE_CONTAINERS"
IMAGES_VAR = "PASSERELLE_CONTAINER_IMAGES"  # {"identity": "passerelle/identity:<key>", ...}
NAMES_VAR = "PASSERELLE_CONTAINER_NAMES"  # {"kafka": "<container name>", ...}
SESSION_VAR = "PASSERELLE_CONTAINER_SESSION"


def _load(name: str, path: Path) -> ModuleType:
    """The project's scripts (deploy/...) are not packages: load them by path, once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def images_module() -> ModuleType:
    return _load("passerelle_deploy_images", REPO / "deploy" / "images" / "build.py")


def engine_module() -> ModuleType:
    return _load("passerelle_deploy_engine", REPO / "deploy" / "images" / "engine.py")


def native_stack() -> tuple[ModuleType, ModuleType, ModuleType]:
    """The native stack's configuration, Kafka and S3 modules (deploy/native/nativestack): the container stack
    takes the same ports, endpoints, topics and bucket from them."""
    native = str(REPO / "deploy" / "native")
    if native not in sys.path:
        sys.path.insert(0, native)
    import nativestack.config
    import nativestack.kafka
    import nativestack.s3

    return nativestack.config, nativestack.kafka, nativestack.s3


def services() -> tuple[str, ...]:
    return tuple(images_module().SERVICES)


def log(message: str) -> None:
    print(f"[containers] {message}", file=sys.stderr, flush=True)


class HostNetworkContainer(DockerContainer):
    """A container on the host network: its ports are the host's, on 127.0.0.1."""

    def __init__(self, image: str, component: str, session: str, *, healthcheck: bool = True, **kwargs: Any) -> None:
        super().__init__(image, **kwargs)
        self.component = component
        self.with_name(f"passerelle-{session[:8]}-{component}")
        options: dict[str, Any] = {
            "network_mode": "host",
            "labels": {SESSION_LABEL: session, COMPONENT_LABEL: component},
        }
        if not healthcheck:
            # The image's HEALTHCHECK starts a Python process every 5 s: for a one-shot job, or a service whose
            # readiness the host polls itself (/ready), that is CPU taken from the tests on a two-core machine.
            options["healthcheck"] = {"test": ["NONE"]}
        self.with_kwargs(**options)

    @property
    def name(self) -> str:
        assert self._name is not None
        return self._name

    def get_container_host_ip(self) -> str:
        return "127.0.0.1"

    def get_exposed_port(self, port: int) -> int:
        return int(port)

    def state(self) -> dict[str, Any]:
        container = self.get_wrapped_container()
        container.reload()
        return dict(container.attrs["State"])

    def wait_healthy(self, timeout: float) -> None:
        """Until the image's own HEALTHCHECK passes; fails at once if the container exits."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if state.get("Status") == "exited":
                raise RuntimeError(f"{self.component} exited with {state.get('ExitCode')}:\n{self.tail()}")
            if state.get("Health", {}).get("Status") == "healthy":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.component} not healthy after {timeout:.0f}s:\n{self.tail()}")
            time.sleep(0.5)

    def wait_exit(self, timeout: float) -> int:
        result = self.get_wrapped_container().wait(timeout=timeout)
        return int(result["StatusCode"])

    def tail(self, lines: int = 40) -> str:
        try:
            out = self.get_wrapped_container().logs(tail=lines).decode(errors="replace")
        except Exception as exc:  # a container that never started has no logs
            return f"(no logs: {exc})"
        return out

    def save_logs(self, folder: Path) -> None:
        with contextlib.suppress(Exception):
            (folder / f"{self.component}.log").write_bytes(self.get_wrapped_container().logs())


def ports_from_env() -> dict[str, int]:
    """The same port variables as the native test stack (scripts/test.sh shifts them by TEST_PORT_OFFSET)."""
    return {k: int(os.environ.get(k, v)) for k, v in TEST_STACK_ENV.items() if k.endswith("_PORT")}


def busy_ports(ports: dict[str, int]) -> list[str]:
    busy = []
    for name, port in sorted(ports.items()):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                busy.append(f"{name}={port}")
    return busy


def service_module(service: str) -> str:
    return service.replace("-", "_")


class ContainerStack:
    """Start it, use its `env`, stop it (also after a failure: `with ContainerStack() as env: ...`)."""

    def __init__(self, log_dir: Path | None = None) -> None:
        self.session = uuid.uuid4().hex
        self.ports = ports_from_env()
        self.log_dir = log_dir or REPO / ".stack" / "test-logs" / f"containers-{self.session[:8]}"
        self.containers: list[HostNetworkContainer] = []
        self.images: dict[str, str] = {}
        self.env: dict[str, str] = {}
        self.kafka_passwords: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self.images_built: list[str] = []
        self._engine_started_here = False

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> dict[str, str]:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> dict[str, str]:
        started = time.monotonic()
        self._engine()
        removed = engine_module().reap(os.environ["DOCKER_HOST"])
        if removed:
            log(f"removed {removed} containers left by an earlier session")
        busy = busy_ports(self.ports)
        if busy:
            raise RuntimeError(f"ports already in use, the container stack cannot take them: {', '.join(busy)}")

        t = time.monotonic()
        self._images()
        self.timings["images"] = time.monotonic() - t

        config, kafka, s3 = native_stack()
        # The containers' ports (ports_from_env: the environment's, else the registry's shifted by TEST_PORT_OFFSET)
        # are also the ones the host side (topics, ACLs, bucket, the tests' endpoints) uses.
        cfg = dataclasses.replace(config.Config.from_env(), ports={**config.Config.from_env().ports, **self.ports})
        # Kafka's SASL passwords, drawn on the host as natively (STACK_DIR/kafka/credentials, 0600): the broker's
        # container formats the admin's, the host applies the services' users and ACLs. Containers cannot read
        # the host's files, so they are handed the passwords themselves.
        self.kafka_passwords = kafka.ensure_credentials(cfg)
        t = time.monotonic()
        self._infrastructure()
        self.timings["infrastructure"] = time.monotonic() - t

        admin = kafka.ADMIN_PRINCIPAL
        self.env = {
            **config.stack_env(cfg),
            "PYTHONUNBUFFERED": "1",
            "PASSERELLE_KAFKA_SASL_PASSWORD": self.kafka_passwords[admin],
            "PASSERELLE_KAFKA_SASL_PASSWORD_FILE": "",
        }
        t = time.monotonic()
        kafka.setup_topics(cfg)
        kafka.setup_acls(cfg)
        s3.setup(cfg)
        self._migrate()
        self._services()
        self.timings["services"] = time.monotonic() - t
        self.timings["total"] = time.monotonic() - started
        how = f"built {', '.join(self.images_built)}" if self.images_built else "all images from the cache"
        summary = REPO / ".stack" / "test-logs" / "containers-last.json"
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(json.dumps({"timings": self.timings, "images_built": self.images_built}))
        log(
            "container stack up in {total:.1f}s (images {images:.1f}s: {how}; infrastructure {infrastructure:.1f}s; "
            "migrations and services {services:.1f}s)".format(how=how, **self.timings)
        )
        return {
            **self.env,
            CONTAINERS_FLAG: "1",
            SESSION_VAR: self.session,
            IMAGES_VAR: json.dumps(self.images),
            NAMES_VAR: json.dumps({c.component: c.name for c in self.containers}),
        }

    def stop(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for container in reversed(self.containers):
            container.save_logs(self.log_dir)
            with contextlib.suppress(Exception):
                container.stop()
        self.containers.clear()
        if self._engine_started_here:
            engine_module().stop()

    # ----------------------------------------------------------------- steps

    def _engine(self) -> None:
        engine = engine_module()
        before = os.environ.get("DOCKER_HOST")
        host = engine.start()
        os.environ["DOCKER_HOST"] = host
        self._engine_started_here = before != host and (engine.ENGINE_DIR / "started-here").exists()

    def _images(self) -> None:
        images = images_module()
        for name in (*INFRA, *services()):
            image = images.IMAGES[name]
            if not images.image_present(image.tag) and not image.cache_file.exists():
                self.images_built.append(name)
            self.images[name] = image.ensure()

    def _container(
        self, component: str, image: str, env: dict[str, str], *, healthcheck: bool = True
    ) -> HostNetworkContainer:
        container = HostNetworkContainer(image, component, self.session, healthcheck=healthcheck)
        for key, value in env.items():
            container.with_env(key, value)
        self.containers.append(container)
        return container

    def _infrastructure(self) -> None:
        p = self.ports
        infra: dict[str, dict[str, object]] = {
            "postgres": {"PG_PORT": p["PG_PORT"]},
            "kafka": {
                "KAFKA_PORT": p["KAFKA_PORT"],
                "KAFKA_CONTROLLER_PORT": p["KAFKA_CONTROLLER_PORT"],
                "KAFKA_ADMIN_PASSWORD": self.kafka_passwords["stack-admin"],
                "KAFKA_CONTROLLER_PASSWORD": self.kafka_passwords["controller"],
            },
            "s3": {
                "S3_PORT": p["S3_PORT"],
                "ROOT_ACCESS_KEY": os.environ.get("S3_ACCESS_KEY", "passerelle"),
                "ROOT_SECRET_KEY": os.environ.get("S3_SECRET_KEY", "passerelle-secret"),
            },
            "clamd": {"CLAMD_PORT": p["CLAMD_PORT"]},
            "mail": {"SMTP_PORT": p["SMTP_PORT"], "MAIL_WEB_PORT": p["MAIL_WEB_PORT"]},
        }
        started = [
            self._container(name, self.images[name], {k: str(v) for k, v in env.items()}).start()
            for name, env in infra.items()
        ]
        for container in started:
            container.wait_healthy(timeout=420)  # Kafka alone takes minutes to start on a busy two-core machine

    def _migrate(self) -> None:
        """Each service's migrations, from its own image (what the Helm hook Job and compose do)."""
        migrations = [
            self._container(f"{service}-migrate", self.images[service], self.env, healthcheck=False)
            .with_command("migrate")
            .start()
            for service in services()
        ]
        for job in migrations:
            # Generous: five interpreters importing SQLAlchemy and Alembic at once on a shared two-core machine.
            code = job.wait_exit(timeout=600)
            if code != 0:
                raise RuntimeError(f"{job.component} exited with {code}:\n{job.tail()}")

    def _services(self) -> None:
        urls = {}
        for service in services():
            port = self.ports[f"{service_module(service).upper()}_PORT"]
            principal = service_module(service)  # each service logs in to Kafka as itself
            kafka_login = {
                "PASSERELLE_KAFKA_SASL_USERNAME": principal,
                "PASSERELLE_KAFKA_SASL_PASSWORD": self.kafka_passwords[principal],
            }
            # The stack's services answer on their ports with their consumers off: the end-to-end tests start the
            # consuming processes themselves (their own databases and consumer groups, as natively), and a second
            # platform consuming the same broker would handle each of their events again (a second review case, a
            # second e-mail). The compose smoke test runs the whole platform, consumers included.
            consumers_off = {f"{service_module(service).upper()}_CONSUMERS_ENABLED": "false"}
            env = {**self.env, **kafka_login, **consumers_off, "HOST": "127.0.0.1", "PORT": str(port)}
            self._container(service, self.images[service], env, healthcheck=False).start()
            urls[service] = f"http://127.0.0.1:{port}/ready"
        with ThreadPoolExecutor(len(urls)) as pool:
            list(pool.map(lambda item: self._wait_ready(*item), urls.items()))

    def _wait_ready(self, service: str, url: str, timeout: float = 300) -> None:
        container = next(c for c in self.containers if c.component == service)
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if container.state().get("Status") == "exited":
                raise RuntimeError(f"{service} exited:\n{container.tail()}")
            try:
                response = httpx.get(url, timeout=2)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.3)
        raise TimeoutError(f"{service} not ready after {timeout}s: {last}\n{container.tail()}")


# --------------------------------------------------------------------------- service processes as containers


def containers_enabled() -> bool:
    return os.environ.get(CONTAINERS_FLAG) == "1"


def image_for(args: list[str]) -> tuple[str, list[str]] | None:
    """The image and command that run `python -m passerelle.<x>...` in a container, or None to stay on the host.

    `passerelle.<service>.*` runs in that service's image; `passerelle.libs.*` (relay, dead letters) in any
    service image, since each holds libs; anything else (tests' own probe apps) stays a host process."""
    images: dict[str, str] = json.loads(os.environ.get(IMAGES_VAR, "{}"))
    if "-m" not in args:
        return None
    module_args = args[args.index("-m") + 1 :]
    target = module_args[0]
    if target == "uvicorn":
        app = module_args[1]
        service = app.split(".")[1] if app.startswith("passerelle.") else ""
        image = images.get(service.replace("_", "-"))
        if image is None:
            return None
        port = module_args[module_args.index("--port") + 1]
        uvicorn = ["python3", "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", port]
        # The host process's own switches (--no-proxy-headers, --no-server-header...) hold in the container too;
        # --app-dir names a host folder and the image's code is on its PYTHONPATH already.
        flags = [a for a in module_args[2:] if a.startswith("--no-") or a == "--proxy-headers"]
        if "--timeout-keep-alive" in module_args:
            flags += ["--timeout-keep-alive", module_args[module_args.index("--timeout-keep-alive") + 1]]
        return image, [*uvicorn, *flags, "--log-config", "/opt/passerelle/logging.json"]
    parts = target.split(".")
    if parts[0] != "passerelle" or len(parts) < 2:
        return None
    image = images.get(parts[1].replace("_", "-")) if parts[1] != "libs" else images.get("contracts")
    if image is None:
        return None
    return image, ["python3", *args[args.index("-m") :]]


FORWARDED_PREFIXES = ("PASSERELLE_", "OTEL_", "RELAY_", "PROBE_")


def docker_run_command(name: str, image: str, command: list[str], env: dict[str, str]) -> list[str]:
    """`docker run` in the foreground: its exit status and output are the container's, like a local process."""
    service_prefixes = tuple(f"{service_module(s).upper()}_" for s in services())
    session = os.environ.get(SESSION_VAR, "adhoc")
    cmd = [
        "docker",
        "run",
        "--rm",
        "--network",
        "host",
        "--name",
        f"passerelle-{session[:8]}-{name}-{uuid.uuid4().hex[:6]}",
    ]
    cmd += ["--label", f"{SESSION_LABEL}={session}", "--label", f"{COMPONENT_LABEL}={name}", "--label", PROCESS_LABEL]
    cmd += ["--no-healthcheck"]  # ServiceProcess polls /ready itself
    for key, value in sorted(env.items()):
        if key.startswith(FORWARDED_PREFIXES + service_prefixes):
            cmd += ["-e", f"{key}={value}"]
    return [*cmd, "--entrypoint", command[0], image, *command[1:]]


def container_name(command: list[str]) -> str:
    return command[command.index("--name") + 1]


def docker_signal(name: str, kill: bool) -> None:
    import subprocess

    args = ["docker", "kill", "--signal", "KILL", name] if kill else ["docker", "stop", "--time", "15", name]
    subprocess.run(args, capture_output=True, timeout=60, check=False)  # one already gone is not an error


def docker_remove(name: str) -> None:
    """`docker rm -f`: gone for sure, or an error saying why (a container left running would go on consuming)."""
    import subprocess

    done = subprocess.run(["docker", "rm", "--force", name], capture_output=True, text=True, timeout=60, check=False)
    gone = ("No such container", "already in progress")  # removed already, or being removed by --rm
    if done.returncode != 0 and not any(reason in done.stderr for reason in gone):
        raise RuntimeError(f"container {name} not removed: {done.stderr.strip()}")


@contextlib.contextmanager
def container_stack(log_dir: Path | None = None) -> Iterator[dict[str, str]]:
    with ContainerStack(log_dir) as env:
        yield env


def process_containers() -> set[str]:
    """The names of this session's running containers that tests' ServiceProcesses started."""
    import subprocess

    session = os.environ.get(SESSION_VAR, "adhoc")
    args = ["docker", "ps", "--filter", f"label={SESSION_LABEL}={session}", "--filter", f"label={PROCESS_LABEL}"]
    done = subprocess.run([*args, "--format", "{{.Names}}"], capture_output=True, text=True, timeout=60, check=True)
    return set(done.stdout.split())
