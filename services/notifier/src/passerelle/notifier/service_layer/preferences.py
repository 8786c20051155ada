"""A person's preferences (kind x channel), and the establishments and contracts they follow."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from passerelle.libs.auth import Principal
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.errors import ContractNotVisible, KindNotFound, NotYourEstablishment
from passerelle.notifier.domain.kinds import LABELS, Kind, is_legal
from passerelle.notifier.domain.preferences import (
    ChannelChoice,
    EmailMode,
    WebMode,
    default_for,
    effective,
    validate_choice,
)
from passerelle.notifier.domain.rules import STAFF_DEFAULTS, kinds_told
from passerelle.notifier.service_layer.context import NotifierContext


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise KindNotFound(value) from None


def _is_staff_only(principal: Principal) -> bool:
    """OPCO staff and no party: a member of an OPCO and of no employer or training organisation."""
    return bool(principal.opco_codes()) and not (principal.sirets() | principal.uais() | principal.training_sirets())


def _default(kind: Kind, staff_only: bool) -> ChannelChoice:
    """The default the person is told with: OPCO staff have their own for the parties' news of their cases."""
    return (STAFF_DEFAULTS.get(kind) if staff_only else None) or default_for(kind)


def _entry(kind: Kind, stored: ChannelChoice | None, staff_only: bool = False) -> dict[str, Any]:
    default = _default(kind, staff_only)
    choice = effective(kind, stored, default)
    return {
        "kind": kind.value,
        "label": LABELS[kind],
        "legal": is_legal(kind),
        "web": choice.web.value,
        "email": choice.email.value,
        "is_default": stored is None or choice == default,
        "allowed": {"web": [m.value for m in WebMode], "email": [m.value for m in EmailMode]},
    }


async def get_preferences(ctx: NotifierContext, uow: NotifierUnitOfWork, principal: Principal) -> dict[str, Any]:
    """The kinds this person may be told (OPCO staff: their cases and queue; parties: their contracts; everyone:
    their memberships), each with its channels, defaults included."""
    stored = await uow.preferences.of(principal.subject)
    staff_only = _is_staff_only(principal)
    kinds = kinds_told(staff=bool(principal.opco_codes()), party=not staff_only)
    return {
        "kinds": [_entry(kind, stored.get(kind.value), staff_only) for kind in kinds],
        "digest_hour": ctx.policy.digest_hour,
        "timezone": ctx.policy.timezone,
    }


async def set_preference(
    ctx: NotifierContext, uow: NotifierUnitOfWork, principal: Principal, kind_value: str, web: WebMode, email: EmailMode
) -> dict[str, Any]:
    kind = _kind(kind_value)
    choice = validate_choice(kind, ChannelChoice(web, email))
    await uow.preferences.set(principal.subject, kind.value, choice, ctx.clock())
    return _entry(kind, choice, _is_staff_only(principal))


async def reset_preference(uow: NotifierUnitOfWork, principal: Principal, kind_value: str) -> dict[str, Any]:
    kind = _kind(kind_value)
    await uow.preferences.reset(principal.subject, kind.value)
    return _entry(kind, None, _is_staff_only(principal))


async def get_follows(uow: NotifierUnitOfWork, account_id: UUID) -> dict[str, Any]:
    follows = await uow.follows.of(account_id)
    return {
        "establishments": [{"identifier": target, "kind": kind} for kind, target in follows if kind != "contract"],
        "contracts": [target for kind, target in follows if kind == "contract"],
    }


def _establishment_kind(principal: Principal, identifier: str) -> str:
    """Only an establishment of one of the person's own organisations (from the verified token)."""
    if identifier in principal.uais():
        return "uai"
    if identifier in principal.sirets() or identifier in principal.training_sirets():
        return "siret"
    raise NotYourEstablishment()


async def follow_establishment(uow: NotifierUnitOfWork, principal: Principal, identifier: str) -> dict[str, Any]:
    await uow.follows.add(principal.subject, _establishment_kind(principal, identifier), identifier)
    return await get_follows(uow, principal.subject)


async def unfollow_establishment(uow: NotifierUnitOfWork, principal: Principal, identifier: str) -> dict[str, Any]:
    for kind in ("uai", "siret"):
        await uow.follows.remove(principal.subject, kind, identifier)
    return await get_follows(uow, principal.subject)


async def follow_contract(uow: NotifierUnitOfWork, principal: Principal, contract_id: UUID) -> dict[str, Any]:
    """Object-level access: a member of one of the contract's organisations only."""
    row = await uow.directory.contract(contract_id)
    if row is None or not principal.is_party(row.employer_siret, row.training_uai, row.training_siret):
        raise ContractNotVisible()
    await uow.follows.add(principal.subject, "contract", str(contract_id))
    return await get_follows(uow, principal.subject)


async def unfollow_contract(uow: NotifierUnitOfWork, principal: Principal, contract_id: UUID) -> dict[str, Any]:
    await uow.follows.remove(principal.subject, "contract", str(contract_id))
    return await get_follows(uow, principal.subject)
