"""`make new-service`: a throwaway service generated into a copy of the repository's skeleton, then its own
tests (unit, and integration on the real stack) and ruff run on it."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from passerelle.libs.testing.stack import REPO, database_admin_url, ensure_stack

NAME, MODULE = "scaffold-probe", "scaffold_probe"
HOUSE_SHAPE = [
    "pyproject.toml",
    "alembic.ini",
    "migrations/env.py",
    "migrations/script.py.mako",
    f"src/passerelle/{MODULE}/config.py",
    f"src/passerelle/{MODULE}/bootstrap.py",
    f"src/passerelle/{MODULE}/main.py",
    f"src/passerelle/{MODULE}/cli.py",
    f"src/passerelle/{MODULE}/domain/__init__.py",
    f"src/passerelle/{MODULE}/service_layer/ports.py",
    f"src/passerelle/{MODULE}/service_layer/context.py",
    f"src/passerelle/{MODULE}/adapters/unit_of_work.py",
    f"src/passerelle/{MODULE}/entrypoints/http/routes.py",
    f"src/passerelle/{MODULE}/entrypoints/consumers.py",
    f"tests/unit/test_{MODULE}_config.py",
    f"tests/integration/test_{MODULE}_ready.py",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory, registry) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    for name in ("pyproject.toml", "services.toml"):
        shutil.copy(REPO / name, repo / name)
    shutil.copytree(REPO / "scripts", repo / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "services").mkdir()
    subprocess.run(
        [sys.executable, str(repo / "scripts" / "new_service.py"), NAME, "--title", "Sonde", "--no-lock"],
        cwd=repo,
        check=True,
    )
    return repo


def test_the_service_is_registered_and_in_the_workspace(generated, registry):
    entry = registry.service(NAME, generated / "services.toml")
    assert (entry.database, entry.env_prefix, entry.asgi) == (
        MODULE,
        "SCAFFOLD_PROBE_",
        f"passerelle.{MODULE}.main:app",
    )
    taken = set(registry.port_defaults().values())
    assert entry.port not in taken and entry.port == max(s.port for s in registry.services()) + 1
    root = tomllib.loads((generated / "pyproject.toml").read_text())
    assert f"passerelle-{NAME}" in root["project"]["dependencies"]
    assert root["tool"]["uv"]["sources"][f"passerelle-{NAME}"] == {"workspace": True}
    # The services already there are untouched.
    assert registry.services(generated / "services.toml")[:-1] == registry.services()


def test_the_tree_has_the_house_shape_and_is_lint_and_type_clean(generated):
    folder = generated / "services" / NAME
    missing = [path for path in HOUSE_SHAPE if not (folder / path).is_file()]
    assert not missing
    assert not list(folder.rglob("*.tmpl")) and "{{" not in "".join(p.read_text() for p in folder.rglob("*.py"))
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", str(folder)], cwd=generated, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    mypy = Path(sys.executable).parent / "mypy"  # with the repository's settings, as `make lint` runs it
    result = subprocess.run([str(mypy), str(folder / "src")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.integration
def test_its_own_unit_and_integration_tests_pass(generated):
    env = {**os.environ, **ensure_stack()}
    env["PYTHONPATH"] = os.pathsep.join([str(generated / "services" / NAME / "src"), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(generated / "services" / NAME), "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "2 passed" in result.stdout
    finally:
        engine = sa.create_engine(f"{database_admin_url()}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{MODULE}_test" WITH (FORCE)'))
        engine.dispose()
