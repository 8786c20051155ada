"""Reading an upload off the wire as it arrives (never whole in memory): a multipart form or a raw body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from passerelle.documents.adapters.spool import SpooledUpload
from passerelle.documents.domain.errors import FileTooLarge
from passerelle.libs.errors import FieldError, InvalidInput

FILE_FIELD = "file"
MAX_FIELD_BYTES = 1024

# Where the file's bytes go as they arrive, besides the spool (the antivirus, in practice).
Forward = Callable[[bytes], Awaitable[None]]


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    files: int = 0


def _form_filename(raw: bytes) -> str:
    # Browsers escape these three in a form's file name (WHATWG multipart/form-data encoding).
    text = raw.decode("utf-8", "replace")
    return text.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def _malformed(message: str = "Le formulaire envoyé est mal formé (multipart/form-data attendu).") -> InvalidInput:
    return InvalidInput([FieldError(path="body", code="multipart_invalid", message=message)], message=message)


def refuse_declared_oversize(request: Request, upload: SpooledUpload, drain_max_bytes: int) -> None:
    """A body announced larger than we would even read is refused before reading it."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > drain_max_bytes:
        raise FileTooLarge(upload.limit)


async def _forward(forward: Forward | None, upload: SpooledUpload, pieces: list[bytes]) -> None:
    # Only what the spool kept: past the size limit the upload is refused and nothing more is sent.
    if forward is not None and not upload.too_large:
        for piece in pieces:
            await forward(piece)
    pieces.clear()


async def receive_multipart(
    request: Request, upload: SpooledUpload, drain_max_bytes: int, forward: Forward | None = None
) -> ReceivedForm:
    """The `file` part goes to the spool (and to `forward`) as it arrives; the other small fields are kept as text."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise _malformed()
    refuse_declared_oversize(request, upload, drain_max_bytes)

    form = ReceivedForm()
    header_name = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}
    current: dict[str, object] = {}
    fresh: list[bytes] = []

    def on_part_begin() -> None:
        headers.clear()
        current.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(headers.get(b"content-disposition"))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        current["name"] = name
        if name == FILE_FIELD:
            form.files += 1
            if form.files > 1:
                raise _malformed("Un seul fichier peut être envoyé à la fois.")
            raw = disposition.get(b"filename")
            form.filename = _form_filename(raw) if raw is not None else None
        else:
            current["value"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if current.get("name") == FILE_FIELD:
            piece = data[start:end]
            upload.write(piece)
            if forward is not None:
                fresh.append(piece)
            return
        value = current["value"]
        assert isinstance(value, bytearray)
        if len(value) + end - start > MAX_FIELD_BYTES:
            raise _malformed(f"Le champ « {current['name']} » est trop long.")
        value.extend(data[start:end])

    def on_part_end() -> None:
        value = current.get("value")
        if isinstance(value, bytearray):
            form.fields[str(current["name"])] = value.decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > drain_max_bytes:
                raise FileTooLarge(upload.limit)
            parser.write(chunk)
            await _forward(forward, upload, fresh)
        parser.finalize()
        await _forward(forward, upload, fresh)
    except MultipartParseError as exc:
        raise _malformed() from exc
    return form


async def receive_body(
    request: Request, upload: SpooledUpload, drain_max_bytes: int, forward: Forward | None = None
) -> None:
    """A raw body (`PUT`): the whole body is the file."""
    refuse_declared_oversize(request, upload, drain_max_bytes)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > drain_max_bytes:
            raise FileTooLarge(upload.limit)
        upload.write(chunk)
        await _forward(forward, upload, [chunk])
