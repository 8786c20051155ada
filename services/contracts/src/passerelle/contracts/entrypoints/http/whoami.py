"""`GET /me`: who the verified access token says the caller is (the shared offline token check, nothing more)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from passerelle.libs.auth import CurrentPrincipal

router = APIRouter(tags=["identité"])


class MembershipOut(BaseModel):
    organisation_id: UUID
    kind: str = Field(description="employer, training ou opco")
    role: str
    siret: str | None = None
    siren: str | None = None
    uai: str | None = None
    opco_code: str | None = None


class WhoAmI(BaseModel):
    subject: UUID = Field(description="Le compte (ou le logiciel client) porteur du jeton")
    kind: str = Field(description="user ou client")
    email: str | None = None
    name: str | None = None
    memberships: list[MembershipOut]


@router.get("/me", summary="Qui suis-je ? (vérifie le jeton d'accès)")
async def whoami(principal: CurrentPrincipal) -> WhoAmI:
    return WhoAmI(
        subject=principal.subject,
        kind=principal.kind,
        email=principal.email,
        name=principal.name,
        memberships=[
            MembershipOut(
                organisation_id=m.organisation_id,
                kind=m.kind,
                role=m.role,
                siret=m.siret,
                siren=m.siren,
                uai=m.uai,
                opco_code=m.opco_code,
            )
            for m in principal.memberships
        ],
    )
