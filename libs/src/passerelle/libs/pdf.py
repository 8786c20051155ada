"""The PDF sheet of the official forms and letters: title block, black section bars, labelled boxes, tables.

    sheet = Sheet(title="CERFA 10103", footer="Contrat 42 – révision 1", subject="...")
    sheet.header("10103", "FA13", "CONTRAT D'APPRENTISSAGE", "(Code du travail ...)")
    sheet.section("L'employeur")
    sheet.fields([("N° SIRET", "81208328500013"), ("Dénomination", "Boulangerie Dupain")])
    sheet.paragraph("Madame, Monsieur, ...")       # letters: wrapped text
    pdf_bytes = sheet.finish()

A cursor over A4 pages that breaks pages as needed and numbers them; values are printed in the form's
blue, labels in black. A label is never cut (set smaller, then on two lines); a long value goes on two
lines. Drawn with reportlab, from data only (no template files).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
LABEL_SIZE, VALUE_SIZE = 6.5, 8.5
BOX_H = 6.2 * mm
LABEL_H = 3.2 * mm
BAR_H = 5.5 * mm
FORM_BLUE = colors.HexColor("#000091")
LABEL_MIN_SIZE = 5.2


def text_of(value: Any) -> str:
    """How a value is printed: dates as DD/MM/YYYY, booleans Oui/Non, decimals with a comma, enums by label."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        if not label or label == value.value:
            return str(value.value)
        # Numeric CERFA codes are printed with their label; word codes (private, cdd) by their label only.
        return f"{value.value} – {label}" if str(value.value)[:1].isdigit() else label
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") if value != value.to_integral() else f"{value:.0f}"
    return str(value)


