#!/usr/bin/env python3
"""Passerelle native local stack: infrastructure as plain processes under supervisord.

No containers here: PostgreSQL 15 (Debian), Kafka 4.1 in KRaft mode (jars from
Maven Central), versitygw as the S3 server (built with `go install`), clamd with a
local EICAR-only signature database, and a small mail catcher. supervisord (from
the project venv) owns every process; this script only writes configs, starts
supervisord and waits for readiness.

    stack.py install | start [--with-services] | stop | status | logs [prog] [-n N]
             env [--json] | wait [--with-services]

Every port and folder comes from environment variables (see `Config`), so that a
second stack (the test suite's, STACK_DIR=.stack/test) runs beside the dev one.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV = Path(os.environ.get("VENV_DIR", REPO / ".venv"))
KAFKA_POM = HERE / "kafka" / "pom.xml"
MAILCATCHER = HERE / "mailcatcher.py"

VERSITYGW_MODULE = "github.com/versity/versitygw/cmd/versitygw"
VERSITYGW_VERSION = "v1.8.0"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
IS_ROOT = os.geteuid() == 0

DATABASES = ("identity", "contracts", "documents", "opco_processing", "notifier", "e2e")
DB_ROLE, DB_PASSWORD = "passerelle", "passerelle"

PORT_DEFAULTS = {
    "KAFKA_PORT": 9092,
    "KAFKA_CONTROLLER_PORT": 9093,
    "PG_PORT": 5432,
    "S3_PORT": 9000,
    "SMTP_PORT": 1025,
    "MAIL_WEB_PORT": 8025,
    "CLAMD_PORT": 3310,
    "PORTAL_PORT": 8000,
    "IDENTITY_PORT": 8001,
    "CONTRACTS_PORT": 8002,
    "DOCUMENTS_PORT": 8003,
    "OPCO_PROCESSING_PORT": 8004,
    "NOTIFIER_PORT": 8005,
}
INFRA_PORTS = ("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "PG_PORT", "S3_PORT", "SMTP_PORT", "MAIL_WEB_PORT", "CLAMD_PORT")


@dataclass(frozen=True)
class Service:
    name: str  # folder under services/ and supervisord program name
    module: str  # python package under passerelle.

    @property
    def port_var(self) -> str:
        return f"{self.module.upper()}_PORT"


SERVICES = tuple(
    Service(n, n.replace("-", "_"))
    for n in ("identity", "contracts", "documents", "opco-processing", "notifier", "portal")
)
INFRA_PROGRAMS = ("postgres", "kafka", "s3", "clamd", "mail")

# Test file defined by EICAR; assembled at run time so no file in the repo trips a scanner.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode()


class StackError(RuntimeError):
    """A failure worth a clear message rather than a traceback."""


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class Config:
    stack_dir: Path
    cache_dir: Path
    ports: dict[str, int]
    s3_access_key: str
    s3_secret_key: str
    s3_bucket: str

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
        # place_postgres_cluster), and PostgreSQL must be given a path it can traverse.
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


def stack_env(cfg: Config) -> dict[str, str]:
    """Endpoints every service (and the test suite) needs, as environment variables."""
    p = cfg.port
    env = {
        "PASSERELLE_KAFKA_BOOTSTRAP": f"127.0.0.1:{p('KAFKA_PORT')}",
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
    }
    for svc in SERVICES:
        env[f"PASSERELLE_{svc.module.upper()}_URL"] = f"http://127.0.0.1:{p(svc.port_var)}"
    return env


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


def run(
    cmd: list[str],
    *,
    what: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    input: bytes | None = None,
    timeout: float = 900,
) -> str:
    """Run a command, returning its output; on failure raise with the output's tail."""
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cwd,
            user=user,
            group=user,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise StackError(f"{what}: timed out after {timeout:.0f}s") from exc
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        raise StackError(f"{what} failed (exit {proc.returncode}):\n{tail_text(out, 40)}")
    return out


def tail_text(text: str, n: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-n:])


def tail_file(path: Path, n: int) -> str:
    if not path.exists():
        return f"(no log at {path})"
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 256 * 1024))  # logs can be big: only read their end
        return tail_text(fh.read().decode(errors="replace"), n)


