"""The notifier service's one Settings class: variables prefixed NOTIFIER_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore")

    service_name: ClassVar[str] = "notifier"
    database_name: ClassVar[str | None] = "notifier"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "Passerelle <ne-pas-repondre@passerelle.local>"
    portal_url: str = "http://127.0.0.1:8000"

    # The mail outbox's delivery loop and the daily digest run in this process (several may run: they share).
    background_enabled: bool = True
    mail_max_attempts: int = 6
    mail_first_retry_seconds: float = 2.0
    mail_max_retry_seconds: float = 1800.0
    mail_poll_seconds: float = 1.0
    # A message left `sending` by a sender whose lock is free for this long is sent again (in doubt, counted).
    mail_in_doubt_grace_seconds: float = 10.0
    # Mail senders per process, each one message in flight on its own SMTP connection (at most one in doubt each).
    mail_senders: int = 4
    digest_hour: int = 7
    digest_timezone: str = "Europe/Paris"
    digest_check_seconds: float = 60.0
    # How long the live stream can replay what a reconnecting page missed.
    feed_retention_days: int = 7
    stream_keepalive_seconds: float = 15.0