def fit(text: str, width: float, size: float, font: str = FONT) -> str:
    """The text cut with an ellipsis so that it fits in `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, width: float, size: float, font: str = FONT) -> list[str]:
    """Lines of at most `width` points at `size`, cut between words."""
    return simpleSplit(text, font, size, width) or [""]


def label_lines(text: str, width: float) -> tuple[float, list[str]]:
    """A label at the largest size (down to LABEL_MIN_SIZE) that fits on one line, else on two: never cut."""
    size = LABEL_SIZE
    while size > LABEL_MIN_SIZE and stringWidth(text, FONT, size) > width:
        size -= 0.3
    if stringWidth(text, FONT, size) <= width:
        return size, [text]
    lines = wrap(text, width, size)
    return size, [lines[0], " ".join(lines[1:])]


class Sheet:
    def __init__(self, *, footer: str, title: str = "", subject: str = "", author: str = "Passerelle") -> None:
        self._buffer = io.BytesIO()
        self.c = Canvas(self._buffer, pagesize=A4)
        self.c.setTitle(title)
        self.c.setAuthor(author)
        self.c.setSubject(subject)
        self.footer = footer
        self.page = 1
        self.y = PAGE_H - MARGIN

    def need(self, height: float) -> None:
        """Starts a new page unless `height` points fit above the footer."""
        if self.y - height < MARGIN + 8 * mm:
            self._footer()
            self.c.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN

    def _footer(self) -> None:
        self.c.setFont(FONT, 6.5)
        self.c.setFillColor(colors.black)
        self.c.drawString(MARGIN, MARGIN - 2 * mm, self.footer)
        self.c.drawRightString(PAGE_W - MARGIN, MARGIN - 2 * mm, f"Page {self.page}")

    def finish(self) -> bytes:
        """Closes the document and returns the PDF."""
        self._footer()
        self.c.save()
        return self._buffer.getvalue()

    def header(self, number: str, model: str, title: str, subtitle: str, ministry: str = "") -> None:
        """The official form's title block: the République française block (the State's name and motto), the
        cerfa box with its number and version (`10103*14`), the title, the model code and the ministry."""
        c = self.c
        top = self.y
        c.setFillColor(colors.black)
        c.setFont(BOLD, 8.5)
        c.drawString(MARGIN, top - 4 * mm, "RÉPUBLIQUE")
        c.drawString(MARGIN, top - 7.5 * mm, "FRANÇAISE")
        c.setFont("Helvetica-Oblique", 6.5)
        for index, word in enumerate(("Liberté", "Égalité", "Fraternité")):
            c.drawString(MARGIN, top - (11 + index * 2.8) * mm, word)
        box_x = MARGIN + 27 * mm
        c.setLineWidth(1)
        c.rect(box_x, top - 18 * mm, 28 * mm, 18 * mm)
        c.setFont(BOLD, 15)
        c.drawCentredString(box_x + 14 * mm, top - 9 * mm, "cerfa")
        c.setFont(FONT, 7)
        c.drawCentredString(box_x + 14 * mm, top - 14 * mm, f"N° {number}")
        centre = (box_x + 28 * mm + PAGE_W - MARGIN) / 2
        c.setFont(BOLD, 13)
        c.drawCentredString(centre, top - 8 * mm, title)
        c.setFont(FONT, 7.5)
        c.drawCentredString(centre, top - 13 * mm, subtitle)
        c.setFont(BOLD, 7)
        c.drawRightString(PAGE_W - MARGIN, top - 4 * mm, model)
        if ministry:
            c.setFont(FONT, 6)
            c.drawRightString(PAGE_W - MARGIN, top - 17 * mm, ministry)
        self.y = top - 22 * mm

    def letterhead(self, sender: Sequence[str], recipient: Sequence[str], place_and_date: str) -> None:
        """A letter's head: the sender top left, the recipient's block on the right, then place and date."""
        c = self.c
        top = self.y
        c.setFont(BOLD, 10)
        for index, line in enumerate(sender):
            if index == 1:
                c.setFont(FONT, 8.5)
            c.drawString(MARGIN, top - 4 * mm - index * 4 * mm, line)
        c.setFont(FONT, 9.5)
        x = PAGE_W / 2 + 15 * mm
        block_top = top - 30 * mm
        for index, line in enumerate(recipient):
            c.drawString(x, block_top - index * 4.5 * mm, fit(line, PAGE_W - MARGIN - x, 9.5))
        self.y = block_top - len(recipient) * 4.5 * mm - 8 * mm
        c.drawRightString(PAGE_W - MARGIN, self.y, place_and_date)
        self.y -= 10 * mm

    def heading(self, text: str, size: float = 11) -> None:
        """A bold line (a letter's subject)."""
        self.need(size * 0.5 * mm + 6 * mm)
        self.c.setFont(BOLD, size)
        self.c.setFillColor(colors.black)
        for line in simpleSplit(text, BOLD, size, CONTENT_W):
            self.need(size * 0.45 * mm)
            self.c.drawString(MARGIN, self.y - size * 0.35 * mm, line)
            self.y -= size * 0.45 * mm
        self.y -= 3 * mm

    def paragraph(self, text: str, size: float = 9.5, bullet: bool = False) -> None:
        """Wrapped text across the page's width (a letter's body); `bullet` indents it after a dash."""
        indent = 5 * mm if bullet else 0.0
        leading = size * 0.45 * mm
        self.c.setFont(FONT, size)
        self.c.setFillColor(colors.black)
        for index, line in enumerate(simpleSplit(text, FONT, size, CONTENT_W - indent)):
            self.need(leading)
            if bullet and index == 0:
                self.c.drawString(MARGIN + 1 * mm, self.y - size * 0.35 * mm, "–")
            self.c.drawString(MARGIN + indent, self.y - size * 0.35 * mm, line)
            self.y -= leading
        self.y -= 2.5 * mm

    def notice(self, lines: Sequence[str]) -> None:
        self.need(len(lines) * 3.4 * mm + 2 * mm)
        self.c.setFont(FONT, 6.5)
        for line in lines:
            self.c.drawString(MARGIN, self.y - 2.6 * mm, line)
            self.y -= 3.4 * mm
        self.y -= 1.5 * mm

    def section(self, title: str) -> None:
        # Never a bar alone at the bottom of a page: keep room for a subtitle and a row of boxes under it.
        self.need(BAR_H + 5 * mm + LABEL_H + BOX_H + 4 * mm)
        c = self.c
        c.setFillColor(colors.black)
        c.rect(MARGIN, self.y - BAR_H, CONTENT_W, BAR_H, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(BOLD, 8.5)
        c.drawString(MARGIN + 2 * mm, self.y - BAR_H + 1.7 * mm, title.upper())
        c.setFillColor(colors.black)
        self.y -= BAR_H + 1.5 * mm

    def subtitle(self, text: str) -> None:
        self.need(5 * mm + LABEL_H + BOX_H)
        self.c.setFont(BOLD, 7.5)
        self.c.drawString(MARGIN, self.y - 3.2 * mm, text)
        self.y -= 5 * mm

    def fields(self, items: Sequence[tuple[str, Any]], columns: int = 2) -> None:
        """Labelled boxes, `columns` per row; a value's width follows its column."""
        gap = 3 * mm
        width = (CONTENT_W - gap * (columns - 1)) / columns
        for start in range(0, len(items), columns):
            row = items[start : start + columns]
            self.need(LABEL_H + BOX_H + 1.5 * mm)
            for index, (label, value) in enumerate(row):
                x = MARGIN + index * (width + gap)
                self._field(x, width, label, value)
            self.y -= LABEL_H + BOX_H + 1.5 * mm

    def _field(self, x: float, width: float, label: str, value: Any) -> None:
        c = self.c
        c.setFillColor(colors.black)
        size, lines = label_lines(label, width)
        c.setFont(FONT, size)
        if len(lines) == 1:
            c.drawString(x, self.y - LABEL_H + 0.8 * mm, lines[0])
        else:
            c.drawString(x, self.y - LABEL_H + 2.4 * mm, lines[0])
            c.drawString(x, self.y - LABEL_H + 0.4 * mm, lines[1])
        box_top = self.y - LABEL_H
        c.setStrokeColor(colors.HexColor("#555555"))
        c.setLineWidth(0.5)
        c.rect(x, box_top - BOX_H, width, BOX_H)
        text = text_of(value)
        room = width - 3 * mm
        size = VALUE_SIZE
        while size > 6 and stringWidth(text, FONT, size) > room:
            size -= 0.5
        c.setFont(FONT, size)
        c.setFillColor(FORM_BLUE)
        if stringWidth(text, FONT, size) <= room:
            c.drawString(x + 1.5 * mm, box_top - BOX_H + 2 * mm, text)
        else:
            # Too long for one line even small: two lines in the box rather than a cut value.
            value_lines = wrap(text, room, size)
            c.drawString(x + 1.5 * mm, box_top - 2.5 * mm, value_lines[0])
            c.drawString(x + 1.5 * mm, box_top - 5 * mm, fit(" ".join(value_lines[1:]), room, size))
        c.setFillColor(colors.black)
        c.setStrokeColor(colors.black)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        """A table across the page; `widths` are relative (scaled to the content width)."""
        scale = CONTENT_W / sum(widths)
        widths = [w * scale for w in widths]
        row_h = 5 * mm
        self.need(row_h * 2)
        c = self.c

        def draw(cells: Sequence[Any], bold: bool) -> None:
            x = MARGIN
            c.setFont(BOLD if bold else FONT, 7)
            c.setFillColor(colors.black if bold else FORM_BLUE)
            for cell, width in zip(cells, widths, strict=True):
                c.setStrokeColor(colors.HexColor("#555555"))
                c.rect(x, self.y - row_h, width, row_h)
                c.drawString(x + 1.2 * mm, self.y - row_h + 1.6 * mm, fit(text_of(cell), width - 2.4 * mm, 7))
                x += width
            c.setFillColor(colors.black)
            self.y -= row_h

        draw(headers, True)
        for row in rows:
            self.need(row_h)
            draw(row, False)
        self.y -= 2 * mm

    def checkbox(self, checked: bool | None, label: str) -> None:
        lines = wrap(label, CONTENT_W - 5 * mm, 7)
        self.need(5 * mm + 3.2 * mm * (len(lines) - 1))
        c = self.c
        c.rect(MARGIN, self.y - 3.6 * mm, 3 * mm, 3 * mm)
        if checked:
            c.setFillColor(FORM_BLUE)
            c.setFont(BOLD, 8)
            c.drawString(MARGIN + 0.6 * mm, self.y - 3.1 * mm, "X")
            c.setFillColor(colors.black)
        c.setFont(FONT, 7)
        for index, line in enumerate(lines):
            c.drawString(MARGIN + 5 * mm, self.y - 3.2 * mm - index * 3.2 * mm, line)
        self.y -= 5 * mm + 3.2 * mm * (len(lines) - 1)

    def signatures(self, labels: Sequence[str]) -> None:
        height = 22 * mm
        self.need(height + 2 * mm)
        width = (CONTENT_W - 3 * mm * (len(labels) - 1)) / len(labels)
        for index, label in enumerate(labels):
            x = MARGIN + index * (width + 3 * mm)
            self.c.rect(x, self.y - height, width, height)
            self.c.setFont(FONT, 6.5)
            for row, line in enumerate(wrap(label, width - 3 * mm, 6.5)):
                self.c.drawString(x + 1.5 * mm, self.y - (3.5 + row * 2.8) * mm, line)
        self.y -= height + 2 * mm
