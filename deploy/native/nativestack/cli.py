"""Passerelle native local stack: infrastructure as plain processes under supervisord.

No containers here: PostgreSQL 15 (Debian), Kafka 4.1 in KRaft mode (jars from
Maven Central), versitygw as the S3 server (built with `go install`), clamd with a
local EICAR-only signature database, and a small mail catcher. supervisord (from
the project venv) owns every process; this script only writes configs, starts
supervisord and waits for readiness.

    stack.py install | start [--with-services] | stop | status | logs [prog] [-n N]
             env [--json] | wait [--with-services]

Every port and folder comes from environment variables (see `config.Config`), so that a
second stack (the test suite's, STACK_DIR=.stack/test) runs beside the dev one.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import clamd, kafka, mail, postgres, s3, services, supervision
from .common import StackError, apt_install, log, tail_file
from .config import HERE, VENV, Config, stack_env, stack_lock

ENTRY_SCRIPT = HERE / "stack.py"
INFRA_PROGRAMS = ("postgres", "kafka", "s3", "clamd", "mail")
INFRA_WAITS: dict[str, tuple[Callable[[Config], bool], float]] = {
    "clamd": (clamd.probe, 120),
    "mail": (mail.probe, 60),
    "s3": (s3.probe, 60),
    "postgres": (postgres.probe, 90),
    "kafka": (kafka.probe, 180),
}


# --------------------------------------------------------------------------- install


def install_system_packages() -> None:
    missing = postgres.missing_packages() + clamd.missing_packages()
    if missing:
        log(f"installing {' '.join(missing)} from apt")
        apt_install(missing)
        clamd.disable_packaged_clamav()
    else:
        log("postgresql-15 and clamav already installed")


def cmd_install(cfg: Config) -> None:
    started = time.monotonic()
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)

    def system_then_db() -> None:
        install_system_packages()
        clamd.build_database(cfg)

    # apt/maven are mostly network-bound and go is CPU-bound: run them side by side.
    steps = [system_then_db, lambda: kafka.install(cfg), lambda: s3.install(cfg)]
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
        "postgresql-15": postgres.installed(),
        "clamd": clamd.installed(),
        "clamav database": clamd.database_built(cfg),
        "kafka jars": kafka.installed(cfg),
        "versitygw": s3.installed(cfg),
        "supervisord": (VENV / "bin" / "supervisord").exists(),
    }
    return [name for name, ok in checks.items() if not ok]


# --------------------------------------------------------------------------- start


def infra_sections(cfg: Config) -> tuple[list[str], set[str]]:
    """Generate every infra config; returns supervisord sections and programs to restart."""
    for d in (cfg.stack_dir, cfg.logs_dir, cfg.run_dir):
        d.mkdir(parents=True, exist_ok=True)
    kafka_cmd, kafka_changed = kafka.configure(cfg)
    clamd_cmd, clamd_changed = clamd.configure(cfg)
    section = functools.partial(supervision.program_section, cfg)
    sections = [
        # SIGINT = postgres "fast" shutdown; TERM would wait for clients to leave.
        section("postgres", postgres.configure(cfg), stopsignal="INT", stopwait=60, user=postgres.program_user()),
        section("kafka", kafka_cmd, stopwait=90, startsecs=5),
        section("s3", s3.configure(cfg), env=s3.server_env(cfg.s3_access_key, cfg.s3_secret_key)),
        section("clamd", clamd_cmd),
        section("mail", mail.configure(cfg), env={"PYTHONUNBUFFERED": "1"}),
    ]
    restart = {name for name, changed in (("kafka", kafka_changed), ("clamd", clamd_changed)) if changed}
    return sections, restart


def wait_infra(cfg: Config) -> None:
    for program, (probe, timeout) in INFRA_WAITS.items():
        supervision.wait_for(cfg, program, functools.partial(probe, cfg), timeout)


def cmd_start(cfg: Config, with_services: bool) -> None:
    missing = missing_installs(cfg)
    if missing:
        raise StackError(f"not installed: {', '.join(missing)} -- run `stack.py install` first")
    started = time.monotonic()
    with stack_lock(cfg):
        running = supervision.running(cfg)
        if not running:
            supervision.check_ports_free(cfg)
        sections, restart = infra_sections(cfg)
        # New services are added only once migrations ran (below); services already
        # running are kept, so a plain `start` never tears down a --with-services stack.
        keep_services = running and services.configured(cfg)
        supervision.write_config(cfg, sections + (services.sections(cfg) if keep_services else []))
        if running:
            log("supervisord already running: applying config")
            supervision.apply_config(cfg, restart)
        else:
            log(f"starting supervisord ({cfg.supervisor_conf})")
            supervision.launch(cfg)
        wait_infra(cfg)
        postgres.setup(cfg)
        kafka.setup_topics(cfg)
        kafka.setup_acls(cfg)
        s3.setup(cfg)
        clamd.check_eicar(cfg)
        if with_services:
            services.run_migrations(cfg)
            supervision.write_config(cfg, sections + services.sections(cfg))
            supervision.apply_config(cfg, set())
        if with_services or keep_services:
            services.wait(cfg)
    log(f"stack up in {time.monotonic() - started:.1f}s -- `stack.py env` prints the endpoints")


# --------------------------------------------------------------------------- other commands


def cmd_stop(cfg: Config) -> None:
    with stack_lock(cfg):
        if not supervision.running(cfg):
            log(f"stack in {cfg.stack_dir} is not running")
            return
        supervision.shutdown(cfg)
    log("stack stopped")


def cmd_status(cfg: Config) -> int:
    if not supervision.running(cfg):
        log(f"stack in {cfg.stack_dir} is not running")
        return 3
    return supervision.supervisorctl(cfg, "status")


def cmd_logs(cfg: Config, program: str | None, lines: int) -> None:
    present = [i.program for i in services.instances(cfg) if cfg.log_file(i.program).exists()]
    names = [program] if program else [*INFRA_PROGRAMS, *present]
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
    if not supervision.running(cfg):
        raise StackError(f"stack in {cfg.stack_dir} is not running (`stack.py start`)")
    wait_infra(cfg)
    if with_services:
        services.wait(cfg)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install/build what is missing (cached in CACHE_DIR)")
    for name, text in (
        ("start", "start the stack and wait until it is ready"),
        ("wait", "only wait for readiness of a started stack"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument(
            "--with-services", action="store_true", help="also run the Python services of services.toml (uvicorn)"
        )
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
            os.execv(str(venv_python), [str(venv_python), str(ENTRY_SCRIPT), *sys.argv[1:]])
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
