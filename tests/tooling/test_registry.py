"""services.toml is the one list of services: what it says must be what the repository holds."""

import importlib
import json
import subprocess
import sys
import tomllib

import pytest

from passerelle.libs.testing.stack import REPO, TEST_STACK_ENV, load_registry, shifted_test_ports


def test_every_service_folder_is_registered_and_every_entry_has_a_folder(registry):
    folders = {p.parent.name for p in (REPO / "services").glob("*/pyproject.toml")}
    assert folders == {s.name for s in registry.services()}


def test_every_service_is_a_member_and_a_dependency_of_the_workspace(registry):
    root = tomllib.loads((REPO / "pyproject.toml").read_text())
    for entry in registry.services():
        assert entry.distribution in root["project"]["dependencies"], entry.name
        assert root["tool"]["uv"]["sources"][entry.distribution] == {"workspace": True}, entry.name
        package = tomllib.loads((entry.folder / "pyproject.toml").read_text())
        assert package["project"]["name"] == entry.distribution


@pytest.mark.parametrize("name", [entry.name for entry in load_registry().services()])
def test_settings_prefix_and_database_are_the_registry_s(registry, name):
    entry = registry.service(name)
    settings = importlib.import_module(f"passerelle.{entry.module}.config").Settings
    assert settings.model_config["env_prefix"] == entry.env_prefix
    assert settings.database_name == entry.database
    # A service with a database has migrations (the stack runs them) and its outbox relay runs in-process.
    assert (entry.folder / "alembic.ini").exists() == (entry.database is not None)
    assert entry.relay == (entry.database is not None)


def test_asgi_module_and_consumers_match_the_code(registry):
    for entry in registry.services():
        module, _, attribute = entry.asgi.partition(":")
        assert attribute == "app" and importlib.util.find_spec(module), entry.asgi
        bootstrap = importlib.import_module(f"passerelle.{entry.module}.bootstrap").bootstrap
        operations = json.loads(bootstrap().asyncapi()).get("operations", {})
        receives = any(op["action"] == "receive" for op in operations.values())
        assert receives == entry.consumers, f"{entry.name}: consumers={entry.consumers} but receives={receives}"


def test_ports_and_databases_are_unique(registry):
    ports = registry.port_defaults()
    assert len(set(ports.values())) == len(ports)
    databases = registry.databases()
    assert len(set(databases)) == len(databases) and "e2e" in databases


def test_test_ports_are_the_development_ports_shifted_by_the_offset(registry, monkeypatch):
    shifted = shifted_test_ports(12000)
    assert shifted["KAFKA_PORT"] == "21092" and shifted["NOTIFIER_PORT"] == "20005"
    assert set(shifted) == set(registry.port_defaults())
    # Without TEST_PORT_OFFSET the suite's historical ports (offset 10000) hold.
    monkeypatch.delenv("TEST_PORT_OFFSET", raising=False)
    assert shifted_test_ports()["PG_PORT"] == "15432"
    assert set(TEST_STACK_ENV) == {"STACK_DIR", *registry.port_defaults()}


def test_the_shell_reads_the_same_ports_and_names(registry):
    exports = subprocess.run(
        [sys.executable, "-I", "-S", str(REPO / "scripts" / "registry.py"), "ports", "--offset", "7"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert exports == [f"export {k}={v + 7}" for k, v in registry.port_defaults().items()]
    lint = subprocess.run(["make", "-s", "-n", "lint"], cwd=REPO, check=True, capture_output=True, text=True).stdout
    assert f"for s in {' '.join(s.name for s in registry.services())}; do" in lint  # every service type-checked
