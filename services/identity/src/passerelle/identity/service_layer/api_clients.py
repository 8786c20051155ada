"""Use cases of machine clients: an organisation's administrator creates and revokes API credentials."""

from __future__ import annotations

import secrets

from passerelle.identity.domain.errors import InvalidInput, NotFound
from passerelle.identity.domain.model import ApiClient
from passerelle.identity.domain.profile import refuse_hidden_characters
from passerelle.identity.domain.roles import Action
from passerelle.identity.domain.tokens import digest, new_secret
from passerelle.identity.service_layer import commands
from passerelle.identity.service_layer.access import require
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import audit

CLIENT_ID_PREFIX = "pcl_"
SECRET_PREFIX = "pcs_"


async def create_api_client(cmd: commands.CreateApiClient, uow: UnitOfWork, ports: Ports) -> tuple[ApiClient, str]:
    """The new credentials and their secret: shown once, only its hash is kept."""
    refuse_hidden_characters(cmd.name, "name")
    name = " ".join(cmd.name.split())
    if not name or len(name) > 100:
        raise InvalidInput.one(
            "name", "name_invalid", "Nommez ces identifiants (1 à 100 caractères), par exemple « Logiciel de paie »."
        )
    now = ports.clock()
    secret = SECRET_PREFIX + new_secret()
    async with uow:
        org, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.MANAGE_API_CLIENTS)
        client = ApiClient(
            organisation_id=org.id,
            client_id=CLIENT_ID_PREFIX + secrets.token_hex(12),
            secret_hash=digest(secret),
            name=name,
            created_by=cmd.actor_id,
            created_at=now,
        )
        uow.api_clients.add(client)
        audit(
            uow,
            now,
            "api_client.created",
            cmd.actor_id,
            org.id,
            api_client_id=client.id,
            client_id=client.client_id,
            name=name,
        )
        await uow.commit()
    return client, secret


async def revoke_api_client(cmd: commands.RevokeApiClient, uow: UnitOfWork, ports: Ports) -> None:
    now = ports.clock()
    async with uow:
        org, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.MANAGE_API_CLIENTS)
        client = await uow.api_clients.get(cmd.api_client_id)
        if client is None or client.organisation_id != org.id:
            raise NotFound("Identifiants introuvables.", "api_client_not_found")
        client.revoke(now)
        audit(uow, now, "api_client.revoked", cmd.actor_id, org.id, api_client_id=client.id, client_id=client.client_id)
        await uow.commit()
