"""What the routes receive: the unit of work (committed by the kit when the route returns), the use cases'
dependencies, and the expected version (If-Match)."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from fastapi import Depends, Header

from passerelle.contracts.adapters.unit_of_work import ContractsUnitOfWork
from passerelle.contracts.service_layer.context import ContractsContext, Dependencies
from passerelle.libs import http
from passerelle.libs.errors import FieldError, PreconditionRequired
from passerelle.libs.http import ContextDep


async def _dependencies(context: ContextDep[ContractsContext]) -> Dependencies:
    return context.deps


UnitOfWorkDep: TypeAlias = http.UnitOfWorkDep[ContractsUnitOfWork]
# The routes that only read: no BEGIN, COMMIT or ROLLBACK around their statements, and no write possible.
ReadsDep: TypeAlias = http.ReadsDep[ContractsUnitOfWork]
DependenciesDep = Annotated[Dependencies, Depends(_dependencies)]


async def _required_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description=(
                'Required: the contract\'s version as last read (its ETag, e.g. "3"). Missing: 428; no longer the '
                "current version: 412"
            ),
        ),
    ] = None,
) -> int:
    # Every write names the version it was made on, so two people saving the same tab never overwrite each other.
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        raise PreconditionRequired(
            "Indiquez la version du contrat que vous avez lue (en-tête If-Match, la valeur de son ETag) : sans elle, "
            "vous pourriez écraser sans le savoir les modifications d'un collègue.",
            fields=[FieldError("If-Match", "missing", "La version du contrat lue est obligatoire.")],
        )
    version = await http.expected_version(if_match)
    assert version is not None
    return version


ExpectedVersion = Annotated[int, Depends(_required_version)]
