"""The documents service's one Settings class: variables prefixed DOCUMENTS_, platform-wide ones PASSERELLE_."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.settings import ServiceSettings

MIB = 1024 * 1024


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    service_name: ClassVar[str] = "documents"
    database_name: ClassVar[str | None] = "documents"

    # The consumer group of the contract events (a test run takes its own, so runs do not share partitions).
    consumer_group: str = "documents"

    # One bucket per environment: the reconciliation treats objects no row names as its own orphans.
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "passerelle"
    s3_secret_key: str = "passerelle-secret"
    s3_bucket: str = "passerelle-documents"
    s3_secure: bool = False
    # Signing a URL needs the bucket's region; knowing it avoids a lookup request per URL.
    s3_region: str = "us-east-1"
    # Host people's browsers reach the store by, when it differs from the service's (a public endpoint).
    s3_public_endpoint: str | None = None
    s3_public_secure: bool | None = None
    s3_timeout_seconds: float = 30.0

    clamd_host: str = "127.0.0.1"
    clamd_port: int = 3310
    clamd_timeout_seconds: float = 60.0
    # clamd's StreamMaxLength: a longer stream is cut by clamd, so such a file is refused before scanning.
    scan_max_bytes: int = 25 * MIB

    max_upload_bytes: int = 10 * MIB
    # Up to this size an upload stays in memory; beyond, it spools to a temporary file.
    spool_memory_bytes: int = 1 * MIB
    # An oversize body is read (and discarded) up to this many bytes so the client gets a clean 413.
    drain_max_bytes: int = 64 * MIB

    download_url_ttl_seconds: int = 300

    reconcile_in_process: bool = True
    reconcile_interval_seconds: float = 600.0
    # An object younger than this may belong to an upload in progress (its row not yet committed): left alone.
    reconcile_grace_seconds: float = 3600.0
