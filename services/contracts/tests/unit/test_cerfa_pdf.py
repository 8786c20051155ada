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
from passerelle.contracts.service_layer.records import ContractRecord, Side


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
