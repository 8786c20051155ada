"""Findings as the API shows them: one by one, and grouped by tab (the red marks on the tabs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from passerelle.contracts.domain.rules import Finding, Severity
from passerelle.contracts.domain.tabs import Tab


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "tab": finding.tab.value,
        "tab_label": finding.tab.label,
        "field": finding.field,
        "message": finding.message,
        "reference": finding.reference,
    }


def by_tab(findings: Iterable[Finding], tabs: Iterable[Tab] = tuple(Tab)) -> list[dict[str, Any]]:
    """Every tab in the form's order with its errors and warnings and an overall state."""
    grouped: dict[Tab, dict[str, list[dict[str, Any]]]] = {tab: {"errors": [], "warnings": []} for tab in tabs}
    for finding in findings:
        if finding.tab not in grouped:
            continue
        key = "errors" if finding.severity == Severity.ERROR else "warnings"
        grouped[finding.tab][key].append(finding_dict(finding))
    return [
        {
            "tab": tab.value,
            "label": tab.label,
            "state": "error" if items["errors"] else "warning" if items["warnings"] else "ok",
            "errors": items["errors"],
            "warnings": items["warnings"],
        }
        for tab, items in grouped.items()
    ]


def summary(findings: list[Finding]) -> dict[str, Any]:
    errors = [f for f in findings if f.severity == Severity.ERROR]
    return {
        "valid": not errors,
        "error_count": len(errors),
        "warning_count": len(findings) - len(errors),
        "tabs_in_error": list(dict.fromkeys(f.tab.value for f in errors)),
        "findings": [finding_dict(f) for f in findings],
        "tabs": by_tab(findings),
    }
