"""Names people see: the uploaded name made safe to show, and a safe `Content-Disposition` to download with.

The name never reaches a storage path (object names are generated); it is only displayed and offered
as the download name, so it must not carry a path, control characters or a misleading extension.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from passerelle.documents.domain.content import EXTENSIONS

MAX_FILENAME_LENGTH = 120
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]')
_SPACES = re.compile(r"\s+")
_ASCII_SAFE = re.compile(r"[A-Za-z0-9 ._()\-]")


def _without_controls(text: str) -> str:
    # Categories C* (controls, format characters such as bidi overrides) have no place in a file name.
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))


def safe_filename(original: str | None, media_type: str, fallback_stem: str = "document") -> str:
    """`../../etc/passwd\u202e.pdf` -> `passwd.pdf`: no folders, no controls, the extension of the real content."""
    name = unicodedata.normalize("NFC", original or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _without_controls(name)
    name = _FORBIDDEN.sub("_", name)
    name = _SPACES.sub(" ", name).strip(" ").rstrip(".")
    extensions = EXTENSIONS.get(media_type, ())
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in extensions:
        extension = f".{ext.lower()}"
    else:
        # "report.exe" holding a PDF becomes "report.exe.pdf": the extension always tells the real content.
        stem, extension = name, (extensions[0] if extensions else "")
    # No hidden files ("..pdf"), no trailing dots (Windows drops them).
    stem = stem.strip(" .") or fallback_stem
    stem = stem[: MAX_FILENAME_LENGTH - len(extension)].rstrip(" .") or fallback_stem
    return stem + extension


def ascii_fallback(filename: str) -> str:
    """For old clients that ignore `filename*`: accents dropped, anything else unusual replaced."""
    out = []
    for ch in unicodedata.normalize("NFKD", filename):
        if unicodedata.combining(ch):
            continue
        out.append(ch if _ASCII_SAFE.fullmatch(ch) else "_")
    text = "".join(out).strip(" .")
    return text if text.strip("_") else "document"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII `filename` for everyone and the exact UTF-8 name in `filename*`."""
    return f"{disposition}; filename=\"{ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
