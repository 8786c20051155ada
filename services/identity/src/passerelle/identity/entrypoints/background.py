"""Identity's background work, as the kit's periodic tasks: deliver mails, rotate keys, forget old attempts."""

from __future__ import annotations

from passerelle.identity.adapters.housekeeping import purge_expired
from passerelle.identity.context import IdentityContext
from passerelle.identity.service_layer.mail_delivery import deliver_pending_mails
from passerelle.libs.tasks import PeriodicTask

KEYS_EVERY = 60.0
PURGE_EVERY = 600.0


async def deliver_mails(context: IdentityContext) -> None:
    while await deliver_pending_mails(context.uow(), context.mailer, context.ports) > 0:
        pass


async def rotate_keys(context: IdentityContext) -> None:
    await context.keys.ensure_keys()


async def forget_expired(context: IdentityContext) -> None:
    await purge_expired(context.sessions, context.ports.clock(), context.ports.policy)


def background_tasks(mail_every: float, mail_enabled: bool = True) -> list[PeriodicTask]:
    return [
        # Rows are locked while sent (FOR UPDATE SKIP LOCKED): every instance may deliver at once.
        PeriodicTask("deliver-mails", every=mail_every, run=deliver_mails, exclusive=False, enabled=mail_enabled),
        PeriodicTask("rotate-keys", every=KEYS_EVERY, run=rotate_keys, first_delay=KEYS_EVERY),
        PeriodicTask("forget-expired", every=PURGE_EVERY, run=forget_expired, first_delay=PURGE_EVERY),
    ]
