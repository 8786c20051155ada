"""The contracts service's one Settings class: variables prefixed CONTRACTS_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTRACTS_", extra="ignore")

    service_name: ClassVar[str] = "contracts"
    database_name: ClassVar[str | None] = "contracts"

    # The OPCO that reviews a new contract (set at creation, carried by every contract event).
    default_opco_code: str = "OPCOMMERCE"
    # The day of validation (filing delay) is taken in this time zone.
    time_zone: str = "Europe/Paris"
    # Base URL of an establishment/qualification directory service; the offline referential when unset.
    referential_url: str | None = None
    referential_timeout_seconds: float = 3.0
    # The Kafka consumer group (and inbox consumer name); tests give each run its own.
    consumer_group: str = "contracts"
    # Bulk drafting (POST /bulk/drafts) runs in the service's process; drafts created per transaction.
    bulk_worker_enabled: bool = True
    bulk_chunk_size: int = 200
