"""The native stack's modules: importable with the standard library alone, configuration reusable elsewhere."""

import json
import subprocess
import sys

import pytest

from passerelle.libs.testing.stack import REPO

STACK = REPO / "deploy" / "native" / "stack.py"
MODULES = ("config", "common", "postgres", "kafka", "s3", "clamd", "mail", "supervision", "services", "cli")


def isolated_python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The machine's Python (the venv's base) without any site-packages (-S), as before `uv sync`."""
    python = getattr(sys, "_base_executable", sys.executable)
    return subprocess.run([python, "-I", "-S", *args], capture_output=True, text=True, env=env, cwd=REPO)


def test_every_module_imports_without_the_workspace():
    code = f"import sys; sys.path.insert(0, {str(STACK.parent)!r}); " + "; ".join(
        f"import nativestack.{m}" for m in MODULES
    )
    result = isolated_python("-c", code + "; import supervisor")
    # Every module imported; only the final third-party import fails.
    assert "No module named 'supervisor'" in result.stderr, result.stderr


def test_env_runs_before_the_workspace_is_installed_and_lists_every_registered_service(registry):
    ports = {k: str(v + 3) for k, v in registry.port_defaults().items()}
    result = isolated_python(str(STACK), "env", "--json", env={"PATH": "/usr/bin:/bin", **ports})
    assert result.returncode == 0, result.stderr
    env = json.loads(result.stdout)
    assert env["PASSERELLE_KAFKA_BOOTSTRAP"] == f"127.0.0.1:{ports['KAFKA_PORT']}"
    for entry in registry.services():
        assert env[entry.url_var] == f"http://127.0.0.1:{ports[entry.port_var]}"


def test_other_commands_rerun_themselves_under_the_project_venv(tmp_path):
    """Started by a Python without supervisor, `status` re-executes stack.py with the venv's Python."""
    result = isolated_python(str(STACK), "status", env={"PATH": "/usr/bin:/bin", "STACK_DIR": str(tmp_path)})
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"stack in {tmp_path} is not running" in result.stdout


def test_kafka_properties_serve_a_container_as_well(nativestack):
    from nativestack import kafka

    props = kafka.server_properties(
        9092,
        9093,
        "/var/lib/kafka",
        host="0.0.0.0",
        advertised_host="kafka",
        admin_password="a",
        controller_password="c",
    )
    assert props["listeners"] == "CLIENT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093"
    assert props["advertised.listeners"] == "CLIENT://kafka:9092"
    # No PLAINTEXT anywhere: SCRAM for clients, PLAIN from the broker's own user on the controller listener.
    assert props["listener.security.protocol.map"] == "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT"
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["controller.quorum.voters"] == "1@kafka:9093"
    rendered = kafka.render_properties(props).splitlines()
    assert rendered[0].startswith("#") and "log.dirs=/var/lib/kafka" in rendered


def test_a_container_entrypoint_fills_in_the_same_kafka_properties(nativestack, tmp_path):
    """Rendered with shell references and filled in by sh, the file is the one the native stack writes."""
    from nativestack import kafka

    template = kafka.render_properties(
        kafka.server_properties(
            "$KAFKA_PORT",
            "$KAFKA_CONTROLLER_PORT",
            "/var/lib/kafka/data",
            host="$LISTEN_HOST",
            admin_password="$ADMIN_PASSWORD",
            controller_password="$CONTROLLER_PASSWORD",
        )
    )
    script = f"cat <<PROPS\n{template}PROPS\n"
    env = {"KAFKA_PORT": "9092", "KAFKA_CONTROLLER_PORT": "9093", "LISTEN_HOST": "127.0.0.1",
           "ADMIN_PASSWORD": "a", "CONTROLLER_PASSWORD": "c"}  # fmt: skip
    filled = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    expected = kafka.server_properties(9092, 9093, "/var/lib/kafka/data", admin_password="a", controller_password="c")
    assert filled == kafka.render_properties(expected)


def test_postgres_and_clamd_settings_take_plain_values(nativestack):
    from nativestack import clamd, postgres

    settings = postgres.server_settings(5432, "/run/postgresql", listen_addresses="*")
    command = postgres.server_command("postgres", "/data", settings)
    assert command[:3] == ["postgres", "-D", "/data"]
    assert "--listen-addresses=*" in command and "--unix-socket-directories=/run/postgresql" in command
    sql = postgres.setup_sql(("identity", "e2e"))
    assert "ARRAY['identity','e2e']" in sql and "CREATE ROLE passerelle" in sql
    conf = clamd.clamd_conf(pid_file="/run/c.pid", temp_dir="/tmp", database_dir="/db", port=3310, host="0.0.0.0")
    assert "TCPSocket 3310" in conf.splitlines() and "TCPAddr 0.0.0.0" in conf.splitlines()


