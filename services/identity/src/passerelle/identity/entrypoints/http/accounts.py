"""A person's account: register, confirm the address, see and edit the profile, change the password."""

from __future__ import annotations

from fastapi import APIRouter, status

from passerelle.identity.entrypoints.http.dependencies import ClientIp, CurrentUser, IdentityDep
from passerelle.identity.entrypoints.http.schemas import (
    AccountCreate,
    AccountPublic,
    AccountUpdate,
    EmailOnly,
    LinkToken,
    Me,
    Message,
    PasswordChange,
    PasswordCheck,
    errors,
)
from passerelle.identity.service_layer import accounts, commands, queries

router = APIRouter(tags=["comptes"])

REGISTERED = (
    "Merci ! Si l'adresse peut être utilisée, un courriel vient d'y être envoyé : ouvrez le lien qu'il contient "
    "pour confirmer votre adresse."
)
RESENT = "Si un compte non confirmé existe pour cette adresse, un nouveau lien vient d'être envoyé."


@router.post(
    "/accounts",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Créer un compte (un lien de confirmation est envoyé par courriel)",
    description="La réponse est la même que l'adresse ait déjà un compte ou non.",
    responses=errors(422),
)
async def register(body: AccountCreate, ctx: IdentityDep) -> Message:
    cmd = commands.RegisterAccount(email=body.email, password=body.password, full_name=body.full_name, phone=body.phone)
    await accounts.register_account(cmd, ctx.uow(), ctx.ports)
    return Message(message=REGISTERED)


@router.post(
    "/accounts/confirmation",
    summary="Confirmer l'adresse électronique avec le lien reçu",
    responses=errors(410, 422),
)
async def confirm(body: LinkToken, ctx: IdentityDep) -> AccountPublic:
    return AccountPublic.of(await accounts.confirm_email(commands.ConfirmEmail(body.token), ctx.uow(), ctx.ports))


@router.post(
    "/accounts/confirmation/resend",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Recevoir un nouveau lien de confirmation",
    responses=errors(422),
)
async def resend(body: EmailOnly, ctx: IdentityDep) -> Message:
    await accounts.resend_confirmation(commands.ResendConfirmation(body.email), ctx.uow(), ctx.ports)
    return Message(message=RESENT)


@router.get("/me", summary="Mon compte et mes organisations", responses=errors(401))
async def me(who: CurrentUser, ctx: IdentityDep) -> Me:
    account, grants = await queries.my_account(ctx.uow(), who.subject)
    return Me.of_grants(account, grants)


@router.patch("/me", summary="Modifier mon profil", responses=errors(401, 422))
async def update_me(body: AccountUpdate, who: CurrentUser, ctx: IdentityDep) -> AccountPublic:
    cmd = commands.UpdateProfile(account_id=who.subject, full_name=body.full_name, phone=body.phone)
    return AccountPublic.of(await accounts.update_profile(cmd, ctx.uow(), ctx.ports))


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Changer mon mot de passe (toutes mes sessions sont fermées)",
    responses=errors(401, 422, 429),
)
async def change_password(body: PasswordChange, who: CurrentUser, ctx: IdentityDep, ip: ClientIp) -> None:
    cmd = commands.ChangePassword(who.subject, body.current_password, body.new_password, ip)
    await accounts.change_password(cmd, ctx.uow(), ctx.ports)


@router.post(
    "/me/close",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Fermer mon compte (il est désactivé, ses sessions prennent fin)",
    responses=errors(401, 422, 429),
)
async def close(body: PasswordCheck, who: CurrentUser, ctx: IdentityDep, ip: ClientIp) -> None:
    await accounts.close_account(commands.CloseAccount(who.subject, body.password, ip), ctx.uow(), ctx.ports)
