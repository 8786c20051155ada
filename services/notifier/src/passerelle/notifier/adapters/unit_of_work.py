"""The notifier's unit of work: the libs' SQL unit of work (outbox, inbox) with the notifier's repositories."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.notifier.adapters.repositories import Directory, Follows, Mails, Notifications, Preferences


class NotifierUnitOfWork(SqlUnitOfWork):
    directory: Directory
    preferences: Preferences
    follows: Follows
    notifications: Notifications
    mails: Mails

    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str = "notifier") -> None:
        super().__init__(sessions, producer)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.directory = Directory(self.session)
        self.preferences = Preferences(self.session)
        self.follows = Follows(self.session)
        self.notifications = Notifications(self.session)
        self.mails = Mails(self.session)
        return self

    async def commit(self) -> None:
        await self.notifications.flush()
        await super().commit()

    async def rollback(self) -> None:
        if hasattr(self, "notifications"):
            self.notifications.forget()
        await super().rollback()
