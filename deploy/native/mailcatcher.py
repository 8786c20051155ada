#!/usr/bin/env python3
"""Development mail catcher: an SMTP sink plus a small web UI and JSON API.

Every message received over SMTP is kept as `<id>.eml` in --dir, with a JSON index
(`index.json`) holding the decoded fields, so mails survive a restart.

HTTP (on --web-port):
    GET    /                      HTML list (French) of the kept mails, newest first
    GET    /messages/{id}         HTML page with the headers, text and HTML bodies
    GET    /api/messages[?to=a]   JSON list; `to` keeps mails sent to that address
    GET    /api/messages/{id}     one message
    GET    /api/messages/{id}/raw the .eml as received
    DELETE /api/messages          forget every message
    DELETE /api/messages/{id}     forget one message

A message is {id, from, to: [..], subject, date, text, html, headers: {..},
attachments: [..]}: `from`/`to` are the SMTP envelope addresses (so Bcc recipients
are included), `date` is the reception time (ISO 8601, UTC); the Date header is in
`headers`.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import uuid
import warnings
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

import uvicorn
from aiosmtpd.smtp import SMTP, AuthResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

_FOLD = re.compile(r"\r?\n(?=[ \t])")

# aiosmtpd warns about its own use of a deprecated attribute on every AUTH.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


# --------------------------------------------------------------------------- storage


class MailStore:
    """Messages on disk (.eml + an index), mirrored in memory for the API.

    The index is `index.json` (rewritten, atomically, only when messages are deleted) followed by the journal
    `index.jsonl`, one line appended per message received: keeping a message costs the same whether the catcher
    holds ten or a hundred thousand (a benchmark's e-mails), and a crash mid-append loses at most that line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.index_path = root / "index.json"
        self.journal_path = root / "index.jsonl"
        self.messages: list[dict] = self._load()

    def _load(self) -> list[dict]:
        try:
            messages = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            messages = []
        try:
            lines = self.journal_path.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        known = {m["id"] for m in messages}
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line torn by a crash
            if entry["id"] not in known:  # (a crash between the index's rewrite and the journal's removal)
                known.add(entry["id"])
                messages.append(entry)
        return messages

    def _save(self) -> None:
        tmp = self.index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.messages, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.index_path)  # atomic: a crash never leaves half an index
        self.journal_path.unlink(missing_ok=True)  # everything is in the index now

    def add(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> dict:
        msg_id = uuid.uuid4().hex
        (self.root / f"{msg_id}.eml").write_bytes(raw)
        entry = {"id": msg_id, **parse_message(raw, mail_from, rcpt_tos)}
        self.messages.append(entry)
        with self.journal_path.open("a", encoding="utf-8") as journal:
            journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry

    def list(self, to: str | None = None) -> list[dict]:
        found = reversed(self.messages)  # newest first
        if to:
            wanted = to.strip().lower()
            found = (m for m in found if wanted in (a.lower() for a in m["to"]))
        return list(found)

    def get(self, msg_id: str) -> dict | None:
        return next((m for m in self.messages if m["id"] == msg_id), None)

    def raw(self, msg_id: str) -> bytes | None:
        path = self.root / f"{msg_id}.eml"
        return path.read_bytes() if self.get(msg_id) and path.exists() else None

    def delete(self, msg_id: str | None = None) -> int:
        doomed = [m for m in self.messages if msg_id is None or m["id"] == msg_id]
        for m in doomed:
            (self.root / f"{m['id']}.eml").unlink(missing_ok=True)
        self.messages = [m for m in self.messages if m not in doomed]
        self._save()
        return len(doomed)


def _unfolded(value: str) -> str:
    """A header's value on one line (RFC 5322 unfolding: the line breaks go, the blanks after them stay)."""
    return _FOLD.sub("", value)


def header_text(value: object) -> str:
    """A header's value as people read it: RFC 2047 encoded words (=?utf-8?q?...?=) decoded."""
    raw = _unfolded(str(value))
    if "=?" not in raw:
        return raw
    try:
        return str(make_header(decode_header(raw)))
    except (HeaderParseError, LookupError, UnicodeError):
        return raw


def part_text(part: Message | None) -> str:
    """Decoded body of a MIME part, tolerant of unknown or lying charsets."""
    if part is None:
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n")  # SMTP transports CRLF; readers want plain lines


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("content-disposition") or "").split(";", 1)[0].strip().lower()
    return disposition == "attachment" or part.get_content_maintype() not in ("text", "multipart")