def write_if_changed(path: Path, content: str, mode: int | None = None) -> bool:
    """Write a generated file; tell whether it changed so running programs get restarted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == content:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content)
    if mode is not None:
        tmp.chmod(mode)
    tmp.replace(path)
    return True


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def chown_postgres(path: Path) -> None:
    if IS_ROOT:
        shutil.chown(path, "postgres", "postgres")


@contextlib.contextmanager
def stack_lock(cfg: Config):
    """Serialise start/stop on one STACK_DIR (two shells, or a test fixture and a human)."""
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    with open(cfg.run_dir / "stack.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


# --------------------------------------------------------------------------- install

_apt_updated = False


def apt_install(packages: list[str]) -> None:
    global _apt_updated
    if not IS_ROOT:
        raise StackError(f"missing system packages {packages}: run `stack.py install` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # A policy-rc.d answering 101 keeps Debian from starting the packaged daemons
    # (clamav-daemon, freshclam): supervisord runs our own instances instead.
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = not policy.exists()
    if own_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        if not _apt_updated:
            run(["apt-get", "update"], what="apt-get update", env=env)
            _apt_updated = True
        run(
            ["apt-get", "install", "-y", "--no-install-recommends", *packages],
            what=f"apt-get install {' '.join(packages)}",
            env=env,
        )
    finally:
        if own_policy:
            policy.unlink(missing_ok=True)


def install_system_packages() -> None:
    missing = []
    if not (PG_BIN / "postgres").exists():
        missing.append("postgresql-15")
    if not (shutil.which("clamd") or Path("/usr/sbin/clamd").exists()) or not shutil.which("sigtool"):
        missing += ["clamav-daemon", "clamav"]
    if missing:
        log(f"installing {' '.join(missing)} from apt")
        apt_install(missing)
        disable_packaged_clamav()
    else:
        log("postgresql-15 and clamav already installed")


def disable_packaged_clamav() -> None:
    """Signature downloads are impossible here: keep Debian's clamd/freshclam units off."""
    if Path("/run/systemd/system").exists():
        subprocess.run(
            ["systemctl", "disable", "--now", "clamav-daemon", "clamav-freshclam"], check=False, capture_output=True
        )


def clamd_binary() -> str:
    found = shutil.which("clamd") or "/usr/sbin/clamd"
    if not Path(found).exists():
        raise StackError("clamd not found: run `stack.py install`")
    return found


CLAMAV_DB_FORMAT = "1"  # bump when the generated signatures change, to rebuild them


def build_clamav_db(cfg: Config) -> None:
    """A local database that only knows EICAR: enough for clamd to start and for tests."""
    stamp = cfg.clamav_db / "passerelle-db.stamp"  # clamd ignores unknown extensions
    if stamp.exists() and stamp.read_text().strip() == CLAMAV_DB_FORMAT:
        log("clamav local signature database present")
        return
    shutil.rmtree(cfg.clamav_db, ignore_errors=True)
    cfg.clamav_db.mkdir(parents=True)
    name = "Eicar-Test-Signature"
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "eicar.com"
        sample.write_bytes(EICAR)
        # sigtool prints "md5:size:filename"; keep the hash and size, name the signature.
        md5, size, _ = run(["sigtool", "--md5", str(sample)], what="sigtool --md5").strip().split(":", 2)
        (cfg.clamav_db / "passerelle-eicar.hdb").write_text(f"{md5}:{size}:{name}\n")
        # The hash only matches the exact 68 bytes; this body signature also catches
        # EICAR followed by a newline or padding, as test fixtures often write it.
        (cfg.clamav_db / "passerelle-eicar.ndb").write_text(f"{name}:0:*:{EICAR.hex()}\n")
        out = subprocess.run(
            ["clamscan", "--no-summary", "-d", str(cfg.clamav_db), str(sample)], capture_output=True, text=True
        )
        if "FOUND" not in out.stdout:
            raise StackError(f"local clamav database does not detect EICAR:\n{out.stdout}{out.stderr}")
    stamp.write_text(CLAMAV_DB_FORMAT + "\n")
    log(f"clamav local signature database built in {cfg.clamav_db}")


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>([^<]+)<", KAFKA_POM.read_text())
    assert match, f"no kafka.version in {KAFKA_POM}"
    return match.group(1)


def install_kafka(cfg: Config) -> None:
    marker = cfg.kafka_libs / f"kafka_2.13-{kafka_version()}.jar"
    if marker.exists() and list(cfg.kafka_libs.glob("log4j-core-*.jar")):
        log(f"kafka {kafka_version()} jars present")
        return
    if not shutil.which("mvn"):
        raise StackError("mvn not found (apt-get install maven)")
    shutil.rmtree(cfg.kafka_libs, ignore_errors=True)  # never mix jars of two versions
    log(f"fetching kafka {kafka_version()} jars with maven")
    run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={cfg.kafka_libs}",
            f"-Dmaven.repo.local={cfg.cache_dir / 'maven-repo'}",
        ],
        what="mvn copy-dependencies",
    )
    log("kafka jars fetched")


