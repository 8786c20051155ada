"""Shared HTTP dependencies: the typed context, the request's unit of work, the OPCO staff member."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from passerelle.libs import http
from passerelle.libs.auth import CurrentPrincipal
from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.service_layer.access import Staff, staff_of
from passerelle.opco_processing.service_layer.context import OpcoContext


async def _staff(principal: CurrentPrincipal) -> Staff:
    return staff_of(principal)


ContextDep = http.ContextDep[OpcoContext]
# Committed by the kit after the route returns, before the response is sent.
UowDep = http.UnitOfWorkDep[OpcoUnitOfWork]
# The routes that only read: no BEGIN, COMMIT or ROLLBACK around their statements, and no write possible.
ReadsDep = http.ReadsDep[OpcoUnitOfWork]
StaffDep = Annotated[Staff, Depends(_staff)]
