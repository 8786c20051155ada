"""An upload being received: bounded memory (spills to a temporary file), SHA-256 and size on the fly."""

from __future__ import annotations

import hashlib
import io
import os
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

    def reader(self) -> BinaryIO:
        """A reader of the content with a position of its own, so that two consumers (the antivirus
        and the object store) can read the same upload at the same time."""
        self._file.flush()
        inner = self._file._file  # noqa: SLF001 - the spool's own buffer or file
        if isinstance(inner, io.BytesIO):
            return io.BytesIO(inner.getbuffer().tobytes())  # still in memory: at most `memory_bytes`
        return io.BufferedReader(_PositionalReader(self._file.fileno(), self.size), buffer_size=256 * 1024)  # type: ignore[return-value]

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SpooledUpload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _PositionalReader(io.RawIOBase):
    """Reads a file descriptor with pread, from its own offset (a dup'ed descriptor would share one)."""

    def __init__(self, fd: int, size: int) -> None:
        self._fd = fd
        self._size = size
        self._offset = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._offset

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._offset, io.SEEK_END: self._size}[whence]
        self._offset = max(0, base + offset)
        return self._offset

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._size - self._offset)
        if wanted <= 0:
            return 0
        chunk = os.pread(self._fd, wanted, self._offset)
        buffer[: len(chunk)] = chunk
        self._offset += len(chunk)
        return len(chunk)