def install_versitygw(cfg: Config) -> None:
    stamp = cfg.versitygw_bin.with_name("versitygw.version")
    if cfg.versitygw_bin.exists() and stamp.exists() and stamp.read_text().strip() == VERSITYGW_VERSION:
        log(f"versitygw {VERSITYGW_VERSION} present")
        return
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        raise StackError("go toolchain not found")
    gopath = cfg.cache_dir / "go"
    env = {
        **os.environ,
        "GOBIN": str(cfg.versitygw_bin.parent),
        "GOPATH": str(gopath),
        "GOMODCACHE": str(gopath / "mod"),
        "GOCACHE": str(gopath / "build"),
        # -modcacherw: a read-only module cache would make `rm -rf .stack` fail.
        "GOFLAGS": "-modcacherw",
        "CGO_ENABLED": "0",
    }
    log(f"building versitygw {VERSITYGW_VERSION} with go install (about 2 minutes)")
    run([go, "install", f"{VERSITYGW_MODULE}@{VERSITYGW_VERSION}"], what="go install versitygw", env=env)
    stamp.write_text(VERSITYGW_VERSION + "\n")
    log("versitygw built")


def cmd_install(cfg: Config) -> None:
    started = time.monotonic()
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)

    def system_then_db() -> None:
        install_system_packages()
        build_clamav_db(cfg)

    # apt/maven are mostly network-bound and go is CPU-bound: run them side by side.
    steps = [system_then_db, lambda: install_kafka(cfg), lambda: install_versitygw(cfg)]
    with concurrent.futures.ThreadPoolExecutor(len(steps)) as pool:
        errors = [f.exception() for f in [pool.submit(s) for s in steps]]
    failures = [e for e in errors if e is not None]
    for err in failures[1:]:
        log(f"ERROR: {err}")
    if failures:
        raise failures[0]
    log(f"install done in {time.monotonic() - started:.1f}s (cache: {cfg.cache_dir})")


def missing_installs(cfg: Config) -> list[str]:
    checks = {
        "postgresql-15": (PG_BIN / "postgres").exists(),
        "clamd": bool(shutil.which("clamd") or Path("/usr/sbin/clamd").exists()),
        "clamav database": (cfg.clamav_db / "passerelle-db.stamp").exists(),
        "kafka jars": (cfg.kafka_libs / f"kafka_2.13-{kafka_version()}.jar").exists(),
        "versitygw": cfg.versitygw_bin.exists(),
        "supervisord": (VENV / "bin" / "supervisord").exists(),
    }
    return [name for name, ok in checks.items() if not ok]


# --------------------------------------------------------------------------- configure


def postgres_can_reach(path: Path) -> bool:
    return subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(path)], check=False).returncode == 0


def place_postgres_cluster(cfg: Config) -> None:
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


def configure_postgres(cfg: Config) -> list[str]:
    """initdb once; settings go on the command line so a port change is a config change."""
    place_postgres_cluster(cfg)
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
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": cfg.port("PG_PORT"),
        "unix_socket_directories": str(cfg.pg_sock_dir),
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
    return [
        str(PG_BIN / "postgres"),
        "-D",
        str(cfg.pg_data),
        *[f"--{k.replace('_', '-')}={v}" for k, v in settings.items()],
    ]