def parse_message(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> dict:
    """The fields the API shows. The message is read with the email package's compat32 policy and its headers
    and bodies decoded here: its `default` policy, which does both, took 2.3 ms a message, more than the rest of
    the catcher's work on it (a benchmark's thousands of mails)."""
    msg = message_from_bytes(raw)
    headers: dict[str, str] = {}
    for name, value in msg.items():
        text = header_text(value)
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    addressed = [_unfolded(str(v)) for v in msg.get_all("to", []) + msg.get_all("cc", [])]
    header_to = [a for _, a in getaddresses(addressed) if a]
    header_from = [a for _, a in getaddresses([_unfolded(str(v)) for v in msg.get_all("from", [])]) if a]
    # The bodies: the first plain and the first HTML part that are not attachments (as get_body() chooses).
    leaves = [p for p in msg.walk() if not p.is_multipart()]
    bodies = [p for p in leaves if not _is_attachment(p)]
    plain = next((p for p in bodies if p.get_content_type() == "text/plain"), None)
    rich = next((p for p in bodies if p.get_content_type() == "text/html"), None)
    return {
        "from": mail_from or (header_from[0] if header_from else ""),
        "to": list(rcpt_tos) or header_to,
        "subject": header_text(msg.get("subject", "")),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "text": part_text(plain),
        "html": part_text(rich),
        "headers": headers,
        "attachments": [
            {
                "filename": header_text(p.get_filename() or ""),
                "content_type": p.get_content_type(),
                "size": len(p.get_payload(decode=True) or b""),
            }
            for p in leaves
            if _is_attachment(p)
        ],
    }


# --------------------------------------------------------------------------- smtp


class StoreHandler:
    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        self.store.add(raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def accept_any_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Services configured with SMTP credentials must be able to log in: accept all."""
    return AuthResult(success=True)


def smtp_factory(store: MailStore):
    return lambda: SMTP(
        StoreHandler(store),
        hostname="mailcatcher.passerelle.local",
        enable_SMTPUTF8=True,
        decode_data=False,
        authenticator=accept_any_login,
        auth_require_tls=False,
    )


# --------------------------------------------------------------------------- http

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<style>
 body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
 table {{ border-collapse: collapse; width: 100%; }}
 th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }}
 th {{ background: #f3f3f3; }} pre {{ white-space: pre-wrap; background: #f8f8f8; padding: 1rem; }}
 iframe {{ width: 100%; height: 30rem; border: 1px solid #ddd; }}
</style></head><body>{body}</body></html>"""


def fmt_date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return iso


def index_page(store: MailStore) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(fmt_date(m['date']))}</td><td>{e(m['from'])}</td>"
        f"<td>{e(', '.join(m['to']))}</td>"
        f'<td><a href="/messages/{e(m["id"])}">{e(m["subject"] or "(sans objet)")}</a></td></tr>'
        for m in store.list()
    )
    count = len(store.messages)
    body = (
        "<h1>Courriels reçus — Passerelle (développement)</h1>"
        f"<p>{count} message{'s' if count > 1 else ''} conservé{'s' if count > 1 else ''}. "
        "<button onclick=\"if(confirm('Supprimer tous les messages ?'))"
        "fetch('/api/messages',{method:'DELETE'}).then(()=>location.reload())\">"
        "Tout supprimer</button></p>"
        "<table><tr><th>Date</th><th>De</th><th>À</th><th>Objet</th></tr>"
        f"{rows or '<tr><td colspan=4>Aucun message pour le moment.</td></tr>'}</table>"
    )
    return PAGE.format(title="Courriels reçus", body=body)


