"""The validation engine: a registry of rules, each with a stable id, its tab, fields, message and legal reference.

A rule's `check` receives the shared `Facts` of the form and yields `Hit`s (the field at fault, and optionally a
more precise message); the engine turns them into `Finding`s carrying the rule's metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ..codes import ContractType
from ..facts import Facts, ValidationContext
from ..form import ContractForm
from ..legal import ParameterNotInForce
from ..tabs import Tab, tab_of

APPRENTICESHIP_ONLY = frozenset({ContractType.APPRENTICESHIP})
PROFESSIONALISATION_ONLY = frozenset({ContractType.PROFESSIONALISATION})
BOTH_TYPES = frozenset(ContractType)


class Severity(StrEnum):
    ERROR = "error"  # blocks transmission
    WARNING = "warning"  # a legal point to check; does not block


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong (error) or worth checking (warning) in a contract."""

    rule_id: str
    severity: Severity
    tab: Tab
    field: str
    message: str
    reference: str

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule's check reports: the field at fault, optionally a precise message or another severity."""

    field: str
    message: str | None = None
    severity: Severity | None = None


Check = Callable[[Facts], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    tab: Tab
    fields: tuple[str, ...]
    message: str
    reference: str
    severity: Severity
    applies_to: frozenset[ContractType]
    check: Check = field(repr=False, compare=False)

    @property
    def tabs(self) -> tuple[Tab, ...]:
        return tuple(dict.fromkeys(tab_of(path) for path in self.fields)) or (self.tab,)


_REGISTRY: dict[str, Rule] = {}
_BY_TYPE: dict[ContractType | None, tuple[Rule, ...]] = {}


def rule(
    *,
    id: str,
    tab: Tab,
    fields: tuple[str, ...],
    message: str,
    reference: str,
    severity: Severity = Severity.ERROR,
    applies_to: frozenset[ContractType] = BOTH_TYPES,
) -> Callable[[Check], Check]:
    """Register a rule; the decorated function is its check."""

    def register(check: Check) -> Check:
        if id in _REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        _REGISTRY[id] = Rule(id, tab, fields, message, reference, severity, applies_to, check)
        _BY_TYPE.clear()
        return check

    return register


def all_rules() -> tuple[Rule, ...]:
    return tuple(_REGISTRY.values())


def get_rule(rule_id: str) -> Rule:
    return _REGISTRY[rule_id]


def _rules_for(contract_type: ContractType | None) -> tuple[Rule, ...]:
    rules = _BY_TYPE.get(contract_type)
    if rules is None:
        if contract_type is None:
            # Until the type is chosen only the rules common to both types can be run.
            rules = tuple(r for r in _REGISTRY.values() if r.applies_to == BOTH_TYPES)
        else:
            rules = tuple(r for r in _REGISTRY.values() if contract_type in r.applies_to)
        _BY_TYPE[contract_type] = rules
    return rules


def validate(form: ContractForm, context: ValidationContext | None = None) -> list[Finding]:
    """Every finding about the form, errors and warnings, in rule order."""
    facts = Facts(form, context or ValidationContext())
    findings: list[Finding] = []
    append = findings.append
    for current in _rules_for(facts.contract_type):
        try:
            for hit in current.check(facts):
                append(
                    Finding(
                        rule_id=current.id,
                        severity=hit.severity or current.severity,
                        tab=tab_of(hit.field),
                        field=hit.field,
                        message=hit.message or current.message,
                        reference=current.reference,
                    )
                )
        except ParameterNotInForce:
            # Dates outside the legal data: LEGAL_PARAMETERS_IN_FORCE reports it once; the rule cannot judge.
            continue
    findings.sort(key=_tab_position)  # stable: rule order within a tab
    return findings


_TAB_ORDER = {tab: position for position, tab in enumerate(Tab)}


def _tab_position(finding: Finding) -> int:
    return _TAB_ORDER[finding.tab]


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.blocking]
