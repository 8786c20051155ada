"""The opco-processing service's one Settings class: variables prefixed OPCO_PROCESSING_, platform-wide PASSERELLE_."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPCO_PROCESSING_", extra="ignore")

    service_name: ClassVar[str] = "opco_processing"
    database_name: ClassVar[str | None] = "opco_processing"
