"""Who may do what: OPCO staff, by their membership's role, on their OPCO's cases only."""

from __future__ import annotations

from dataclasses import dataclass

from passerelle.libs.auth import Principal
from passerelle.opco_processing.domain.case import Actor, ReviewCase
from passerelle.opco_processing.domain.errors import CaseForbidden, CaseNotFound

ROLE_RANK = {"reviewer": 1, "supervisor": 2, "admin": 3}
ROLE_LABELS = {"reviewer": "instructeur", "supervisor": "superviseur", "admin": "administrateur"}


@dataclass(frozen=True)
class Staff:
    opco_code: str
    role: str
    actor: Actor

    def at_least(self, role: str, action: str) -> None:
        if ROLE_RANK.get(self.role, 0) < ROLE_RANK[role]:
            raise CaseForbidden("role_required", f"Il faut être {ROLE_LABELS[role]} pour {action}.")


def staff_of(principal: Principal, opco_code: str | None = None) -> Staff:
    memberships = [m for m in principal.memberships if m.kind == "opco" and m.opco_code]
    if opco_code:
        memberships = [m for m in memberships if m.opco_code == opco_code]
    if not memberships:
        raise CaseForbidden("opco_staff_only", "Cet espace est réservé aux équipes des OPCO.")
    best = max(memberships, key=lambda m: ROLE_RANK.get(m.role, 0))
    assert best.opco_code is not None
    actor = Actor(id=principal.subject, name=principal.name or principal.email or "Agent OPCO", role=best.role)
    return Staff(best.opco_code, best.role, actor)


def require_case(staff: Staff, case: ReviewCase | None) -> ReviewCase:
    """The case, if it is this OPCO's; another OPCO's case does not exist for this person."""
    if case is None or case.opco_code != staff.opco_code:
        raise CaseNotFound("case_not_found", "Dossier introuvable.", "case_id")
    return case
