"""Request and response bodies, in SQLModel families (XBase, XCreate, XUpdate, XPublic).

They are API shapes only: the tables are in adapters/, the rules in domain/. Formats are checked by the
domain (SIRET, UAI, e-mail, password policy) so every error has its precise French message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from passerelle.identity.domain.model import (
    Account,
    ApiClient,
    AuditEntry,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)

Kind = Literal["employer", "training", "opco"]
RoleName = Literal["admin", "contributor", "reviewer", "supervisor"]


# --- errors (documentation of the platform's error shape) -----------------------------------------
class FieldErrorPublic(SQLModel):
    path: str = Field(description="Chemin du champ fautif, par exemple `siret` ou `tutors[0].email`")
    code: str = Field(description="Code machine de l'erreur")
    message: str = Field(description="Message en français")


class ErrorBody(SQLModel):
    code: str = Field(description="Code machine, stable")
    message: str = Field(description="Message en français, pour les personnes")
    fields: list[FieldErrorPublic] = Field(default_factory=list)
    details: dict[str, Any] | None = None


class ErrorPublic(SQLModel):
    error: ErrorBody


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorPublic} for status in statuses}


class Message(SQLModel):
    message: str


# --- accounts ---------------------------------------------------------------------------------------
class AccountBase(SQLModel):
    email: str = Field(max_length=320, description="Adresse électronique, qui sert d'identifiant")
    full_name: str = Field(max_length=400, description="Prénom et nom")
    phone: str | None = Field(default=None, max_length=40, description="Téléphone (facultatif)")


class AccountCreate(AccountBase):
    password: str = Field(
        max_length=1024, description="Au moins 12 caractères ; les mots de passe courants sont refusés"
    )


EMAIL_CHANGE_REFUSED = (
    "L'adresse électronique ne peut pas être modifiée depuis le profil : elle sert d'identifiant et sa "
    "modification demande une confirmation qui n'est pas encore proposée. Contactez l'administrateur de votre "
    "organisation, ou créez un compte avec la nouvelle adresse."
)


class AccountUpdate(SQLModel):
    full_name: str | None = Field(default=None, max_length=400)
    phone: str | None = Field(default=None, max_length=40, description="Une chaîne vide efface le numéro")
    email: str | None = Field(
        default=None,
        max_length=320,
        description="Refusée : l'adresse électronique ne se modifie pas par ce formulaire (réponse 422)",
    )

    @field_validator("email")
    @classmethod
    def _email_is_not_changed_here(cls, value: str | None) -> str | None:
        # Accepting the field and ignoring it answered 200 while changing nothing: say so instead.
        if value is not None:
            raise PydanticCustomError("email_change_unsupported", "{french}", {"french": EMAIL_CHANGE_REFUSED})
        return value


class AccountPublic(AccountBase):
    id: UUID
    email_confirmed: bool
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountPublic:
        return cls(
            id=account.id,
            email=account.email,
            full_name=account.full_name,
            phone=account.phone,
            email_confirmed=account.is_confirmed,
            created_at=account.created_at,
        )


class OrganisationBase(SQLModel):
    kind: Kind = Field(description="employer (établissement employeur), training (organisme de formation), opco")
    name: str = Field(max_length=400, description="Raison sociale ou nom d'usage")
    siret: str | None = Field(default=None, max_length=40, description="SIRET (14 chiffres) de l'établissement")
    uai: str | None = Field(
        default=None, max_length=20, description="UAI d'un organisme de formation (7 chiffres + lettre)"
    )


class OrganisationCreate(OrganisationBase):
    pass


class OrganisationPublic(OrganisationBase):
    id: UUID
    siren: str | None = None
    opco_code: str | None = None
    created_at: datetime
    verified: bool = Field(
        default=False,
        description="Vrai une fois le contrôle de l'organisme prouvé (code reçu par courrier, approbation d'un OPCO "
        "ou de l'équipe Passerelle) : avant, ses membres n'accèdent à aucun contrat qui lui est adressé",
    )
    verification: str | None = Field(default=None, description="postal_code, opco_approval, operator ou platform")
    verified_at: datetime | None = Field(default=None, description="Quand le contrôle de l'organisme a été prouvé")
    postal_code_sent_at: datetime | None = Field(
        default=None, description="Quand le dernier courrier de vérification est parti, s'il y en a un"
    )

    @classmethod
    def of(cls, org: Organisation) -> OrganisationPublic:
        return cls(
            id=org.id,
            kind=str(org.kind),  # type: ignore[arg-type]
            name=org.name,
            siret=org.siret,
            siren=org.siren,
            uai=org.uai,
            opco_code=org.opco_code,
            created_at=org.created_at,
            verified=org.is_verified,
            verification=org.verification,
            verified_at=org.verified_at,
            postal_code_sent_at=org.postal_code_sent_at,
        )


class PostalCodeSent(SQLModel):
    sent_at: datetime = Field(description="Quand le courrier est parti (il arrive en quelques jours)")
    message: str


class PostalCodeConfirm(SQLModel):
    code: str = Field(min_length=1, max_length=20, description="Le code à 8 chiffres reçu par courrier")


class EstablishmentCreate(SQLModel):
    siret: str = Field(max_length=40, description="SIRET d'un autre établissement de la même entreprise (même SIREN)")
    name: str = Field(max_length=400)
    administrator_email: str | None = Field(
        default=None, max_length=320, description="Inviter cette personne comme administrateur du nouveau SIRET"
    )


class MembershipOfAccount(SQLModel):
    membership_id: UUID
    role: RoleName
    organisation: OrganisationPublic


class Me(AccountPublic):
    memberships: list[MembershipOfAccount]

    @classmethod
    def of_grants(cls, account: Account, grants: list[tuple[Membership, Organisation]]) -> Me:
        base = AccountPublic.of(account).model_dump()
        return cls(
            **base,
            memberships=[
                MembershipOfAccount(membership_id=m.id, role=str(m.role), organisation=OrganisationPublic.of(o))  # type: ignore[arg-type]
                for m, o in grants
            ],
        )


class PasswordChange(SQLModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class PasswordCheck(SQLModel):
    password: str = Field(max_length=1024)


class EmailOnly(SQLModel):
    email: str = Field(max_length=320)


class LinkToken(SQLModel):
    token: str = Field(max_length=200, description="Le jeton reçu dans le lien du courriel (paramètre `jeton`)")


class PasswordReset(LinkToken):
    new_password: str = Field(max_length=1024)


# --- sessions -----------------------------------------------------------------------------------------
class LoginRequest(SQLModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class RefreshRequest(SQLModel):
    refresh_token: str = Field(max_length=200)


class TokenPair(SQLModel):
    access_token: str = Field(description="JWT signé (EdDSA), à présenter en `Authorization: Bearer`")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Durée de vie du jeton d'accès, en secondes")
    refresh_token: str | None = Field(default=None, description="Jeton opaque, à usage unique, pour /auth/refresh")
    refresh_expires_in: int | None = None


class ClientCredentials(SQLModel):
    grant_type: Literal["client_credentials"]
    client_id: str = Field(max_length=100)
    client_secret: str = Field(max_length=200)
    scope: str | None = Field(default=None, max_length=200, description="Ignoré : les droits sont ceux de l'organisme")


# --- members ------------------------------------------------------------------------------------------
class MemberPublic(SQLModel):
    membership_id: UUID
    account_id: UUID
    email: str
    full_name: str
    role: RoleName
    since: datetime

    @classmethod
    def of(cls, membership: Membership, account: Account) -> MemberPublic:
        return cls(
            membership_id=membership.id,
            account_id=account.id,
            email=account.email,
            full_name=account.full_name,
            role=str(membership.role),  # type: ignore[arg-type]
            since=membership.granted_at,
        )


class RoleUpdate(SQLModel):
    role: str = Field(
        max_length=20, description="admin, contributor (employeur, formation) ; admin, supervisor, reviewer (OPCO)"
    )


class InvitationBase(SQLModel):
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)


class InvitationCreate(InvitationBase):
    pass


class InvitationPublic(InvitationBase):
    id: UUID
    organisation_id: UUID
    invited_by: UUID
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationPublic:
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=str(invitation.role),
            organisation_id=invitation.organisation_id,
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )


class InvitationRegistration(LinkToken):
    full_name: str = Field(max_length=400)
    password: str = Field(max_length=1024)
    phone: str | None = Field(default=None, max_length=40)


class JoinRequestCreate(SQLModel):
    message: str | None = Field(default=None, max_length=1000, description="Un mot pour les administrateurs")


class JoinRequestPublic(SQLModel):
    id: UUID
    organisation_id: UUID
    account_id: UUID
    email: str | None = None
    full_name: str | None = None
    message: str | None
    status: str
    created_at: datetime

    @classmethod
    def of(cls, request: JoinRequest, account: Account | None = None) -> JoinRequestPublic:
        return cls(
            id=request.id,
            organisation_id=request.organisation_id,
            account_id=request.account_id,
            email=account.email if account else None,
            full_name=account.full_name if account else None,
            message=request.message,
            status=str(request.status),
            created_at=request.created_at,
        )


class JoinDecision(SQLModel):
    role: str | None = Field(default=None, max_length=20, description="Rôle accordé (par défaut le moins étendu)")


class AuditEntryPublic(SQLModel):
    id: UUID
    occurred_at: datetime
    action: str
    actor_id: UUID | None
    actor_kind: str
    target_account_id: UUID | None
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryPublic:
        return cls(
            id=entry.id,
            occurred_at=entry.occurred_at,
            action=entry.action,
            actor_id=entry.actor_id,
            actor_kind=entry.actor_kind,
            target_account_id=entry.target_account_id,
            details=entry.details,
        )


# --- API clients --------------------------------------------------------------------------------------
class ApiClientBase(SQLModel):
    name: str = Field(max_length=200, description="À quoi servent ces identifiants (« Logiciel de paie »)")


class ApiClientCreate(ApiClientBase):
    pass


class ApiClientPublic(ApiClientBase):
    id: UUID
    client_id: str
    organisation_id: UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, client: ApiClient) -> ApiClientPublic:
        return cls(
            id=client.id,
            name=client.name,
            client_id=client.client_id,
            organisation_id=client.organisation_id,
            created_at=client.created_at,
            revoked_at=client.revoked_at,
            last_used_at=client.last_used_at,
        )


class ApiClientWithSecret(ApiClientPublic):
    client_secret: str = Field(description="Affiché une seule fois : conservez-le en lieu sûr")
