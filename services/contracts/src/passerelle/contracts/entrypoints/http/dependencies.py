"""What the routes receive: the unit of work (committed by the kit when the route returns), the use cases'
dependencies, and the expected version (If-Match)."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from fastapi import Depends

from passerelle.contracts.adapters.unit_of_work import ContractsUnitOfWork
from passerelle.contracts.service_layer.context import ContractsContext, Dependencies
from passerelle.libs import http
from passerelle.libs.http import ContextDep


async def _dependencies(context: ContextDep[ContractsContext]) -> Dependencies:
    return context.deps


UnitOfWorkDep: TypeAlias = http.UnitOfWorkDep[ContractsUnitOfWork]
DependenciesDep = Annotated[Dependencies, Depends(_dependencies)]
ExpectedVersion = http.ExpectedVersion
