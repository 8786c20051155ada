"""The kit's HTTP dependencies, typed for the notifier."""

from typing import Annotated

from passerelle.libs.http import ContextDep, ReadsDep, UnitOfWorkDep
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.service_layer.context import NotifierContext

Context = ContextDep[NotifierContext]
Uow = UnitOfWorkDep[NotifierUnitOfWork]
# The routes that only read: no BEGIN, COMMIT or ROLLBACK around their statements.
Reads = ReadsDep[NotifierUnitOfWork]

__all__ = ["Annotated", "Context", "Reads", "Uow"]
