"""Uploads read whole by kept parsers (issue #10, item 9): polyglots, active content and trailing data refused."""

from __future__ import annotations

import io
import zipfile

import pikepdf
import pytest
from PIL import Image

from passerelle.documents.adapters.inspection import StructureInspector
from passerelle.documents.domain.errors import UnsafeContent
from passerelle.libs.testing.samples import sample_pdf, sample_png

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"


def refusal(data: bytes, media_type: str) -> str | None:
    try:
        StructureInspector().inspect(io.BytesIO(data), media_type)
    except UnsafeContent as exc:
        return exc.reason_code
    return None


def jpeg(**options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 16), (200, 30, 30)).save(out, "JPEG", **options)
    return out.getvalue()


def pdf_with(edit) -> bytes:
    pdf = pikepdf.open(io.BytesIO(sample_pdf()))
    edit(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def test_sound_files_pass():
    assert refusal(sample_pdf(), PDF) is None
    assert refusal(sample_pdf(200_000), PDF) is None
    assert refusal(sample_png(), PNG) is None
    assert refusal(jpeg(), JPEG) is None
    assert refusal(jpeg(progressive=True), JPEG) is None
    # A link to a website is ordinary in a letter.
    link = pdf_with(
        lambda p: p.Root.__setitem__("/OpenAction", pikepdf.Dictionary(S=pikepdf.Name.URI, URI="https://example.fr"))
    )
    assert refusal(link, PDF) is None


def test_a_pdf_that_is_also_a_zip_is_refused():
    assert refusal(sample_pdf() + zip_bytes(), PDF) == "unsafe_archive"
    assert refusal(sample_pdf() + b"MZ\x90\x00 this program cannot be run", PDF) == "unsafe_trailing_data"


def test_pdf_javascript_is_refused_wherever_it_hides():
    open_action = pdf_with(
        lambda p: p.Root.__setitem__("/OpenAction", pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    )
    assert refusal(open_action, PDF) == "unsafe_javascript"

    def names(pdf):
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)")))
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=pikepdf.Array(["x", action])))

    assert refusal(pdf_with(names), PDF) == "unsafe_javascript"

    def launch(pdf):
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.Launch, F="cmd.exe"))

    assert refusal(pdf_with(launch), PDF) == "unsafe_active_content"


def test_pdf_embedded_files_and_xfa_are_refused():
    def attach(pdf):
        pdf.attachments["facture.exe"] = pikepdf.AttachedFileSpec(
            pdf, b"MZ payload", mime_type="application/x-msdownload"
        )

    assert refusal(pdf_with(attach), PDF) == "unsafe_embedded_file"

    def xfa(pdf):
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pikepdf.Array())

    assert refusal(pdf_with(xfa), PDF) == "unsafe_xfa_form"


def test_broken_pdfs_are_refused():
    assert refusal(b"%PDF-1.7\nhello", PDF) == "unsafe_unreadable"
    assert refusal(b"%PDF-1.7\n" + b"a" * 5000 + b"\n%%EOF\n", PDF) == "unsafe_unreadable"


def test_images_followed_by_anything_are_refused():
    assert refusal(sample_png() + b"<html><script>alert(1)</script></html>", PNG) == "unsafe_trailing_data"
    assert refusal(jpeg() + b"<html><script>alert(1)</script></html>", JPEG) == "unsafe_trailing_data"
    assert refusal(sample_png() + zip_bytes(), PNG) == "unsafe_archive"
    assert refusal(b"\x89PNG\r\n\x1a\n" + b"\0" * 3000, PNG) == "unsafe_unreadable"
    assert refusal(jpeg()[:-200], JPEG) == "unsafe_unreadable"


def test_refusals_have_a_french_message_on_the_file_field():
    with pytest.raises(UnsafeContent) as refused:
        StructureInspector().inspect(io.BytesIO(sample_png() + b"<html>"), PNG)
    body = refused.value.as_dict()["error"]
    assert body["code"] == "document_unsafe_trailing_data" and refused.value.status_code == 422
    assert body["fields"][0]["path"] == "file" and "fin du document" in body["fields"][0]["message"]
