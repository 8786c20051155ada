"""The Helm chart: `helm lint`, then `helm template` for two value sets, each manifest validated by kubeconform
against the Kubernetes schemas (strict: unknown fields fail), and what the chart promises checked in them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent
CHART = DEPLOY / "helm" / "passerelle"
KUBE_VERSION = "1.33.4"
VALUE_SETS = {"default": [], "small-opco": ["-f", str(CHART / "ci" / "small-opco-values.yaml")]}


@pytest.fixture(scope="module")
def tools() -> Path:
    out = subprocess.run(
        [str(DEPLOY / "tools" / "install.sh"), "helm", "kubeconform"], check=True, capture_output=True, text=True
    ).stdout
    return Path(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def schemas() -> Path:
    out = subprocess.run(
        [sys.executable, str(DEPLOY / "helm" / "kube_schemas.py")], check=True, capture_output=True, text=True
    ).stdout
    return Path(out.strip())


def helm(tools: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELM_CACHE_HOME": "/tmp/passerelle-helm", "HELM_CONFIG_HOME": "/tmp/passerelle-helm"}
    return subprocess.run([str(tools / "helm"), *args], capture_output=True, text=True, env=env)


def render(tools: Path, values: list[str]) -> str:
    done = helm(
        tools,
        "template",
        "passerelle",
        str(CHART),
        "--namespace",
        "passerelle",
        "--kube-version",
        KUBE_VERSION,
        *values,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def kubeconform(tools: Path, schemas: Path, manifests: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(tools / "kubeconform"),
            "-strict",
            "-summary",
            "-kubernetes-version", KUBE_VERSION,
            "-schema-location", f"{schemas}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
            "-",
        ],
        input=manifests,
        capture_output=True,
        text=True,
    )  # fmt: skip


def docs(manifests: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(manifests) if d]


def of_kind(manifests: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in manifests if d["kind"] == kind}


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_chart_lints_renders_and_validates_against_the_kubernetes_schemas(tools, schemas, value_set):
    linted = helm(tools, "lint", "--strict", str(CHART), "--kube-version", KUBE_VERSION, *VALUE_SETS[value_set])
    assert linted.returncode == 0, linted.stdout + linted.stderr
    manifests = render(tools, VALUE_SETS[value_set])
    checked = kubeconform(tools, schemas, manifests)
    print(f"\n{value_set}: {checked.stdout.strip()}")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Invalid: 0, Errors: 0, Skipped: 0" in checked.stdout


def test_validation_catches_a_manifest_the_api_server_would_refuse(tools, schemas):
    manifests = render(tools, VALUE_SETS["default"]).replace("revisionHistoryLimit:", "revisionHistoryLimitt:", 1)
    checked = kubeconform(tools, schemas, manifests)
    assert checked.returncode != 0 and "revisionHistoryLimitt" in checked.stdout


def test_large_opco_deployment_scales_each_part_on_its_own(tools):
    manifests = docs(render(tools, VALUE_SETS["default"]))
    deployments = of_kind(manifests, "Deployment")
    assert {
        "passerelle-contracts",
        "passerelle-contracts-consumers",
        "passerelle-contracts-relay",
    } <= deployments.keys()
    assert len(deployments) == 6 + 4 + 5  # six web parts, four consumer groups, five relays
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        if name.endswith("-relay"):
            assert container["args"] == ["relay"]
            continue
        assert container["livenessProbe"]["httpGet"]["path"] == "/health", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready", name
        env = {e["name"]: e.get("value") for e in container["env"]}
        prefix = name.removeprefix("passerelle-").removesuffix("-consumers").replace("-", "_").upper()
        # The web part leaves consuming and relaying to its own Deployments; the consumer part only consumes.
        if name.endswith("-consumers"):
            assert env[f"{prefix}_CONSUMERS_ENABLED"] == "true" and env[f"{prefix}_RELAY_IN_PROCESS"] == "false"
        elif prefix in ("CONTRACTS", "DOCUMENTS", "OPCO_PROCESSING", "NOTIFIER"):
            assert env[f"{prefix}_CONSUMERS_ENABLED"] == "false" and env[f"{prefix}_RELAY_IN_PROCESS"] == "false"

    hpas = of_kind(manifests, "HorizontalPodAutoscaler")
    web_metric = hpas["passerelle-contracts"]["spec"]["metrics"][0]
    lag_metric = hpas["passerelle-contracts-consumers"]["spec"]["metrics"][0]
    assert web_metric["resource"]["name"] == "cpu"
    assert lag_metric["type"] == "External" and lag_metric["external"]["metric"]["name"] == "kafka_consumergroup_lag"
    assert lag_metric["external"]["metric"]["selector"]["matchLabels"] == {"consumergroup": "contracts"}
    assert "replicas" not in deployments["passerelle-contracts"]["spec"]  # the autoscaler owns the count
    assert len(of_kind(manifests, "PodDisruptionBudget")) == len(deployments)

    jobs = of_kind(manifests, "Job")
    assert {
        f"passerelle-{s}-migrate" for s in ("identity", "contracts", "documents", "opco-processing", "notifier")
    } <= jobs.keys()
    for job in jobs.values():
        assert "pre-install" in job["metadata"]["annotations"]["helm.sh/hook"]
    assert jobs["passerelle-contracts-migrate"]["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    config = of_kind(manifests, "ConfigMap")["passerelle-platform"]["data"]
    assert config["PASSERELLE_TOPIC_PARTITIONS"].startswith("default=12,")
    assert "contract.transmitted=24" in config["PASSERELLE_TOPIC_PARTITIONS"]


def test_network_policies_let_each_service_reach_only_what_it_uses(tools):
    policies = of_kind(docs(render(tools, VALUE_SETS["default"])), "NetworkPolicy")
    assert policies["passerelle-default-deny"]["spec"]["policyTypes"] == ["Ingress", "Egress"]

    def egress_ports(service: str) -> set[int]:
        return {
            p["port"] for rule in policies[f"passerelle-{service}"]["spec"]["egress"] for p in rule.get("ports", [])
        }

    def callers(service: str) -> set[str]:
        out = set()
        for rule in policies[f"passerelle-{service}"]["spec"]["ingress"]:
            for peer in rule["from"]:
                name = peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                if name:
                    out.add(name)
        return out

    assert {5432, 9093, 443, 3310} <= egress_ports("documents")  # PostgreSQL, Kafka, S3, clamd
    assert 3310 not in egress_ports("contracts") and 443 not in egress_ports("contracts")
    assert 5432 not in egress_ports("portal") and 9093 not in egress_ports("portal")
    assert 587 in egress_ports("notifier") and 587 not in egress_ports("documents")
    assert callers("documents") == {"contracts", "opco-processing", "portal"}
    assert callers("portal") == set()  # reached only through the ingress controller
    assert callers("identity") == {"contracts", "documents", "opco-processing", "notifier", "portal"}  # JWKS


def test_secrets_come_from_an_existing_secret_when_the_chart_does_not_create_one(tools):
    manifests = docs(render(tools, VALUE_SETS["small-opco"]))
    assert not of_kind(manifests, "Secret")
    deployment = of_kind(manifests, "Deployment")["passerelle-documents"]
    refs = {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        if "valueFrom" in e
    }
    assert refs["DOCUMENTS_DATABASE_URL"] == {"name": "passerelle-credentials", "key": "documents-database-url"}
    assert refs["PASSERELLE_S3_SECRET_KEY"]["key"] == "s3-secret-key"
    assert not of_kind(manifests, "HorizontalPodAutoscaler")
    assert len(of_kind(manifests, "Deployment")) == 6


def kafka_password_source(workload: dict[str, Any]) -> tuple[str, str]:
    """(Secret name, key) of the file the workload's Kafka password is read from, checked to be mounted where
    PASSERELLE_KAFKA_SASL_PASSWORD_FILE points, read-only, and never in the environment."""
    pod = workload["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert "PASSERELLE_KAFKA_SASL_PASSWORD" not in env, workload["metadata"]["name"]
    path = Path(env["PASSERELLE_KAFKA_SASL_PASSWORD_FILE"]["value"])
    mounts = [m for m in container.get("volumeMounts", []) if m["mountPath"] == str(path.parent)]
    assert len(mounts) == 1 and mounts[0]["readOnly"] is True, workload["metadata"]["name"]
    volume = next(v for v in pod["volumes"] if v["name"] == mounts[0]["name"])
    items = {item["path"]: item["key"] for item in volume["secret"]["items"]}
    assert volume["secret"]["defaultMode"] == 0o440  # the pod's group (fsGroup) reads it, nobody else
    return volume["secret"]["secretName"], items[path.name]


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_every_kafka_client_logs_in_as_its_own_service_principal(tools, value_set):
    """Issue #10 item 4: SASL/SCRAM with one principal per service; creating topics is the topics Job's principal.
    The password is a file mounted from the Secret (libs.kafka_auth reads PASSERELLE_KAFKA_SASL_PASSWORD_FILE)."""
    manifests = docs(render(tools, VALUE_SETS[value_set]))
    config = of_kind(manifests, "ConfigMap")["passerelle-platform"]["data"]
    assert config["PASSERELLE_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["PASSERELLE_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"

    def secret_refs(workload: dict[str, Any]) -> dict[str, str]:
        container = workload["spec"]["template"]["spec"]["containers"][0]
        return {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"] if "valueFrom" in e}

    secret = "passerelle-credentials"
    checked = 0
    for name, deployment in of_kind(manifests, "Deployment").items():
        service = name.removeprefix("passerelle-").removesuffix("-consumers").removesuffix("-relay")
        if service == "portal":
            env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
            assert not [e for e in env if "KAFKA_SASL" in e["name"]]  # no Kafka client, no credential
            continue
        refs = secret_refs(deployment)
        assert refs["PASSERELLE_KAFKA_SASL_USERNAME"] == f"{service}-kafka-username", name
        assert kafka_password_source(deployment) == (secret, f"{service}-kafka-password"), name
        checked += 1
    # Web parts, consumer groups and relays of the five services that use Kafka (the small OPCO runs the web parts).
    assert checked == (5 + 4 + 5 if value_set == "default" else 5)
    jobs = of_kind(manifests, "Job")
    for service in ("identity", "contracts", "documents", "opco-processing", "notifier"):
        assert kafka_password_source(jobs[f"passerelle-{service}-migrate"]) == (secret, f"{service}-kafka-password")
    topics = [job for name, job in jobs.items() if name.endswith("-topics")]
    assert len(topics) == 1
    assert secret_refs(topics[0])["PASSERELLE_KAFKA_SASL_USERNAME"] == "kafka-admin-username"
    assert kafka_password_source(topics[0]) == (secret, "kafka-admin-password")
    for workload in [*of_kind(manifests, "Deployment").values(), *jobs.values()]:
        for container in workload["spec"]["template"]["spec"]["containers"]:
            assert not [e for e in container["env"] if e["name"].endswith("KAFKA_SASL_PASSWORD")]
    values = yaml.safe_load((CHART / "values.yaml").read_text())["secrets"]["values"]
    usernames = [v for k, v in values.items() if k.endswith("-kafka-username") or k == "kafka-admin-username"]
    assert len(usernames) == len(set(usernames)) == 6  # five services and the topics Job, no principal shared
    if value_set == "default":  # the Secret the chart writes holds every key mounted above
        assert {f"{s}-kafka-password" for s in ("identity", "contracts", "notifier")} <= of_kind(manifests, "Secret")[
            secret
        ]["stringData"].keys()
