"""The notifier's own view of people and contracts, kept from identity's and contracts' events.

Idempotent (the inbox skips a redelivered event, and every write is an upsert) and revision-ordered: a
contract event older than the revision already applied does not move the projection back.
"""

from __future__ import annotations

from typing import Any

from passerelle.libs.access import Side
from passerelle.notifier.adapters.repositories import Parties
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.errors import NotYetApplicable
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import identity as i

IN_CHARGE = {Side.EMPLOYER: "employer_in_charge", Side.TRAINING: "training_in_charge"}
# When the memberships are not known yet (another topic), who acted is taken from what the act is.
ACTOR_SIDE_BY_TYPE = {
    "contract.proposed": Side.TRAINING,
    "contract.accepted": Side.EMPLOYER,
    "contract.declined": Side.EMPLOYER,
}


def parties_of(row: Any) -> Parties:
    return Parties(row.employer_siret, row.training_uai, row.training_siret)


def _apprentice(form: dict[str, Any]) -> str | None:
    employee = form.get("employee") or {}
    last = employee.get("usage_name") or employee.get("birth_name") or employee.get("last_name")
    name = " ".join(p for p in (employee.get("first_name"), last) if p)
    return name or None


async def project_identity(uow: NotifierUnitOfWork, event: Any) -> None:
    d = uow.directory
    match event:
        case i.AccountRegistered() | i.AccountUpdated():
            await d.upsert_account(event.account_id, event.email, event.full_name)
        case i.AccountConfirmed():
            await d.upsert_account(event.account_id, event.email)
        case i.AccountDisabled():
            await d.disable_account(event.account_id)
        case i.OrganisationRegistered():
            await d.upsert_organisation(
                {
                    "organisation_id": event.organisation_id,
                    "kind": event.kind,
                    "name": event.name,
                    "siret": event.siret,
                    "uai": event.uai,
                    "opco_code": event.opco_code,
                }
            )
        case i.MembershipGranted():
            await d.upsert_account(event.account_id, event.email, event.full_name)
            await d.upsert_membership(
                {
                    "membership_id": event.membership_id,
                    "account_id": event.account_id,
                    "organisation_id": event.organisation_id,
                    "kind": event.organisation_kind,
                    "role": event.role,
                    "siret": event.siret,
                    "uai": event.uai,
                    "opco_code": event.opco_code,
                }
            )
        # Each event type has its topic: a change of a membership may arrive before its grant. It waits for it
        # (retried), or the grant arriving later would undo it.
        case i.MembershipRoleChanged():
            if not await d.change_role(event.membership_id, event.role):
                raise NotYetApplicable(f"membership {event.membership_id} not granted yet")
        case i.MembershipRevoked():
            if not await d.revoke_membership(event.membership_id):
                raise NotYetApplicable(f"membership {event.membership_id} not granted yet")
        case i.MembershipRequested():
            await d.upsert_account(event.account_id, event.email, event.full_name)
        case _:
            pass


async def project_contract(uow: NotifierUnitOfWork, event_type: str, event: c.ContractEvent) -> None:
    """Parties, proposal address, persons in charge per side, revision, apprentice name."""
    d = uow.directory
    row = await d.contract(event.contract_id, lock=True)
    revision = getattr(event, "revision", None)
    version = getattr(event, "version", None)
    values: dict[str, Any] = {
        "contract_type": event.contract_type,
        "employer_siret": event.parties.employer_siret,
        "training_uai": event.parties.training_uai,
        "training_siret": event.parties.training_siret,
        "opco_code": event.parties.opco_code,
    }
    stale = row is not None and (
        (version is not None and row.version is not None and version < row.version)
        or (revision is not None and revision < row.revision)
    )
    if stale:
        values = {}  # an older change's event (another topic was faster): its parties are not the current ones
    else:
        if version is not None:
            values["version"] = version
        if revision is not None:
            values["revision"] = revision
    if isinstance(event, c.ContractProposed):
        values["employer_email"] = event.employer_email
    if isinstance(event, c.ContractTransmitted):
        values["apprentice_name"] = _apprentice(event.form)
    parties = Parties(event.parties.employer_siret, event.parties.training_uai, event.parties.training_siret)
    if isinstance(event, c.ContractTransferred):
        side = await d.side_of(event.to_account_id, parties)
        if side is None and row is not None and event.from_account_id is not None:
            side = next((s for s, col in IN_CHARGE.items() if getattr(row, col) == event.from_account_id), None)
        if side is not None:
            values[IN_CHARGE[side]] = event.to_account_id
    elif event.actor_id is not None:
        side = await d.side_of(event.actor_id, parties) or ACTOR_SIDE_BY_TYPE.get(event_type)
        if side is not None and (row is None or getattr(row, IN_CHARGE[side]) is None):
            values[IN_CHARGE[side]] = event.actor_id
    if row is None:
        await d.upsert_contract(event.contract_id, {"revision": 0, **values})
    elif values:
        await d.update_contract(event.contract_id, values)


async def known_contract(uow: NotifierUnitOfWork, contract_id: Any) -> Any:
    """An OPCO or document event about a contract the notifier has not learnt yet is retried, not dropped."""
    row = await uow.directory.contract(contract_id)
    if row is None:
        raise NotYetApplicable(f"contract {contract_id} not known yet")
    return row
