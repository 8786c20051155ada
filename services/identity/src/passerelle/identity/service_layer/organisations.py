"""Use cases of organisations: register one (its first account administers it), declare another SIRET."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from passerelle.identity.domain.errors import Conflict, InvalidInput, NotAllowed, Problem
from passerelle.identity.domain.identifiers import EmailAddress, OpcoCode, Siret, Uai
from passerelle.identity.domain.model import Membership, Organisation
from passerelle.identity.domain.profile import refuse_hidden_characters
from passerelle.identity.domain.roles import Action, OrganisationKind, Role
from passerelle.identity.service_layer import commands
from passerelle.identity.service_layer.access import active_account, require
from passerelle.identity.service_layer.members import grant, send_invitation
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import audit, organisation_registered

T = TypeVar("T")

ALREADY_REGISTERED = "Cet organisme est déjà inscrit sur Passerelle : demandez à son administrateur de vous y ajouter."


def clean_org_name(raw: str, path: str = "name") -> str:
    refuse_hidden_characters(raw, path)
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput.one(path, "name_missing", "Indiquez le nom de l'organisme.")
    if len(name) > 200:
        raise InvalidInput.one(path, "name_too_long", "Le nom est trop long (au plus 200 caractères).")
    return name


def parse_kind(raw: str, path: str = "kind") -> OrganisationKind:
    try:
        return OrganisationKind(raw)
    except ValueError:
        raise InvalidInput.one(
            path, "kind_unknown", "Type d'organisme inconnu (valeurs possibles : employer, training, opco)."
        ) from None


def _collect(
    problems: list[Problem], parse: Callable[[str, str], T], raw: str | None, path: str, missing: str
) -> T | None:
    if raw is None or not raw.strip():
        problems.append(Problem(path, f"{path}_missing", missing))
        return None
    try:
        return parse(raw, path)
    except InvalidInput as exc:
        problems.extend(exc.problems)
        return None


def build_organisation(
    kind: OrganisationKind,
    name: str,
    now: datetime,
    siret: str | None = None,
    uai: str | None = None,
    opco_code: str | None = None,
) -> Organisation:
    """Checks every identifier the kind needs at once, so a form shows all its errors together."""
    problems: list[Problem] = []
    try:
        clean = clean_org_name(name)
    except InvalidInput as exc:
        problems += exc.problems
        clean = ""
    org = Organisation(kind=kind, name=clean, created_at=now)
    if kind in (OrganisationKind.EMPLOYER, OrganisationKind.TRAINING):
        parsed = _collect(problems, Siret.parse, siret, "siret", "Le SIRET de l'établissement est obligatoire.")
        if parsed is not None:
            org.siret, org.siren = parsed.value, parsed.siren.value
    if kind == OrganisationKind.TRAINING:
        parsed_uai = _collect(problems, Uai.parse, uai, "uai", "L'UAI de l'organisme de formation est obligatoire.")
        org.uai = parsed_uai.value if parsed_uai else None
    if kind == OrganisationKind.OPCO:
        code = _collect(problems, OpcoCode.parse, opco_code, "opco_code", "Le code de l'OPCO est obligatoire.")
        org.opco_code = code.value if code else None
    if problems:
        raise InvalidInput(problems=problems)
    return org


async def existing(uow: UnitOfWork, org: Organisation) -> Organisation | None:
    if org.kind == OrganisationKind.EMPLOYER and org.siret:
        return await uow.organisations.employer_by_siret(org.siret)
    if org.kind == OrganisationKind.TRAINING and (org.uai or org.siret):
        # A training organisation is one SIRET and one UAI: either already registered means it exists, and
        # the newcomer asks to join it (its administrators decide) instead of claiming a copy.
        by_uai = await uow.organisations.training_by_uai(org.uai) if org.uai else None
        return by_uai or (await uow.organisations.training_by_siret(org.siret) if org.siret else None)
    if org.kind == OrganisationKind.OPCO and org.opco_code:
        return await uow.organisations.opco_by_code(org.opco_code)
    return None


async def register_organisation(
    cmd: commands.RegisterOrganisation, uow: UnitOfWork, ports: Ports
) -> tuple[Organisation, Membership]:
    kind = parse_kind(cmd.kind)
    if kind == OrganisationKind.OPCO:
        raise NotAllowed(
            "Un OPCO est inscrit par l'équipe Passerelle, pas depuis un compte.", "opco_registration_closed"
        )
    now = ports.clock()
    org = build_organisation(kind, cmd.name, now, siret=cmd.siret, uai=cmd.uai)
    org.created_by = cmd.actor_id
    async with uow:
        actor = await active_account(uow, cmd.actor_id)
        found = await existing(uow, org)
        if found is not None:
            raise Conflict(ALREADY_REGISTERED, "organisation_exists", details={"organisation_id": str(found.id)})
        uow.organisations.add(org)
        uow.publish(organisation_registered(org))
        membership = grant(uow, actor, org, Role.ADMIN, now, actor.id)
        audit(uow, now, "organisation.registered", actor.id, org.id, actor.id, kind=str(kind), **org.identifiers())
        await uow.commit()
    return org, membership


async def declare_establishment(
    cmd: commands.DeclareEstablishment, uow: UnitOfWork, ports: Ports
) -> tuple[Organisation, Membership]:
    """Another SIRET of the same SIREN: its declarer administers it, and may invite its own administrator."""
    now = ports.clock()
    admin_email = (
        EmailAddress.parse(cmd.administrator_email, "administrator_email") if cmd.administrator_email else None
    )
    async with uow:
        parent, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.DECLARE_ESTABLISHMENT)
        if parent.kind != OrganisationKind.EMPLOYER:
            raise NotAllowed("Seul un établissement employeur peut déclarer d'autres SIRET.", "not_an_employer")
        org = build_organisation(OrganisationKind.EMPLOYER, cmd.name, now, siret=cmd.siret)
        if org.siren != parent.siren:
            raise InvalidInput.one(
                "siret",
                "siret_other_company",
                f"Ce SIRET n'appartient pas à la même entreprise (SIREN {parent.siren}).",
            )
        found = await existing(uow, org)
        if found is not None:
            raise Conflict(ALREADY_REGISTERED, "organisation_exists", details={"organisation_id": str(found.id)})
        actor = await active_account(uow, cmd.actor_id)
        org.created_by = actor.id
        if parent.is_verified:
            # Declared by an administrator of a verified establishment of the same company (SIREN).
            org.verify("same_company", actor.id, now)
        uow.organisations.add(org)
        uow.publish(organisation_registered(org))
        membership = grant(uow, actor, org, Role.ADMIN, now, actor.id)
        audit(uow, now, "establishment.declared", actor.id, org.id, actor.id, siret=org.siret, parent_id=parent.id)
        if admin_email is not None and admin_email.value != actor.email:
            await send_invitation(uow, ports, actor, org, admin_email.value, Role.ADMIN, now)
        await uow.commit()
    return org, membership
