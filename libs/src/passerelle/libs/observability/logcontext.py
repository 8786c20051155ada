"""What every log line carries besides its message, and what it must never carry.

Context: the trace and span ids of the current span, the correlation id and the contract id of the request or
event being handled (None when there is none, so every line has the same keys).
Personal data: fields that name or identify a person (NIR, names, e-mail, birth date, address, phone...) are
replaced by a marker, and values that look like a NIR or an e-mail address are masked wherever they appear:
logs travel to places (aggregators, tickets) that personal data must not reach.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import structlog

from passerelle.libs.observability.tracing import current_ids

CONTEXT_KEYS = ("correlation_id", "contract_id")
REDACTED = "[donnée personnelle masquée]"

# Keys whose value is personal data, whatever it looks like (compared lower-case, without separators).
PERSONAL_KEYS = frozenset(
    {
        "nir",
        "securitesociale",
        "socialsecuritynumber",
        "numerosecuritesociale",
        "name",
        "fullname",
        "firstname",
        "lastname",
        "birthname",
        "usagename",
        "nom",
        "prenom",
        "nomusage",
        "email",
        "mail",
        "emailaddress",
        "courriel",
        "to",
        "recipient",
        "recipients",
        "birthdate",
        "dateofbirth",
        "datenaissance",
        "apprenticebirthdate",
        "phone",
        "telephone",
        "mobile",
        "address",
        "adresse",
        "street",
        "postaladdress",
        "password",
        "token",
        "accesstoken",
        "refreshtoken",
        "secret",
        "authorization",
        "iban",
    }
)
# A NIR: sex digit, year, month, department (2A/2B for Corsica), commune, order, optional key; spaces allowed.
NIR_RE = re.compile(r"\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[ABab])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _normalised(key: str) -> str:
    return re.sub(r"[^a-z]", "", key.lower())


def _personal_key(key: str) -> bool:
    k = _normalised(key)
    return k in PERSONAL_KEYS or k.endswith(("firstname", "lastname", "birthdate", "email", "nir", "fullname"))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL_RE.sub(REDACTED, NIR_RE.sub(REDACTED, value))
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and _personal_key(k) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def add_trace_context(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    trace_id, span_id = current_ids()
    event_dict.setdefault("trace_id", trace_id)
    event_dict.setdefault("span_id", span_id)
    for key in CONTEXT_KEYS:
        event_dict.setdefault(key, None)
    return event_dict


def redact_personal_data(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key == "event":
            event_dict[key] = _scrub(event_dict[key])
        elif _personal_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def bind(**values: Any) -> None:
    structlog.contextvars.bind_contextvars(**{k: (str(v) if v is not None else None) for k, v in values.items()})


def unbind() -> None:
    structlog.contextvars.unbind_contextvars(*CONTEXT_KEYS)
