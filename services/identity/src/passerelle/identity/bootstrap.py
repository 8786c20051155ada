"""Wires the identity service: the only place that connects adapters to use cases."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from passerelle.identity.adapters.hashing import Argon2Hasher
from passerelle.identity.adapters.keys import KeyCipher, KeyStore
from passerelle.identity.adapters.orm import start_mappers
from passerelle.identity.adapters.postal import PrintedLetters
from passerelle.identity.adapters.signer import JwtSigner, LocalTokenVerifier
from passerelle.identity.adapters.smtp import SmtpMailer
from passerelle.identity.config import DEVELOPMENT_ENVIRONMENTS, Settings
from passerelle.identity.domain.key_schedule import KeySchedule
from passerelle.identity.domain.passwords import PasswordPolicy
from passerelle.identity.domain.tokens import TokenSettings
from passerelle.identity.entrypoints.background import BackgroundWork
from passerelle.identity.entrypoints.context import Identity
from passerelle.identity.entrypoints.http import ROUTERS
from passerelle.identity.entrypoints.http.errors import install_identity_error_handlers
from passerelle.identity.service_layer.ports import Policy, Ports
from passerelle.libs.logging import get_logger
from passerelle.libs.service import Service
from passerelle.schemas.events import identity as events

log = get_logger(__name__)

PUBLISHES = (
    events.AccountRegistered,
    events.AccountConfirmed,
    events.AccountUpdated,
    events.AccountDisabled,
    events.OrganisationRegistered,
    events.MembershipRequested,
    events.MembershipGranted,
    events.MembershipRoleChanged,
    events.MembershipRevoked,
    events.InvitationSent,
)

DEVELOPMENT_KEY_SECRET = "passerelle-local-development-only"


class IdentityService(Service):
    def app(self) -> FastAPI:
        app = super().app()
        install_identity_error_handlers(app)
        return app


def key_secret(settings: Settings) -> str:
    if settings.key_encryption_secret is not None:
        return settings.key_encryption_secret.get_secret_value()
    if settings.environment in DEVELOPMENT_ENVIRONMENTS:
        return DEVELOPMENT_KEY_SECRET
    raise RuntimeError("IDENTITY_KEY_ENCRYPTION_SECRET is required outside development environments")


def policy_of(settings: Settings) -> Policy:
    return Policy(
        tokens=TokenSettings(
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            lifetime=timedelta(seconds=settings.access_token_ttl_seconds),
        ),
        refresh_lifetime=timedelta(seconds=settings.refresh_token_ttl_seconds),
        confirmation_lifetime=timedelta(seconds=settings.confirmation_ttl_seconds),
        reset_lifetime=timedelta(seconds=settings.password_reset_ttl_seconds),
        invitation_lifetime=timedelta(seconds=settings.invitation_ttl_seconds),
        login_window=timedelta(seconds=settings.login_window_seconds),
        max_failures_per_account=settings.login_max_failures_per_account,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        max_failures_per_account_anywhere=settings.login_max_failures_per_account_anywhere,
        lock_base_seconds=settings.login_lock_base_seconds,
        lock_max_seconds=settings.login_lock_max_seconds,
        reset_requests_per_ip=settings.password_reset_requests_per_ip,
        portal_url=settings.portal_url,
    )


def build_identity(settings: Settings, service: Service) -> Identity:
    if service.sessions is None:
        raise RuntimeError("the identity service needs a database (IDENTITY_DATABASE_URL)")
    start_mappers()
    policy = policy_of(settings)
    schedule = KeySchedule(
        rotation_period=timedelta(seconds=settings.signing_key_rotation_seconds),
        publish_ahead=timedelta(seconds=settings.signing_key_publish_ahead_seconds),
        verify_grace=policy.tokens.lifetime + timedelta(minutes=5),
    )
    keys = KeyStore(service.sessions, KeyCipher(key_secret(settings)), schedule)
    ports = Ports(
        hasher=Argon2Hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism),
        signer=JwtSigner(keys),
        policy=policy,
        passwords=PasswordPolicy(),
        postal=PrintedLetters(),
    )
    mailer = SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.mail_sender,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
    )
    verifier = LocalTokenVerifier(keys, settings.token_issuer, settings.token_audience)
    return Identity(
        settings=settings, sessions=service.sessions, ports=ports, keys=keys, verifier=verifier, mailer=mailer
    )


async def _start(service: Service) -> None:
    identity: Identity = service.state["identity"]
    # Identity's own routes refuse revoked tokens too (the list is fed by identity's own events).
    identity.verifier.revocations = service.state.get("revocations")
    await identity.keys.ensure_keys()
    work = BackgroundWork(identity)
    work.start()
    service.state["background"] = work


async def _stop(service: Service) -> None:
    work: BackgroundWork | None = service.state.pop("background", None)
    if work is not None:
        await work.stop()


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    service = IdentityService(
        settings,
        title="Passerelle — Identité et accès",
        description=(
            "Comptes, organisations (SIREN, SIRET, UAI, OPCO), rôles, invitations, sessions et jetons. "
            "Les jetons d'accès (JWT EdDSA) se vérifient hors ligne avec les clés publiées sur "
            "/.well-known/jwks.json."
        ),
        routers=ROUTERS,
        publishes=PUBLISHES,
        on_startup=[_start],
        on_shutdown=[_stop],
    )
    service.state["identity"] = build_identity(settings, service)
    return service
