"""The contracts service's one Settings class: variables prefixed CONTRACTS_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from passerelle.libs.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTRACTS_", extra="ignore")

    service_name: ClassVar[str] = "contracts"
    database_name: ClassVar[str | None] = 'contracts'
