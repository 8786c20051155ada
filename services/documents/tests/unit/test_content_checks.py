import hashlib

import pytest

from passerelle.documents.adapters.spool import SpooledUpload
from passerelle.documents.domain.content import looks_executable, sniff_media_type
from passerelle.documents.domain.errors import EmptyFile, FileTooLarge, FileTooLargeToScan, TypeNotAllowed
from passerelle.documents.service_layer.uploads import check_content


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\xff\xd8\xff\xe1\x00\x10Exif", "image/jpeg"),
    ],
)
def test_allowed_types_are_recognised_by_their_first_bytes(head, expected):
    assert sniff_media_type(head).name == expected


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # Windows executable
        b"\x7fELF\x02\x01\x01\x00",  # Linux executable
        b"PK\x03\x04\x14\x00",  # zip, docx
        b"GIF89a\x01\x00",
        b"<html><body>",
        b" %PDF-1.7",  # the signature must start the file
        b"%PD",
        b"",
    ],
)
def test_anything_else_is_not_allowed(head):
    assert sniff_media_type(head) is None


def test_executables_are_recognised_to_explain_the_refusal():
    assert looks_executable(b"MZ\x90\x00")
    assert looks_executable(b"\x7fELF\x02")
    assert not looks_executable(b"%PDF-1.7")


def spool(data: bytes, limit: int = 1024, chunk: int = 7, memory: int = 64) -> SpooledUpload:
    upload = SpooledUpload(limit, memory_bytes=memory)
    for i in range(0, len(data), chunk):
        upload.write(data[i : i + chunk])
    return upload


def test_the_spool_hashes_and_counts_as_the_bytes_arrive():
    data = b"%PDF-1.4\n" + bytes(range(256)) * 3
    with spool(data) as upload:
        assert upload.size == len(data)
        assert upload.sha256 == hashlib.sha256(data).hexdigest()
        assert upload.head == data[:16]
        assert upload.rewind().read() == data


def test_the_spool_keeps_little_in_memory():
    with spool(b"%PDF-" + b"a" * 500, memory=64) as upload:
        assert upload._file._rolled  # spilled to a temporary file past 64 bytes


def test_the_spool_stops_keeping_bytes_past_the_limit_but_counts_them():
    with spool(b"%PDF-" + b"a" * 5000, limit=1024) as upload:
        assert upload.too_large
        assert upload.size == 5005
        assert upload.rewind().read() == b""


def test_a_file_exactly_at_the_limit_is_accepted():
    with spool(b"%PDF-" + b"a" * 1019, limit=1024) as upload:
        assert not upload.too_large
        assert check_content(upload, 1024, 4096).name == "application/pdf"


def test_refusals_come_in_a_clear_order():
    with spool(b"") as upload, pytest.raises(EmptyFile):
        check_content(upload, 1024, 4096)
    with spool(b"MZ" + b"\0" * 2000) as upload, pytest.raises(FileTooLarge) as too_large:
        check_content(upload, 1024, 4096)
    assert too_large.value.status_code == 413
    assert "1 Ko" not in too_large.value.message
    with spool(b"MZ\x90\x00" + b"\0" * 100) as upload, pytest.raises(TypeNotAllowed) as wrong:
        check_content(upload, 1024, 4096)
    assert wrong.value.status_code == 415
    assert "exécutable" in wrong.value.message
    with spool(b"%PDF-" + b"a" * 600) as upload, pytest.raises(FileTooLargeToScan):
        check_content(upload, 1024, 512)


def test_refusal_messages_are_french_and_name_the_file_field():
    error = FileTooLarge(10 * 1024 * 1024)
    body = error.as_dict()["error"]
    assert body["code"] == "document_too_large"
    assert body["message"] == "Le fichier dépasse la taille maximale autorisée (10 Mo)."
    assert body["fields"] == [{"path": "file", "code": "document_too_large", "message": body["message"]}]
    assert "2,5 Mo" in FileTooLarge(int(2.5 * 1024 * 1024)).message


def test_readers_of_a_spilled_upload_are_independent_and_seekable():
    """The antivirus and the store read the same upload at once, even once it spilled to disk."""
    data = bytes(range(256)) * 40  # 10 KiB, past the 64-byte memory budget below
    upload = spool(data, limit=len(data), chunk=1000, memory=64)
    first, second = upload.reader(), upload.reader()
    assert first.read(100) == data[:100]
    assert second.read() == data  # its own position, unaffected by the first
    first.seek(0)
    assert first.read() == data
    assert first.tell() == len(data)


def test_readers_of_an_upload_kept_in_memory_are_independent():
    data = b"%PDF-1.7\n" + b"x" * 30
    upload = spool(data, limit=1024, memory=1024)
    first, second = upload.reader(), upload.reader()
    assert first.read(5) == b"%PDF-" and second.read() == data
