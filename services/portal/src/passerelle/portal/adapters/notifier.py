"""Typed client of the notifier's API: the notification centre, the unread count, preferences, the live stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict

from passerelle.portal.adapters.api import UNAVAILABLE, ApiError, ServiceClient


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Notification(Model):
    id: UUID
    kind: str
    kind_label: str = ""
    legal: bool = False
    title: str
    body: str = ""
    contract_id: UUID | None = None
    link: str | None = None
    letter_url: str | None = None
    state: str = "unseen"
    created_at: str

    @property
    def unread(self) -> bool:
        return self.state in ("unseen", "seen")


class NotificationPage(Model):
    items: list[Notification]
    page: int
    per_page: int
    total: int
    unread: int


class Preference(Model):
    kind: str
    label: str
    legal: bool = False
    web: str
    email: str
    is_default: bool = True
    allowed: dict[str, list[str]] = {}


class NotifierClient(ServiceClient):
    async def count(self, token: str) -> int:
        return int((await self.json("GET", "/notifications/count", token, timeout=2.0))["unread"])

    async def notifications(self, token: str, page: int, state: str = "active") -> NotificationPage:
        params = {"page": page, "per_page": 20, "state": state}
        return NotificationPage.model_validate(await self.json("GET", "/notifications", token, params=params))

    async def of_contract(self, token: str, contract_id: UUID, per_page: int = 10) -> NotificationPage:
        """The person's own notifications about one contract, newest first."""
        params = {"page": 1, "per_page": per_page}
        path = f"/contracts/{contract_id}/notifications"
        return NotificationPage.model_validate(await self.json("GET", path, token, params=params, timeout=2.0))

    async def seen_all(self, token: str) -> None:
        await self.request("POST", "/notifications/seen-all", token)

    async def mark(self, token: str, notification_id: UUID, action: str) -> Notification:
        """read, unread, archive, unarchive."""
        found = await self.json("POST", f"/notifications/{notification_id}/{action}", token)
        return Notification.model_validate(found)

    async def read_all(self, token: str) -> None:
        await self.request("POST", "/notifications/read-all", token)

    async def preferences(self, token: str) -> list[Preference]:
        found = await self.json("GET", "/preferences", token)
        return [Preference.model_validate(k) for k in found["kinds"]]

    async def set_preference(self, token: str, kind: str, web: str, email: str) -> None:
        await self.request("PUT", f"/preferences/{kind}", token, json={"web": web, "email": email})

    async def stream(self, token: str, last_event_id: str | None) -> AsyncIterator[bytes]:
        """The notifier's Server-Sent Events, relayed as they come (the browser never sees the token)."""
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        request = self.http.build_request("GET", "/notifications/stream", headers=headers, timeout=no_stream_timeout())
        try:
            response = await self.http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise ApiError(503, "unavailable", UNAVAILABLE) from exc
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ApiError.of(response)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_raw():
                    yield chunk
            except httpx.HTTPError:
                return
            finally:
                await response.aclose()

        return chunks()


def no_stream_timeout() -> httpx.Timeout:
    return httpx.Timeout(10.0, read=None)
