"""The documents service's typed context: the unit-of-work factory, the store, the scanner, the limits, the clock
(wired in bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass

from passerelle.documents.service_layer.ports import ContentInspector, ObjectStorage, Scanner, UnitOfWork
from passerelle.libs.context import ServiceContext, utc_now

__all__ = ["Documents", "utc_now"]


@dataclass(kw_only=True)
class Documents(ServiceContext[UnitOfWork]):
    storage: ObjectStorage
    scanner: Scanner
    inspector: ContentInspector
    max_upload_bytes: int = 10 * 1024 * 1024
    scan_max_bytes: int = 25 * 1024 * 1024
    download_url_ttl_seconds: int = 300
    producer: str = "documents"
