"""Organisation kinds, the roles each kind offers, and what each role may do."""

from __future__ import annotations

from enum import StrEnum

from passerelle.identity.domain.errors import Conflict, InvalidInput


class OrganisationKind(StrEnum):
    EMPLOYER = "employer"
    TRAINING = "training"
    OPCO = "opco"


class Role(StrEnum):
    ADMIN = "admin"
    CONTRIBUTOR = "contributor"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"


ROLES_BY_KIND: dict[OrganisationKind, tuple[Role, ...]] = {
    OrganisationKind.EMPLOYER: (Role.ADMIN, Role.CONTRIBUTOR),
    OrganisationKind.TRAINING: (Role.ADMIN, Role.CONTRIBUTOR),
    OrganisationKind.OPCO: (Role.ADMIN, Role.SUPERVISOR, Role.REVIEWER),
}

# The role a newcomer gets when nobody chose one: the least powerful.
DEFAULT_ROLE: dict[OrganisationKind, Role] = {
    OrganisationKind.EMPLOYER: Role.CONTRIBUTOR,
    OrganisationKind.TRAINING: Role.CONTRIBUTOR,
    OrganisationKind.OPCO: Role.REVIEWER,
}

ROLE_LABELS = {
    Role.ADMIN: "administrateur",
    Role.CONTRIBUTOR: "contributeur",
    Role.REVIEWER: "instructeur",
    Role.SUPERVISOR: "superviseur",
}

KIND_LABELS = {
    OrganisationKind.EMPLOYER: "établissement employeur",
    OrganisationKind.TRAINING: "organisme de formation",
    OrganisationKind.OPCO: "OPCO",
}


class Action(StrEnum):
    VIEW_MEMBERS = "view_members"
    INVITE = "invite"
    DECIDE_JOIN_REQUEST = "decide_join_request"
    CHANGE_ROLE = "change_role"
    REVOKE_MEMBER = "revoke_member"
    DECLARE_ESTABLISHMENT = "declare_establishment"
    MANAGE_API_CLIENTS = "manage_api_clients"
    VIEW_AUDIT = "view_audit"


# Administration of an organisation (its people, its establishments, its machine clients) is the
# administrator's alone, in every kind; an OPCO supervisor supervises cases, not people.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.CONTRIBUTOR: frozenset({Action.VIEW_MEMBERS}),
    Role.SUPERVISOR: frozenset({Action.VIEW_MEMBERS}),
    Role.REVIEWER: frozenset({Action.VIEW_MEMBERS}),
}


def may(role: Role | str, action: Action) -> bool:
    return action in PERMISSIONS.get(Role(role), frozenset())


def check_role_for_kind(kind: OrganisationKind | str, role: Role | str, path: str = "role") -> Role:
    kind = OrganisationKind(kind)
    allowed = ROLES_BY_KIND[kind]
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed not in allowed:
        names = ", ".join(r.value for r in allowed)
        raise InvalidInput.one(
            path, "role_not_allowed", f"Ce rôle n'existe pas pour un {KIND_LABELS[kind]} (rôles possibles : {names})."
        )
    return parsed  # type: ignore[return-value]


def ensure_an_admin_remains(admins_left: int) -> None:
    """An organisation always keeps at least one administrator, or nobody could manage it any more."""
    if admins_left < 1:
        raise Conflict(
            "Une organisation doit garder au moins un administrateur : nommez-en un autre d'abord.",
            "last_administrator",
        )
