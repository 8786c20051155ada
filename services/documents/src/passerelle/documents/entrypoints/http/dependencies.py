"""Annotated dependencies: the routes read like sentences."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from fastapi import Depends, Request

from passerelle.documents.config import Settings
from passerelle.documents.service_layer.context import Documents
from passerelle.libs import http
from passerelle.libs.http import ContextDep


async def service_settings(request: Request) -> Settings:
    return request.app.state.service.settings


DocumentsDep: TypeAlias = ContextDep[Documents]
SettingsDep = Annotated[Settings, Depends(service_settings)]
CorrelationId = http.CorrelationId
