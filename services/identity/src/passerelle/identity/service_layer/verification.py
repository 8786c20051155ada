"""Proof of control of an organisation (issue #10, item 1): until it is given, its members' tokens do not carry
the organisation (only as `pending`: their own private drafts), so nothing addressed to its SIRET or UAI reaches
them. Once given, `organisation.verified` is published: their older tokens are cut (libs.revocation) and their
private drafts become the organisation's.

Three ways, as real portals do:
- a code sent *by post* to the establishment's registered address (the `PostalService` port; the local stack
  prints the letter to the mail catcher), typed back by one of its administrators;
- the approval of an OPCO's staff (administrator or supervisor) or of a platform operator (CLI, no actor);
- an invitation from an administrator of an organisation already verified (nothing to do here: the
  organisation is verified, the invitee's membership is of a verified organisation).
An identity federation that carries the SIRET is a later way.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from passerelle.identity.domain.errors import Conflict, InvalidInput, NotAllowed
from passerelle.identity.domain.model import Organisation
from passerelle.identity.domain.roles import Action, OrganisationKind, Role
from passerelle.identity.domain.tokens import digest, same_digest
from passerelle.identity.service_layer.access import active_account, organisation, require
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import audit, organisation_verified

POSTAL_CODE_LIFETIME = timedelta(days=30)
POSTAL_CODE_MAX_ATTEMPTS = 5
# A letter takes days: a new one no sooner than this after the last.
POSTAL_CODE_RESEND_AFTER = timedelta(days=2)
APPROVERS = frozenset({Role.ADMIN, Role.SUPERVISOR})


def _code_digest(org: Organisation, code: str) -> str:
    return digest(f"{org.id}:{code}")


def _already(org: Organisation) -> None:
    if org.is_verified:
        raise Conflict("Cet organisme est déjà vérifié.", "organisation_already_verified")


async def send_postal_code(actor_id: UUID, organisation_id: UUID, uow: UnitOfWork, ports: Ports) -> datetime:
    """An administrator asks for the letter; answers when it was sent."""
    now = ports.clock()
    async with uow:
        org, _ = await require(uow, actor_id, organisation_id, Action.INVITE)
        _already(org)
        if org.kind == OrganisationKind.OPCO:
            raise NotAllowed("Un OPCO est vérifié par l'équipe Passerelle.", "opco_verified_by_operators")
        if org.postal_code_sent_at is not None and now - org.postal_code_sent_at < POSTAL_CODE_RESEND_AFTER:
            raise Conflict(
                "Un courrier a déjà été envoyé récemment : attendez-le quelques jours avant d'en demander un autre.",
                "postal_code_recently_sent",
            )
        code = f"{secrets.randbelow(10**8):08d}"
        org.postal_code_hash = _code_digest(org, code)
        org.postal_code_sent_at = now
        org.postal_code_attempts = 0
        if ports.postal is None:
            raise RuntimeError("no postal service wired (bootstrap)")
        uow.mails.add(ports.postal.verification_letter(org, code, now))
        audit(uow, now, "organisation.postal_code_sent", actor_id, org.id)
        await uow.commit()
    return now


async def confirm_postal_code(
    actor_id: UUID, organisation_id: UUID, code: str, uow: UnitOfWork, ports: Ports
) -> Organisation:
    now = ports.clock()
    async with uow:
        org, _ = await require(uow, actor_id, organisation_id, Action.INVITE)
        _already(org)
        stored, sent = org.postal_code_hash, org.postal_code_sent_at
        if stored is None or sent is None or now - sent > POSTAL_CODE_LIFETIME:
            raise InvalidInput.one("code", "postal_code_missing", "Aucun code valable : demandez un nouveau courrier.")
        if org.postal_code_attempts >= POSTAL_CODE_MAX_ATTEMPTS:
            raise InvalidInput.one(
                "code", "postal_code_locked", "Trop d'essais : ce code ne vaut plus, demandez un nouveau courrier."
            )
        if not same_digest(f"{org.id}:{code.strip()}", stored):
            org.postal_code_attempts += 1
            await uow.commit()
            raise InvalidInput.one("code", "postal_code_wrong", "Ce code n'est pas celui du courrier.")
        org.verify("postal_code", actor_id, now)
        uow.publish(organisation_verified(org, await uow.memberships.of_organisation(org.id)))
        audit(uow, now, "organisation.verified", actor_id, org.id, method="postal_code")
        await uow.commit()
    return org


async def approve(actor_id: UUID | None, organisation_id: UUID, uow: UnitOfWork, ports: Ports) -> Organisation:
    """An OPCO's administrator or supervisor (or an operator, with no actor) vouches for the organisation."""
    now = ports.clock()
    async with uow:
        if actor_id is not None:
            await active_account(uow, actor_id)
            memberships = [m for m in await uow.memberships.of_account(actor_id) if m.is_active]
            orgs = {o.id: o for o in await uow.organisations.many([m.organisation_id for m in memberships])}
            staff = any(
                m.role in APPROVERS
                and (o := orgs.get(m.organisation_id)) is not None
                and o.kind == OrganisationKind.OPCO
                and o.is_verified
                for m in memberships
            )
            if not staff:
                raise NotAllowed(
                    "Seuls les administrateurs et superviseurs d'un OPCO peuvent approuver un organisme.",
                    "approval_reserved_to_opco",
                )
        org = await organisation(uow, organisation_id)
        _already(org)
        org.verify("opco_approval" if actor_id else "operator", actor_id, now)
        uow.publish(organisation_verified(org, await uow.memberships.of_organisation(org.id)))
        audit(uow, now, "organisation.verified", actor_id, org.id, actor_kind="user" if actor_id else "platform")
        await uow.commit()
    return org
