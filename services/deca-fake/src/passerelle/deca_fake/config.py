"""The DECA fake's one Settings class: variables prefixed DECA_FAKE_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DECA_FAKE_", extra="ignore")

    service_name: ClassVar[str] = "deca_fake"
    database_name: ClassVar[str | None] = None

    # The administration's service knows nothing of the platform's sessions: it follows no Kafka feed.
    revocation_feed_enabled: bool = False
    consumers_enabled: bool = False
    # The key OPCOs present (Authorization: Bearer ...); the real service authenticates each OPCO its own way.
    api_key: str = "deca-fake-local"
    # Registration numbers: DECA-<year>-<sequence>, the sequence starting here.
    first_number: int = 1
