"""What the use cases need of the outside world; adapters implement it, tests swap in fakes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol


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