def kafka_java_cmd(cfg: Config, main_class: str, *args: str, heap: tuple[str, ...]) -> list[str]:
    java = (
        str(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
        if "JAVA_HOME" in os.environ
        else (shutil.which("java") or "java")
    )
    return [
        java,
        *heap,
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={cfg.kafka_dir / 'log4j2.xml'}",
        "-cp",
        f"{cfg.kafka_libs}/*",
        main_class,
        *args,
    ]


def configure_kafka(cfg: Config) -> tuple[list[str], bool]:
    d, p = cfg.kafka_dir, cfg.port
    data = d / "data"
    props = {
        "node.id": 1,
        "process.roles": "broker,controller",
        "listeners": f"PLAINTEXT://127.0.0.1:{p('KAFKA_PORT')},CONTROLLER://127.0.0.1:{p('KAFKA_CONTROLLER_PORT')}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{p('KAFKA_PORT')}",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        # Static voter: nothing about the controller endpoint is persisted at format
        # time, so changing KAFKA_CONTROLLER_PORT later keeps the data usable.
        "controller.quorum.voters": f"1@127.0.0.1:{p('KAFKA_CONTROLLER_PORT')}",
        "log.dirs": str(data),
        "num.partitions": 6,
        "default.replication.factor": 1,
        "min.insync.replicas": 1,
        "offsets.topic.replication.factor": 1,
        "offsets.topic.num.partitions": 6,  # the default 50 slows startup on 2 cores
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "transaction.state.log.num.partitions": 6,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "auto.create.topics.enable": "true",
        "group.initial.rebalance.delay.ms": 0,
        "num.network.threads": 2,
        "num.io.threads": 4,
        "log.retention.hours": 168,
        "log.segment.bytes": 64 * 1024 * 1024,
    }
    changed = write_if_changed(
        d / "server.properties",
        "# generated by deploy/native/stack.py\n" + "".join(f"{k}={v}\n" for k, v in props.items()),
    )
    changed |= write_if_changed(d / "log4j2.xml", LOG4J2_XML)
    if not (data / "meta.properties").exists():
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        log(f"formatting kafka storage (cluster {cluster_id})")
        run(
            kafka_java_cmd(
                cfg,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(d / "server.properties"),
                heap=("-Xmx256m",),
            ),
            what="kafka storage format",
        )
    return kafka_java_cmd(cfg, "kafka.Kafka", str(d / "server.properties"), heap=("-Xms256m", "-Xmx768m")), changed


LOG4J2_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by deploy/native/stack.py: everything to stdout, supervisord keeps the file -->
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="stdout"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="kafka.log.LogCleaner" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="org.apache.kafka.storage.internals.log" level="WARN"/>
  </Loggers>
</Configuration>
"""


def configure_s3(cfg: Config) -> list[str]:
    (cfg.stack_dir / "s3").mkdir(parents=True, exist_ok=True)
    return [str(cfg.versitygw_bin), "--port", f"127.0.0.1:{cfg.port('S3_PORT')}", "posix", str(cfg.stack_dir / "s3")]


def configure_clamd(cfg: Config) -> tuple[list[str], bool]:
    d = cfg.clamav_dir
    (d / "tmp").mkdir(parents=True, exist_ok=True)
    conf = "\n".join(
        [
            "# generated by deploy/native/stack.py",
            "Foreground yes",
            # No LogFile: clamd then logs to stdout, which supervisord captures.
            "LogTime yes",
            f"PidFile {d / 'clamd.pid'}",
            f"TemporaryDirectory {d / 'tmp'}",
            f"DatabaseDirectory {cfg.clamav_db}",
            f"TCPSocket {cfg.port('CLAMD_PORT')}",
            "TCPAddr 127.0.0.1",
            "StreamMaxLength 25M",
            "MaxFileSize 25M",
            "MaxScanSize 100M",
            # No bytecode.cvd exists locally, and nothing ever updates the database.
            "Bytecode no",
            "SelfCheck 0",
            "ConcurrentDatabaseReload no",
            "",
        ]
    )
    changed = write_if_changed(d / "clamd.conf", conf)
    return [clamd_binary(), f"--config-file={d / 'clamd.conf'}"], changed


def configure_mail(cfg: Config) -> list[str]:
    return [
        str(VENV / "bin" / "python"),
        str(MAILCATCHER),
        "--dir",
        str(cfg.stack_dir / "mail"),
        "--smtp-port",
        str(cfg.port("SMTP_PORT")),
        "--web-port",
        str(cfg.port("MAIL_WEB_PORT")),
    ]


# --------------------------------------------------------------------------- supervisord


def sv(value: str) -> str:
    """supervisord expands %(name)s in most values: a literal % must be doubled."""
    return value.replace("%", "%%")


def program_section(
    cfg: Config,
    name: str,
    command: list[str],
    *,
    user: str | None = None,
    env: dict[str, str] | None = None,
    stopsignal: str = "TERM",
    stopwait: int = 30,
    startsecs: int = 2,
) -> str:
    lines = [
        f"[program:{name}]",
        f"command={sv(shlex.join(command))}",
        f"directory={sv(str(REPO))}",
        "autostart=true",
        "autorestart=true",
        f"startsecs={startsecs}",
        "startretries=3",
        f"stopsignal={stopsignal}",
        f"stopwaitsecs={stopwait}",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={sv(str(cfg.log_file(name)))}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=2",
    ]
    if user:
        lines.append(f"user={user}")
    if env:
        # supervisord's environment= syntax has no escape for a double quote.
        if any('"' in v for v in env.values()):
            raise StackError(f"environment of {name}: values must not contain a double quote")
        pairs = ",".join(f'{k}="{sv(v)}"' for k, v in env.items())
        lines.append(f"environment={pairs}")
    return "\n".join(lines) + "\n"


def supervisord_header(cfg: Config) -> str:
    sock = sv(str(cfg.supervisor_sock))
    extra = "minfds=16384\n" if IS_ROOT else ""  # kafka keeps many segment files open
    return f"""; generated by deploy/native/stack.py -- do not edit, rerun `stack.py start`
[unix_http_server]
file={sock}
chmod=0700

[supervisord]
logfile={sv(str(cfg.logs_dir / "supervisord.log"))}
logfile_maxbytes=10MB
logfile_backups=2
pidfile={sv(str(cfg.run_dir / "supervisord.pid"))}
childlogdir={sv(str(cfg.logs_dir))}
directory={sv(str(REPO))}
identifier=passerelle-{sv(cfg.stack_dir.name)}
nodaemon=false
{extra}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{sock}

"""


def rpc(cfg: Config):
    """XML-RPC proxy to this stack's supervisord (over its own unix socket)."""
    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, f"unix://{cfg.supervisor_sock}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor


def supervisord_running(cfg: Config) -> bool:
    if not cfg.supervisor_sock.exists():
        return False
    try:
        return rpc(cfg).getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Fault):
        return False


