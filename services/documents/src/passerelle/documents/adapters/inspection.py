"""The whole structure of an upload, read by kept parsers: qpdf (pikepdf) for PDFs, Pillow for images.

The first bytes only say what a file claims to be. A file is refused when, read whole:
- it does not parse as what it claims (a PDF qpdf cannot open, an image Pillow cannot decode);
- anything follows its end (bytes after a PNG's IEND chunk or a JPEG's end of image, after a PDF's last
  %%EOF), or it is also a ZIP archive (an archive appended to or wrapped around the document);
- a PDF carries active content (JavaScript, launch, form submission or import actions, XFA forms, rich
  media) or embedded files; links (URI) and in-document navigation are ordinary and kept.
Refusing rather than rewriting: the stored file stays byte for byte what its sender signed and sent.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import BinaryIO

import pikepdf
from PIL import Image

from passerelle.documents.domain.errors import UnsafeContent

# An image's pixels bound its decoding memory: past this, Pillow refuses it as a decompression bomb.
MAX_IMAGE_PIXELS = 60_000_000
_TAIL_BYTES = 2048
_ACTIONS_REFUSED = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute", "/Rendition"}
_KEYS_REFUSED = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "embedded_file",
    "/XFA": "xfa_form",
    "/RichMedia": "rich_media",
}
_TYPES_REFUSED = {"/EmbeddedFile": "embedded_file", "/Filespec": "embedded_file"}
_SUBTYPES_REFUSED = {
    "/FileAttachment": "embedded_file",
    "/RichMedia": "rich_media",
    "/Movie": "rich_media",
    "/Sound": "rich_media",
    "/Screen": "rich_media",
    "/3D": "rich_media",
}


class StructureInspector:
    """The `ContentInspector` port: raises UnsafeContent, returns nothing for a sound file."""

    def inspect(self, reader: BinaryIO, media_type: str) -> None:
        try:
            self._inspect(reader, media_type)
        except UnsafeContent:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a parser trips on, the file is not sound
            raise UnsafeContent("unreadable") from exc

    def _inspect(self, reader: BinaryIO, media_type: str) -> None:
        if _is_zip(reader):
            raise UnsafeContent("archive")
        reader.seek(0)
        if media_type == "application/pdf":
            inspect_pdf(reader)
        elif media_type == "image/png":
            inspect_png(reader.read())
        elif media_type == "image/jpeg":
            inspect_jpeg(reader.read())
        else:
            raise UnsafeContent("unreadable")


def _is_zip(reader: BinaryIO) -> bool:
    reader.seek(0)
    try:
        return zipfile.is_zipfile(reader)
    finally:
        reader.seek(0)


def inspect_pdf(reader: BinaryIO) -> None:
    reader.seek(0, io.SEEK_END)
    size = reader.tell()
    reader.seek(max(0, size - _TAIL_BYTES))
    tail = reader.read()
    end = tail.rfind(b"%%EOF")
    if end < 0:
        raise UnsafeContent("unreadable")
    if tail[end + 5 :].strip(b"\r\n\t \x00\x0c"):
        raise UnsafeContent("trailing_data")
    reader.seek(0)
    try:
        pdf = pikepdf.open(reader)
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise UnsafeContent("unreadable") from exc
    with pdf:
        names = pdf.Root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            for key in ("/JavaScript", "/EmbeddedFiles"):
                if key in names:
                    raise UnsafeContent(_KEYS_REFUSED[key])
        if "/AcroForm" in pdf.Root and "/XFA" in pdf.Root.AcroForm:
            raise UnsafeContent("xfa_form")
        for obj in pdf.objects:
            _walk(obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj)


def _walk(top: pikepdf.Object) -> None:
    """Every dictionary held directly in an object (an indirect one is visited as an object of its own)."""
    pending = [top]
    while pending:
        item = pending.pop()
        if isinstance(item, pikepdf.Dictionary):
            _refuse_active(item)
            children = list(item.values())
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        pending.extend(c for c in children if isinstance(c, (pikepdf.Dictionary, pikepdf.Array)) and not c.is_indirect)


def _refuse_active(dictionary: pikepdf.Dictionary) -> None:
    for key, reason in _KEYS_REFUSED.items():
        if key in dictionary:
            raise UnsafeContent(reason)
    kind = dictionary.get("/Type")
    if isinstance(kind, pikepdf.Name) and str(kind) in _TYPES_REFUSED and "/EF" in dictionary:
        raise UnsafeContent(_TYPES_REFUSED[str(kind)])
    if "/EF" in dictionary:
        raise UnsafeContent("embedded_file")
    subtype = dictionary.get("/Subtype")
    if isinstance(subtype, pikepdf.Name) and str(subtype) in _SUBTYPES_REFUSED:
        raise UnsafeContent(_SUBTYPES_REFUSED[str(subtype)])
    action = dictionary.get("/S")
    if isinstance(action, pikepdf.Name) and str(action) in _ACTIONS_REFUSED:
        raise UnsafeContent("javascript" if str(action) == "/JavaScript" else "active_content")


def _decode_image(data: bytes, expected: str) -> None:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise UnsafeContent("unreadable")
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsafeContent("unreadable") from exc


def inspect_png(data: bytes) -> None:
    """Chunk by chunk to IEND: nothing may follow it."""
    position = 8
    while True:
        if position + 12 > len(data):
            raise UnsafeContent("unreadable")
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            break
    if position != len(data):
        raise UnsafeContent("trailing_data")
    _decode_image(data, "PNG")


def inspect_jpeg(data: bytes) -> None:
    """Marker segments, then the entropy-coded data, to the end-of-image marker: nothing may follow it."""
    position = 2  # after SOI
    size = len(data)
    while True:
        if position + 2 > size or data[position] != 0xFF:
            raise UnsafeContent("unreadable")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # EOI
            position += 2
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        if position + 4 > size:
            raise UnsafeContent("unreadable")
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker that is not a restart
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    raise UnsafeContent("unreadable")
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break
    if data[position:].strip(b"\x00"):
        raise UnsafeContent("trailing_data")
    _decode_image(data, "JPEG")
