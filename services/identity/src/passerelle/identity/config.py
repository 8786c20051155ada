"""The identity service's one Settings class: variables prefixed IDENTITY_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings

# Environments where a missing key-encryption secret falls back to a fixed, public development value.
DEVELOPMENT_ENVIRONMENTS = frozenset({"local", "test", "ci", "dev"})


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: ClassVar[str] = "identity"
    database_name: ClassVar[str | None] = "identity"

    # Tokens and sessions
    access_token_ttl_seconds: int = 600
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # Signing keys: a new key every rotation period, published this long before it signs.
    signing_key_rotation_seconds: int = 30 * 24 * 3600
    signing_key_publish_ahead_seconds: int = 600
    key_encryption_secret: SecretStr | None = None

    # E-mailed links
    confirmation_ttl_seconds: int = 48 * 3600
    password_reset_ttl_seconds: int = 30 * 60
    invitation_ttl_seconds: int = 7 * 24 * 3600
    portal_url: str = "http://127.0.0.1:8000"

    # Login throttling (sliding window)
    login_window_seconds: int = 15 * 60
    # Per account *and* address: past this many failures, a delay that doubles each time (base, at most max).
    login_max_failures_per_account: int = 5
    login_lock_base_seconds: int = 30
    login_lock_max_seconds: int = 15 * 60
    login_max_failures_per_ip: int = 50
    # Per account from any address: a far higher bound, against guessing spread over many addresses.
    login_max_failures_per_account_anywhere: int = 100
    password_reset_requests_per_ip: int = 20
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed; none by default,
    # so a client cannot choose the address its attempts are counted under.
    trusted_proxies: list[str] = []

    # Argon2id cost (OWASP: m=64 MiB, t=3, p=4 is comfortable on a server)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    # Mail (security mails with single-use links are sent by identity itself)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_sender: str = "Passerelle <ne-pas-repondre@passerelle.example>"
    mail_worker_enabled: bool = True
    mail_poll_seconds: float = 1.0
