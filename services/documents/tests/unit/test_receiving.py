"""The streaming multipart reader, fed by a fake request whose body arrives in awkward pieces."""

import hashlib

import pytest

from passerelle.documents.adapters.spool import SpooledUpload
from passerelle.documents.domain.errors import FileTooLarge
from passerelle.documents.entrypoints.http.receiving import receive_body, receive_multipart
from passerelle.libs.errors import InvalidInput

BOUNDARY = "----passerelle-test-boundary"


class FakeRequest:
    def __init__(self, body: bytes, content_type: str, chunk: int = 13, declared: int | None = None) -> None:
        self.body = body
        self.chunk = chunk
        self.headers = {"content-type": content_type}
        if declared is not None:
            self.headers["content-length"] = str(declared)
        self.read = 0

    async def stream(self):
        for i in range(0, len(self.body), self.chunk):
            self.read += len(self.body[i : i + self.chunk])
            yield self.body[i : i + self.chunk]


def form(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            out += b"Content-Type: application/pdf\r\n"
        out += b"\r\n" + value + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def multipart(body: bytes, **kwargs) -> FakeRequest:
    return FakeRequest(body, f"multipart/form-data; boundary={BOUNDARY}", **kwargs)


@pytest.mark.parametrize("chunk", [1, 7, 64, 100_000])
async def test_the_file_part_is_spooled_and_the_fields_kept(chunk):
    content = b"%PDF-1.7\r\n" + bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    body = form(("document_type", b"convention_formation", None), ("file", content, "Convention réduite.pdf"))
    with SpooledUpload(1_000_000) as upload:
        received = await receive_multipart(multipart(body, chunk=chunk), upload, 10_000_000)
        assert received.fields == {"document_type": "convention_formation"}
        assert received.filename == "Convention réduite.pdf"
        assert received.files == 1
        assert upload.size == len(content)
        assert upload.sha256 == hashlib.sha256(content).hexdigest()
        assert upload.rewind().read() == content


async def test_fields_may_follow_the_file():
    body = form(("file", b"%PDF-1", "a.pdf"), ("document_type", b"autre", None))
    with SpooledUpload(1000) as upload:
        received = await receive_multipart(multipart(body), upload, 10_000)
    assert received.fields["document_type"] == "autre"


async def test_an_oversize_file_is_read_to_the_end_but_not_kept():
    body = form(("document_type", b"autre", None), ("file", b"%PDF-" + b"a" * 5000, "big.pdf"))
    with SpooledUpload(1000) as upload:
        received = await receive_multipart(multipart(body, chunk=512), upload, 100_000)
        assert upload.too_large and upload.size == 5005
        assert received.fields["document_type"] == "autre"  # still known, for the refusal's event
        assert upload.rewind().read() == b""


async def test_a_body_beyond_what_we_drain_is_cut_off():
    body = form(("file", b"%PDF-" + b"a" * 50_000, "huge.pdf"))
    request = multipart(body, chunk=1000)
    with SpooledUpload(1000) as upload, pytest.raises(FileTooLarge):
        await receive_multipart(request, upload, 10_000)
    assert request.read <= 11_000


async def test_a_body_announced_beyond_what_we_drain_is_refused_unread():
    request = multipart(form(("file", b"%PDF-", "a.pdf")), declared=10**9)
    with SpooledUpload(1000) as upload, pytest.raises(FileTooLarge):
        await receive_multipart(request, upload, 10_000)
    assert request.read == 0


async def test_two_files_are_refused():
    body = form(("file", b"%PDF-1", "a.pdf"), ("file", b"%PDF-2", "b.pdf"))
    with SpooledUpload(1000) as upload, pytest.raises(InvalidInput) as error:
        await receive_multipart(multipart(body), upload, 10_000)
    assert error.value.message == "Un seul fichier peut être envoyé à la fois."


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "multipart/form-data", "text/plain; boundary=x"],
)
async def test_a_body_that_is_not_a_form_is_refused(content_type):
    with SpooledUpload(1000) as upload, pytest.raises(InvalidInput) as error:
        await receive_multipart(FakeRequest(b"{}", content_type), upload, 10_000)
    assert error.value.fields[0].path == "body"


async def test_long_text_fields_are_refused():
    body = form(("document_type", b"x" * 5000, None))
    with SpooledUpload(1000) as upload, pytest.raises(InvalidInput):
        await receive_multipart(multipart(body), upload, 100_000)


async def test_a_raw_body_is_the_file():
    content = b"\x89PNG\r\n\x1a\n" + b"p" * 3000
    with SpooledUpload(10_000) as upload:
        await receive_body(FakeRequest(content, "image/png", chunk=100), upload, 100_000)
        assert upload.size == len(content) and upload.head.startswith(b"\x89PNG")


class Forwarded:
    def __init__(self) -> None:
        self.data = bytearray()

    async def __call__(self, chunk: bytes) -> None:
        self.data += chunk


@pytest.mark.parametrize("chunk", [1, 7, 64, 100_000])
async def test_the_file_and_only_the_file_is_forwarded_as_it_arrives(chunk):
    content = b"%PDF-1.7\r\n" + bytes(range(256)) * 40
    body = form(("document_type", b"convention_formation", None), ("file", content, "c.pdf"))
    forwarded = Forwarded()
    with SpooledUpload(1_000_000) as upload:
        await receive_multipart(multipart(body, chunk=chunk), upload, 10_000_000, forward=forwarded)
    assert bytes(forwarded.data) == content


async def test_nothing_past_the_size_limit_is_forwarded():
    content = b"%PDF-1.7\r\n" + b"x" * 5000
    forwarded = Forwarded()
    with SpooledUpload(1000) as upload:
        await receive_body(FakeRequest(content, "application/pdf", chunk=100), upload, 10_000_000, forward=forwarded)
        assert upload.too_large
    assert 0 < len(forwarded.data) <= 1000 and content.startswith(bytes(forwarded.data))
