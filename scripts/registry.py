#!/usr/bin/env python3
"""The service registry (`services.toml` at the repository root), read with the standard library only.

Everything that needs the list of services reads it here: the Makefile and the shell scripts through the
command line below, the native stack, the AsyncAPI export and the tests by importing this file. It works
before the workspace is installed (no third-party import).

    registry.py names                  service names, one line (the Makefile's SERVICES)
    registry.py ports [--offset N]     `export NAME_PORT=...` for every port, shifted by N
    registry.py urls                   the addresses `make up` prints (ports from the environment)
    registry.py json                   the whole registry as JSON
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python before 3.11; the project's own is 3.11
    sys.exit(f"{__file__}: needs Python 3.11 or later (tomllib); this is {sys.version.split()[0]}")
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REGISTRY_FILE = REPO / "services.toml"
# Test ports are the development ports shifted by TEST_PORT_OFFSET, so several checkouts run their suites
# side by side on one machine, each with its own offset.
DEFAULT_TEST_PORT_OFFSET = 10000


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    port: int
    env_prefix: str
    asgi: str
    consumers: bool
    relay: bool
    label: str
    docs: bool
    database: str | None = None

    @property
    def module(self) -> str:
        """The Python package under `passerelle.` (dashes are not allowed there)."""
        return self.name.replace("-", "_")

    @property
    def port_var(self) -> str:
        return f"{self.module.upper()}_PORT"

    @property
    def url_var(self) -> str:
        return f"PASSERELLE_{self.module.upper()}_URL"

    @property
    def folder(self) -> Path:
        return REPO / "services" / self.name

    @property
    def distribution(self) -> str:
        return f"passerelle-{self.name}"


@functools.cache
def _load(path: Path = REGISTRY_FILE) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def services(path: Path = REGISTRY_FILE) -> tuple[ServiceEntry, ...]:
    return tuple(ServiceEntry(**entry) for entry in _load(path)["service"])


def service(name: str, path: Path = REGISTRY_FILE) -> ServiceEntry:
    for entry in services(path):
        if entry.name == name:
            return entry
    raise KeyError(f"no service {name!r} in {path}")


def infrastructure_ports(path: Path = REGISTRY_FILE) -> dict[str, int]:
    return dict(_load(path)["infrastructure"]["ports"])


def port_defaults(path: Path = REGISTRY_FILE) -> dict[str, int]:
    """Every development port by its variable: the infrastructure's, then the services'."""
    return {**infrastructure_ports(path), **{s.port_var: s.port for s in services(path)}}


def databases(path: Path = REGISTRY_FILE) -> tuple[str, ...]:
    """The databases a stack creates: each service's own, then the extra ones (the e2e suite's)."""
    own = tuple(s.database for s in services(path) if s.database)
    return own + tuple(_load(path)["infrastructure"].get("extra_databases", ()))


def test_port_offset(env: dict[str, str] | os._Environ[str] | None = None) -> int:
    env = os.environ if env is None else env
    return int(env.get("TEST_PORT_OFFSET") or DEFAULT_TEST_PORT_OFFSET)


def shifted_ports(offset: int, path: Path = REGISTRY_FILE) -> dict[str, int]:
    return {var: port + offset for var, port in port_defaults(path).items()}


def _urls() -> list[str]:
    lines = []
    for entry in services():
        port = os.environ.get(entry.port_var) or str(entry.port)
        lines.append(f"{entry.label:<19}http://127.0.0.1:{port}{'/docs' if entry.docs else ''}")
    mail_port = os.environ.get("MAIL_WEB_PORT") or str(infrastructure_ports()["MAIL_WEB_PORT"])
    lines.append(f"{'Courriels reçus':<19}http://127.0.0.1:{mail_port}")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("names", help="service names on one line")
    ports = sub.add_parser("ports", help="`export NAME_PORT=...` for every port")
    ports.add_argument("--offset", type=int, default=0, help="added to every development port")
    sub.add_parser("urls", help="the addresses `make up` prints")
    sub.add_parser("json", help="the whole registry as JSON")
    args = parser.parse_args(argv)
    match args.command:
        case "names":
            print(" ".join(s.name for s in services()))
        case "ports":
            print("\n".join(f"export {var}={port}" for var, port in shifted_ports(args.offset).items()))
        case "urls":
            print("\n".join(_urls()))
        case "json":
            document = {
                "services": [{**asdict(s), "module": s.module, "port_var": s.port_var} for s in services()],
                "infrastructure": {"ports": infrastructure_ports(), "databases": list(databases())},
            }
            print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
