"""Maps the domain's plain classes onto the tables (classical mapping: the domain never imports SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import registry

from passerelle.identity.adapters import tables
from passerelle.identity.domain import model

mapper_registry = registry()
_started = False


@dataclass(eq=False)
class Attempt:
    """One counted attempt (a failed login, a link mail sent), for throttling."""

    key: str
    attempted_at: datetime
    id: int | None = None


def start_mappers() -> None:
    """Idempotent: the app, the seed and the tests may all call it."""
    global _started
    if _started:
        return
    mapper_registry.map_imperatively(model.Account, tables.accounts)
    mapper_registry.map_imperatively(model.Organisation, tables.organisations)
    mapper_registry.map_imperatively(model.Membership, tables.memberships)
    mapper_registry.map_imperatively(model.Invitation, tables.invitations)
    mapper_registry.map_imperatively(model.JoinRequest, tables.join_requests)
    mapper_registry.map_imperatively(model.ApiClient, tables.api_clients)
    mapper_registry.map_imperatively(model.LoginSession, tables.login_sessions)
    mapper_registry.map_imperatively(model.RefreshToken, tables.refresh_tokens)
    mapper_registry.map_imperatively(model.ActionToken, tables.action_tokens)
    mapper_registry.map_imperatively(model.AuditEntry, tables.audit_log)
    mapper_registry.map_imperatively(model.OutgoingMail, tables.mail_outbox)
    mapper_registry.map_imperatively(Attempt, tables.attempts)
    _started = True
