"""The notifier's wired parts, built once by bootstrap.py and reached by the HTTP routes and the tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from passerelle.notifier.adapters.listener import Listener
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.config import Settings
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.ports import Mailer


@dataclass
class Notifier:
    settings: Settings
    context: NotifierContext
    uow_factory: Callable[[], NotifierUnitOfWork]
    mailer: Mailer
    feed: Listener

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[NotifierUnitOfWork]:
        """The request boundary: commits when the use case returned, rolls back when it raised."""
        async with self.uow_factory() as uow:
            yield uow
            await uow.commit()


def notifier_of(request: Request) -> Notifier:
    return request.app.state.service.state["notifier"]  # type: ignore[no-any-return]


NotifierDep = Annotated[Notifier, Depends(notifier_of)]
