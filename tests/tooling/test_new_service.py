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
def test_make_new_service_in_a_copy_of_the_repository_installs_it_in_the_workspace(tmp_path, registry):
    """The whole path of `make new-service`: uv lock and uv sync, then the registry checks hold for it too."""
    repo = tmp_path / "repo"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (REPO / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, repo / name)
    subprocess.run(["make", "-s", "new-service", f"NAME={NAME}", "TITLE=Sonde"], cwd=repo, check=True)
    python = repo / ".venv" / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-c", f"import passerelle.{MODULE}.main as m; print(m.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.startswith(str(repo / "services" / NAME)), installed.stdout
    env = subprocess.run([str(python), "deploy/native/stack.py", "env"], cwd=repo, capture_output=True, text=True)
    assert f"PASSERELLE_{MODULE.upper()}_URL=" in env.stdout
    # Its own tests (the integration one on the real stack) and the registry's checks, in the copy's venv.
    stack = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | ensure_stack()
    checks = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            f"services/{NAME}",
            "tests/tooling/test_registry.py",
            "-v",
            "-p",
            "no:cacheprovider",
        ],
        cwd=repo,
        env=stack,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        assert checks.returncode == 0, checks.stdout[-3000:] + checks.stderr[-2000:]
        for test in (
            "test_settings_follow_the_platform_conventions",
            "test_the_service_is_ready_on_its_migrated_database",
            "test_the_migrated_database_matches_the_metadata",
        ):
            assert f"{test} PASSED" in checks.stdout, checks.stdout[-3000:]
    finally:
        engine = sa.create_engine(f"{database_admin_url()}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{MODULE}_test" WITH (FORCE)'))
        engine.dispose()
