"""The opco-processing service's one Settings class: variables prefixed OPCO_PROCESSING_, platform-wide PASSERELLE_."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPCO_PROCESSING_", extra="ignore")

    service_name: ClassVar[str] = "opco_processing"
    database_name: ClassVar[str | None] = "opco_processing"

    contracts_url: str = "http://127.0.0.1:8002"
    # The administration's deposit service (DECA): the real one, or the local stack's fake (services/deca-fake,
    # which the native stack's supervisord points the service at). Unset: the in-process fake (tests only).
    deca_url: str | None = None
    deca_api_key: str = "deca-fake-local"
    documents_url: str = "http://127.0.0.1:8003"
    # identity's OAuth2 token endpoint; defaults to <identity_url>/oauth/token.
    token_url: str | None = None
    # The machine identities, one API client per OPCO: {"OPCOEP": {"client_id": "...", "client_secret": "..."}}.
    machine_clients: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Or a JSON file of the same shape (the demo seed writes one for the local stack), read when first needed.
    machine_clients_file: str | None = None
    # Background steps (checks, letters, deposits) poll this often; the clocks' task every clock_seconds.
    work_interval_seconds: float = 0.5
    clock_seconds: float = 30.0
    background_enabled: bool = True
    deposit_enabled: bool = True
    # Test stacks only: a file holding how many seconds to move the service's clock forward (adapters/clock.py).
    clock_offset_file: str | None = None

    @property
    def controllable_clock(self) -> str | None:
        """The offset file, outside production only: a production clock is never moved by a file."""
        return self.clock_offset_file if self.environment in ("local", "test", "ci", "dev") else None
