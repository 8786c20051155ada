"""What every request's input must be before a route sees it: UTF-8, bounded, free of control characters.

One ASGI middleware for every service. It reads the query string and, for JSON and URL-encoded bodies, the
body (the body is then handed on to the route unchanged), and answers a French 4xx naming the field when:
- the bytes are not UTF-8 (400, `body_not_utf8` / `query_not_utf8`);
- a text holds a NUL byte, another control character (tab and line breaks excepted), a lone surrogate or a
  bidirectional override/isolate (422, `forbidden_character`): PostgreSQL refuses NUL bytes, and the others
  let a name display as something it is not;
- a number is past the 64-bit range or is not finite (422, `number_out_of_range`);
- the JSON nests deeper than `max_depth` (422, `too_deep`), or the body is larger than `max_body_bytes` (413;
  a safety net only: the kit's body limit, per route, applies first).
Multipart bodies (uploads) are streamed on untouched: their routes read them with their own bounds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passerelle.libs.errors import FieldError, InvalidInput, PasserelleError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# C0 controls but tab, LF and CR; DEL and the C1 controls; lone surrogates (JSON's \ud800 escapes);
# the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_JSON_TYPES = ("application/json",)
_FORM_TYPE = "application/x-www-form-urlencoded"
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class _Huge:
    """A JSON integer too long to be turned into a Python int cheaply (Python refuses past 4,300 digits)."""


class _NotFinite:
    """NaN, Infinity, or a float literal too large to be finite."""


def character_problem(text: str) -> str | None:
    """The French reason why `text` is refused, or None."""
    match = FORBIDDEN.search(text)
    if match is None:
        return None
    if _BIDI.match(match.group()):
        return "Ce texte contient un caractère de contrôle du sens d'écriture (bidi), non autorisé."
    return f"Ce texte contient un caractère de contrôle (U+{ord(match.group()):04X}), non autorisé."


def _path(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + p
    return out or "body"


def _parse_int(text: str) -> int | _Huge:
    return _Huge() if len(text.lstrip("-")) > 19 else int(text)


def _parse_float(text: str) -> float | _NotFinite:
    value = float(text)
    return value if math.isfinite(value) else _NotFinite()


def _parse_constant(_: str) -> _NotFinite:
    return _NotFinite()


def json_problems(value: Any, max_depth: int, limit: int = 20) -> list[FieldError]:
    """Walks a decoded JSON document without recursion; stops after `limit` problems."""
    problems: list[FieldError] = []
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack and len(problems) < limit:
        item, where = stack.pop()
        if len(where) > max_depth:
            problems.append(
                FieldError(_path(where), "too_deep", f"Le document est trop imbriqué (au plus {max_depth} niveaux).")
            )
            break
        if isinstance(item, str):
            if (reason := character_problem(item)) is not None:
                problems.append(FieldError(_path(where), "forbidden_character", reason))
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                problems.append(_out_of_range(where))
        elif isinstance(item, (_Huge, _NotFinite)):
            problems.append(_out_of_range(where))
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                if (reason := character_problem(key)) is not None:
                    problems.append(FieldError(_path([*where, key]), "forbidden_character", f"Nom de champ : {reason}"))
                stack.append((child, [*where, key]))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], [*where, index]))
    return problems


def _out_of_range(where: list[str | int]) -> FieldError:
    return FieldError(_path(where), "number_out_of_range", "Ce nombre est hors des limites admises.")


def check_json(body: bytes, max_depth: int) -> PasserelleError | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _not_utf8("body", "body_not_utf8", "Le corps de la requête doit être du texte encodé en UTF-8.")
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError:
        return InvalidInput(
            [FieldError("body", "too_deep", f"Le document est trop imbriqué (au plus {max_depth} niveaux).")]
        )
    except ValueError:
        return None  # not JSON: the route's own parsing answers `json_invalid` with the position
    problems = json_problems(value, max_depth)
    return InvalidInput(problems) if problems else None


def _pairs(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        name, _, value = chunk.partition(b"=")
        yield unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))


def check_urlencoded(raw: bytes, where: str) -> PasserelleError | None:
    """Query strings and URL-encoded forms: every name and value UTF-8 and free of control characters."""
    problems: list[FieldError] = []
    for name_bytes, value_bytes in _pairs(raw):
        try:
            name = name_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return _not_utf8(where, f"{where}_not_utf8", "Les paramètres doivent être encodés en UTF-8.")
        try:
            value = value_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return _not_utf8(name, f"{where}_not_utf8", "Cette valeur doit être encodée en UTF-8.")
        for text in (name, value):
            if (reason := character_problem(text)) is not None:
                problems.append(
                    FieldError(name if character_problem(name) is None else where, "forbidden_character", reason)
                )
                break
    return InvalidInput(problems) if problems else None


def _not_utf8(path: str, code: str, message: str) -> PasserelleError:
    return PasserelleError(
        message="La requête n'est pas lisible.",
        code=code,
        status_code=400,
        fields=[FieldError(path, code, message)],
    )


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


class InputGuard:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = 8 * 1024 * 1024, max_depth: int = 32) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = check_urlencoded(scope.get("query_string", b""), "query")
        if problem is None and character_problem(scope.get("path", "")) is not None:
            problem = PasserelleError("Ressource introuvable.", "not_found", 404)
        ctype = _content_type(scope)
        is_json = ctype in _JSON_TYPES or ctype.endswith("+json")
        if problem is None and scope["method"] in _BODY_METHODS and (is_json or ctype in (_FORM_TYPE, "")):
            chunks, complete = await _read_body(receive, self.max_body_bytes)
            body = b"".join(chunks)
            if ctype == "":
                # FastAPI reads a body without a content type as JSON, but raw uploads come so too: only what
                # is readable JSON is checked, anything else (or larger) goes on untouched, streamed.
                if complete and _maybe_json(body):
                    problem = check_json(body, self.max_depth)
            elif not complete:
                problem = PasserelleError(
                    f"Le corps de la requête dépasse {self.max_body_bytes // 1024} Kio.", "body_too_large", 413
                )
            elif body:
                problem = check_json(body, self.max_depth) if is_json else check_urlencoded(body, "body")
            receive = _replay(chunks, complete, receive)
        if problem is not None:
            await _answer(problem, send)
            return
        await self.app(scope, receive, send)


def _maybe_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[", b'"') or body.strip() in (b"true", b"false", b"null")


async def _read_body(receive: Receive, limit: int) -> tuple[list[bytes], bool]:
    """The body's chunks up to `limit` bytes, and whether that is the whole body."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return chunks, True
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks, True
        if size > limit:
            return chunks, False


def _replay(chunks: list[bytes], complete: bool, receive: Receive) -> Receive:
    """The chunks already read, then (for a body read in part) the rest as it arrives."""
    pending = list(chunks) or [b""]

    async def replay() -> Message:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending) or not complete}
        return await receive()

    return replay


async def _answer(error: PasserelleError, send: Send) -> None:
    payload = json.dumps(error.as_dict(), ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
