"""The filled CERFA: both models render from the contract's data, laid out like the official forms."""

from __future__ import annotations

import base64
import re
import uuid
import zlib

import pytest

from passerelle.contracts.adapters.pdf import render_cerfa
from passerelle.contracts.domain.codes import ContractType
from passerelle.contracts.domain.contract import Contract
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.service_layer.records import ContractRecord
from passerelle.libs.access import Side


def _text_of(pdf: bytes) -> str:
    """The text drawn on the pages (reportlab encodes page streams as ASCII85 over zlib)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        try:
            if data.endswith(b"~>"):
                data = base64.a85decode(data.removeprefix(b"<~").removesuffix(b"~>"))
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "".join(chunks)


@pytest.mark.parametrize(
    ("contract_type", "fixture", "number", "expected"),
    [
        (
            ContractType.APPRENTICESHIP,
            "apprenticeship_form",
            "10103",
            ["CONTRAT D'APPRENTISSAGE", "Lucas", "RNCP37680"],
        ),
        (ContractType.PROFESSIONALISATION, "professionalisation_form", "12434", ["PROFESSIONNALISATION", "Camille"]),
    ],
)
def test_a_complete_contract_renders_as_its_cerfa(request, contract_type, fixture, number, expected):
    form = request.getfixturevalue(fixture)
    contract = Contract(id=uuid.uuid4(), contract_type=contract_type, form=form, owner_id="someone")
    pdf = render_cerfa(ContractRecord(contract=contract, created_by_side=Side.EMPLOYER, opco_code="OPCOMMERCE"))
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    text = _text_of(pdf)
    for word in [number, *expected, "OPCOMMERCE"]:
        assert word.replace("'", "\\'") in text or word in text, word
    assert re.search(rb"/Count [2-9]", pdf)  # several pages, like the official form


def test_an_empty_draft_renders_too():
    contract = Contract(id=uuid.uuid4(), contract_type=ContractType.APPRENTICESHIP, form=ContractForm(), owner_id="x")
    pdf = render_cerfa(ContractRecord(contract=contract, created_by_side=Side.TRAINING, opco_code=None))
    assert pdf.startswith(b"%PDF")


def _render(form, contract_type) -> str:
    contract = Contract(id=uuid.uuid4(), contract_type=contract_type, form=form, owner_id="someone")
    return _text_of(render_cerfa(ContractRecord(contract=contract, created_by_side=Side.EMPLOYER, opco_code="X")))


def test_the_cerfa_carries_the_state_block_the_form_version_and_the_signature_place_and_date(apprenticeship_form):
    text = _text_of_words(_render(apprenticeship_form, ContractType.APPRENTICESHIP))
    for words in ["RÉPUBLIQUE", "FRANÇAISE", "Liberté", "N° 10103*14", "FA13", "Fait à", "Paris", "25/08/2025"]:
        assert words in text, words
    assert "Visa du CFA" in text and "CADRE RÉSERVÉ AU CFA" in text


def test_the_professionalisation_cerfa_prints_its_own_kind_label(professionalisation_form):
    text = _text_of_words(_render(professionalisation_form, ContractType.PROFESSIONALISATION))
    assert "Premier contrat de professionnalisation" in text
    assert "Premier contrat de l'apprenti" not in text and "apprenti" not in text.lower().replace("apprentissage", "")
    assert "N° 12434*04" in text and "93131234513" in text


def test_no_label_is_cut(apprenticeship_form, professionalisation_form):
    for form, kind in [
        (apprenticeship_form, ContractType.APPRENTICESHIP),
        (professionalisation_form, ContractType.PROFESSIONALISATION),
    ]:
        assert "…" not in _text_of_words(_render(form, kind))


def _text_of_words(stream_text: str) -> str:
    """The strings drawn (`(...) Tj`), joined: reportlab escapes parentheses and apostrophes, encodes latin-1."""
    drawn = re.findall(r"\((.*?)(?<!\\)\) Tj", stream_text)

    def unescape(part: str) -> str:
        part = re.sub(r"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]).decode("cp1252"), part)
        return re.sub(r"\\(.)", r"\1", part)

    return " ".join(unescape(part) for part in drawn)


def test_the_forms_versions_are_data_with_their_source():
    """Issue #11: the CERFA's version number says where it comes from (and whether it was checked)."""
    import json
    from datetime import date
    from importlib import resources

    from passerelle.contracts.adapters import pdf

    raw = json.loads(resources.files(pdf.__package__).joinpath("cerfa_forms.json").read_text(encoding="utf-8"))
    for kind, form in raw["forms"].items():
        assert pdf.FORMS[ContractType(kind)] == (form["number"], form["model"])
        assert date.fromisoformat(form["in_force_from"]) and len(form["source"]) > 40
        assert form["verified"] or form["source"].startswith("NON VÉRIFIÉ")
