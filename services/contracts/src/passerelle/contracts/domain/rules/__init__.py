"""The validation rules of a contract form: `validate(form, context)` returns every finding.

Importing this package registers every rule module with the engine.
"""

from __future__ import annotations

from ..facts import ValidationContext
from ..tabs import Tab
from . import age, dates, documents, duration, formats, kinds, pay, required, training, tutors, working_time  # noqa: F401
from .engine import (
    APPRENTICESHIP_ONLY,
    BOTH_TYPES,
    PROFESSIONALISATION_ONLY,
    Finding,
    Rule,
    Severity,
    all_rules,
    blocking,
    get_rule,
    validate,
)

__all__ = [
    "APPRENTICESHIP_ONLY",
    "BOTH_TYPES",
    "PROFESSIONALISATION_ONLY",
    "Finding",
    "Rule",
    "Severity",
    "Tab",
    "ValidationContext",
    "all_rules",
    "blocking",
    "get_rule",
    "validate",
]
