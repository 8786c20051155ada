"""The documents service's one Settings class: variables prefixed DOCUMENTS_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from passerelle.libs.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    service_name: ClassVar[str] = "documents"
    database_name: ClassVar[str | None] = "documents"

    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "passerelle"
    s3_secret_key: str = "passerelle-secret"
    s3_bucket: str = "passerelle-documents"
    s3_secure: bool = False
    clamd_host: str = "127.0.0.1"
    clamd_port: int = 3310
    max_upload_bytes: int = 10 * 1024 * 1024
