"""ClamAV's daemon over TCP: the file is streamed with INSTREAM, in length-prefixed chunks."""

from __future__ import annotations

import asyncio
from typing import BinaryIO

from passerelle.documents.service_layer.ports import ScannerError, ScanResult

_CHUNK = 256 * 1024


class ClamdScanner:
    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    async def scan(self, data: BinaryIO, size: int) -> ScanResult:
        try:
            reply = await asyncio.wait_for(self._instream(data), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            raise ScannerError(f"clamd {self.host}:{self.port}: {exc!r}") from exc
        return parse_reply(reply)

    async def _instream(self, data: BinaryIO) -> str:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(b"zINSTREAM\0")
            data.seek(0)
            try:
                while chunk := data.read(_CHUNK):
                    writer.write(len(chunk).to_bytes(4, "big") + chunk)
                    await writer.drain()
                writer.write(b"\0\0\0\0")
                await writer.drain()
            except ConnectionError:
                # clamd hangs up when a stream exceeds its StreamMaxLength: its reply says why.
                pass
            answer = await reader.readuntil(b"\0")
            return answer.rstrip(b"\0").decode("utf-8", "replace").strip()
        finally:
            writer.close()


def parse_reply(reply: str) -> ScanResult:
    """`stream: OK`, `stream: Eicar-Test-Signature FOUND`, or `... ERROR`."""
    if reply.endswith("FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, detail=signature)
    if reply == "stream: OK":
        return ScanResult(clean=True)
    return ScanResult(clean=False, detail=reply, failed=True)
