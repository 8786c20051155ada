"""What the routes receive: the unit of work, the use cases' dependencies, and the expected version."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from passerelle.contracts.service_layer.services import Dependencies
from passerelle.contracts.service_layer.unit_of_work import ContractsUnitOfWork
from passerelle.libs.errors import FieldError, InvalidInput

_VERSION = re.compile(r"[0-9]{1,9}")


async def _unit_of_work(request: Request) -> AsyncIterator[ContractsUnitOfWork]:
    factory: Callable[[], ContractsUnitOfWork] = request.app.state.service.state["uow_factory"]
    async with factory() as uow:
        yield uow


def _dependencies(request: Request) -> Dependencies:
    return request.app.state.service.state["dependencies"]


def _expected_version(
    if_match: Annotated[
        str | None,
        Header(description="The contract's version as last read (its ETag): refused with 409 if it changed since"),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only, and few of them: str.isdigit() takes "²" and "١", which int() then refuses,
    # and a version past 32 bits would only reach PostgreSQL to fail there.
    if not _VERSION.fullmatch(value):
        raise InvalidInput([FieldError("If-Match", "invalid", "La version attendue doit être un nombre entier.")])
    return int(value)


UnitOfWorkDep = Annotated[ContractsUnitOfWork, Depends(_unit_of_work)]
DependenciesDep = Annotated[Dependencies, Depends(_dependencies)]
ExpectedVersion = Annotated[int | None, Depends(_expected_version)]
