"""Use cases of sessions: log in, refresh, log out (here or everywhere), machine clients' tokens.

Login failures are counted in a sliding window per account e-mail *and* client address (a delay that doubles
with each failure past the first few: whoever guesses waits longer and longer), per client address (many
accounts tried from one place) and per account from anywhere (a far higher bound against spread guessing),
so that nobody can lock an account's owner out by failing on purpose from elsewhere. The answer to a wrong
password and to an unknown address is the same, and takes the same time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from passerelle.identity.domain.errors import AuthenticationFailed, InvalidInput, NotAllowed, TooManyAttempts
from passerelle.identity.domain.identifiers import EmailAddress
from passerelle.identity.domain.model import Account, LoginSession, RefreshToken
from passerelle.identity.domain.roles import DEFAULT_ROLE, OrganisationKind
from passerelle.identity.domain.throttling import growing_delay, retry_after
from passerelle.identity.domain.tokens import client_claims, digest, new_secret, same_digest, user_claims
from passerelle.identity.service_layer import commands
from passerelle.identity.service_layer.access import grants_of
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import audit
from passerelle.schemas.events import identity as events

SESSION_INVALID = "Votre session a expiré ou a été fermée : reconnectez-vous."


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    refresh_expires_in: int | None = None


def login_key(email: str) -> str:
    return f"login:{email}"


def address_key(ip: str) -> str:
    return f"ip:{ip}"


def pair_key(email: str, ip: str) -> str:
    return f"login:{email}|ip:{ip}"


async def check_login_throttle(uow: UnitOfWork, ports: Ports, email: str, ip: str, now: datetime) -> None:
    policy = ports.policy
    window = policy.login_window
    pair, address, account = pair_key(email, ip), address_key(ip), login_key(email)
    recent = await uow.attempts.recent([pair, address, account], now - window)
    waits = [
        growing_delay(
            recent.get(pair, []),
            now,
            window,
            policy.max_failures_per_account,
            policy.lock_base_seconds,
            policy.lock_max_seconds,
        ),
        retry_after(recent.get(address, []), now, window, policy.max_failures_per_ip),
        retry_after(recent.get(account, []), now, window, policy.max_failures_per_account_anywhere),
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        raise TooManyAttempts(retry_after_seconds=wait)


def record_login_failure(uow: UnitOfWork, email: str, ip: str, now: datetime) -> None:
    record_failure(uow, [pair_key(email, ip), address_key(ip), login_key(email)], now)


async def check_throttle(uow: UnitOfWork, ports: Ports, limits: Sequence[tuple[str, int]], now: datetime) -> None:
    window = ports.policy.login_window
    recent = await uow.attempts.recent([key for key, _ in limits], now - window)
    waits = [retry_after(recent.get(key, []), now, window, limit) for key, limit in limits]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        raise TooManyAttempts(retry_after_seconds=wait)


def record_failure(uow: UnitOfWork, keys: Sequence[str], now: datetime) -> None:
    for key in keys:
        uow.attempts.record(key, now)


def _login_email(raw: str) -> str:
    try:
        return EmailAddress.parse(raw).value
    except InvalidInput:
        # A malformed login is just another unknown account: same answer, same throttling.
        return raw.strip().lower()[:320]


async def access_token_for(
    uow: UnitOfWork, account: Account, ports: Ports, now: datetime, session_id: UUID | None = None
) -> str:
    """Claims come from the database now: revoked memberships are not in the token."""
    grants = await grants_of(uow, account.id)
    return await ports.signer.sign(user_claims(account, grants, ports.policy.tokens, now, session_id))


def end_session(uow: UnitOfWork, session: LoginSession, now: datetime, reason: str) -> None:
    """Ends the session and tells every service, so its access tokens stop working within seconds."""
    if session.revoked_at is None:
        session.revoke(now, reason)
        uow.publish(events.SessionEnded(session_id=session.id, account_id=session.account_id, reason=reason))


async def _open_session(
    uow: UnitOfWork, account: Account, ports: Ports, now: datetime, ip: str | None, user_agent: str | None
) -> IssuedTokens:
    policy = ports.policy
    session = LoginSession(
        account_id=account.id,
        created_at=now,
        expires_at=now + policy.refresh_lifetime,
        last_used_at=now,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    uow.sessions.add(session)
    refresh = new_secret()
    uow.sessions.add_token(RefreshToken(token_hash=digest(refresh), session_id=session.id, issued_at=now))
    return IssuedTokens(
        access_token=await access_token_for(uow, account, ports, now, session.id),
        expires_in=int(policy.tokens.lifetime.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=int(policy.refresh_lifetime.total_seconds()),
    )


async def log_in(cmd: commands.LogIn, uow: UnitOfWork, ports: Ports) -> IssuedTokens:
    now = ports.clock()
    email = _login_email(cmd.email)
    async with uow:
        await check_login_throttle(uow, ports, email, cmd.ip, now)
        account = await uow.accounts.by_email(email)
        if account is None:
            await ports.hasher.waste_time(cmd.password)
            verified = False
        else:
            verified = await ports.hasher.verify(account.password_hash, cmd.password)
        if account is None or not verified:
            record_login_failure(uow, email, cmd.ip, now)
            await uow.commit()
            raise AuthenticationFailed()
        # Past this point the password was right: saying why the login is refused reveals nothing new.
        if not account.is_active:
            raise AuthenticationFailed("Ce compte est désactivé.", "account_disabled")
        if not account.is_confirmed:
            raise NotAllowed(
                "Confirmez d'abord votre adresse électronique grâce au lien reçu par courriel.", "email_not_confirmed"
            )
        await uow.attempts.forget(pair_key(email, cmd.ip))
        if ports.hasher.needs_rehash(account.password_hash):
            account.password_hash = await ports.hasher.hash(cmd.password)
        tokens = await _open_session(uow, account, ports, now, cmd.ip, cmd.user_agent)
        await uow.commit()
    return tokens


async def refresh_tokens(cmd: commands.RefreshTokens, uow: UnitOfWork, ports: Ports) -> IssuedTokens:
    """Rotates the refresh token; replaying a rotated one ends the whole session (it was stolen or leaked)."""
    now = ports.clock()
    policy = ports.policy
    async with uow:
        token = await uow.sessions.token(digest(cmd.refresh_token))
        session = await uow.sessions.get(token.session_id) if token else None
        if token is None or session is None:
            raise AuthenticationFailed(SESSION_INVALID, "invalid_refresh_token")
        if token.used_at is not None:
            end_session(uow, session, now, "refresh_token_reused")
            audit(
                uow,
                now,
                "session.reuse_detected",
                session.account_id,
                target_account_id=session.account_id,
                session_id=session.id,
            )
            await uow.commit()
            raise AuthenticationFailed(SESSION_INVALID, "refresh_token_reused")
        account = await uow.accounts.get(session.account_id)
        if not session.is_usable(now) or account is None or not account.is_active:
            raise AuthenticationFailed(SESSION_INVALID, "session_ended")
        token.used_at = now
        session.last_used_at = now
        refresh = new_secret()
        uow.sessions.add_token(RefreshToken(token_hash=digest(refresh), session_id=session.id, issued_at=now))
        access = await access_token_for(uow, account, ports, now, session.id)
        await uow.commit()
    return IssuedTokens(
        access_token=access,
        expires_in=int(policy.tokens.lifetime.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=int((session.expires_at - now).total_seconds()),
    )


async def log_out(cmd: commands.LogOut, uow: UnitOfWork, ports: Ports) -> None:
    now = ports.clock()
    async with uow:
        token = await uow.sessions.token(digest(cmd.refresh_token))
        session = await uow.sessions.get(token.session_id) if token else None
        if session is not None:
            end_session(uow, session, now, "logout")
            await uow.commit()


async def end_all_sessions(uow: UnitOfWork, account_id: UUID, now: datetime, reason: str) -> int:
    sessions = await uow.sessions.usable_of_account(account_id, now)
    for session in sessions:
        end_session(uow, session, now, reason)
    return len(sessions)


async def log_out_everywhere(cmd: commands.LogOutEverywhere, uow: UnitOfWork, ports: Ports) -> int:
    now = ports.clock()
    async with uow:
        ended = await end_all_sessions(uow, cmd.account_id, now, "logout_everywhere")
        audit(
            uow, now, "account.logged_out_everywhere", cmd.account_id, target_account_id=cmd.account_id, sessions=ended
        )
        await uow.commit()
    return ended


INVALID_CLIENT = "Identifiant ou secret client incorrect."


async def issue_client_token(cmd: commands.IssueClientToken, uow: UnitOfWork, ports: Ports) -> IssuedTokens:
    """OAuth2 client credentials: an access token for the client's organisation, no refresh token."""
    now = ports.clock()
    policy = ports.policy
    keys = [f"client:{cmd.client_id[:100]}", address_key(cmd.ip)]
    async with uow:
        await check_throttle(
            uow, ports, [(keys[0], policy.max_failures_per_account), (keys[1], policy.max_failures_per_ip)], now
        )
        client = await uow.api_clients.by_client_id(cmd.client_id)
        valid = client is not None and client.is_active and same_digest(cmd.client_secret, client.secret_hash)
        organisation = await uow.organisations.get(client.organisation_id) if valid and client else None
        if client is None or not valid or organisation is None:
            record_failure(uow, keys, now)
            await uow.commit()
            raise AuthenticationFailed(INVALID_CLIENT, "invalid_client")
        if not organisation.is_verified:
            raise NotAllowed(
                "L'organisme de ces identifiants n'est pas encore vérifié : ils ne donnent accès à rien.",
                "organisation_not_verified",
            )
        client.last_used_at = now
        role = DEFAULT_ROLE[OrganisationKind(organisation.kind)]
        access = await ports.signer.sign(client_claims(client, organisation, role, policy.tokens, now))
        await uow.commit()
    return IssuedTokens(access_token=access, expires_in=int(policy.tokens.lifetime.total_seconds()))