def test_program_sections_escape_percent_and_refuse_quotes(nativestack, tmp_path, monkeypatch):
    from nativestack import supervision
    from nativestack.common import StackError
    from nativestack.config import Config

    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    cfg = Config.from_env()
    section = supervision.program_section(cfg, "x", ["echo", "50%"], env={"A": "1%"})
    assert "command=echo 50%%" in section and 'environment=A="1%%"' in section
    with pytest.raises(StackError):
        supervision.program_section(cfg, "x", ["true"], env={"A": 'say "hi"'})


def test_python_services_come_from_the_registry(nativestack, registry, tmp_path, monkeypatch):
    from nativestack import services
    from nativestack.config import Config

    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    sections = services.sections(Config.from_env())
    names = [s.splitlines()[0] for s in sections]
    assert names == [f"[program:{entry.name}]" for entry in registry.services()]
    assert all(entry.asgi in section for entry, section in zip(registry.services(), sections, strict=True))


def test_consumer_services_run_side_by_side_with_service_replicas(nativestack, registry, tmp_path, monkeypatch):
    from nativestack import services
    from nativestack.config import Config

    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    monkeypatch.setenv("SERVICE_REPLICAS", "2")
    monkeypatch.setenv("CONTRACTS_PORT", "28002")
    cfg = Config.from_env()
    programs = {i.program: i.port for i in services.instances(cfg)}
    consumers = [e.name for e in registry.services() if e.consumers]
    others = [e.name for e in registry.services() if not e.consumers]
    assert consumers and others
    assert set(programs) == {*consumers, *others, *(f"{name}-2" for name in consumers)}
    assert programs["contracts"] == 28002 and programs["contracts-2"] == 28102
    sections = {s.splitlines()[0]: s for s in services.sections(cfg)}
    second = sections["[program:contracts-2]"]
    assert "--port 28102" in second and "passerelle.contracts.main:app" in second
    # The same endpoints as the first (its database and consumer group come from the same variables).
    assert second.split("environment=")[1] == sections["[program:contracts]"].split("environment=")[1]


def test_stack_help_is_unchanged_in_shape():
    result = subprocess.run([sys.executable, str(STACK), "--help"], capture_output=True, text=True, check=True)
    for command in ("install", "start", "wait", "stop", "status", "logs", "env"):
        assert command in result.stdout


def test_each_service_principal_may_write_only_what_it_owns_and_read_only_what_it_consumes(nativestack):
    from nativestack import kafka

    from passerelle.libs.revocation import TOPICS as REVOCATION_TOPICS
    from passerelle.schemas.registry import OWNERS

    consumed = {m: kafka.consumed_topics(m) for m, svc in kafka.service_principals().items() if svc.consumers}
    assert "contract.transmitted" in consumed["opco_processing"] and "portal" not in consumed
    plan = kafka.acl_plan(consumed)

    def allowed(principal: str, operation: str) -> set[tuple[str, str, str]]:
        return {(a.resource, a.pattern, a.name) for a in plan if a.principal == principal and a.operation == operation}

    for principal in kafka.service_principals():
        literal_writes = {name for kind, pattern, name in allowed(principal, "WRITE") if pattern == "LITERAL"}
        assert literal_writes == {t for t, owner in OWNERS.items() if owner == principal}
        reads = {name for kind, _, name in allowed(principal, "READ") if kind == "TOPIC"}
        assert reads == set(consumed.get(principal, [])) | set(REVOCATION_TOPICS)
        # Nothing PREFIXED but its own dead letters and groups, never a wildcard.
        assert {n for _, p, n in allowed(principal, "WRITE") if p == "PREFIXED"} <= {f"dlt.{principal}"}
        assert all(a.name != "*" for a in plan)
    assert allowed("portal", "WRITE") == set() and allowed("portal", "CREATE") == set()
    assert ("GROUP", "PREFIXED", "notifier") in allowed("notifier", "READ")
    assert ("TOPIC", "PREFIXED", "dlt.documents") in allowed("documents", "CREATE")


def test_every_launcher_keeps_idle_connections_longer_than_the_clients_keep_theirs(nativestack, tmp_path, monkeypatch):
    """The native stack, the service image's entrypoint and the test processes give uvicorn the platform's
    keep-alive: a client's idle connection is never the one the server is closing (libs.client)."""
    from nativestack import services
    from nativestack.config import Config

    from passerelle.libs.client import IDLE_CONNECTION_SECONDS, SERVER_KEEP_ALIVE_SECONDS
    from passerelle.libs.testing.processes import ServiceProcess

    assert SERVER_KEEP_ALIVE_SECONDS > 60 > IDLE_CONNECTION_SECONDS  # past the proxies', and well below uvicorn's 5 s
    flag = f"--timeout-keep-alive {SERVER_KEEP_ALIVE_SECONDS}"
    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    sections = services.sections(Config.from_env())
    assert sections and all(flag in section for section in sections)
    entrypoint = (REPO / "deploy" / "images" / "service-entrypoint.sh").read_text()
    assert flag in entrypoint.split("serve)")[1].split(";;")[0]
    process = ServiceProcess.uvicorn("contracts", "passerelle.contracts.main:app", {}, tmp_path)
    assert flag in " ".join(process.args)
