"""The antivirus session against the real clamd: fed in pieces as an upload arrives, it still finds EICAR."""

from __future__ import annotations

import pytest

from passerelle.documents.adapters.scanner import ClamdScanner
from passerelle.documents.service_layer.ports import ScannerError
from passerelle.libs.testing.processes import free_port
from passerelle.libs.testing.samples import EICAR


@pytest.fixture
def scanner(settings) -> ClamdScanner:
    return ClamdScanner(settings.clamd_host, settings.clamd_port, timeout=10.0)


async def feed_in_pieces(scanner: ClamdScanner, content: bytes, piece: int):
    session = scanner.session()
    try:
        for i in range(0, len(content), piece):
            await session.feed(content[i : i + piece])
        return await session.result()
    finally:
        await session.aclose()


@pytest.mark.parametrize("piece", [3, 4096, 65536])
async def test_eicar_cut_across_pieces_is_found(scanner, piece):
    result = await feed_in_pieces(scanner, EICAR + b"\n" + b"%" * 200_000, piece)
    assert not result.clean and not result.failed
    assert "Eicar" in result.detail


async def test_a_clean_file_fed_in_pieces_is_clean(scanner):
    result = await feed_in_pieces(scanner, b"%PDF-1.7\n" + bytes(range(256)) * 4000, 65536)
    assert result.clean


async def test_a_session_to_a_missing_clamd_reports_on_its_result():
    session = ClamdScanner("127.0.0.1", free_port(), timeout=2.0).session()
    await session.feed(b"%PDF-1.7\n")  # never raises: the failure is kept for the result
    with pytest.raises(ScannerError):
        await session.result()
