"""Builders of complete, valid contracts for the unit tests.

The builders live in the domain (`passerelle.contracts.testing.samples`) so that the service, end-to-end tests
and benchmarks reuse the same ones; this module only re-exports them for the tests of this folder.
"""

from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SECOND_SIRET,
    DEMO_EMPLOYER_SIRET,
    DEMO_OTHER_COMPANY_SIRET,
    complete_apprenticeship_form,
    complete_professionalisation_form,
    sample_documents,
    transmission_context,
    with_changes,
    with_declared_minimum_pay,
)

__all__ = [
    "DEMO_CFA_SIRET",
    "DEMO_CFA_UAI",
    "DEMO_EMPLOYER_SECOND_SIRET",
    "DEMO_EMPLOYER_SIRET",
    "DEMO_OTHER_COMPANY_SIRET",
    "complete_apprenticeship_form",
    "complete_professionalisation_form",
    "sample_documents",
    "transmission_context",
    "with_changes",
    "with_declared_minimum_pay",
]
