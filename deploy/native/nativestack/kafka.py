"""Apache Kafka in KRaft mode, one node that is both broker and controller, on the JVM with Maven Central's jars.

Authenticated and authorised like production (issue #10, item 4): the client listener speaks SASL/SCRAM-SHA-512
only, one principal per service of the registry plus the stack's own admin (a super user: topics, ACLs), each
service's principal allowed to write only the topics it owns and read only those it consumes (StandardAuthorizer,
nothing allowed without an ACL). The controller listener takes SASL/PLAIN from the broker's own static user.
Passwords are drawn at the first start and kept in `<stack>/kafka/credentials/<principal>.password` (0600).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import importlib
import os
import re
import secrets
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import StackError, log, run, write_if_changed
from .config import HERE, Config, registry

KAFKA_POM = HERE / "kafka" / "pom.xml"
TOPIC_PARTITIONS = 6
GENERATED_BY = "deploy/native/stack.py"
ACL_TOOL = HERE / "kafka" / "StackAcls.java"

SASL_MECHANISM = "SCRAM-SHA-512"
ADMIN_PRINCIPAL = "stack-admin"  # the stack's own admin: creates topics, users and ACLs
CONTROLLER_PRINCIPAL = "controller"  # the broker's user on its controller listener (static SASL/PLAIN)
# Written after a format with SCRAM users: a storage formatted without it predates SASL and is formatted again.
SASL_MARKER = ".passerelle-sasl"


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>([^<]+)<", KAFKA_POM.read_text())
    assert match, f"no kafka.version in {KAFKA_POM}"
    return match.group(1)


def installed(cfg: Config) -> bool:
    return (cfg.kafka_libs / f"kafka_2.13-{kafka_version()}.jar").exists()


def install(cfg: Config) -> None:
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


def server_properties(
    port: int | str,
    controller_port: int | str,
    log_dirs: str,
    host: str = "127.0.0.1",
    advertised_host: str | None = None,
    partitions: int | str = TOPIC_PARTITIONS,
    *,
    admin_password: str,
    controller_password: str,
) -> dict[str, object]:
    """A single-node KRaft cluster (broker and controller), sized for a small machine, SASL on both listeners.

    Any value may be a shell reference (`"$KAFKA_PORT"`): a container image writes the rendered file into its
    entrypoint as a here-document, so the values are filled in when the container starts. The file holds the
    admin's and the controller's passwords: whoever writes it keeps it private (0600)."""
    advertised = advertised_host or host
    scram = SASL_MECHANISM.lower()
    return {
        "node.id": 1,
        "process.roles": "broker,controller",
        # CLIENT is the only listener clients reach: SASL/SCRAM, no PLAINTEXT anywhere.
        "listeners": f"CLIENT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"CLIENT://{advertised}:{port}",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "CLIENT",
        "sasl.enabled.mechanisms": SASL_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SASL_MECHANISM,
        "listener.name.client.sasl.enabled.mechanisms": SASL_MECHANISM,
        f"listener.name.client.{scram}.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN_PRINCIPAL}" password="{admin_password}";'
        ),
        # SCRAM users live in the metadata log, which the controller serves: its own listener needs static users.
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{CONTROLLER_PRINCIPAL}" password="{controller_password}" '
            f'user_{CONTROLLER_PRINCIPAL}="{controller_password}";'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN_PRINCIPAL};User:{CONTROLLER_PRINCIPAL}",
        # Static voter: nothing about the controller endpoint is persisted at format
        # time, so changing KAFKA_CONTROLLER_PORT later keeps the data usable.
        "controller.quorum.voters": f"1@{advertised}:{controller_port}",
        "log.dirs": log_dirs,
        "num.partitions": partitions,
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


def render_properties(props: dict[str, object]) -> str:
    return f"# generated by {GENERATED_BY}\n" + "".join(f"{k}={v}\n" for k, v in props.items())


LOG4J2_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by {GENERATED_BY}: everything to stdout, supervisord keeps the file -->
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


def java_command(libs_dir: Path, log4j_config: Path, main_class: str, *args: str, heap: tuple[str, ...]) -> list[str]:
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
        f"-Dlog4j2.configurationFile={log4j_config}",
        "-cp",
        f"{libs_dir}/*",
        main_class,
        *args,
    ]


def new_cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


# --------------------------------------------------------------------------- principals and ACLs


def service_principals() -> dict[str, Any]:
    """One principal per service of the registry, named as its envelopes' producer (`opco_processing`)."""
    return {svc.module: svc for svc in registry.services()}


def credentials_dir(cfg: Config) -> Path:
    return cfg.kafka_dir / "credentials"


def password_file(cfg: Config, principal: str) -> Path:
    return credentials_dir(cfg) / f"{principal}.password"


