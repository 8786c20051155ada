#!/usr/bin/env python3
"""Creates a service in the house shape, registers it in services.toml and adds it to the uv workspace.

    make new-service NAME=training-offers [TITLE="Offres de formation"] [PORT=8006]
    python3 scripts/new_service.py training-offers --title "Offres de formation" [--port 8006] [--no-lock]

It renders scripts/service_template/ (files ending in .tmpl) into services/<name>/: pyproject, config.py,
bootstrap.py, main.py, cli.py, domain/, service_layer/ports.py, adapters/unit_of_work.py, entrypoints/http and
consumers.py, migrations/ (the delivery tables), a unit and an integration test. Then `uv lock` and `uv sync`
(skipped with --no-lock), so `make test` runs its tests and `make up` starts it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import registry

TEMPLATE = Path(__file__).resolve().parent / "service_template"
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_NAME = 30  # keeps the generated lines within the line length
NEW_SERVICES_MARK = "# New services go above this line"


def placeholders(name: str, title: str, description: str, today: dt.date) -> dict[str, str]:
    module = name.replace("-", "_")
    return {
        "name": name,
        "module": module,
        "Class": "".join(part.capitalize() for part in name.split("-")),
        "prefix": f"{module.upper()}_",
        "database": module,
        "asgi": f"passerelle.{module}.main:app",
        "title": title,
        "description": description,
        "date": today.strftime("%Y%m%d"),
        "iso_date": today.isoformat(),
    }


def render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    leftover = re.search(r"\{\{\w+\}\}", text)
    assert leftover is None, f"unknown placeholder {leftover.group(0)}"
    return text


def render_tree(target: Path, values: dict[str, str]) -> list[Path]:
    written = []
    for source in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = render(str(source.relative_to(TEMPLATE)), values).removesuffix(".tmpl")
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(source.read_text(), values))
        written.append(path)
    return written


def tidy(repo: Path, folder: Path) -> None:
    """Imports sorted and code formatted by the repository's ruff (the order depends on the service's name)."""
    venv_ruff = registry.REPO / ".venv" / "bin" / "ruff"
    ruff = str(venv_ruff) if venv_ruff.exists() else shutil.which("ruff")
    if ruff is None:
        print("ruff not found: run `make lint` once the workspace is installed", file=sys.stderr)
        return
    subprocess.run([ruff, "check", "--fix", "--quiet", "--select", "I", str(folder)], cwd=repo, check=True)
    subprocess.run([ruff, "format", "--quiet", str(folder)], cwd=repo, check=True)


def next_port(path: Path) -> int:
    taken = set(registry.port_defaults(path).values())
    port = max(s.port for s in registry.services(path)) + 1
    while port in taken:
        port += 1
    return port


def registry_entry(values: dict[str, str], port: int) -> str:
    return (
        "[[service]]\n"
        f'name = "{values["name"]}"\n'
        f"port = {port}\n"
        f'database = "{values["database"]}"\n'
        f'env_prefix = "{values["prefix"]}"\n'
        f'asgi = "{values["asgi"]}"\n'
        "consumers = false\n"
        "relay = true\n"
        f'label = "{values["title"]}"\n'
        "docs = true\n\n"
    )


def add_to_registry(path: Path, entry: str) -> None:
    text = path.read_text()
    if NEW_SERVICES_MARK not in text:
        raise SystemExit(f"{path}: no line starting with {NEW_SERVICES_MARK!r}")
    path.write_text(text.replace(NEW_SERVICES_MARK, entry + NEW_SERVICES_MARK, 1))


def add_to_workspace(pyproject: Path, distribution: str) -> None:
    """The root project depends on every service (so `uv sync` installs it) from the workspace."""
    text = pyproject.read_text()
    dependencies = re.search(r"(?ms)^dependencies = \[\n(.*?)^\]", text)
    sources = re.search(r"(?ms)^\[tool\.uv\.sources\]\n(.*?)(?=^\[|\Z)", text)
    if not dependencies or not sources:
        raise SystemExit(f"{pyproject}: no [project] dependencies or [tool.uv.sources] to extend")
    text = (
        text[: sources.end(1)].rstrip("\n")
        + f"\n{distribution} = {{ workspace = true }}\n\n"
        + text[sources.end(1) :].lstrip("\n")
    )
    text = text[: dependencies.end(1)] + f'    "{distribution}",\n' + text[dependencies.end(1) :]
    pyproject.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="lower case words joined by dashes, e.g. training-offers")
    parser.add_argument("--title", help="its name for people, in French (default: the name)")
    parser.add_argument("--description", default="", help="one sentence in French for its API page")
    parser.add_argument("--port", type=int, help="its development port (default: the next free one)")
    parser.add_argument("--repo", type=Path, default=registry.REPO, help="the repository to add it to")
    parser.add_argument("--no-lock", action="store_true", help="do not run `uv lock` and `uv sync`")
    args = parser.parse_args(argv)

    if not NAME.match(args.name) or len(args.name) > MAX_NAME:
        parser.error(f"{args.name!r}: use at most {MAX_NAME} lower case letters and digits, words joined by dashes")
    repo = args.repo.resolve()
    services_toml = repo / "services.toml"
    target = repo / "services" / args.name
    if target.exists() or any(s.name == args.name for s in registry.services(services_toml)):
        parser.error(f"service {args.name!r} exists already")
    title = args.title or args.name
    if any(c in f"{title}{args.description}" for c in '"\\\n'):
        parser.error("the title and the description are one line without double quotes or backslashes")
    values = placeholders(args.name, title, args.description or f"Le service {title}.", dt.date.today())
    port = args.port or next_port(services_toml)
    if port in registry.port_defaults(services_toml).values():
        parser.error(f"port {port} is taken")

    written = render_tree(target, values)
    add_to_registry(services_toml, registry_entry(values, port))
    add_to_workspace(repo / "pyproject.toml", f"passerelle-{args.name}")
    print(f"services/{args.name}: {len(written)} files; services.toml: port {port}, database {values['database']}")
    if not args.no_lock:
        # Only workspace packages are new: the lock resolves from what is cached, then the venv installs it.
        if subprocess.run(["uv", "lock", "--offline"], cwd=repo).returncode != 0:
            subprocess.run(["uv", "lock"], cwd=repo, check=True)
        subprocess.run(["uv", "sync", "--frozen", "--quiet"], cwd=repo, check=True)
        print("uv.lock updated and the workspace synced: `make test` runs its tests, `make up` starts it")
    tidy(repo, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
