"""Wires the identity service: the only place that connects adapters to use cases."""

from __future__ import annotations

from datetime import timedelta

from passerelle.identity.adapters.hashing import Argon2Hasher
from passerelle.identity.adapters.keys import KeyCipher, KeyStore
from passerelle.identity.adapters.orm import start_mappers
from passerelle.identity.adapters.postal import PrintedLetters
from passerelle.identity.adapters.signer import JwtSigner, LocalTokenVerifier
from passerelle.identity.adapters.unit_of_work import IdentityUnitOfWork
from passerelle.identity.config import DEVELOPMENT_ENVIRONMENTS, Settings
from passerelle.identity.context import IdentityContext
from passerelle.identity.domain.key_schedule import KeySchedule
from passerelle.identity.domain.passwords import PasswordPolicy
from passerelle.identity.domain.tokens import TokenSettings
from passerelle.identity.entrypoints.background import background_tasks
from passerelle.identity.entrypoints.http import ROUTERS
from passerelle.identity.service_layer.ports import Policy, Ports
from passerelle.libs.db import Database
from passerelle.libs.logging import get_logger
from passerelle.libs.mail import SmtpMailer
from passerelle.libs.service import Service
from passerelle.schemas.events import identity as events

log = get_logger(__name__)

PUBLISHES = (
    events.AccountRegistered,
    events.AccountConfirmed,
    events.AccountUpdated,
    events.AccountDisabled,
    events.OrganisationRegistered,
    events.OrganisationVerified,
    events.MembershipRequested,
    events.MembershipGranted,
    events.MembershipRoleChanged,
    events.MembershipRevoked,
    events.InvitationSent,
)

DEVELOPMENT_KEY_SECRET = "passerelle-local-development-only"


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


def build_context(settings: Settings, database: Database) -> IdentityContext:
    start_mappers()
    policy = policy_of(settings)
    schedule = KeySchedule(
        rotation_period=timedelta(seconds=settings.signing_key_rotation_seconds),
        publish_ahead=timedelta(seconds=settings.signing_key_publish_ahead_seconds),
        verify_grace=policy.tokens.lifetime + timedelta(minutes=5),
    )
    keys = KeyStore(database.sessions, KeyCipher(key_secret(settings)), schedule)
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
    return IdentityContext(
        uow_factory=database.unit_of_work(IdentityUnitOfWork, settings.service_name),
        producer=settings.service_name,
        clock=ports.clock,
        settings=settings,
        sessions=database.sessions,
        ports=ports,
        keys=keys,
        verifier=LocalTokenVerifier(keys, settings.token_issuer, settings.token_audience),
        mailer=mailer,
    )


async def _ensure_keys(service: Service[IdentityContext]) -> None:
    # Identity's own routes refuse revoked tokens too (the list is fed by identity's own events).
    service.context.verifier.revocations = service.state.get("revocations")
    # Before serving: a token can be signed from the first request on.
    await service.context.keys.ensure_keys()


def bootstrap(settings: Settings | None = None) -> Service[IdentityContext]:
    settings = settings or Settings()
    database = Database.of(settings)
    return Service(
        settings,
        build_context(settings, database),
        database=database,
        title="Passerelle — Identité et accès",
        description=(
            "Comptes, organisations (SIREN, SIRET, UAI, OPCO), rôles, invitations, sessions et jetons. "
            "Les jetons d'accès (JWT EdDSA) se vérifient hors ligne avec les clés publiées sur "
            "/.well-known/jwks.json."
        ),
        routers=ROUTERS,
        publishes=PUBLISHES,
        tasks=background_tasks(settings.mail_poll_seconds, settings.mail_worker_enabled),
        on_startup=[_ensure_keys],
    )
