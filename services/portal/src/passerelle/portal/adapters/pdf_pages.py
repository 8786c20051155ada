"""PDF pages as images, so that a letter or a document is read in the page itself (the pages' content policy
frames nothing, and a browser's PDF viewer is not always there): PDFium through pypdfium2, PNG through Pillow."""

from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium

# PDFium is not thread-safe: one rendering at a time in this process.
_LOCK = threading.Lock()
MAX_PAGES = 6


def page_count(pdf: bytes) -> int:
    with _LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            return min(len(document), MAX_PAGES)
        finally:
            document.close()


def page_png(pdf: bytes, number: int, width: int = 900) -> bytes | None:
    """Page `number` (1-based) as a PNG about `width` pixels wide; None when the document has no such page."""
    if number < 1 or number > MAX_PAGES:
        return None
    with _LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            if number > len(document):
                return None
            page = document[number - 1]
            scale = width / max(page.get_width(), 1.0)
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
