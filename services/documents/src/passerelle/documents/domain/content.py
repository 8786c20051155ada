"""What a file is, decided by its first bytes (never by its name or the type the client declared)."""

from __future__ import annotations

from dataclasses import dataclass

# Enough of the head of a file to recognise it.
SNIFF_BYTES = 16


@dataclass(frozen=True)
class MediaType:
    name: str
    extension: str
    magic: bytes


ALLOWED: tuple[MediaType, ...] = (
    MediaType("application/pdf", ".pdf", b"%PDF-"),
    MediaType("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
    MediaType("image/jpeg", ".jpg", b"\xff\xd8\xff"),
)
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
}

# Recognised only to explain a refusal better.
_EXECUTABLES: tuple[bytes, ...] = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"#!")


def sniff_media_type(head: bytes) -> MediaType | None:
    """The allowed media type whose signature starts the file, if any."""
    return next((m for m in ALLOWED if head.startswith(m.magic)), None)


def looks_executable(head: bytes) -> bool:
    return head.startswith(_EXECUTABLES)
