"""The JSON shape of a notification (the HTTP API and the live stream share it)."""

from __future__ import annotations

from typing import Any

from passerelle.notifier.domain.feed import FeedMarks
from passerelle.notifier.domain.kinds import LABELS, Kind


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def notification_view(row: Any) -> dict[str, Any]:
    marks = FeedMarks(row.seen_at, row.read_at, row.archived_at)
    email = None
    if row.mail_status is not None:
        email = {
            "address": row.mail_to,
            "status": row.mail_status,
            "attempts": row.mail_attempts,
            "sent_at": _iso(row.mail_sent_at),
            "error": row.mail_error,
        }
    elif row.digest is not None:
        email = {
            "address": row.email,
            "status": "digest" if row.digest == "pending" else "sent",
            "attempts": 0,
            "sent_at": None,
            "error": None,
        }
    kind = Kind(row.kind)
    return {
        "id": str(row.id),
        "kind": kind.value,
        "kind_label": LABELS[kind],
        "legal": row.legal,
        "title": row.title,
        "body": row.body,
        "contract_id": str(row.contract_id) if row.contract_id else None,
        "organisation_id": str(row.organisation_id) if row.organisation_id else None,
        "link": row.link,
        "letter_url": row.letter_url,
        "state": marks.state.value,
        "seen_at": _iso(row.seen_at),
        "read_at": _iso(row.read_at),
        "archived_at": _iso(row.archived_at),
        "created_at": _iso(row.created_at),
        "email": email,
    }
