"""What the use cases need of the outside world; adapters implement it, tests swap in fakes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol, Self
from uuid import UUID

from passerelle.documents.domain.access import ContractAccess
from passerelle.documents.domain.model import Document
from passerelle.schemas import Envelope, Event


class StorageError(Exception):
    """The object store did not answer or refused the request."""


class ObjectMissing(Exception):
    """No object under that key."""


class ScannerError(Exception):
    """The antivirus could not be reached or timed out (nothing is known about the file)."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    # The signature found, or clamd's error when it could not scan this file.
    detail: str = ""
    failed: bool = False


@dataclass(frozen=True)
class StoredObject:
    key: str
    last_modified: datetime


class ObjectReader(Protocol):
    size: int

    def chunks(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class ObjectStorage(Protocol):
    async def put(self, key: str, data: BinaryIO, size: int, media_type: str) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def open(self, key: str) -> ObjectReader: ...

    def download_url(self, key: str, filename: str, media_type: str, ttl_seconds: int) -> str: ...

    async def list(self, prefix: str) -> list[StoredObject]: ...


class ScanSession(Protocol):
    """One file scanned as it arrives: chunks reach the antivirus while the upload is still being received.

    `feed` never raises (a failure is kept and reported by `result`), so receiving the body goes on.
    """

    async def feed(self, chunk: bytes) -> None: ...

    async def result(self) -> ScanResult: ...

    async def aclose(self) -> None: ...


class Scanner(Protocol):
    def session(self) -> ScanSession: ...

    async def scan(self, data: BinaryIO, size: int) -> ScanResult: ...


class ContentInspector(Protocol):
    """Reads a whole received file with a parser of its type; raises UnsafeContent when it is not sound."""

    def inspect(self, reader: BinaryIO, media_type: str) -> None: ...


class Documents(Protocol):
    async def add(self, document: Document) -> None: ...
    async def get(self, document_id: UUID) -> Document | None: ...
    async def with_access(self, document_id: UUID) -> tuple[Document | None, ContractAccess | None]: ...
    async def current_of(self, contract_id: UUID, document_type: str) -> Document | None: ...
    async def of_contract(self, contract_id: UUID) -> list[Document]: ...
    async def known_keys(self, keys: Sequence[str]) -> set[str]: ...
    async def stored_before(self, before: datetime, after_id: UUID | None, limit: int) -> list[tuple[UUID, str]]: ...
    async def mark_missing(self, document_ids: Sequence[UUID]) -> int: ...


class ContractAccesses(Protocol):
    """The contracts the service knows (projected from the contracts service's events)."""

    async def get(self, contract_id: UUID, *, for_update: bool = False) -> ContractAccess | None: ...
    async def apply(self, access: ContractAccess) -> None: ...


class UnitOfWork(Protocol):
    """One transaction (SQL in adapters/unit_of_work.py, fakes in tests)."""

    documents: Documents
    contracts: ContractAccesses

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    def publish(self, event: Event, correlation_id: UUID | None = None) -> Envelope: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
