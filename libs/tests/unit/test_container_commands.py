"""The commands the container path runs in place of the tests' host processes (passerelle.libs.testing.containers)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from passerelle.libs.testing import containers
from passerelle.libs.testing.processes import ServiceProcess

IMAGES = {"identity": "passerelle/identity:abc", "contracts": "passerelle/contracts:def"}


@pytest.fixture(autouse=True)
def images(monkeypatch):
    monkeypatch.setenv(containers.IMAGES_VAR, json.dumps(IMAGES))
    monkeypatch.setenv(containers.SESSION_VAR, "0123456789abcdef")


def test_a_uvicorn_process_keeps_its_switches_in_the_container():
    host = [
        "/venv/bin/python",
        "-m",
        "uvicorn",
        "passerelle.identity.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        "41234",
        "--app-dir",
        "/work/main",
        "--no-server-header",
        "--no-proxy-headers",
        "--timeout-keep-alive",
        "75",
    ]
    image, command = containers.image_for(host)
    assert image == IMAGES["identity"]
    # X-Forwarded-For is not believed in the container either (the identity tests send a forged one).
    assert "--no-proxy-headers" in command and "--no-server-header" in command
    assert command[command.index("--port") + 1] == "41234"
    assert command[command.index("--timeout-keep-alive") + 1] == "75"
    assert "--app-dir" not in command and "/work/main" not in command


def test_a_module_runs_in_its_services_image_and_the_kit_in_any_and_the_rest_stays_on_the_host():
    assert containers.image_for(["python", "-m", "passerelle.identity.cli", "--skip-migrations"]) == (
        IMAGES["identity"],
        ["python3", "-m", "passerelle.identity.cli", "--skip-migrations"],
    )
    assert containers.image_for(["python", "-m", "passerelle.libs.relay"])[0] == IMAGES["contracts"]
    assert containers.image_for(["python", "-m", "tests.e2e.probe"]) is None
    assert containers.image_for(["python", "-m", "passerelle.portal.main"]) is None  # no image given for it


def test_only_the_platforms_variables_are_handed_to_a_container():
    env = {"PASSERELLE_KAFKA_BOOTSTRAP": "127.0.0.1:19092", "IDENTITY_DATABASE_URL": "postgresql://x", "HOME": "/root"}
    command = containers.docker_run_command("identity", IMAGES["identity"], ["python3", "-m", "x"], env)
    assert "PASSERELLE_KAFKA_BOOTSTRAP=127.0.0.1:19092" in command
    assert "IDENTITY_DATABASE_URL=postgresql://x" in command
    assert not any(part.startswith("HOME=") for part in command)
    assert command[command.index("--network") + 1] == "host"
    assert containers.container_name(command).startswith("passerelle-01234567-identity-")


@pytest.fixture
def docker_log(tmp_path, monkeypatch):
    """A `docker` on PATH that records its arguments: what ServiceProcess asks of the engine."""
    log = tmp_path / "docker.log"
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    return log


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_a_container_whose_client_is_gone_is_still_removed(docker_log, tmp_path, how):
    # The `docker run` client has exited (killed, or gone while the engine was slow), its container has not:
    # stopping or killing the process must still remove the container, or it goes on consuming.
    process = ServiceProcess("notifier", ["true"], {}, tmp_path)
    process.proc = subprocess.Popen(["true"])
    process.proc.wait()
    process.container = "passerelle-01234567-notifier-abcdef"
    getattr(process, how)()
    calls = docker_log.read_text().splitlines()
    assert calls[-1] == "rm --force passerelle-01234567-notifier-abcdef", calls
    assert calls[0].startswith("stop" if how == "stop" else "kill --signal KILL"), calls


def test_a_container_the_engine_cannot_remove_is_an_error(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "Error response from daemon: engine unreachable" >&2\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    with pytest.raises(RuntimeError, match="engine unreachable"):
        containers.docker_remove("passerelle-01234567-notifier-abcdef")
