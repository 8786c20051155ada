"""Legal parameters are versioned data: each value has an effective date and a reference; lookups pick the version
in force on the requested day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from passerelle.contracts.domain.legal import LegalParameters, ParameterNotInForce, legal_parameters, parameter


def test_smic_versions():
    """Décret n° 2024-951 (SMIC au 1er novembre 2024) then the 1 January 2026 raise."""
    assert parameter("smic_monthly", date(2025, 12, 31)).value == Decimal("1801.80")
    assert parameter("smic_hourly", date(2024, 11, 1)).value == Decimal("11.88")
    assert parameter("smic_monthly", date(2026, 1, 1)).value == Decimal("1823.03")
    assert parameter("smic_hourly", date(2026, 6, 1)).value == Decimal("12.02")


def test_pay_grid_is_d6222_26():
    grid = parameter("apprenticeship_pay_grid", date(2025, 9, 1))
    assert grid.reference == "Code du travail, art. D6222-26"
    assert grid.value["under_18"] == (27, 39, 55)
    assert grid.value["21_25"] == (53, 61, 78)


def test_every_version_has_a_date_and_a_reference():
    params = legal_parameters()
    assert len(params.names()) > 30
    for name in params.names():
        for version in params.versions(name):
            assert version.reference.strip(), name
            assert isinstance(version.effective_from, date)


def test_no_value_before_the_first_version():
    with pytest.raises(ParameterNotInForce):
        parameter("smic_monthly", date(2020, 1, 1))
    with pytest.raises(ParameterNotInForce):
        parameter("no_such_parameter", date(2025, 1, 1))


def test_change_dates_between_two_days():
    assert legal_parameters().change_dates("smic_monthly", date(2025, 9, 1), date(2027, 8, 31)) == (date(2026, 1, 1),)


def test_a_new_version_applies_from_its_date():
    params = LegalParameters(
        {
            "x": [
                {"value": 1, "effective_from": "2020-01-01", "reference": "a"},
                {"value": 2, "effective_from": "2030-01-01", "reference": "b"},
            ]
        }
    )
    assert params.value("x", date(2029, 12, 31)) == 1
    assert params.at("x", date(2030, 1, 1)).reference == "b"
