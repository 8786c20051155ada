"""Use cases of a person's own account: register, confirm the address, profile, password, closing."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from passerelle.identity.domain.errors import InvalidInput, InvalidLink, Problem
from passerelle.identity.domain.identifiers import EmailAddress
from passerelle.identity.domain.model import Account, ActionToken, TokenPurpose
from passerelle.identity.domain.profile import clean_name, clean_phone
from passerelle.identity.domain.throttling import retry_after
from passerelle.identity.domain.tokens import digest, new_secret
from passerelle.identity.service_layer import commands, mails
from passerelle.identity.service_layer.access import active_account
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import account_confirmed, account_registered, audit
from passerelle.identity.service_layer.sessions import (
    check_login_throttle,
    check_throttle,
    end_all_sessions,
    record_failure,
    record_login_failure,
)
from passerelle.schemas.events import identity as events

# At most this many link mails per address and per login window: enough for a lost mail, not for mail bombing.
LINK_MAILS_PER_WINDOW = 3

CONFIRM_PATH = "/compte/confirmer"
RESET_PATH = "/compte/reinitialiser"


async def _may_send_link(uow: UnitOfWork, ports: Ports, key: str, now: datetime) -> bool:
    recent = await uow.attempts.recent([key], now - ports.policy.login_window)
    if retry_after(recent.get(key, []), now, ports.policy.login_window, LINK_MAILS_PER_WINDOW) is not None:
        return False
    uow.attempts.record(key, now)
    return True


async def _issue_link(uow: UnitOfWork, account: Account, purpose: TokenPurpose, ports: Ports, now: datetime) -> str:
    """A new single-use secret for `purpose`; older unused ones of the same purpose stop working."""
    lifetime = (
        ports.policy.confirmation_lifetime if purpose == TokenPurpose.CONFIRM_EMAIL else ports.policy.reset_lifetime
    )
    for older in await uow.action_tokens.usable(account.id, purpose, now):
        older.used_at = now
    secret = new_secret()
    uow.action_tokens.add(
        ActionToken(
            account_id=account.id, purpose=purpose, token_hash=digest(secret), created_at=now, expires_at=now + lifetime
        )
    )
    return secret


async def _send_confirmation(uow: UnitOfWork, account: Account, ports: Ports, now: datetime) -> None:
    secret = await _issue_link(uow, account, TokenPurpose.CONFIRM_EMAIL, ports, now)
    url = mails.link(ports.policy.portal_url, CONFIRM_PATH, secret)
    uow.mails.add(mails.confirmation(account.email, account.full_name, url, ports.policy.confirmation_lifetime, now))


async def register_account(cmd: commands.RegisterAccount, uow: UnitOfWork, ports: Ports) -> Account | None:
    """A new, unconfirmed account and its confirmation mail; None if the address already has an account.

    The caller answers the same either way: the owner of an existing address gets a mail instead.
    """
    problems: list[Problem] = []
    email = full_name = None
    try:
        email = EmailAddress.parse(cmd.email)
    except InvalidInput as exc:
        problems += exc.problems
    try:
        full_name = clean_name(cmd.full_name)
    except InvalidInput as exc:
        problems += exc.problems
    problems += ports.passwords.problems(cmd.password, email.value if email else None, full_name)
    phone = None
    try:
        phone = clean_phone(cmd.phone)
    except InvalidInput as exc:
        problems += exc.problems
    if problems or email is None or full_name is None:
        raise InvalidInput(problems=problems)
    # Hash before looking the address up: both answers then take the same time.
    password_hash = await ports.hasher.hash(cmd.password)
    now = ports.clock()
    async with uow:
        if await uow.accounts.by_email(email.value) is not None:
            if await _may_send_link(uow, ports, f"mail:{email.value}", now):
                uow.mails.add(mails.already_registered(email.value, ports.policy.portal_url, now))
            await uow.commit()
            return None
        account = Account(
            email=email.value, full_name=full_name, password_hash=password_hash, created_at=now, phone=phone
        )
        account.updated_at = now
        uow.accounts.add(account)
        await _send_confirmation(uow, account, ports, now)
        uow.publish(account_registered(account))
        await uow.commit()
    return account


async def confirm_email(cmd: commands.ConfirmEmail, uow: UnitOfWork, ports: Ports) -> Account:
    now = ports.clock()
    async with uow:
        token = await uow.action_tokens.by_hash(digest(cmd.token))
        if token is None or token.purpose != TokenPurpose.CONFIRM_EMAIL or not token.is_usable(now):
            raise InvalidLink("Ce lien de confirmation n'est pas valide ou a expiré. Demandez-en un nouveau.")
        token.use(now)
        account = await active_account(uow, token.account_id)
        if account.confirm_email(now):
            uow.publish(account_confirmed(account))
        await uow.commit()
    return account


async def resend_confirmation(cmd: commands.ResendConfirmation, uow: UnitOfWork, ports: Ports) -> None:
    """Always answers the same; mails only an existing, unconfirmed, active account, a few times per window."""
    email = EmailAddress.parse(cmd.email)
    now = ports.clock()
    async with uow:
        account = await uow.accounts.by_email(email.value)
        if account is None or account.is_confirmed or not account.is_active:
            return
        if await _may_send_link(uow, ports, f"mail:{email.value}", now):
            await _send_confirmation(uow, account, ports, now)
        await uow.commit()


async def update_profile(cmd: commands.UpdateProfile, uow: UnitOfWork, ports: Ports) -> Account:
    full_name = clean_name(cmd.full_name) if cmd.full_name is not None else None
    phone = clean_phone(cmd.phone)
    now = ports.clock()
    async with uow:
        account = await active_account(uow, cmd.account_id)
        account.update_profile(now, full_name=full_name, phone=phone)
        uow.publish(
            events.AccountUpdated(
                account_id=account.id, email=account.email, full_name=account.full_name, phone=account.phone
            )
        )
        await uow.commit()
    return account


async def change_password(cmd: commands.ChangePassword, uow: UnitOfWork, ports: Ports) -> None:
    """Needs the current password (throttled like a login); ends every session, tells the owner by mail."""
    now = ports.clock()
    async with uow:
        account = await active_account(uow, cmd.account_id)
        await check_login_throttle(uow, ports, account.email, cmd.ip, now)
        if not await ports.hasher.verify(account.password_hash, cmd.current_password):
            record_login_failure(uow, account.email, cmd.ip, now)
            await uow.commit()
            raise InvalidInput.one("current_password", "password_wrong", "Le mot de passe actuel est incorrect.")
        if cmd.new_password == cmd.current_password:
            raise InvalidInput.one(
                "new_password", "password_unchanged", "Le nouveau mot de passe doit être différent de l'actuel."
            )
        ports.passwords.check(cmd.new_password, account.email, account.full_name, path="new_password")
        account.set_password_hash(await ports.hasher.hash(cmd.new_password), now)
        await end_all_sessions(uow, account.id, now, "password_changed")
        uow.mails.add(mails.password_changed(account.email, account.full_name, now))
        audit(uow, now, "account.password_changed", account.id, target_account_id=account.id)
        await uow.commit()


async def request_password_reset(cmd: commands.RequestPasswordReset, uow: UnitOfWork, ports: Ports) -> None:
    """Always answers the same, whether or not the address has an account, after the same work: the same
    reads, the per-address and per-e-mail counters written, one commit (only the link and its mail differ)."""
    email = EmailAddress.parse(cmd.email)
    now = ports.clock()
    address = f"reset-ip:{cmd.ip}"
    async with uow:
        await check_throttle(uow, ports, [(address, ports.policy.reset_requests_per_ip)], now)
        record_failure(uow, [address], now)
        account = await uow.accounts.by_email(email.value)
        may_send = await _may_send_link(uow, ports, f"reset:{email.value}", now)
        if may_send and account is not None and account.is_active:
            secret = await _issue_link(uow, account, TokenPurpose.RESET_PASSWORD, ports, now)
            url = mails.link(ports.policy.portal_url, RESET_PATH, secret)
            uow.mails.add(mails.password_reset(account.email, account.full_name, url, ports.policy.reset_lifetime, now))
        elif may_send:
            uow.mails.add(mails.reset_without_account(email.value, ports.policy.portal_url, now))
        await uow.commit()


async def reset_password(cmd: commands.ResetPassword, uow: UnitOfWork, ports: Ports) -> None:
    now = ports.clock()
    async with uow:
        token = await uow.action_tokens.by_hash(digest(cmd.token))
        if token is None or token.purpose != TokenPurpose.RESET_PASSWORD or not token.is_usable(now):
            raise InvalidLink("Ce lien de réinitialisation n'est pas valide ou a expiré. Demandez-en un nouveau.")
        account = await uow.accounts.get(token.account_id)
        if account is None or not account.is_active:
            raise InvalidLink()
        ports.passwords.check(cmd.new_password, account.email, account.full_name, path="new_password")
        token.use(now)
        account.set_password_hash(await ports.hasher.hash(cmd.new_password), now)
        # The link reached the mailbox: the address is proven.
        if account.confirm_email(now):
            uow.publish(account_confirmed(account))
        await end_all_sessions(uow, account.id, now, "password_reset")
        await uow.attempts.forget(f"login:{account.email}")
        uow.mails.add(mails.password_changed(account.email, account.full_name, now))
        audit(uow, now, "account.password_reset", account.id, target_account_id=account.id)
        await uow.commit()


async def close_account(cmd: commands.CloseAccount, uow: UnitOfWork, ports: Ports) -> None:
    """A person closes their own account (password required): sessions end, the account is disabled."""
    now = ports.clock()
    async with uow:
        account = await active_account(uow, cmd.account_id)
        # Throttled like a login: a stolen access token must not become a way to guess the password.
        await check_login_throttle(uow, ports, account.email, cmd.ip, now)
        if not await ports.hasher.verify(account.password_hash, cmd.password):
            record_login_failure(uow, account.email, cmd.ip, now)
            await uow.commit()
            raise InvalidInput.one("password", "password_wrong", "Le mot de passe est incorrect.")
        await _disable_account(uow, account, account.id, now)
        await uow.commit()


async def disable_account(cmd: commands.DisableAccount, uow: UnitOfWork, ports: Ports) -> None:
    now = ports.clock()
    async with uow:
        account = await uow.accounts.get(cmd.account_id)
        if account is None:
            raise InvalidInput.one("account_id", "account_not_found", "Ce compte n'existe pas.")
        await _disable_account(uow, account, cmd.disabled_by, now)
        await uow.commit()


async def _disable_account(uow: UnitOfWork, account: Account, by: UUID | None, now: datetime) -> None:
    if not account.disable(now):
        return
    await end_all_sessions(uow, account.id, now, "account_disabled")
    uow.publish(events.AccountDisabled(account_id=account.id, disabled_by=by))
    audit(uow, now, "account.disabled", by, target_account_id=account.id, actor_kind="user" if by else "platform")
