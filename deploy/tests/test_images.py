"""The image builder's inputs and generated files (no engine needed): what changes an image's tag, and that the
infrastructure images run with the native stack's own settings."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location(
        "passerelle_images_under_test", REPO / "deploy" / "images" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_service_of_the_registry_has_an_image_keyed_by_its_own_sources(build):
    registry = build._registry()
    assert set(build.SERVICES) == {entry.name for entry in registry.services()}
    contracts = {str(p.relative_to(REPO)) for p in build.workspace_sources("contracts")}
    assert "uv.lock" in contracts and "services/contracts/alembic.ini" in contracts
    assert any(p.startswith("services/contracts/src/") for p in contracts)
    assert not any(p.startswith("services/documents/") for p in contracts)
    assert not any("/libs/testing/" in p or "/tests/" in p for p in contracts)  # never shipped, never a key
    keys = {name: build.IMAGES[name].key for name in build.SERVICES}
    assert len(set(keys.values())) == len(keys)


def test_digest_follows_content(build, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("one")
    first = build.digest(["x", a])
    a.write_text("two")
    assert build.digest(["x", a]) != first
    assert build.digest(["x", a]) == build.digest(["x", a])


def render_args(script: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        ["sh", "-c", script + '\nprintf "%s\\n" "$@"'], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_postgres_image_runs_with_the_native_settings_and_setup(build):
    files = build.infra_generated("postgres")
    args = render_args(files["server-args.sh"], {"PG_PORT": "47432", "PG_LISTEN": "127.0.0.1", "PGDATA": "/d"})
    native = build.nativestack().postgres.server_settings(port=47432, socket_dir="/var/run/postgresql")
    assert args == [f"--{k.replace('_', '-')}={v}" for k, v in native.items()]
    assert "--log-line-prefix=%m [%p] %q%u@%d " in args  # spaces and % survive the shell
    assert files["setup.sql"] == build.nativestack().postgres.setup_sql()


def test_kafka_clamd_and_s3_images_fill_the_native_configuration_from_their_environment(build):
    ns = build.nativestack()
    kafka = build.infra_generated("kafka")["server-properties.sh"]
    env = {"KAFKA_PORT": "51092", "KAFKA_CONTROLLER_PORT": "51093", "KAFKA_LISTEN_HOST": "127.0.0.1",
           "KAFKA_ADVERTISED_HOST": "127.0.0.1", "KAFKA_PARTITIONS": "6", "conf": "/dev/stdout",
           "KAFKA_ADMIN_PASSWORD": "adm1n", "KAFKA_CONTROLLER_PASSWORD": "c0ntroller"}  # fmt: skip
    rendered = subprocess.run(["sh", "-c", kafka], env=env, capture_output=True, text=True, check=True).stdout
    expected = ns.kafka.render_properties(
        ns.kafka.server_properties(
            51092,
            51093,
            "/var/lib/kafka/data",
            host="127.0.0.1",
            partitions=6,
            admin_password="adm1n",
            controller_password="c0ntroller",
        )  # fmt: skip
    )
    assert rendered == expected
    clamd = build.infra_generated("clamd")["clamd-conf.sh"].replace("/tmp/clamd/clamd.conf", "/dev/stdout")
    conf = subprocess.run(
        ["sh", "-c", clamd],
        env={"CLAMD_PORT": "45310", "CLAMD_LISTEN_HOST": "127.0.0.1"},
        capture_output=True,
        text=True,
    ).stdout
    assert "TCPSocket 45310\n" in conf and "TCPAddr 127.0.0.1\n" in conf and "StreamMaxLength 25M" in conf
    s3 = render_args(build.infra_generated("s3")["server-args.sh"], {"S3_PORT": "51000", "S3_LISTEN_HOST": "127.0.0.1"})
    assert s3 == ns.s3.server_command("versitygw", 51000, "/var/lib/s3")[1:]


@pytest.mark.parametrize("value", ["plain", "with space", 'a"quote', "back\\slash", "$HOME", "cost $5", "`cmd`"])
def test_shell_words_keep_references_and_nothing_else(build, value):
    assert render_args(f"set -- {build.sh_quote(value)}", {"HOME": "/h"}) == [value.replace("$HOME", "/h")]
