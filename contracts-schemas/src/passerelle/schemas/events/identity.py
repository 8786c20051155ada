"""Events of the identity context: accounts, organisations, memberships."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from passerelle.schemas.base import Event
from passerelle.schemas.events.common import OrganisationKind, Role


class AccountRegistered(Event):
    topic: ClassVar[str] = "account.registered"
    subject_field: ClassVar[str | None] = "account_id"

    account_id: UUID = Field(description="The new account's id")
    email: str = Field(description="The login e-mail address")
    full_name: str = Field(description="First and last name as the person typed them")
    registered_at: datetime = Field(description="When the account was created")


class AccountConfirmed(Event):
    topic: ClassVar[str] = "account.confirmed"
    subject_field: ClassVar[str | None] = "account_id"

    account_id: UUID = Field(description="The account whose e-mail address was confirmed")
    email: str = Field(description="The confirmed address")


class AccountUpdated(Event):
    """A person changed their profile: projections that show names should follow."""

    topic: ClassVar[str] = "account.updated"
    subject_field: ClassVar[str | None] = "account_id"

    account_id: UUID = Field(description="The account")
    email: str = Field(description="The login e-mail address")
    full_name: str = Field(description="First and last name, as now written")
    phone: str | None = Field(default=None, description="Phone number, if the person gave one")


class AccountDisabled(Event):
    topic: ClassVar[str] = "account.disabled"
    subject_field: ClassVar[str | None] = "account_id"

    account_id: UUID = Field(description="The disabled account; its sessions are ended")
    disabled_by: UUID | None = Field(default=None, description="Who disabled it")


class SessionEnded(Event):
    """A login session ended (logout, password change or reset, closure, replayed refresh token): the access
    tokens issued from it stop working in every service (their `sid` claim names it)."""

    topic: ClassVar[str] = "session.ended"
    subject_field: ClassVar[str | None] = "account_id"

    session_id: UUID = Field(description="The session; its access tokens carry it as `sid`")
    account_id: UUID = Field(description="The account of the session")
    reason: str = Field(description="logout, logout_everywhere, password_changed, account_disabled, ...")


class OrganisationRegistered(Event):
    topic: ClassVar[str] = "organisation.registered"
    subject_field: ClassVar[str | None] = "organisation_id"

    organisation_id: UUID = Field(description="The organisation's id")
    kind: OrganisationKind = Field(description="employer establishment, training organisation or OPCO")
    name: str = Field(description="Registered name")
    siret: str | None = Field(default=None, description="SIRET of the establishment (employer, training)")
    siren: str | None = Field(default=None, description="SIREN of the company (first 9 digits of the SIRET)")
    uai: str | None = Field(default=None, description="UAI of a training organisation")
    opco_code: str | None = Field(default=None, description="Code of an OPCO")


class OrganisationVerified(Event):
    """The control of an organisation was proven (a code sent by post, an OPCO's or an operator's approval): its
    members' next tokens carry it, and the drafts its members made while it was unverified (private to their
    creators) become ordinary drafts of the organisation."""

    topic: ClassVar[str] = "organisation.verified"
    subject_field: ClassVar[str | None] = "organisation_id"

    organisation_id: UUID = Field(description="The organisation now verified")
    kind: OrganisationKind = Field(description="employer establishment, training organisation or OPCO")
    siret: str | None = Field(default=None, description="SIRET of the establishment (employer, training)")
    siren: str | None = Field(default=None, description="SIREN of the company (first 9 digits of the SIRET)")
    uai: str | None = Field(default=None, description="UAI of a training organisation")
    opco_code: str | None = Field(default=None, description="Code of an OPCO")
    method: str = Field(description="How control was proven: postal_code, opco_approval or operator")
    verified_at: datetime = Field(description="When it was verified")
    verified_by: UUID | None = Field(default=None, description="Who verified it (none for an operator)")
    member_account_ids: list[UUID] = Field(
        default_factory=list,
        max_length=10_000,
        description="The organisation's members at that moment: the access tokens issued to them before it "
        "stop working everywhere (libs.revocation), so their next token carries the organisation",
    )


class MembershipGranted(Event):
    topic: ClassVar[str] = "membership.granted"
    subject_field: ClassVar[str | None] = "organisation_id"

    membership_id: UUID = Field(description="The membership's id")
    account_id: UUID = Field(description="The member's account")
    email: str = Field(description="The member's e-mail address, for notifications")
    full_name: str = Field(description="The member's name")
    organisation_id: UUID = Field(description="The organisation joined")
    organisation_kind: OrganisationKind = Field(description="Kind of the organisation")
    siret: str | None = Field(default=None, description="Organisation SIRET, if any")
    siren: str | None = Field(default=None, description="Organisation SIREN, if any")
    uai: str | None = Field(default=None, description="Organisation UAI, if any")
    opco_code: str | None = Field(default=None, description="Organisation OPCO code, if any")
    role: Role = Field(description="Role granted")


class MembershipRequested(Event):
    """Someone asked to join an organisation; its administrators decide (notifier tells them)."""

    topic: ClassVar[str] = "membership.requested"
    subject_field: ClassVar[str | None] = "organisation_id"

    request_id: UUID = Field(description="The join request")
    organisation_id: UUID = Field(description="The organisation the person asks to join")
    account_id: UUID = Field(description="The person's account")
    email: str = Field(description="The person's e-mail address")
    full_name: str = Field(description="The person's name")
    message: str | None = Field(default=None, description="What the person wrote to the administrators")


class MembershipRoleChanged(Event):
    topic: ClassVar[str] = "membership.role_changed"
    subject_field: ClassVar[str | None] = "organisation_id"

    membership_id: UUID = Field(description="The membership")
    account_id: UUID = Field(description="The member's account")
    organisation_id: UUID = Field(description="The organisation")
    previous_role: Role = Field(description="Role before the change")
    role: Role = Field(description="Role after the change")
    changed_by: UUID = Field(description="The administrator who changed it")


class MembershipRevoked(Event):
    topic: ClassVar[str] = "membership.revoked"
    subject_field: ClassVar[str | None] = "organisation_id"

    membership_id: UUID = Field(description="The membership ended")
    account_id: UUID = Field(description="The former member's account")
    organisation_id: UUID = Field(description="The organisation")
    revoked_by: UUID | None = Field(default=None, description="The administrator who revoked it")


class InvitationSent(Event):
    topic: ClassVar[str] = "invitation.sent"
    subject_field: ClassVar[str | None] = "organisation_id"

    invitation_id: UUID = Field(description="The invitation")
    organisation_id: UUID = Field(description="The organisation the person is invited to")
    email: str = Field(description="Invited address")
    role: Role = Field(description="Role offered")
    invited_by: UUID = Field(description="The administrator who invited")
    expires_at: datetime = Field(description="When the invitation link stops working")