def message_page(m: dict) -> str:
    e = html.escape
    headers = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in m["headers"].items())
    attachments = "".join(
        f"<li>{e(a['filename'] or '(sans nom)')} — {e(a['content_type'])}, {a['size']} octets</li>"
        for a in m.get("attachments", [])
    )
    body = (
        '<p><a href="/">← Retour à la liste</a> · '
        f'<a href="/api/messages/{e(m["id"])}/raw">Source (.eml)</a></p>'
        f"<h1>{e(m['subject'] or '(sans objet)')}</h1>"
        f"<p><b>De :</b> {e(m['from'])}<br><b>À :</b> {e(', '.join(m['to']))}<br>"
        f"<b>Reçu le :</b> {e(fmt_date(m['date']))}</p>"
        + (f"<h2>Pièces jointes</h2><ul>{attachments}</ul>" if attachments else "")
        + "<h2>Version texte</h2>"
        + (f"<pre>{e(m['text'])}</pre>" if m["text"] else "<p>(aucune)</p>")
        + "<h2>Version HTML</h2>"
        # sandbox: the mail's HTML is shown, never allowed to run scripts here.
        + (f'<iframe sandbox srcdoc="{e(m["html"])}"></iframe>' if m["html"] else "<p>(aucune)</p>")
        + f"<h2>En-têtes</h2><table>{headers}</table>"
    )
    return PAGE.format(title=e(m["subject"] or "Message"), body=body)


def build_app(store: MailStore) -> Starlette:
    def not_found() -> JSONResponse:
        return JSONResponse({"detail": "message introuvable"}, status_code=404)

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(index_page(store))

    async def show(request: Request) -> Response:
        m = store.get(request.path_params["id"])
        return HTMLResponse(message_page(m)) if m else HTMLResponse("Message introuvable", 404)

    async def api_list(request: Request) -> JSONResponse:
        return JSONResponse(store.list(request.query_params.get("to")))

    async def api_clear(request: Request) -> JSONResponse:
        return JSONResponse({"deleted": store.delete()})

    async def api_get(request: Request) -> JSONResponse:
        m = store.get(request.path_params["id"])
        return JSONResponse(m) if m else not_found()

    async def api_delete(request: Request) -> JSONResponse:
        n = store.delete(request.path_params["id"])
        return JSONResponse({"deleted": n}) if n else not_found()

    async def api_raw(request: Request) -> Response:
        raw = store.raw(request.path_params["id"])
        return Response(raw, media_type="message/rfc822") if raw is not None else not_found()

    return Starlette(
        routes=[
            Route("/", index),
            Route("/messages/{id}", show),
            Route("/api/messages", api_list, methods=["GET"]),
            Route("/api/messages", api_clear, methods=["DELETE"]),
            Route("/api/messages/{id}", api_get, methods=["GET"]),
            Route("/api/messages/{id}", api_delete, methods=["DELETE"]),
            Route("/api/messages/{id}/raw", api_raw),
        ]
    )


# --------------------------------------------------------------------------- main


async def serve(args: argparse.Namespace) -> None:
    store = MailStore(Path(args.dir))
    loop = asyncio.get_running_loop()
    # SMTP and HTTP share one event loop, so the store needs no locking.
    smtp = await loop.create_server(smtp_factory(store), host=args.host, port=args.smtp_port)
    web = uvicorn.Server(
        uvicorn.Config(build_app(store), host=args.host, port=args.web_port, lifespan="off", log_level="info")
    )
    try:
        await web.serve()  # returns on SIGTERM/SIGINT
    finally:
        smtp.close()
        await smtp.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description="Passerelle development mail catcher")
    parser.add_argument("--dir", required=True, help="where .eml files and index.json live")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--web-port", type=int, default=8025)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
