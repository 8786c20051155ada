"""Kafka SASL settings: what every client of the platform is handed (issue #10, item 4)."""

from typing import ClassVar

import pytest
from faststream.security import SASLScram256, SASLScram512
from pydantic_settings import SettingsConfigDict

from passerelle.libs.kafka_auth import KafkaAuth, KafkaAuthError, kafka_options
from passerelle.libs.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")
    service_name: ClassVar[str] = "demo"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("SECURITY_PROTOCOL", "SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD", "SASL_PASSWORD_FILE"):
        monkeypatch.delenv(f"PASSERELLE_KAFKA_{name}", raising=False)
        monkeypatch.delenv(f"DEMO_KAFKA_{name}", raising=False)
    monkeypatch.delenv("PASSERELLE_KAFKA_CREDENTIALS_DIR", raising=False)


def test_without_a_username_a_client_speaks_plaintext():
    assert KafkaAuth.from_env({}).client_options() == {"security_protocol": "PLAINTEXT"}
    assert DemoSettings().kafka_auth().faststream_security() is None


def test_a_username_means_sasl_scram_512_with_its_password():
    auth = KafkaAuth.from_env({"PASSERELLE_KAFKA_SASL_USERNAME": "contracts", "PASSERELLE_KAFKA_SASL_PASSWORD": "s3"})
    assert auth.client_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "contracts",
        "sasl_plain_password": "s3",
    }
    security = auth.faststream_security()
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password, security.use_ssl) == ("contracts", "s3", False)


def test_the_password_can_come_from_a_mounted_secret_file(tmp_path, monkeypatch):
    secret = tmp_path / "password"
    secret.write_text("from-a-secret\n")  # Kubernetes secrets and editors add a newline
    monkeypatch.setenv("PASSERELLE_KAFKA_SASL_USERNAME", "documents")
    monkeypatch.setenv("PASSERELLE_KAFKA_SASL_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("PASSERELLE_KAFKA_SASL_MECHANISM", "scram-sha-256")
    auth = DemoSettings().kafka_auth()
    assert auth.password == "from-a-secret"
    assert isinstance(auth.faststream_security(), SASLScram256)
    assert kafka_options()["sasl_plain_password"] == "from-a-secret"  # the environment's, for CLIs and tests


def test_a_service_variable_wins_over_the_platform_one(monkeypatch):
    monkeypatch.setenv("PASSERELLE_KAFKA_SASL_USERNAME", "stack-admin")
    monkeypatch.setenv("PASSERELLE_KAFKA_SASL_PASSWORD", "admin")
    monkeypatch.setenv("DEMO_KAFKA_SASL_USERNAME", "demo")
    monkeypatch.setenv("DEMO_KAFKA_SASL_PASSWORD", "mine")
    auth = DemoSettings().kafka_auth()
    assert (auth.username, auth.password) == ("demo", "mine")
    assert "mine" not in repr(auth) and "mine" not in repr(DemoSettings())


def test_ssl_protocols_carry_a_verifying_context():
    options = KafkaAuth.build(security_protocol="SASL_SSL", username="u", password="p").client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["ssl_context"].check_hostname is True


@pytest.mark.parametrize(
    "values",
    [
        {"security_protocol": "SASL_PLAINTEXT"},  # no username
        {"username": "u"},  # no password
        {"username": "u", "password": "p", "mechanism": "GSSAPI"},
        {"security_protocol": "TLS"},
    ],
)
def test_contradictory_settings_are_refused_at_start(values):
    with pytest.raises(KafkaAuthError):
        KafkaAuth.build(**values)


def test_another_principal_of_the_local_stack(tmp_path):
    (tmp_path / "notifier.password").write_text("n0tifier\n")
    env = {
        "PASSERELLE_KAFKA_SASL_USERNAME": "stack-admin",
        "PASSERELLE_KAFKA_SASL_PASSWORD": "admin",
        "PASSERELLE_KAFKA_CREDENTIALS_DIR": str(tmp_path),
    }
    auth = KafkaAuth.for_principal("notifier", env)
    assert (auth.security_protocol, auth.username, auth.password) == ("SASL_PLAINTEXT", "notifier", "n0tifier")
    with pytest.raises(KafkaAuthError):
        KafkaAuth.for_principal("notifier", {})