def check_ports_free(cfg: Config) -> None:
    """Before a fresh launch: a probe answered by someone else's server would lie."""
    busy = [f"{k}={cfg.port(k)}" for k in INFRA_PORTS if port_in_use(cfg.port(k))]
    if busy:
        raise StackError(
            f"ports already in use: {', '.join(busy)} -- another stack or "
            "server is running; stop it or choose other *_PORT variables"
        )


def launch_supervisord(cfg: Config) -> None:
    # supervisord daemonizes: the launcher returns once the daemon is forked.
    run([str(VENV / "bin" / "supervisord"), "-c", str(cfg.supervisor_conf)], what="supervisord", timeout=60)
    deadline = time.monotonic() + 30
    while not supervisord_running(cfg):
        if time.monotonic() > deadline:
            raise StackError("supervisord did not come up:\n" + tail_file(cfg.logs_dir / "supervisord.log", 30))
        time.sleep(0.1)


def apply_supervisor_config(cfg: Config, restart: set[str]) -> None:
    """Like `supervisorctl update`, then (re)start what is down or whose config changed."""
    server = rpc(cfg)
    added, changed, removed = server.reloadConfig()[0]
    for name in removed + changed:
        with contextlib.suppress(xmlrpc.client.Fault):
            server.stopProcessGroup(name, True)
        server.removeProcessGroup(name)
    for name in changed + added:
        server.addProcessGroup(name)
    for info in server.getAllProcessInfo():
        name = info["name"]
        if name in restart and info["statename"] in ("RUNNING", "STARTING"):
            log(f"config of {name} changed: restarting it")
            server.stopProcess(name, True)
        if info["statename"] not in ("RUNNING", "STARTING") or name in restart:
            with contextlib.suppress(xmlrpc.client.Fault):  # ALREADY_STARTED is fine
                server.startProcess(name, False)


def write_supervisor_config(cfg: Config, sections: list[str]) -> None:
    write_if_changed(cfg.supervisor_conf, supervisord_header(cfg) + "\n".join(sections))


# --------------------------------------------------------------------------- readiness


def program_state(cfg: Config, name: str) -> str:
    try:
        return rpc(cfg).getProcessInfo(name)["statename"]
    except (OSError, xmlrpc.client.Fault):
        return "UNKNOWN"


