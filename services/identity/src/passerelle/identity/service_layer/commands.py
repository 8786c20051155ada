"""Commands: what someone asks the identity service to do, named imperatively."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class RegisterAccount:
    email: str
    password: str
    full_name: str
    phone: str | None = None


@dataclass(frozen=True)
class ConfirmEmail:
    token: str


@dataclass(frozen=True)
class ResendConfirmation:
    email: str


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str
    ip: str
    user_agent: str | None = None


@dataclass(frozen=True)
class RefreshTokens:
    refresh_token: str


@dataclass(frozen=True)
class LogOut:
    refresh_token: str


@dataclass(frozen=True)
class LogOutEverywhere:
    account_id: UUID


@dataclass(frozen=True)
class ChangePassword:
    account_id: UUID
    current_password: str
    new_password: str
    ip: str = "unknown"


@dataclass(frozen=True)
class RequestPasswordReset:
    email: str
    ip: str = "unknown"


@dataclass(frozen=True)
class ResetPassword:
    token: str
    new_password: str


@dataclass(frozen=True)
class UpdateProfile:
    account_id: UUID
    full_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class CloseAccount:
    account_id: UUID
    password: str
    ip: str = "unknown"


@dataclass(frozen=True)
class DisableAccount:
    """An operator's decision (or the seed's): no password, an actor that may be None (the platform)."""

    account_id: UUID
    disabled_by: UUID | None = None


@dataclass(frozen=True)
class RegisterOrganisation:
    actor_id: UUID
    kind: str
    name: str
    siret: str | None = None
    uai: str | None = None


@dataclass(frozen=True)
class DeclareEstablishment:
    actor_id: UUID
    organisation_id: UUID
    siret: str
    name: str
    administrator_email: str | None = None


@dataclass(frozen=True)
class InviteMember:
    actor_id: UUID
    organisation_id: UUID
    email: str
    role: str


@dataclass(frozen=True)
class CancelInvitation:
    actor_id: UUID
    organisation_id: UUID
    invitation_id: UUID


@dataclass(frozen=True)
class AcceptInvitation:
    account_id: UUID
    token: str


@dataclass(frozen=True)
class RegisterFromInvitation:
    token: str
    full_name: str
    password: str
    phone: str | None = None


@dataclass(frozen=True)
class RequestToJoin:
    account_id: UUID
    organisation_id: UUID
    message: str | None = None


@dataclass(frozen=True)
class DecideJoinRequest:
    actor_id: UUID
    organisation_id: UUID
    request_id: UUID
    accept: bool
    role: str | None = None


@dataclass(frozen=True)
class ChangeRole:
    actor_id: UUID
    organisation_id: UUID
    membership_id: UUID
    role: str


@dataclass(frozen=True)
class RevokeMembership:
    actor_id: UUID
    organisation_id: UUID
    membership_id: UUID


@dataclass(frozen=True)
class CreateApiClient:
    actor_id: UUID
    organisation_id: UUID
    name: str


@dataclass(frozen=True)
class RevokeApiClient:
    actor_id: UUID
    organisation_id: UUID
    api_client_id: UUID


@dataclass(frozen=True)
class IssueClientToken:
    client_id: str
    client_secret: str
    ip: str


@dataclass(frozen=True)
class ProvisionAccount:
    """An account created by an operator or the demo seed: confirmed, no mail."""

    email: str
    password: str
    full_name: str


@dataclass(frozen=True)
class ProvisionApiClient:
    """A machine client with a secret chosen by the operator (the demo seed's service identities)."""

    organisation_id: UUID
    client_id: str
    secret: str
    name: str
    created_by: UUID


@dataclass(frozen=True)
class ProvisionOrganisation:
    kind: str
    name: str
    siret: str | None = None
    uai: str | None = None
    opco_code: str | None = None


@dataclass(frozen=True)
class GrantMembership:
    """An operator's grant (OPCO staff, the demo world): no administrator of the organisation involved."""

    account_id: UUID
    organisation_id: UUID
    role: str
