"""What the use cases run with: the unit of work, the store, the scanner and the limits (wired in bootstrap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from passerelle.documents.service_layer.ports import ContentInspector, ObjectStorage, Scanner


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Documents:
    uow_factory: Callable[[], Any]
    storage: ObjectStorage
    scanner: Scanner
    inspector: ContentInspector
    max_upload_bytes: int = 10 * 1024 * 1024
    scan_max_bytes: int = 25 * 1024 * 1024
    download_url_ttl_seconds: int = 300
    producer: str = "documents"
    clock: Callable[[], datetime] = field(default=utc_now)
