"""An upload being received: bounded memory (spills to a temporary file), SHA-256 and size on the fly."""

from __future__ import annotations

import hashlib
import tempfile
from typing import BinaryIO

from passerelle.documents.domain.content import SNIFF_BYTES


class SpooledUpload:
    """Write chunks as they arrive; once past `limit` bytes nothing more is kept, only counted."""

    def __init__(self, limit: int, memory_bytes: int = 1024 * 1024) -> None:
        self.limit = limit
        self.size = 0
        self.head = b""
        self._hash = hashlib.sha256()
        self._file: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=memory_bytes)  # noqa: SIM115 - closed by close()

    @property
    def too_large(self) -> bool:
        return self.size > self.limit

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    @property
    def file(self) -> BinaryIO:
        return self._file  # type: ignore[return-value]

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        self.size += len(chunk)
        if self.too_large:
            # Past the limit: the upload is refused; what is left is only counted, and the spool emptied.
            if self._file.tell():
                self._file.seek(0)
                self._file.truncate()
            return
        self._hash.update(chunk)
        self._file.write(chunk)

    def rewind(self) -> BinaryIO:
        self._file.seek(0)
        return self.file

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SpooledUpload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
