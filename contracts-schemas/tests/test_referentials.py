"""The platform's shared IDCC → OPCO table: one versioned file, with its source and date, read by both services."""

from datetime import date

from passerelle.schemas.referentials import idcc_opco


def test_the_table_is_dated_and_sourced_and_every_agreement_names_a_known_opco():
    table = idcc_opco()
    assert table.version and table.reference.startswith("Arrêtés du 29 mars 2019")
    assert table.published_on >= table.effective_from == date(2019, 4, 1)
    assert len(table.opcos) == 11  # the eleven OPCOs agreed since 1 April 2019
    assert {a.opco_code for a in table.agreements.values()} <= set(table.opcos)
    assert all(len(idcc) == 4 and idcc.isdigit() and a.label for idcc, a in table.agreements.items())


def test_an_agreement_is_found_as_the_cerfa_writes_it():
    table = idcc_opco()
    assert table.agreement("0843").opco_code == "OPCOEP"
    assert table.agreement(" 843 ").opco_code == "OPCOEP"
    assert table.agreement("1486").opco_code == "ATLAS"
    assert table.agreement("9999") is None and table.agreement(None) is None
    assert table.opco("OPCOEP").name.startswith("OPCO EP")
