"""Sessions and tokens: log in, refresh, log out, password reset, client credentials, published keys."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from passerelle.identity.entrypoints.http.dependencies import ClientIp, CurrentUser, IdentityDep
from passerelle.identity.entrypoints.http.schemas import (
    ClientCredentials,
    EmailOnly,
    LoginRequest,
    Message,
    PasswordReset,
    RefreshRequest,
    TokenPair,
    errors,
)
from passerelle.identity.service_layer import accounts, commands, sessions
from passerelle.identity.service_layer.sessions import IssuedTokens
from passerelle.libs.errors import FieldError, InvalidInput
from passerelle.libs.inputs import character_problem

router = APIRouter(tags=["sessions et jetons"])

RESET_SENT = "Si un compte existe pour cette adresse, un courriel de réinitialisation vient d'être envoyé."


def _pair(tokens: IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_in=tokens.refresh_expires_in,
    )


@router.get("/.well-known/jwks.json", summary="Clés publiques de signature des jetons (JWKS)")
async def jwks(ctx: IdentityDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=60"
    return await ctx.keys.jwks()


@router.post(
    "/auth/login",
    summary="Se connecter (adresse électronique et mot de passe)",
    responses=errors(401, 403, 422, 429),
)
async def login(
    body: LoginRequest,
    ctx: IdentityDep,
    ip: ClientIp,
    user_agent: Annotated[str | None, Header()] = None,
) -> TokenPair:
    cmd = commands.LogIn(email=body.email, password=body.password, ip=ip, user_agent=user_agent)
    return _pair(await sessions.log_in(cmd, ctx.uow(), ctx.ports))


@router.post("/auth/refresh", summary="Renouveler le jeton d'accès (le jeton de session change)", responses=errors(401))
async def refresh(body: RefreshRequest, ctx: IdentityDep) -> TokenPair:
    return _pair(await sessions.refresh_tokens(commands.RefreshTokens(body.refresh_token), ctx.uow(), ctx.ports))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Se déconnecter (cette session)")
async def logout(body: RefreshRequest, ctx: IdentityDep) -> None:
    await sessions.log_out(commands.LogOut(body.refresh_token), ctx.uow(), ctx.ports)


@router.post(
    "/auth/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Se déconnecter partout (toutes les sessions)",
    responses=errors(401),
)
async def logout_all(who: CurrentUser, ctx: IdentityDep) -> None:
    await sessions.log_out_everywhere(commands.LogOutEverywhere(who.subject), ctx.uow(), ctx.ports)


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mot de passe oublié : recevoir un lien par courriel",
    responses=errors(422, 429),
)
async def request_password_reset(body: EmailOnly, ctx: IdentityDep, ip: ClientIp) -> Message:
    await accounts.request_password_reset(commands.RequestPasswordReset(body.email, ip), ctx.uow(), ctx.ports)
    return Message(message=RESET_SENT)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Choisir un nouveau mot de passe avec le lien reçu",
    responses=errors(410, 422),
)
async def reset_password(body: PasswordReset, ctx: IdentityDep) -> None:
    await accounts.reset_password(commands.ResetPassword(body.token, body.new_password), ctx.uow(), ctx.ports)


def _basic_credentials(authorization: str | None) -> dict[str, str]:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return {}
    try:
        client_id, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    return {"client_id": client_id, "client_secret": secret}


async def _token_request(request: Request) -> ClientCredentials:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "invalid json"}]) from None
        if not isinstance(data, dict):
            raise RequestValidationError([{"type": "dict_type", "loc": ("body",), "msg": "object expected"}])
    else:
        try:
            data = dict(parse_qsl(raw.decode("utf-8"), errors="strict"))
        except UnicodeDecodeError:
            raise InvalidInput(
                [FieldError("body", "body_not_utf8", "Le corps de la requête doit être du texte encodé en UTF-8.")]
            ) from None
    basic = _basic_credentials(request.headers.get("authorization"))
    data = {**basic, **data}
    # Whatever the content type, no control character reaches the database (the input guard checks JSON and
    # forms; a text/plain body or the Basic header come here unchecked).
    for name, value in data.items():
        if isinstance(value, str) and (reason := character_problem(value)) is not None:
            path = "Authorization" if basic.get(name) == value else str(name)
            raise InvalidInput([FieldError(path, "forbidden_character", reason)])
    try:
        return ClientCredentials.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


_FORM = {"schema": ClientCredentials.model_json_schema()}


@router.post(
    "/oauth/token",
    summary="Jeton d'accès d'un logiciel (OAuth2, client credentials)",
    description=(
        "Formulaire `application/x-www-form-urlencoded` (ou JSON) avec `grant_type=client_credentials`, "
        "`client_id` et `client_secret` (ou en HTTP Basic). Le jeton porte les droits de l'organisme seul."
    ),
    responses=errors(401, 422, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": _FORM, "application/json": _FORM},
        }
    },
)
async def client_token(request: Request, ctx: IdentityDep, ip: ClientIp, response: Response) -> TokenPair:
    body = await _token_request(request)
    cmd = commands.IssueClientToken(client_id=body.client_id, client_secret=body.client_secret, ip=ip)
    response.headers["Cache-Control"] = "no-store"
    return _pair(await sessions.issue_client_token(cmd, ctx.uow(), ctx.ports))
