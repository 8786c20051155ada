"""Who may see a contract: the contract-parties rule, written once for every service.

A person (or a machine client) reaches a contract only through a *verified* membership of one of the
organisations on it: the employer establishment (SIRET), the training organisation (UAI or SIRET). OPCO
staff (and OPCO machine clients) see it once it was transmitted to their OPCO. Anyone else learns nothing,
not even that it exists: `require_party` raises the caller's "not found" error.

A draft created by a member of an organisation whose control is not proven yet (a *pending* membership, the
token's `pending` claim) is *private* to its creator (`private_to`): only that person sees it, for the side
they hold through that membership (or a verified one); neither the organisation's verified members nor the
other side see it. When the organisation is verified, the contracts service makes it an ordinary draft.

Each service keeps what it knows of a contract's parties (its own table, or a projection of the contract
events) and asks this module. What a side may then *do* (which tabs it writes, who uploads the OPCO's
letters) stays with the service that owns the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from passerelle.libs.errors import DomainError, NotFound
from passerelle.schemas.events.common import ContractParties


class Side(StrEnum):
    """The side of the contract a person acts for."""

    EMPLOYER = "employer"
    TRAINING = "training"
    OPCO = "opco"


class Viewer(Protocol):
    """What the rule needs of the caller (`passerelle.libs.auth.Principal` is one)."""

    def sirets(self) -> set[str]: ...
    def uais(self) -> set[str]: ...
    def training_sirets(self) -> set[str]: ...
    def opco_codes(self) -> set[str]: ...

    @property
    def subject(self) -> UUID: ...

    @property
    def pending(self) -> tuple[PendingMembership, ...]: ...


class PendingMembership(Protocol):
    """A membership of an organisation not verified yet (`passerelle.libs.auth.Membership` is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def siret(self) -> str | None: ...

    @property
    def uai(self) -> str | None: ...


@dataclass(frozen=True)
class ContractAccess:
    """The facts of one contract the rule decides on.

    `employer_may_see` is false while a training organisation's proposal is not yet accepted by the
    employer; `transmitted` once the contract reached its OPCO (the OPCO keeps seeing it afterwards);
    `private_to` the creator's account id while the draft is private (their organisation not verified yet).
    """

    employer_siret: str | None
    training_uai: str | None
    training_siret: str | None = None
    opco_code: str | None = None
    transmitted: bool = False
    employer_may_see: bool = True
    private_to: UUID | None = None

    @classmethod
    def of(cls, parties: ContractParties, *, transmitted: bool, employer_may_see: bool = True) -> ContractAccess:
        """From the parties that every contract event carries."""
        return cls(
            employer_siret=parties.employer_siret,
            training_uai=parties.training_uai,
            training_siret=parties.training_siret,
            opco_code=parties.opco_code,
            transmitted=transmitted,
            employer_may_see=employer_may_see,
            private_to=parties.private_to,
        )


def _pending_sides(viewer: Viewer, access: ContractAccess) -> set[Side]:
    sides: set[Side] = set()
    for m in viewer.pending:
        if (
            m.kind == "employer"
            and access.employer_may_see
            and access.employer_siret
            and m.siret == access.employer_siret
        ):
            sides.add(Side.EMPLOYER)
        if m.kind == "training" and (
            (access.training_uai and m.uai == access.training_uai)
            or (access.training_siret and m.siret == access.training_siret)
        ):
            sides.add(Side.TRAINING)
    return sides


def sides_of(viewer: Viewer, access: ContractAccess) -> frozenset[Side]:
    sides: set[Side] = set()
    if access.private_to is not None:
        # A private draft: its creator only, through the membership (pending or verified) it was drafted for.
        if str(viewer.subject) != str(access.private_to):
            return frozenset()
        sides = _pending_sides(viewer, access)
        access = ContractAccess(  # the verified memberships below, without the OPCO (never transmitted)
            employer_siret=access.employer_siret,
            training_uai=access.training_uai,
            training_siret=access.training_siret,
            employer_may_see=access.employer_may_see,
        )
    if access.employer_may_see and access.employer_siret and access.employer_siret in viewer.sirets():
        sides.add(Side.EMPLOYER)
    if (access.training_uai and access.training_uai in viewer.uais()) or (
        access.training_siret and access.training_siret in viewer.training_sirets()
    ):
        sides.add(Side.TRAINING)
    if access.transmitted and access.opco_code and access.opco_code in viewer.opco_codes():
        sides.add(Side.OPCO)
    return frozenset(sides)


def is_party(viewer: Viewer, access: ContractAccess) -> bool:
    """The employer or the training organisation (not the OPCO)."""
    return bool(sides_of(viewer, access) & {Side.EMPLOYER, Side.TRAINING})


def is_contract_opco(viewer: Viewer, access: ContractAccess) -> bool:
    return Side.OPCO in sides_of(viewer, access)


def may_see(viewer: Viewer, access: ContractAccess | None) -> bool:
    return access is not None and bool(sides_of(viewer, access))


def require_party(
    viewer: Viewer, access: ContractAccess | None, not_found: DomainError | None = None
) -> frozenset[Side]:
    """The caller's sides on the contract; `not_found` (404) when it has none: existence is not revealed."""
    sides = sides_of(viewer, access) if access is not None else frozenset()
    if not sides:
        raise not_found or NotFound("Ce contrat est introuvable ou vous n'y avez pas accès.", "contract_not_found")
    return sides


# --- What each role may do on a contract, for its own side ------------------------------------------------------


class Action(StrEnum):
    READ = "read"
    EDIT = "edit"  # the side's own tabs
    PROPOSE = "propose"
    ANSWER_PROPOSAL = "answer_proposal"  # accept or decline
    TRANSMIT = "transmit"
    AMEND = "amend"
    TRANSFER = "transfer"  # to a colleague of the same side's organisation
    ARCHIVE = "archive"  # and restore
    DELETE = "delete"  # a draft never transmitted


class Right(StrEnum):
    YES = "yes"
    IN_CHARGE = "in_charge"  # only on the contracts the person is in charge of for that side
    NO = "no"


# The rights table (README, "Who may do what on a contract"): each side acts only within its own side (a
# training organisation never transfers, archives or deletes an employer's contract), administrators manage
# every contract of their organisation, contributors the ones they are in charge of.
RIGHTS: dict[Action, dict[str, Right]] = {
    Action.READ: {"admin": Right.YES, "contributor": Right.YES},
    Action.EDIT: {"admin": Right.YES, "contributor": Right.YES},
    Action.PROPOSE: {"admin": Right.YES, "contributor": Right.YES},
    Action.ANSWER_PROPOSAL: {"admin": Right.YES, "contributor": Right.YES},
    Action.TRANSMIT: {"admin": Right.YES, "contributor": Right.IN_CHARGE},
    Action.AMEND: {"admin": Right.YES, "contributor": Right.IN_CHARGE},
    Action.TRANSFER: {"admin": Right.YES, "contributor": Right.IN_CHARGE},
    Action.ARCHIVE: {"admin": Right.YES, "contributor": Right.IN_CHARGE},
    Action.DELETE: {"admin": Right.YES, "contributor": Right.IN_CHARGE},
}


def may(action: Action, role: str, *, in_charge: bool) -> bool:
    """Whether a member with `role` on the acting side may do `action` (unknown roles: nothing but reading)."""
    right = RIGHTS[action].get(role, Right.YES if action == Action.READ else Right.NO)
    return right == Right.YES or (right == Right.IN_CHARGE and in_charge)
