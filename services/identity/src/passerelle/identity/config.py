"""The identity service's one Settings class: variables prefixed IDENTITY_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from passerelle.libs.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: ClassVar[str] = "identity"
    database_name: ClassVar[str | None] = 'identity'
