"""ClamAV's daemon over TCP: the file is streamed with INSTREAM, in length-prefixed chunks.

A session is fed while the upload is being received, so that by the end of the body clamd holds the
whole stream and only its scan remains (for 5 MiB: about a third of clamd's time is taking the stream in).
"""

from __future__ import annotations

import asyncio
from typing import BinaryIO

from passerelle.documents.service_layer.ports import ScannerError, ScanResult

_CHUNK = 256 * 1024
# Enough in flight that feeding rarely waits for clamd, little enough to stay a small buffer.
_WRITE_BUFFER = 1024 * 1024
_END_OF_STREAM = b"\0\0\0\0"


class ClamdSession:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._error: BaseException | None = None
        # clamd hangs up when a stream exceeds its StreamMaxLength: its reply says why.
        self._hung_up = False

    async def _connect(self) -> asyncio.StreamWriter:
        if self._writer is None:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
            writer.transport.set_write_buffer_limits(high=_WRITE_BUFFER)
            writer.write(b"zINSTREAM\0")
            self._reader, self._writer = reader, writer
        return self._writer

    async def feed(self, chunk: bytes) -> None:
        if not chunk or self._error is not None or self._hung_up:
            return
        try:
            writer = await self._connect()
            writer.write(len(chunk).to_bytes(4, "big") + chunk)
            await asyncio.wait_for(writer.drain(), self.timeout)
        except ConnectionError:
            self._hung_up = True
        except (TimeoutError, OSError) as exc:
            self._error = exc

    async def result(self) -> ScanResult:
        try:
            if self._error is not None:
                raise self._error
            writer = await self._connect()
            if not self._hung_up:
                try:
                    writer.write(_END_OF_STREAM)
                    await asyncio.wait_for(writer.drain(), self.timeout)
                except ConnectionError:
                    pass
            assert self._reader is not None
            answer = await asyncio.wait_for(self._reader.readuntil(b"\0"), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            raise ScannerError(f"clamd {self.host}:{self.port}: {exc!r}") from exc
        finally:
            await self.aclose()
        return parse_reply(answer.rstrip(b"\0").decode("utf-8", "replace").strip())

    async def aclose(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()


class ClamdScanner:
    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def session(self) -> ClamdSession:
        return ClamdSession(self.host, self.port, self.timeout)

    async def scan(self, data: BinaryIO, size: int) -> ScanResult:
        """A whole file at once (a file already received)."""
        session = self.session()
        try:
            data.seek(0)
            while chunk := data.read(_CHUNK):
                await session.feed(chunk)
            return await session.result()
        finally:
            await session.aclose()


def parse_reply(reply: str) -> ScanResult:
    """`stream: OK`, `stream: Eicar-Test-Signature FOUND`, or `... ERROR`."""
    if reply.endswith("FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, detail=signature)
    if reply == "stream: OK":
        return ScanResult(clean=True)
    return ScanResult(clean=False, detail=reply, failed=True)