def wait_for(cfg: Config, program: str, probe: Callable[[], bool], timeout: float) -> None:
    """Poll `probe` until true; fail early if supervisord gave up on the program."""
    started = time.monotonic()
    delay = 0.1
    while True:
        try:
            if probe():
                log(f"{program} ready ({time.monotonic() - started:.1f}s)")
                return
            reason = "not ready"
        except Exception as exc:  # noqa: BLE001 - any probe failure means "not yet"
            reason = f"{type(exc).__name__}: {exc}"
        state = program_state(cfg, program)
        if state == "FATAL" or time.monotonic() - started > timeout:
            why = (
                "supervisord gave up on it (FATAL)"
                if state == "FATAL"
                else f"not ready after {timeout:.0f}s (state {state}, last probe: {reason})"
            )
            raise StackError(
                f"{program}: {why}\n--- tail of {cfg.log_file(program)} ---\n" + tail_file(cfg.log_file(program), 40)
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def probe_postgres(cfg: Config) -> bool:
    return (
        subprocess.run(
            [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(cfg.port("PG_PORT"))], check=False
        ).returncode
        == 0
    )


def probe_kafka(cfg: Config) -> bool:
    """A real metadata round trip: the broker must list itself, not just accept TCP."""
    import logging

    from aiokafka.admin import AIOKafkaAdminClient

    # aiokafka logs every refused connection while the broker boots: that is expected.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=f"127.0.0.1:{cfg.port('KAFKA_PORT')}", request_timeout_ms=5000)
        await admin.start()
        try:
            cluster = await admin.describe_cluster()
            if not cluster["brokers"] or cluster["controller_id"] == -1:
                return False
            # Raises until __consumer_offsets exists and is loaded: once this passes,
            # the first consumer group of a test does not hit a cold coordinator.
            await admin.find_coordinator("passerelle-stack-readiness")
            return True
        finally:
            await admin.close()

    return asyncio.run(asyncio.wait_for(probe(), 10))


def minio_client(cfg: Config):
    from minio import Minio

    return Minio(
        f"127.0.0.1:{cfg.port('S3_PORT')}",
        access_key=cfg.s3_access_key,
        secret_key=cfg.s3_secret_key,
        secure=False,
        region="us-east-1",
    )


def probe_s3(cfg: Config) -> bool:
    minio_client(cfg).list_buckets()  # signed request: checks credentials as well
    return True


def clamd_command(cfg: Config, command: bytes, payload: bytes | None = None) -> str:
    with socket.create_connection(("127.0.0.1", cfg.port("CLAMD_PORT")), timeout=10) as s:
        s.sendall(b"z" + command + b"\0")
        if payload is not None:
            for i in range(0, len(payload), 8192):
                chunk = payload[i : i + 8192]
                s.sendall(len(chunk).to_bytes(4, "big") + chunk)
            s.sendall(b"\0\0\0\0")
        return b"".join(iter(lambda: s.recv(4096), b"")).rstrip(b"\0").decode()


def probe_clamd(cfg: Config) -> bool:
    return clamd_command(cfg, b"PING") == "PONG"


def probe_mail(cfg: Config) -> bool:
    with socket.create_connection(("127.0.0.1", cfg.port("SMTP_PORT")), timeout=3) as s:
        if not s.recv(512).startswith(b"220"):
            return False
    return http_status(f"http://127.0.0.1:{cfg.port('MAIL_WEB_PORT')}/api/messages") == 200


def url_ready(url: str) -> bool:
    return http_status(url) == 200


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


INFRA_WAITS: dict[str, tuple[Callable[[Config], bool], float]] = {
    "clamd": (probe_clamd, 120),
    "mail": (probe_mail, 60),
    "s3": (probe_s3, 60),
    "postgres": (probe_postgres, 90),
    "kafka": (probe_kafka, 180),
}


def wait_infra(cfg: Config) -> None:
    for program, (probe, timeout) in INFRA_WAITS.items():
        wait_for(cfg, program, functools.partial(probe, cfg), timeout)


def wait_services(cfg: Config) -> None:
    for svc in SERVICES:
        url = f"http://127.0.0.1:{cfg.port(svc.port_var)}/ready"
        wait_for(cfg, svc.name, functools.partial(url_ready, url), 90)


# --------------------------------------------------------------------------- post-ready setup


def setup_postgres(cfg: Config) -> None:
    dbs = ",".join(f"'{db}'" for db in DATABASES)
    sql = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{DB_ROLE}') THEN
    CREATE ROLE {DB_ROLE} LOGIN CREATEDB PASSWORD '{DB_PASSWORD}';
  ELSE
    ALTER ROLE {DB_ROLE} LOGIN CREATEDB PASSWORD '{DB_PASSWORD}';
  END IF;
END $$;
-- Tests drop their scratch databases WITH (FORCE), which must also end autovacuum workers there.
GRANT pg_signal_backend TO {DB_ROLE};
SELECT format('CREATE DATABASE %I OWNER {DB_ROLE}', d) FROM unnest(ARRAY[{dbs}]) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \\gexec
"""
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
        input=sql.encode(),
    )
    log(f"postgres role {DB_ROLE} and databases {', '.join(DATABASES)} ready")


TOPIC_PARTITIONS = 6


def setup_topics(cfg: Config) -> None:
    """Every topic of the registry, created up front with a fixed partition count: a key must always map
    to the same partition, which a topic auto-created under a first burst of writes does not promise."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from passerelle.schemas import TOPICS

    async def create() -> int:  # returns how many topics it created
        admin = AIOKafkaAdminClient(bootstrap_servers=f"127.0.0.1:{cfg.port('KAFKA_PORT')}")
        await admin.start()
        try:
            missing = sorted(set(TOPICS) - set(await admin.list_topics()))
            if missing:
                await admin.create_topics([NewTopic(t, TOPIC_PARTITIONS, 1) for t in missing])
            return len(missing)
        finally:
            await admin.close()

    created = asyncio.run(create())
    log(f"kafka topics ready ({created} created, {len(TOPICS)} in the registry)")


def setup_s3(cfg: Config) -> None:
    client = minio_client(cfg)
    if not client.bucket_exists(cfg.s3_bucket):
        client.make_bucket(cfg.s3_bucket)
    # Presigned URLs are what the portal hands to browsers: prove they work end to end.
    import io
    from datetime import timedelta

    key, body = "_stack/presign-check", b"presign ok"
    client.put_object(cfg.s3_bucket, key, io.BytesIO(body), len(body))
    try:
        url = client.presigned_get_object(cfg.s3_bucket, key, expires=timedelta(minutes=5))
        with urllib.request.urlopen(url, timeout=10) as resp:
            if resp.read() != body:
                raise StackError("s3 presigned GET returned unexpected content")
    finally:
        client.remove_object(cfg.s3_bucket, key)
    log(f"s3 bucket {cfg.s3_bucket} ready, presigned GET verified")


def check_clamd_eicar(cfg: Config) -> None:
    reply = clamd_command(cfg, b"INSTREAM", EICAR)
    if "FOUND" in reply:
        log(f"clamd detects EICAR ({reply})")
    else:
        log(f"WARNING: clamd did not flag EICAR (reply: {reply!r}); check {cfg.clamav_db}")


def run_migrations(cfg: Config) -> None:
    env = {**os.environ, **stack_env(cfg)}
    for svc in SERVICES:
        ini = REPO / "services" / svc.name / "alembic.ini"
        if ini.exists():
            log(f"alembic upgrade head for {svc.name}")
            run(
                [str(VENV / "bin" / "alembic"), "-c", str(ini.relative_to(REPO)), "upgrade", "head"],
                what=f"alembic upgrade ({svc.name})",
                env=env,
                cwd=REPO,
            )


# --------------------------------------------------------------------------- commands


def infra_sections(cfg: Config) -> tuple[list[str], set[str]]:
    """Generate every infra config; returns supervisord sections and programs to restart."""
    for d in (cfg.stack_dir, cfg.logs_dir, cfg.run_dir, cfg.stack_dir / "mail"):
        d.mkdir(parents=True, exist_ok=True)
    kafka_cmd, kafka_changed = configure_kafka(cfg)
    clamd_cmd, clamd_changed = configure_clamd(cfg)
    sections = [
        # SIGINT = postgres "fast" shutdown; TERM would wait for clients to leave.
        program_section(
            cfg,
            "postgres",
            configure_postgres(cfg),
            stopsignal="INT",
            stopwait=60,
            user="postgres" if IS_ROOT else None,
        ),
        program_section(cfg, "kafka", kafka_cmd, stopwait=90, startsecs=5),
        program_section(
            cfg,
            "s3",
            configure_s3(cfg),
            env={"ROOT_ACCESS_KEY": cfg.s3_access_key, "ROOT_SECRET_KEY": cfg.s3_secret_key},
        ),
        program_section(cfg, "clamd", clamd_cmd),
        program_section(cfg, "mail", configure_mail(cfg), env={"PYTHONUNBUFFERED": "1"}),
    ]
    restart = {name for name, changed in (("kafka", kafka_changed), ("clamd", clamd_changed)) if changed}
    return sections, restart


def service_sections(cfg: Config) -> list[str]:
    env = {**stack_env(cfg), "PYTHONUNBUFFERED": "1"}
    return [
        program_section(
            cfg,
            svc.name,
            [
                str(VENV / "bin" / "uvicorn"),
                f"passerelle.{svc.module}.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(cfg.port(svc.port_var)),
                "--no-server-header",
                # X-Forwarded-For is read by the services from their trusted proxies only (libs.clients).
                "--no-proxy-headers",
            ],
            env=env,
            stopwait=15,
        )
        for svc in SERVICES
    ]


def services_configured(cfg: Config) -> bool:
    names = {svc.name for svc in SERVICES}
    return any(info["name"] in names for info in rpc(cfg).getAllProcessInfo())


def cmd_start(cfg: Config, with_services: bool) -> None:
    missing = missing_installs(cfg)
    if missing:
        raise StackError(f"not installed: {', '.join(missing)} -- run `stack.py install` first")
    started = time.monotonic()
    with stack_lock(cfg):
        running = supervisord_running(cfg)
        if not running:
            check_ports_free(cfg)
        sections, restart = infra_sections(cfg)
        # New services are added only once migrations ran (below); services already
        # running are kept, so a plain `start` never tears down a --with-services stack.
        keep_services = running and services_configured(cfg)
        write_supervisor_config(cfg, sections + (service_sections(cfg) if keep_services else []))
        if running:
            log("supervisord already running: applying config")
            apply_supervisor_config(cfg, restart)
        else:
            log(f"starting supervisord ({cfg.supervisor_conf})")
            launch_supervisord(cfg)
        wait_infra(cfg)
        setup_postgres(cfg)
        setup_topics(cfg)
        setup_s3(cfg)
        check_clamd_eicar(cfg)
        if with_services:
            run_migrations(cfg)
            write_supervisor_config(cfg, sections + service_sections(cfg))
            apply_supervisor_config(cfg, set())
        if with_services or keep_services:
            wait_services(cfg)
    log(f"stack up in {time.monotonic() - started:.1f}s -- `stack.py env` prints the endpoints")


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    # A zombie is gone for our purpose; its parent (maybe not us) just has to reap it.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    return True


def cmd_stop(cfg: Config) -> None:
    with stack_lock(cfg):
        if not supervisord_running(cfg):
            log(f"stack in {cfg.stack_dir} is not running")
            return
        server = rpc(cfg)
        pids = [info["pid"] for info in server.getAllProcessInfo() if info["pid"]]
        pids.append(server.getPID())
        log(f"stopping supervisord and {len(pids) - 1} programs")
        server.shutdown()  # stops every program (stopsignal, then SIGKILL) before exiting
        deadline = time.monotonic() + 180
        while not all(process_gone(pid) for pid in pids):
            if time.monotonic() > deadline:
                raise StackError(f"processes still alive after 180s: {[p for p in pids if not process_gone(p)]}")
            time.sleep(0.2)
    log("stack stopped")


def cmd_status(cfg: Config) -> int:
    if not supervisord_running(cfg):
        log(f"stack in {cfg.stack_dir} is not running")
        return 3
    return subprocess.run([str(VENV / "bin" / "supervisorctl"), "-c", str(cfg.supervisor_conf), "status"]).returncode


def cmd_logs(cfg: Config, program: str | None, lines: int) -> None:
    names = [program] if program else [*INFRA_PROGRAMS, *[s.name for s in SERVICES if cfg.log_file(s.name).exists()]]
    for name in names:
        if not program:
            print(f"===== {name} ({cfg.log_file(name)}) =====")
        print(tail_file(cfg.log_file(name), lines))


def cmd_env(cfg: Config, as_json: bool) -> None:
    env = stack_env(cfg)
    if as_json:
        print(json.dumps(env, indent=2))
    else:
        print("\n".join(f"export {k}={shlex.quote(v)}" for k, v in env.items()))


def cmd_wait(cfg: Config, with_services: bool) -> None:
    if not supervisord_running(cfg):
        raise StackError(f"stack in {cfg.stack_dir} is not running (`stack.py start`)")
    wait_infra(cfg)
    if with_services:
        wait_services(cfg)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install/build what is missing (cached in CACHE_DIR)")
    for name, text in (
        ("start", "start the stack and wait until it is ready"),
        ("wait", "only wait for readiness of a started stack"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--with-services", action="store_true", help="also run the six Python services (uvicorn)")
    sub.add_parser("stop", help="stop supervisord and every program")
    sub.add_parser("status", help="supervisorctl status")
    p = sub.add_parser("logs", help="tail of a program's log (all programs if none given)")
    p.add_argument("program", nargs="?")
    p.add_argument("-n", type=int, default=50, help="number of lines (default 50)")
    p = sub.add_parser("env", help="print `export NAME=value` for every endpoint")
    p.add_argument("--json", action="store_true", help="print a JSON object instead")
    return parser.parse_args(argv)


def ensure_venv_python() -> None:
    """supervisor, aiokafka and minio live in the project venv: re-exec under it if needed."""
    try:
        import supervisor  # noqa: F401
    except ImportError:
        venv_python = VENV / "bin" / "python"
        if venv_python.exists() and Path(sys.executable) != venv_python:
            os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])
        sys.exit("supervisor is not importable: run `uv sync` at the repository root")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.command not in ("env",):
        ensure_venv_python()
    cfg = Config.from_env()
    try:
        match args.command:
            case "install":
                cmd_install(cfg)
            case "start":
                cmd_start(cfg, args.with_services)
            case "stop":
                cmd_stop(cfg)
            case "status":
                return cmd_status(cfg)
            case "logs":
                cmd_logs(cfg, args.program, args.n)
            case "env":
                cmd_env(cfg, args.json)
            case "wait":
                cmd_wait(cfg, args.with_services)
    except StackError as exc:
        print(f"[stack] ERROR: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
