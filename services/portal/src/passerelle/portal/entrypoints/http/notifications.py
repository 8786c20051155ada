"""The notification centre (list, mark read, archive), its live stream relayed from the notifier with the
session's token, and the preferences."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response, StreamingResponse

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.domain.errors import FormErrors
from passerelle.portal.entrypoints.http.web import SignedIn
from passerelle.portal.service_layer import sessions

router = APIRouter(include_in_schema=False)
UNAVAILABLE = "Le centre de notifications est momentanément indisponible : réessayez dans quelques instants."
CHANNELS = {
    "web": (("immediate", "Sur le portail"), ("off", "Désactivé")),
    "email": (
        ("immediate", "Par courriel, aussitôt"),
        ("digest", "Par courriel, dans le récapitulatif quotidien"),
        ("off", "Désactivé"),
    ),
}
STATES = (("active", "Toutes"), ("unread", "Non lues"), ("archived", "Archivées"))


@router.get("/notifications")
async def centre(web: SignedIn, page: Annotated[int, Query(ge=1, le=10_000)] = 1, etat: str = "active") -> Response:
    state = etat if etat in dict(STATES) else "active"
    try:
        listing = await web.ctx.notifier.notifications(web.token, page, state)
        if any(n.state == "unseen" for n in listing.items):
            await web.ctx.notifier.seen_all(web.token)
    except ApiError as error:
        if error.status < 500:
            raise
        return web.render(
            "notifications/list.html",
            title="Notifications",
            listing=None,
            state=state,
            states=STATES,
            errors=FormErrors(message=UNAVAILABLE),
        )
    pages = max(1, -(-listing.total // listing.per_page))
    return web.render(
        "notifications/list.html", title="Notifications", listing=listing, pages=pages, state=state, states=STATES
    )


@router.post("/notifications/tout-lire")
async def read_all(web: SignedIn) -> Response:
    await web.form()
    await web.ctx.notifier.read_all(web.token)
    assert web.session is not None
    sessions.forget_unread(web.session)
    return web.redirect("/notifications", "Toutes les notifications sont marquées comme lues.")


@router.post("/notifications/{notification_id}/{action}")
async def mark(notification_id: UUID, action: str, web: SignedIn) -> Response:
    await web.form()
    verbs = {"lire": "read", "non-lue": "unread", "archiver": "archive", "desarchiver": "unarchive"}
    if action not in verbs:
        raise ApiError(404, "not_found", "Cette action n'existe pas.")
    await web.ctx.notifier.mark(web.token, notification_id, verbs[action])
    assert web.session is not None
    sessions.forget_unread(web.session)
    return web.redirect("/notifications")


@router.get("/notifications/flux")
async def live(web: SignedIn, last_event_id: Annotated[str | None, Header()] = None) -> Response:
    """The notifier's stream for this session: the browser's EventSource needs no token of its own."""
    chunks = await web.ctx.notifier.stream(web.token, last_event_id)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(chunks, media_type="text/event-stream", headers=headers)


@router.get("/notifications/preferences")
async def preferences(web: SignedIn) -> Response:
    try:
        kinds = await web.ctx.notifier.preferences(web.token)
    except ApiError as error:
        if error.status < 500:
            raise
        return web.render(
            "notifications/preferences.html",
            title="Préférences de notification",
            kinds=[],
            channels=CHANNELS,
            errors=FormErrors(message=UNAVAILABLE),
        )
    return web.render(
        "notifications/preferences.html", title="Préférences de notification", kinds=kinds, channels=CHANNELS
    )


@router.post("/notifications/preferences")
async def save_preferences(web: SignedIn) -> Response:
    form = await web.form()
    kinds = await web.ctx.notifier.preferences(web.token)
    errors = FormErrors()
    for kind in kinds:
        chosen_web = str(form.get(f"{kind.kind}.web", kind.web))
        chosen_email = str(form.get(f"{kind.kind}.email", kind.email))
        if (chosen_web, chosen_email) == (kind.web, kind.email):
            continue
        try:
            await web.ctx.notifier.set_preference(web.token, kind.kind, chosen_web, chosen_email)
        except ApiError as error:
            if error.status != 422:
                raise
            errors.by_field[f"{kind.kind}.email"] = error.message
            errors.labels[f"{kind.kind}.email"] = kind.label
    if errors:
        return web.render(
            "notifications/preferences.html",
            422,
            title="Préférences de notification",
            kinds=await web.ctx.notifier.preferences(web.token),
            channels=CHANNELS,
            errors=errors,
        )
    return web.redirect("/notifications/preferences", "Vos préférences sont enregistrées.")
