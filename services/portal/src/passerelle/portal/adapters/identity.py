"""Typed client of the identity service's API: accounts, sessions, organisations and their members."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from passerelle.portal.adapters.api import ServiceClient


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TokenPair(Model):
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class Organisation(Model):
    id: UUID
    kind: str
    name: str
    siret: str | None = None
    siren: str | None = None
    uai: str | None = None
    opco_code: str | None = None
    verified: bool = False
    verification: str | None = None
    verified_at: str | None = None
    postal_code_sent_at: str | None = None


class Membership(Model):
    membership_id: UUID
    role: str
    organisation: Organisation


class Account(Model):
    id: UUID
    email: str
    full_name: str
    phone: str | None = None
    email_confirmed: bool = False


class Me(Account):
    memberships: list[Membership] = []

    def admin_of(self, organisation_id: UUID) -> bool:
        return any(m.organisation.id == organisation_id and m.role == "admin" for m in self.memberships)


class Member(Model):
    id: UUID | None = None
    membership_id: UUID | None = None
    role: str
    account_id: UUID | None = None
    email: str | None = None
    full_name: str | None = None

    @property
    def key(self) -> UUID | None:
        return self.id or self.membership_id


class Invitation(Model):
    id: UUID
    email: str
    role: str
    expires_at: str | None = None


class JoinRequest(Model):
    id: UUID
    message: str | None = None
    account_id: UUID | None = None
    email: str | None = None
    full_name: str | None = None


class IdentityClient(ServiceClient):
    # --- accounts and sessions
    async def register(self, email: str, password: str, full_name: str, phone: str | None) -> str:
        body = {"email": email, "password": password, "full_name": full_name, "phone": phone or None}
        return str((await self.json("POST", "/accounts", json=body))["message"])

    async def confirm(self, token: str) -> Account:
        return Account.model_validate(await self.json("POST", "/accounts/confirmation", json={"token": token}))

    async def resend_confirmation(self, email: str) -> str:
        return str((await self.json("POST", "/accounts/confirmation/resend", json={"email": email}))["message"])

    async def log_in(self, email: str, password: str, user_agent: str | None) -> TokenPair:
        headers = {"User-Agent": user_agent} if user_agent else {}
        body = {"email": email, "password": password}
        return TokenPair.model_validate(await self.json("POST", "/auth/login", json=body, headers=headers))

    async def refresh(self, refresh_token: str) -> TokenPair:
        body = {"refresh_token": refresh_token}
        return TokenPair.model_validate(await self.json("POST", "/auth/refresh", json=body))

    async def log_out(self, refresh_token: str) -> None:
        await self.request("POST", "/auth/logout", json={"refresh_token": refresh_token})

    async def log_out_everywhere(self, token: str) -> None:
        await self.request("POST", "/auth/logout-all", token)

    async def request_password_reset(self, email: str) -> str:
        return str((await self.json("POST", "/auth/password-reset", json={"email": email}))["message"])

    async def reset_password(self, token: str, new_password: str) -> None:
        body = {"token": token, "new_password": new_password}
        await self.request("POST", "/auth/password-reset/confirm", json=body)

    async def me(self, token: str) -> Me:
        return Me.model_validate(await self.json("GET", "/me", token))

    async def update_profile(self, token: str, full_name: str, phone: str) -> Account:
        body = {"full_name": full_name, "phone": phone}
        return Account.model_validate(await self.json("PATCH", "/me", token, json=body))

    async def change_password(self, token: str, current: str, new: str) -> None:
        body = {"current_password": current, "new_password": new}
        await self.request("POST", "/me/password", token, json=body)

    # --- organisations
    async def register_organisation(
        self, token: str, kind: str, name: str, siret: str | None, uai: str | None
    ) -> Organisation:
        body = {"kind": kind, "name": name, "siret": siret or None, "uai": uai or None}
        return Organisation.model_validate(await self.json("POST", "/organisations", token, json=body))

    async def lookup(self, token: str, siret: str | None = None, uai: str | None = None) -> Organisation:
        params = {k: v for k, v in (("siret", siret), ("uai", uai)) if v}
        return Organisation.model_validate(await self.json("GET", "/organisations/lookup", token, params=params))

    async def organisation(self, token: str, organisation_id: UUID) -> Organisation:
        return Organisation.model_validate(await self.json("GET", f"/organisations/{organisation_id}", token))

    async def establishments(self, token: str, organisation_id: UUID) -> list[Organisation]:
        found = await self.json("GET", f"/organisations/{organisation_id}/establishments", token)
        return [Organisation.model_validate(o) for o in found]

    async def declare_establishment(
        self, token: str, organisation_id: UUID, siret: str, name: str, administrator_email: str | None
    ) -> Organisation:
        body = {"siret": siret, "name": name, "administrator_email": administrator_email or None}
        path = f"/organisations/{organisation_id}/establishments"
        return Organisation.model_validate(await self.json("POST", path, token, json=body))

    async def send_postal_code(self, token: str, organisation_id: UUID) -> dict[str, Any]:
        path = f"/organisations/{organisation_id}/verification/postal-code"
        return await self.json("POST", path, token)  # type: ignore[no-any-return]

    async def confirm_postal_code(self, token: str, organisation_id: UUID, code: str) -> Organisation:
        path = f"/organisations/{organisation_id}/verification/postal-code/confirm"
        return Organisation.model_validate(await self.json("POST", path, token, json={"code": code}))

    async def members(self, token: str, organisation_id: UUID) -> list[Member]:
        found = await self.json("GET", f"/organisations/{organisation_id}/members", token)
        return [Member.model_validate(m) for m in found]

    async def change_role(self, token: str, organisation_id: UUID, membership_id: UUID, role: str) -> None:
        path = f"/organisations/{organisation_id}/members/{membership_id}"
        await self.request("PATCH", path, token, json={"role": role})

    async def revoke(self, token: str, organisation_id: UUID, membership_id: UUID) -> None:
        await self.request("DELETE", f"/organisations/{organisation_id}/members/{membership_id}", token)

    async def invite(self, token: str, organisation_id: UUID, email: str, role: str) -> Invitation:
        path = f"/organisations/{organisation_id}/invitations"
        return Invitation.model_validate(await self.json("POST", path, token, json={"email": email, "role": role}))

    async def invitations(self, token: str, organisation_id: UUID) -> list[Invitation]:
        found = await self.json("GET", f"/organisations/{organisation_id}/invitations", token)
        return [Invitation.model_validate(i) for i in found]

    async def cancel_invitation(self, token: str, organisation_id: UUID, invitation_id: UUID) -> None:
        await self.request("DELETE", f"/organisations/{organisation_id}/invitations/{invitation_id}", token)

    async def accept_invitation(self, token: str, link_token: str) -> dict[str, Any]:
        return dict(await self.json("POST", "/invitations/accept", token, json={"token": link_token}))

    async def register_from_invitation(self, link_token: str, full_name: str, password: str) -> Account:
        body = {"token": link_token, "full_name": full_name, "password": password}
        return Account.model_validate(await self.json("POST", "/invitations/register", json=body))

    async def request_to_join(self, token: str, organisation_id: UUID, message: str | None) -> None:
        path = f"/organisations/{organisation_id}/join-requests"
        await self.request("POST", path, token, json={"message": message or None})

    async def join_requests(self, token: str, organisation_id: UUID) -> list[JoinRequest]:
        found = await self.json("GET", f"/organisations/{organisation_id}/join-requests", token)
        return [JoinRequest.model_validate(r) for r in found]

    async def decide_join_request(
        self, token: str, organisation_id: UUID, request_id: UUID, accept: bool, role: str = "contributor"
    ) -> None:
        base = f"/organisations/{organisation_id}/join-requests/{request_id}"
        if accept:
            await self.request("POST", f"{base}/accept", token, json={"role": role})
        else:
            await self.request("POST", f"{base}/refuse", token)