def ensure_credentials(cfg: Config) -> dict[str, str]:
    """Every principal's password, drawn once and kept 0600 in the stack folder (never in git: .stack/ is ignored)."""
    folder = credentials_dir(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    passwords = {}
    for principal in (ADMIN_PRINCIPAL, CONTROLLER_PRINCIPAL, *service_principals()):
        path = password_file(cfg, principal)
        if not path.exists():
            write_if_changed(path, secrets.token_urlsafe(24) + "\n", mode=0o600)
        path.chmod(0o600)
        passwords[principal] = path.read_text().strip()
    return passwords


def admin_auth(cfg: Config) -> dict[str, object]:
    """aiokafka's options for the stack's admin."""
    return {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": SASL_MECHANISM,
        "sasl_plain_username": ADMIN_PRINCIPAL,
        "sasl_plain_password": password_file(cfg, ADMIN_PRINCIPAL).read_text().strip(),
    }


@dataclass(frozen=True)
class Acl:
    principal: str
    resource: str  # TOPIC, GROUP, CLUSTER
    pattern: str  # LITERAL, PREFIXED
    name: str
    operation: str

    def line(self) -> str:
        return f"acl User:{self.principal} {self.resource} {self.pattern} {self.name} {self.operation}"


def consumed_topics(module: str) -> list[str]:
    """The topics a service's consumer group subscribes to: its handler table's (the code is the truth)."""
    try:
        consumers = importlib.import_module(f"passerelle.{module}.entrypoints.consumers")
    except ImportError as exc:  # a service just added to the registry, not yet installed in the venv
        raise StackError(f"cannot read the consumed topics of {module} ({exc}): run `uv sync` first") from exc
    tables = [getattr(consumers, "HANDLERS", {}), getattr(consumers, "BATCH_HANDLERS", {})]
    return sorted({event.topic for table in tables for event in table})


def acl_plan(consumed: dict[str, list[str]]) -> list[Acl]:
    """What each service's principal may do, and nothing else (`consumed`: principal -> topics it consumes).

    It writes the topics it owns (passerelle.schemas.OWNERS) and its dead-letter topics (`dlt.<group>`, created on
    first use); it reads the topics it consumes with the consumer groups named after it (`contracts`, and the tests'
    `contracts-<run>`) and identity's revocation topics (every process follows them, libs.revocation)."""
    from passerelle.libs.revocation import TOPICS as REVOCATION_TOPICS
    from passerelle.schemas.registry import DEAD_LETTER_PREFIX, OWNERS

    plan: list[Acl] = []
    for principal in service_principals():
        owned = sorted(t for t, owner in OWNERS.items() if owner == principal)
        for topic in owned:
            plan += [Acl(principal, "TOPIC", "LITERAL", topic, op) for op in ("WRITE", "DESCRIBE")]
        reads = sorted(set(consumed.get(principal, [])) | set(REVOCATION_TOPICS))
        for topic in reads:
            plan += [Acl(principal, "TOPIC", "LITERAL", topic, op) for op in ("READ", "DESCRIBE")]
        if consumed.get(principal):
            plan += [Acl(principal, "GROUP", "PREFIXED", principal, op) for op in ("READ", "DESCRIBE")]
            plan += [
                Acl(principal, "TOPIC", "PREFIXED", f"{DEAD_LETTER_PREFIX}{principal}", op)
                for op in ("WRITE", "DESCRIBE", "CREATE")
            ]
        if owned or consumed.get(principal):
            plan.append(Acl(principal, "CLUSTER", "LITERAL", "kafka-cluster", "IDEMPOTENT_WRITE"))
    return plan


def compile_acl_tool(libs: Path, folder: Path) -> Path:
    """StackAcls.java compiled against the kafka-clients jar in `libs`, once per source and Kafka version, into a
    subfolder of `folder`; returns the class folder."""
    source = ACL_TOOL.read_bytes()
    digest = hashlib.sha256(source + kafka_version().encode()).hexdigest()[:12]
    out = folder / digest
    if not (out / "StackAcls.class").exists():
        javac = shutil.which("javac")
        if not javac:
            raise StackError("javac not found (apt-get install default-jdk-headless)")
        out.mkdir(parents=True, exist_ok=True)
        # --release 17: the container image runs Debian's JRE 17 whatever JDK compiles it.
        run(
            [javac, "--release", "17", "-cp", f"{libs}/*", "-d", str(out), str(ACL_TOOL)],
            what="javac StackAcls.java",
        )
    return out


def _acl_tool(cfg: Config) -> Path:
    return compile_acl_tool(cfg.kafka_libs, cfg.kafka_dir / "tools")


def plan_lines(with_users: dict[str, Path] | None = None) -> list[str]:
    """The plan StackAcls applies: `user` lines for the given password files, then every ACL of the registry."""
    principals = service_principals()
    consumed = {m: consumed_topics(m) for m, svc in principals.items() if svc.consumers}
    users = [f"user {p} {path}" for p, path in (with_users or {}).items()]
    return users + [a.line() for a in acl_plan(consumed)]


def setup_acls(cfg: Config) -> None:
    """Creates or resets every service's SCRAM user and makes its ACLs exactly the plan's."""
    lines = plan_lines({p: password_file(cfg, p) for p in service_principals()})
    d = cfg.kafka_dir
    write_if_changed(d / "acl-plan.txt", f"# generated by {GENERATED_BY}\n" + "\n".join(lines) + "\n", mode=0o600)
    admin_password = password_file(cfg, ADMIN_PRINCIPAL).read_text().strip()
    write_if_changed(
        d / "admin.properties",
        render_properties(
            {
                "bootstrap.servers": f"127.0.0.1:{cfg.port('KAFKA_PORT')}",
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": SASL_MECHANISM,
                "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{ADMIN_PRINCIPAL}" password="{admin_password}";',
            }
        ),
        mode=0o600,
    )
    tool = _acl_tool(cfg)
    command = java_command(
        cfg.kafka_libs,
        d / "log4j2.xml",
        "StackAcls",
        str(d / "admin.properties"),
        str(d / "acl-plan.txt"),
        heap=("-Xmx128m",),
    )
    command[command.index("-cp") + 1] += f":{tool}"
    out = run(command, what="kafka principals and ACLs", timeout=120)
    summary = [line for line in out.splitlines() if line.startswith("kafka principals:")]
    log(summary[-1] if summary else "kafka principals and ACLs applied")


# --------------------------------------------------------------------------- broker


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def configure(cfg: Config) -> tuple[list[str], bool]:
    """Writes server.properties (0600: it holds passwords) and log4j2.xml, formats the storage once with the admin's
    SCRAM credential; returns the command and whether a file changed (the running broker must then be restarted)."""
    d, p = cfg.kafka_dir, cfg.port
    data = d / "data"
    passwords = ensure_credentials(cfg)
    props = server_properties(
        p("KAFKA_PORT"),
        p("KAFKA_CONTROLLER_PORT"),
        str(data),
        admin_password=passwords[ADMIN_PRINCIPAL],
        controller_password=passwords[CONTROLLER_PRINCIPAL],
    )
    changed = write_if_changed(d / "server.properties", render_properties(props), mode=0o600)
    (d / "server.properties").chmod(0o600)
    changed |= write_if_changed(d / "log4j2.xml", LOG4J2_XML)
    log4j = d / "log4j2.xml"
    marker = f"admin {hashlib.sha256(passwords[ADMIN_PRINCIPAL].encode()).hexdigest()}\n"
    if (data / "meta.properties").exists() and _read(data / SASL_MARKER) != marker:
        # Formatted by a stack without SASL (or its admin password was lost): its metadata has no SCRAM user the
        # stack can log in with, and none can be added without one.
        log("kafka storage predates SASL or its admin password: formatting it again (topics and offsets dropped)")
        shutil.rmtree(data)
    if not (data / "meta.properties").exists():
        cluster_id = new_cluster_id()
        log(f"formatting kafka storage (cluster {cluster_id}) with the admin's SCRAM credential")
        run(
            java_command(
                cfg.kafka_libs,
                log4j,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(d / "server.properties"),
                "--add-scram",
                f"{SASL_MECHANISM}=[name={ADMIN_PRINCIPAL},password={passwords[ADMIN_PRINCIPAL]}]",
                heap=("-Xmx256m",),
            ),
            what="kafka storage format",
        )
        (data / SASL_MARKER).write_text(marker)
    command = java_command(
        cfg.kafka_libs, log4j, "kafka.Kafka", str(d / "server.properties"), heap=("-Xms256m", "-Xmx768m")
    )
    return command, changed


def probe(cfg: Config) -> bool:
    """A real metadata round trip as the stack's admin: the broker must list itself, not just accept TCP."""
    import logging

    from aiokafka.admin import AIOKafkaAdminClient

    # aiokafka logs every refused connection while the broker boots: that is expected.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=f"127.0.0.1:{cfg.port('KAFKA_PORT')}", request_timeout_ms=5000, **admin_auth(cfg)
        )
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


def setup_topics(cfg: Config) -> None:
    """Every topic of the registry, created up front with a fixed partition count: a key must always map
    to the same partition, which a topic auto-created under a first burst of writes does not promise."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from passerelle.schemas import TOPICS

    async def create() -> int:  # returns how many topics it created
        admin = AIOKafkaAdminClient(bootstrap_servers=f"127.0.0.1:{cfg.port('KAFKA_PORT')}", **admin_auth(cfg))
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
