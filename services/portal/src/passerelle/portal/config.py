"""The portal service's one Settings class: variables prefixed PORTAL_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    service_name: ClassVar[str] = "portal"
    database_name: ClassVar[str | None] = None
