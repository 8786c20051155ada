"""The facts of a consumer batch's events, read once for all of them: one query per table (contracts, memberships,
follows, organisations, accounts by address), then each event's `Facts` worked out from those rows in memory.

The answers are those the per-event queries gave (`Directory.side_admins`, `followers`, `opco_staff`, ...): the
same filters, each list distinct and in the accounts' order. The caller loads them once the events' projections
are applied, for events whose projections cannot change each other's facts (notify.py's segments).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from passerelle.libs.access import Side
from passerelle.notifier.adapters.repositories import Parties
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.errors import NotYetApplicable
from passerelle.notifier.domain.recipients import Facts
from passerelle.notifier.domain.rules import Audience, Rule
from passerelle.notifier.service_layer import content as contents
from passerelle.notifier.service_layer.projections import parties_of
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import identity as i
from passerelle.schemas.events import opco as o

SIDE_AUDIENCES = ((Side.EMPLOYER, Audience.EMPLOYER_SIDE), (Side.TRAINING, Audience.TRAINING_SIDE))


@dataclass
class EventFacts:
    facts: Facts
    names: contents.Names
    # Whose name the notice gives as its sender (a case given by a supervisor, a contract handed over): the
    # caller reads it with the recipients' names and addresses.
    from_account: UUID | None = None


def _matches(m: Any, parties: Parties, side: Side) -> bool:
    """`Parties.side_clause`, on a loaded membership row."""
    if side is Side.EMPLOYER:
        return bool(parties.employer_siret) and m.kind == "employer" and m.siret == parties.employer_siret
    return m.kind == "training" and (
        (bool(parties.training_uai) and m.uai == parties.training_uai)
        or (bool(parties.training_siret) and m.siret == parties.training_siret)
    )


def _distinct(ids: Iterable[UUID]) -> list[UUID]:
    return sorted(set(ids))


class BatchFacts:
    def __init__(
        self,
        contracts: dict[UUID, Any],
        memberships: Sequence[Any],
        follows: Sequence[Any],
        organisations: Sequence[Any],
        by_email: dict[str, UUID],
    ) -> None:
        self.contracts = contracts
        self.memberships = memberships
        self.follows = follows
        self.by_email = by_email
        self._by_id: dict[UUID, str | None] = {}
        self._by_siret: dict[str, str | None] = {}
        self._by_uai: dict[str, str | None] = {}
        for row in organisations:  # the first of several with one SIRET or UAI, as `.limit(1)` gave
            self._by_id.setdefault(row.organisation_id, row.name)
            if row.siret:
                self._by_siret.setdefault(row.siret, row.name)
            if row.uai:
                self._by_uai.setdefault(row.uai, row.name)

    @classmethod
    async def load(cls, uow: NotifierUnitOfWork, events: Sequence[Any]) -> BatchFacts:
        d = uow.directory
        contracts = await d.contracts_of(e.contract_id for e in events if getattr(e, "contract_id", None) is not None)
        employer: set[str] = set()
        uais: set[str] = set()
        training: set[str] = set()
        codes: set[str] = set()
        for row in contracts.values():
            employer |= {row.employer_siret} if row.employer_siret else set()
            uais |= {row.training_uai} if row.training_uai else set()
            training |= {row.training_siret} if row.training_siret else set()
            codes |= {row.opco_code} if row.opco_code else set()
        codes |= {e.opco_code for e in events if getattr(e, "opco_code", None)}
        organisation_ids = {e.organisation_id for e in events if getattr(e, "organisation_id", None) is not None}
        memberships = await d.memberships_for(employer, uais, training, codes, organisation_ids)
        targets = [("contract", str(contract_id)) for contract_id in contracts]
        targets += [("siret", siret) for siret in employer | training] + [("uai", uai) for uai in uais]
        follows = await d.follows_of(targets)
        organisations = await d.organisations_of(organisation_ids, employer | training, uais)
        emails = [e.employer_email for e in events if isinstance(e, c.ContractProposed)]
        emails += [e.email for e in events if isinstance(e, i.InvitationSent)]
        by_email = await d.accounts_by_emails(emails)
        return cls(contracts, memberships, follows, organisations, by_email)

    # --- the per-event queries' answers ------------------------------------------------------------------------
    def contract(self, contract_id: UUID) -> Any:
        """An OPCO or document event about a contract the notifier has not learnt yet is retried, not dropped."""
        row = self.contracts.get(contract_id)
        if row is None:
            raise NotYetApplicable(f"contract {contract_id} not known yet")
        return row

    def organisation_name(
        self, organisation_id: UUID | None = None, siret: str | None = None, uai: str | None = None
    ) -> str | None:
        if organisation_id is not None:
            return self._by_id.get(organisation_id)
        if siret:
            return self._by_siret.get(siret)
        if uai:
            return self._by_uai.get(uai)
        return None

    def side_admins(self, parties: Parties, side: Side) -> list[UUID]:
        return _distinct(m.account_id for m in self.memberships if m.role == "admin" and _matches(m, parties, side))

    def followers(self, parties: Parties, sides: Sequence[Side], contract_id: UUID) -> dict[Side, list[UUID]]:
        out: dict[Side, list[UUID]] = {}
        for side in sides:
            targets = {("contract", str(contract_id)), *parties.identifiers(side)}
            members = {m.account_id for m in self.memberships if _matches(m, parties, side)}
            out[side] = _distinct(
                f.account_id for f in self.follows if (f.target_kind, f.target) in targets and f.account_id in members
            )
        return out

    def opco_staff(self, opco_code: str | None, roles: Sequence[str] | None = None) -> list[UUID]:
        if not opco_code:
            return []
        return _distinct(
            m.account_id
            for m in self.memberships
            if m.kind == "opco" and m.opco_code == opco_code and (not roles or m.role in roles)
        )

    def organisation_admins(self, organisation_id: UUID) -> list[UUID]:
        return _distinct(
            m.account_id for m in self.memberships if m.role == "admin" and m.organisation_id == organisation_id
        )

    def account_by_email(self, email: str) -> UUID | None:
        return self.by_email.get(email.lower())

    # --- one event's facts -------------------------------------------------------------------------------------
    def of(self, rule: Rule, event: Any) -> EventFacts:
        facts = Facts()
        names = contents.Names()
        told = EventFacts(facts, names)
        contract_id = getattr(event, "contract_id", None)
        contract = self.contract(contract_id) if contract_id is not None else None
        if contract is not None:
            parties = parties_of(contract)
            names.employer_name = self.organisation_name(siret=contract.employer_siret)
            names.training_name = self.organisation_name(uai=contract.training_uai) or self.organisation_name(
                siret=contract.training_siret
            )
            names.apprentice_name = contract.apprentice_name
            names.contract_type = contract.contract_type
            wanted = set(rule.audiences)
            sides = [side for side, audience in SIDE_AUDIENCES if audience in wanted]
            for side in sides:
                owner = contract.employer_in_charge if side is Side.EMPLOYER else contract.training_in_charge
                if owner is not None:
                    facts.in_charge[side] = owner
                else:
                    facts.side_admins[side] = self.side_admins(parties, side)
            if sides:
                facts.side_followers.update(self.followers(parties, sides, contract.contract_id))
            if isinstance(event, o.DeadlineApproached):
                # The reviewer the case is assigned to, and those who supervise the queue.
                leads = self.opco_staff(event.opco_code, roles=("supervisor", "admin"))
                facts.opco_staff = ([event.assignee_id] if event.assignee_id else []) + leads
            elif Audience.OPCO_STAFF in wanted:
                facts.opco_staff = self.opco_staff(getattr(event, "opco_code", None) or contract.opco_code)
            if any(Audience.CASE_STAFF in t.audiences for t in rule.also):
                self._case_staff(facts, contract, event)
        elif Audience.OPCO_STAFF in rule.audiences:
            facts.opco_staff = self.opco_staff(getattr(event, "opco_code", None))
        facts.actor_id = _actor(event)
        match event:
            case c.ContractProposed():
                facts.employer_address = event.employer_email
                facts.employer_address_account = self.account_by_email(event.employer_email)
            case o.CaseAssigned():
                facts.assignee = event.assignee_id
                told.from_account = event.actor_id
            case c.ContractTransferred():
                facts.new_owner = event.to_account_id
                told.from_account = event.from_account_id
            case i.MembershipRequested():
                facts.organisation_admins = self.organisation_admins(event.organisation_id)
            case i.InvitationSent():
                facts.invitee = self.account_by_email(event.email)
            case i.MembershipGranted() | i.MembershipRoleChanged() | i.MembershipRevoked():
                facts.member = event.account_id
            case _:
                pass
        if getattr(event, "organisation_id", None) is not None:
            names.organisation_name = self.organisation_name(organisation_id=event.organisation_id)
        return told

    def _case_staff(self, facts: Facts, contract: Any, event: Any) -> None:
        """The staff of the contract's case: nobody before the OPCO opened one (its `case.opened` tells them), nor
        of the transmission that opened it; then the assignee, else the OPCO's reviewers (else all its staff)."""
        case_id = getattr(event, "case_id", None) or contract.case_id
        if case_id is None:
            return
        if isinstance(event, c.ContractTransmitted) and event.revision <= (contract.case_revision or 0):
            return
        facts.case_id = case_id
        facts.case_assignee = contract.case_assignee
        if facts.case_assignee is None:
            facts.case_reviewers = self.opco_staff(contract.opco_code, roles=("reviewer",)) or self.opco_staff(
                contract.opco_code
            )


def _actor(event: Any) -> Any:
    for attribute in ("actor_id", "uploaded_by", "changed_by", "revoked_by", "invited_by"):
        value = getattr(event, attribute, None)
        if value is not None:
            return value
    return None
