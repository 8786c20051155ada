"""Shared HTTP dependencies: the service context and the OPCO staff member behind the token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from passerelle.libs.auth import CurrentPrincipal
from passerelle.opco_processing.service_layer.access import Staff, staff_of
from passerelle.opco_processing.service_layer.context import Context


def _context(request: Request) -> Context:
    return request.app.state.service.state["context"]


def _staff(principal: CurrentPrincipal) -> Staff:
    return staff_of(principal)


ContextDep = Annotated[Context, Depends(_context)]
StaffDep = Annotated[Staff, Depends(_staff)]
