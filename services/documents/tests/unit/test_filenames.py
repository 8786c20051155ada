import pytest

from passerelle.documents.domain.filenames import ascii_fallback, content_disposition, safe_filename


@pytest.mark.parametrize(
    ("original", "media_type", "expected"),
    [
        ("Convention de formation.pdf", "application/pdf", "Convention de formation.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\léa\\Bureau\\convention.PDF", "application/pdf", "convention.pdf"),
        ("facture\u202egpj.exe", "application/pdf", "facturegpj.exe.pdf"),  # no bidi trick
        ("rapport.exe", "application/pdf", "rapport.exe.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.png", "image/jpeg", "photo.png.jpg"),
        ("scan", "image/png", "scan.png"),
        ('a<b>c:"d"|e?*;.pdf', "application/pdf", "a_b_c__d__e___.pdf"),
        ("tab\tnew\nline.pdf", "application/pdf", "tabnewline.pdf"),
        ("   ..  ", "application/pdf", "document.pdf"),
        ("", "application/pdf", "document.pdf"),
        (None, "image/png", "document.png"),
        (".pdf", "application/pdf", "document.pdf"),
        ("refusé.bin", "", "refusé.bin"),
    ],
)
def test_uploaded_names_are_made_safe(original, media_type, expected):
    assert safe_filename(original, media_type) == expected


def test_long_names_are_cut_keeping_the_extension():
    name = safe_filename("é" * 500 + ".pdf", "application/pdf")
    assert len(name) == 120
    assert name.endswith("é.pdf")


def test_names_are_nfc_normalised():
    decomposed = "Convention re\u0301duction.pdf"
    assert safe_filename(decomposed, "application/pdf") == "Convention réduction.pdf"


def test_content_disposition_has_an_ascii_fallback_and_the_exact_utf8_name():
    header = content_disposition("Convention réduction « 2026 ».pdf")
    assert header == (
        'attachment; filename="Convention reduction _ 2026 _.pdf"; '
        "filename*=UTF-8''Convention%20r%C3%A9duction%20%C2%AB%202026%20%C2%BB.pdf"
    )


def test_content_disposition_cannot_be_broken_out_of():
    header = content_disposition('x"; filename="evil.exe.pdf')
    fallback = header.split("; filename*=")[0]
    assert fallback.count('"') == 2
    assert "\r" not in header and "\n" not in header
    assert header.endswith("filename*=UTF-8''x%22%3B%20filename%3D%22evil.exe.pdf")


def test_ascii_fallback_is_never_empty():
    assert ascii_fallback("日本語") == "document"
