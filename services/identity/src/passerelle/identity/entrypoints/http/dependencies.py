"""The routes' dependencies, as `Annotated` aliases: who is calling, and the service's wiring."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from passerelle.identity.context import IdentityContext
from passerelle.libs.auth import Principal
from passerelle.libs.clients import client_address
from passerelle.libs.errors import Forbidden, Unauthorized
from passerelle.libs.http import ContextDep

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="jeton",
    description="Jeton d'accès (JWT EdDSA) délivré par /auth/login, /auth/refresh ou /oauth/token.",
)


IdentityDep: TypeAlias = ContextDep[IdentityContext]


async def principal(
    ctx: IdentityDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None:
        raise Unauthorized()
    return await ctx.verifier.verify(credentials.credentials)


async def user(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if who.kind != "user":
        raise Forbidden("Cette opération est réservée aux personnes connectées.", "users_only")
    return who


CurrentPrincipal = Annotated[Principal, Depends(principal)]
CurrentUser = Annotated[Principal, Depends(user)]


async def client_ip(request: Request) -> str:
    """The address attempts are counted under: the peer's, unless the peer is a trusted proxy (settings)."""
    settings = request.app.state.service.settings
    return client_address(request, getattr(settings, "trusted_proxies", ()))


ClientIp = Annotated[str, Depends(client_ip)]
