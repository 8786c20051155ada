"""The settings base class every service's one Settings class derives from.

A service reads its own variables with its prefix (CONTRACTS_DATABASE_URL) and falls back to the
platform-wide ones (PASSERELLE_KAFKA_BOOTSTRAP), so a local stack sets the endpoints once.
"""

from typing import ClassVar

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from passerelle.libs.kafka_auth import PLATFORM_PREFIX, KafkaAuth


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PLATFORM_PREFIX, extra="ignore")

    service_name: ClassVar[str] = "service"
    database_name: ClassVar[str | None] = None

    environment: str = "local"
    log_level: str = "INFO"
    log_json: bool = True

    database_url_base: str = "postgresql+psycopg://passerelle:passerelle@127.0.0.1:5432"
    database_url: str | None = None
    database_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:9092"
    # SASL (SCRAM) with one principal per service (libs.kafka_auth): the password itself or a file holding it
    # (a mounted Kubernetes secret). No username: PLAINTEXT, which the platform's brokers refuse.
    kafka_security_protocol: str | None = None
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_sasl_password_file: str | None = None
    # Runs the outbox relay inside the HTTP process; set false to run `passerelle-relay` on its own.
    relay_in_process: bool = True
    consumers_enabled: bool = True
    # Every process follows identity's session and membership events (libs.revocation) for this long back:
    # at least the access tokens' lifetime.
    revocation_feed_enabled: bool = True
    revocation_horizon_seconds: float = 15 * 60
    # The Kafka consumer group of the service's consumers (defaults to the service's name).
    consumer_group: str | None = None
    consumer_max_attempts: int = 5
    consumer_backoff_seconds: float = 0.2
    # How long an event not applicable yet (its cause not read yet) keeps its partition waiting before it is parked.
    consumer_not_yet_patience_seconds: float = 600.0

    # Request bodies (other than multipart uploads) above this are refused with 413 as they arrive;
    # a route sets its own limit with `passerelle.libs.http.body_limit`.
    max_body_bytes: int = 1024 * 1024

    identity_url: str = "http://127.0.0.1:8001"
    # Where the identity service publishes its signing keys; every service verifies tokens offline.
    jwks_url: str | None = None
    token_issuer: str = "passerelle-identity"
    token_audience: str = "passerelle"

    @model_validator(mode="after")
    def _derive_urls(self) -> "ServiceSettings":
        if self.database_url is None and self.database_name is not None:
            self.database_url = f"{self.database_url_base}/{self.database_name}"
        if self.consumer_group is None:
            self.consumer_group = self.service_name
        if self.jwks_url is None:
            self.jwks_url = f"{self.identity_url}/.well-known/jwks.json"
        return self

    def kafka_auth(self) -> KafkaAuth:
        return KafkaAuth.build(
            security_protocol=self.kafka_security_protocol,
            mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None,
            password_file=self.kafka_sasl_password_file,
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if settings_cls.model_config.get("env_prefix") != PLATFORM_PREFIX:
            sources.append(EnvSettingsSource(settings_cls, env_prefix=PLATFORM_PREFIX))
        return (*sources, dotenv_settings, file_secret_settings)
