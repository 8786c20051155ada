"""The automated checks of a case, run before a person looks.

The legal controls are the contracts service's own engine (its findings are passed in, never recomputed
here); this module groups them into the controls the OPCO owes (D6224-2) and adds what only the OPCO's
registers can tell: the certification, the training organisation, the barred employers, the funding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .case import Check, CheckResult, value_at
from .legal import clock_parameter
from .referentials import Referentials

PASSED, FAILED, NA = CheckResult.PASSED, CheckResult.FAILED, CheckResult.NOT_APPLICABLE


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    prefixes: tuple[str, ...]
    reference: dict[str, str]


# The engine's rules, grouped into the controls the OPCO reports on; the rest fall in LEGAL_CONTROLS.
GROUPS = (
    Group(
        "APPRENTICE_AGE",
        "Âge du salarié",
        ("APPRENTICE_AGE_", "PRO_AGE_", "LEGAL_REPRESENTATIVE_REQUIRED", "BIRTH_DATE_BEFORE_START"),
        {
            "apprentissage": "Code du travail, art. L6222-1 à L6222-3 (contrôle D6224-2)",
            "professionnalisation": "Code du travail, art. L6325-1",
        },
    ),
    Group(
        "APPRENTICESHIP_MASTER",
        "Maître d'apprentissage / tuteur",
        ("TUTOR_", "PRO_TUTOR_"),
        {
            "apprentissage": "Code du travail, art. L6223-8-1, R6223-22 à R6223-24 (contrôle D6224-2)",
            "professionnalisation": "Code du travail, art. D6325-6 à D6325-10",
        },
    ),
    Group(
        "PAY",
        "Rémunération",
        ("PAY_", "HIRING_SALARY_"),
        {
            "apprentissage": "Code du travail, art. D6222-26 à D6222-33 (contrôle D6224-2)",
            "professionnalisation": "Code du travail, art. D6325-14 à D6325-18",
        },
    ),
    Group(
        "DOCUMENTS",
        "Pièces du dossier",
        ("TRAINING_AGREEMENT_DOCUMENT", "DURATION_AGREEMENT_DOCUMENT", "MOBILITY_AGREEMENT_DOCUMENT", "SIGNED_CERFA_"),
        {
            "apprentissage": "Code du travail, art. L6353-1, D6224-1 (convention de formation et pièces)",
            "professionnalisation": "Code du travail, art. D6325-1 (contrat et document de formation)",
        },
    ),
)
LEGAL = Group(
    "LEGAL_CONTROLS",
    "Contrôles réglementaires du contrat",
    (),
    {
        "apprentissage": "Code du travail, livre II, titre II (contrat d'apprentissage)",
        "professionnalisation": "Code du travail, art. L6325-1 et suivants",
    },
)


def _group_of(rule_id: str) -> Group:
    for group in GROUPS:
        if any(rule_id.startswith(p) for p in group.prefixes):
            return group
    return LEGAL


def engine_checks(contract_type: str, findings: Iterable[dict[str, Any]]) -> list[Check]:
    errors: dict[str, list[dict[str, Any]]] = {g.id: [] for g in (*GROUPS, LEGAL)}
    for finding in findings:
        if finding.get("severity") == "error":
            errors[_group_of(finding["rule_id"]).id].append(finding)
    out = []
    for group in (*GROUPS, LEGAL):
        found = errors[group.id]
        reason = (
            "; ".join(f"{f['message']} ({f.get('field') or f['tab']})" for f in found)
            if found
            else "Aucune erreur relevée par le moteur de contrôle des contrats."
        )
        out.append(
            Check(
                id=group.id,
                label=group.label,
                result=FAILED if found else PASSED,
                reason=reason,
                reference=group.reference[contract_type],
                details={"findings": found},
            )
        )
    return out


def _date(form: dict[str, Any], path: str) -> date | None:
    value = value_at(form, path)
    return date.fromisoformat(str(value)) if value else None


def register_checks(
    contract_type: str, form: dict[str, Any], referentials: Referentials, barred: bool, on: date
) -> list[Check]:
    apprenticeship = contract_type == "apprentissage"
    start = _date(form, "contract.start_date") or on
    rncp = value_at(form, "training.qualification.rncp_code")
    qualification_kind = value_at(form, "training.qualification.kind")
    org_siret = value_at(form, "training.organisation.siret")
    cert = referentials.certification(rncp) if rncp else None
    org = referentials.training_organisation(org_siret) if org_siret else None
    out = []

    if not apprenticeship and qualification_kind not in (None, "rncp"):
        out.append(
            Check(
                id="ELIGIBLE_TRAINING",
                label="Formation éligible",
                result=NA,
                reason="Qualification de branche (CQP ou classification) : pas d'inscription au RNCP exigée.",
                reference="Code du travail, art. L6314-1",
            )
        )
    elif cert is None:
        out.append(
            Check(
                id="ELIGIBLE_TRAINING",
                label="Formation éligible",
                result=FAILED,
                reason=f"La certification {rncp or '(non renseignée)'} est introuvable au RNCP.",
                reference="Code du travail, art. L6211-1 et L6113-1 (contrôle D6224-2)",
            )
        )
    else:
        active = cert.registered_from <= start <= cert.registered_until
        ok = active and (cert.apprenticeship or not apprenticeship)
        reason = (
            f"{cert.title} ({cert.rncp_code}), inscrite au RNCP jusqu'au {cert.registered_until:%d/%m/%Y}."
            if ok
            else f"{cert.title} ({cert.rncp_code}) n'est pas inscrite au RNCP au début du contrat "
            f"(inscription du {cert.registered_from:%d/%m/%Y} au {cert.registered_until:%d/%m/%Y})."
        )
        out.append(
            Check(
                id="ELIGIBLE_TRAINING",
                label="Formation éligible",
                result=PASSED if ok else FAILED,
                reason=reason,
                reference="Code du travail, art. L6211-1 et L6113-1 (contrôle D6224-2)",
                details={"rncp_code": cert.rncp_code, "level": cert.level},
            )
        )

    if org is None:
        out.append(
            Check(
                id="TRAINING_ORGANISATION_CERTIFIED",
                label="Certification qualité de l'organisme",
                result=FAILED,
                reason=f"L'organisme {org_siret or '(SIRET non renseigné)'} ne figure pas "
                "sur la liste des organismes certifiés Qualiopi.",
                reference="Code du travail, art. L6316-1 (contrôle D6224-2)",
            )
        )
    else:
        ok = org.qualiopi_until is not None and start <= org.qualiopi_until
        out.append(
            Check(
                id="TRAINING_ORGANISATION_CERTIFIED",
                label="Certification qualité de l'organisme",
                result=PASSED if ok else FAILED,
                reason=(
                    f"{org.name} : certifié Qualiopi jusqu'au {org.qualiopi_until:%d/%m/%Y}."
                    if ok
                    else f"{org.name} : certification Qualiopi échue ou absente au début du contrat."
                ),
                reference="Code du travail, art. L6316-1 (contrôle D6224-2)",
            )
        )

    if not apprenticeship:
        out.append(
            Check(
                id="TRAINING_ORGANISATION_AUTHORISED",
                label="Habilitation à préparer la certification",
                result=NA,
                reason="Contrôle propre au contrat d'apprentissage.",
                reference="Code du travail, art. R6113-16",
            )
        )
    else:
        ok = org is not None and org.apprenticeship_actions and rncp in org.certifications
        out.append(
            Check(
                id="TRAINING_ORGANISATION_AUTHORISED",
                label="Habilitation à préparer la certification",
                result=PASSED if ok else FAILED,
                reason=(
                    "L'organisme a déclaré préparer cette certification par apprentissage."
                    if ok
                    else "L'organisme n'a pas déclaré préparer cette certification par apprentissage."
                ),
                reference="Code du travail, art. R6113-16 (contrôle D6224-2)",
            )
        )

    if not apprenticeship:
        out.append(
            Check(
                id="EMPLOYER_NOT_BARRED",
                label="Employeur autorisé à recruter",
                result=NA,
                reason="Contrôle propre au contrat d'apprentissage.",
                reference="Code du travail, art. L6225-1",
            )
        )
    else:
        out.append(
            Check(
                id="EMPLOYER_NOT_BARRED",
                label="Employeur autorisé à recruter des apprentis",
                result=FAILED if barred else PASSED,
                reason=(
                    "L'employeur fait l'objet d'une interdiction de recruter des apprentis."
                    if barred
                    else "L'employeur ne figure pas sur la liste des employeurs faisant l'objet d'une interdiction."
                ),
                reference="Code du travail, art. L6225-1 à L6225-3 (contrôle D6224-2)",
            )
        )
    return out


def funding(
    contract_type: str, form: dict[str, Any], referentials: Referentials
) -> tuple[Check, dict[str, Any] | None]:
    start = _date(form, "contract.start_date")
    end = _date(form, "contract.end_date")
    idcc = value_at(form, "employer.idcc")
    if start is None or end is None or end < start:
        return Check(
            id="FUNDING",
            label="Prise en charge",
            result=FAILED,
            reason="Les dates du contrat ne permettent pas de calculer la prise en charge.",
            reference="Code du travail, art. L6332-14",
        ), None
    days = (end - start).days + 1
    if contract_type == "apprentissage":
        rncp = value_at(form, "training.qualification.rncp_code") or ""
        level = referentials.funding_level(rncp, idcc, start)
        if level is None:
            return Check(
                id="FUNDING",
                label="Prise en charge (NPEC)",
                result=FAILED,
                reason=f"Aucun niveau de prise en charge pour {rncp or 'cette certification'} "
                f"et la branche {idcc or '(IDCC non renseigné)'}.",
                reference="Code du travail, art. L6332-14 et D6332-78",
            ), None
        amount = (level.yearly_amount * days / Decimal(365)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        detail = {
            "amount": str(amount),
            "basis": "npec",
            "yearly_amount": str(level.yearly_amount),
            "days": days,
            "branch_level": level.idcc is not None,
            "effective_from": level.effective_from.isoformat(),
            "source": level.source,
        }
        reason = (
            f"NPEC {level.yearly_amount} € par an ({'niveau de la branche' if level.idcc else 'niveau par défaut'}), "
            f"proratisé sur {days} jours : {amount} €."
        )
        return Check(
            id="FUNDING",
            label="Prise en charge (NPEC)",
            result=PASSED,
            reason=reason,
            reference="Code du travail, art. L6332-14 et D6332-78 (référentiel France compétences)",
            details=detail,
        ), detail
    hours = value_at(form, "training.hours") or 0
    rate = clock_parameter("professionalisation_hourly_funding", start)
    amount = (Decimal(str(hours)) * Decimal(rate.value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    detail = {
        "amount": str(amount),
        "basis": "hourly",
        "hours": str(hours),
        "hourly_rate": rate.value,
        "source": rate.reference,
    }
    return Check(
        id="FUNDING",
        label="Prise en charge (forfait horaire)",
        result=PASSED,
        reason=f"{hours} heures × {rate.value} € : {amount} €.",
        reference=rate.reference,
        details=detail,
    ), detail


def filing_check(filing: dict[str, Any] | None) -> Check:
    if not filing:
        return Check(
            id="FILING_DEADLINE",
            label="Délai de transmission",
            result=NA,
            blocking=False,
            reason="Date de début du contrat inconnue.",
            reference="Code du travail, art. D6224-1 / D6325-1",
        )
    unit = "jours ouvrables" if filing["unit"] == "working_days" else "jours"
    late = filing["late_by"]
    return Check(
        id="FILING_DEADLINE",
        label="Délai de transmission",
        result=FAILED if late else PASSED,
        blocking=False,
        reason=(
            f"Transmis avec {late} {unit} de retard (au plus tard le {filing['due_on']})."
            if late
            else f"Transmis dans le délai (au plus tard le {filing['due_on']})."
        ),
        reference=filing["reference"],
        details=filing,
    )


def run_checks(
    contract_type: str,
    form: dict[str, Any],
    findings: Iterable[dict[str, Any]],
    referentials: Referentials,
    *,
    barred: bool,
    filing: dict[str, Any] | None,
    on: date,
) -> tuple[list[Check], dict[str, Any] | None]:
    checks = engine_checks(contract_type, findings)
    checks += register_checks(contract_type, form, referentials, barred, on)
    fund_check, fund = funding(contract_type, form, referentials)
    checks.append(fund_check)
    checks.append(filing_check(filing))
    return checks, fund
