"""Annotated dependencies: the routes read like sentences."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from passerelle.documents.config import Settings
from passerelle.documents.service_layer.context import Documents


# Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a hop per request for nothing.
async def documents_context(request: Request) -> Documents:
    return request.app.state.service.state["documents"]


async def service_settings(request: Request) -> Settings:
    return request.app.state.service.settings


async def correlation_id(request: Request) -> UUID | None:
    """A caller may pass the id of the flow the upload belongs to; the events then carry it."""
    value = request.headers.get("x-correlation-id")
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


DocumentsDep = Annotated[Documents, Depends(documents_context)]
SettingsDep = Annotated[Settings, Depends(service_settings)]
CorrelationId = Annotated[UUID | None, Depends(correlation_id)]
