"""Who may read or change a contract, and which part of it.

A person reaches a contract only through a membership of one of the organisations on it: the employer
establishment (SIRET), the training organisation (UAI or SIRET); OPCO staff read the contracts their OPCO
reviews once transmitted. A training organisation writes its own part (the Formation tab); the employer
writes the rest, and the Formation tab too when the employer created the contract itself.
"""

from __future__ import annotations

from passerelle.contracts.domain.codes import ContractStatus
from passerelle.contracts.domain.tabs import Tab
from passerelle.libs import access as parties
from passerelle.libs.access import Side
from passerelle.libs.auth import Principal

from .errors import ContractNotFound, OrganisationNotVerified, SideNotAllowed
from .records import ContractRecord

EMPLOYER_TABS = frozenset({Tab.INTRODUCTION, Tab.EMPLOYER, Tab.EMPLOYEE, Tab.TUTOR, Tab.CONTRACT, Tab.SYNTHESIS})
TRAINING_TABS = frozenset({Tab.TRAINING})


def contract_access(record: ContractRecord) -> parties.ContractAccess:
    """The facts the platform's one rule (passerelle.libs.access) decides on."""
    return parties.ContractAccess(
        employer_siret=record.employer_siret,
        training_uai=record.training_uai,
        training_siret=record.training_siret,
        opco_code=record.opco_code,
        transmitted=record.contract.transmitted_revision > 0,
        employer_may_see=record.visible_to_employer,
        private_to=record.private_to,
    )


def sides_of(principal: Principal, record: ContractRecord) -> frozenset[Side]:
    """The platform's rule (libs.access); nobody reaches a deleted draft. A proposal addressed to an e-mail
    (no establishment chosen yet) also reaches an employer whose account has that e-mail."""
    if record.contract.status == ContractStatus.DELETED:
        return frozenset()
    sides = {Side(side.value) for side in parties.sides_of(principal, contract_access(record))}
    if addressed_to(principal, record) and not record.is_private:
        sides.add(Side.EMPLOYER)
    return frozenset(sides)


def addressed_to(principal: Principal, record: ContractRecord) -> bool:
    """A proposal sent to the caller's e-mail, not yet attached to an establishment, and the caller is an
    employer (a member of at least one establishment): they find it and choose the establishment on accepting."""
    return bool(
        record.contract.status == ContractStatus.PROPOSED
        and record.employer_siret is None
        and record.proposed_to_email
        and principal.email
        and record.proposed_to_email.casefold() == principal.email.casefold()
        and principal.sirets()
    )


def require_party(principal: Principal, record: ContractRecord | None) -> frozenset[Side]:
    """The person's sides on the contract; 404 when they have none (its existence is not revealed)."""
    if record is None:
        raise ContractNotFound()
    sides = sides_of(principal, record)
    if not sides:
        raise ContractNotFound()
    return sides


def require_side(sides: frozenset[Side], side: Side, action: str) -> None:
    if side not in sides:
        who = {
            Side.EMPLOYER: "l'employeur",
            Side.TRAINING: "l'organisme de formation",
            Side.OPCO: "l'OPCO",
        }[side]
        raise SideNotAllowed(f"Seul {who} du contrat peut {action}.")


def writable_tabs(sides: frozenset[Side], created_by_side: Side) -> frozenset[Tab]:
    tabs: set[Tab] = set()
    if Side.EMPLOYER in sides:
        tabs |= EMPLOYER_TABS
        if created_by_side == Side.EMPLOYER:
            tabs |= TRAINING_TABS
    if Side.TRAINING in sides:
        tabs |= TRAINING_TABS
    return frozenset(tabs)


def require_tabs(sides: frozenset[Side], created_by_side: Side, tabs: set[Tab]) -> None:
    allowed = writable_tabs(sides, created_by_side)
    refused = [tab for tab in Tab if tab in tabs and tab not in allowed]
    if refused:
        labels = ", ".join(f"« {tab.label} »" for tab in refused)
        if not allowed:
            raise SideNotAllowed("Vous ne pouvez modifier aucun onglet de ce contrat.")
        which = "l'onglet" if len(refused) == 1 else "les onglets"
        raise SideNotAllowed(
            f"Vous ne pouvez pas modifier {which} {labels} : chaque partie ne complète que sa part du contrat."
        )


_ACTION_LABELS = {
    parties.Action.TRANSMIT: "transmettre ce contrat",
    parties.Action.AMEND: "demander une modification de ce contrat",
    parties.Action.TRANSFER: "transférer ce contrat",
    parties.Action.ARCHIVE: "archiver ou désarchiver ce contrat",
    parties.Action.DELETE: "supprimer ce brouillon",
}


def require_not_private(record: ContractRecord, action: str) -> None:
    """A private draft (its organisation not verified yet) is filled in, never sent to anyone."""
    if record.is_private:
        raise OrganisationNotVerified(
            f"Votre organisme n'est pas encore vérifié : vous pourrez {action} une fois sa vérification faite "
            "(courrier à l'adresse de l'établissement, invitation d'un administrateur ou validation par l'OPCO). "
            "D'ici là, ce brouillon reste visible de vous seul.",
        )


def role_on(principal: Principal, record: ContractRecord, side: Side) -> str | None:
    """The caller's role in the organisation that holds `side` of the contract (admin wins over contributor)."""
    roles = set()
    memberships = principal.memberships + (principal.pending if record.is_private else ())
    for membership in memberships:
        if side == Side.EMPLOYER and membership.kind == "employer":
            if record.employer_siret is None or membership.siret == record.employer_siret:
                roles.add(membership.role)
        elif (
            side == Side.TRAINING
            and membership.kind == "training"
            and (
                (record.training_uai and membership.uai == record.training_uai)
                or (record.training_siret and membership.siret == record.training_siret)
            )
        ):
            roles.add(membership.role)
    if "admin" in roles:
        return "admin"
    return next(iter(sorted(roles)), None)


def require_right(principal: Principal, record: ContractRecord, side: Side, action: parties.Action) -> None:
    """The one check of what a role may do for its side (libs.access.RIGHTS, the README's table)."""
    role = role_on(principal, record, side) or ""
    in_charge = record.in_charge.get(side) == str(principal.subject)
    if not parties.may(action, role, in_charge=in_charge):
        raise SideNotAllowed(
            f"Seul un administrateur de votre organisation, ou la personne en charge du contrat, peut "
            f"{_ACTION_LABELS.get(action, 'faire cette action')}."
        )


def acting_side(sides: frozenset[Side], action: str) -> Side:
    """The side a party acts for: the employer's when it holds both, else its own."""
    if Side.EMPLOYER in sides:
        return Side.EMPLOYER
    if Side.TRAINING in sides:
        return Side.TRAINING
    require_side(sides, Side.EMPLOYER, action)
    raise AssertionError("unreachable")
