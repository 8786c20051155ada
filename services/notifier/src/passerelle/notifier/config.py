"""The notifier service's one Settings class: variables prefixed NOTIFIER_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore")

    service_name: ClassVar[str] = "notifier"
    database_name: ClassVar[str | None] = "notifier"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "Passerelle <ne-pas-repondre@passerelle.local>"
    portal_url: str = "http://127.0.0.1:8000"
