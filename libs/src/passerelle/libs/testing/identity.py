"""Identity's two token endpoints for end-to-end tests that do not run identity: the published keys and
OAuth2 client credentials for machine clients (as identity's `/oauth/token` answers them), both signed
with the test's TokenFactory key, so every service under test verifies them as it would identity's.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from passerelle.libs.testing.tokens import JWKS_PATH, TokenFactory, opco_claim


@contextmanager
def serve_identity(tokens: TokenFactory, clients: dict[str, tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """`clients`: {client_id: (secret, opco_code)}. Yields (jwks_url, token_url)."""
    jwks = json.dumps(tokens.jwks()).encode()
    issued: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict[str, Any] | bytes) -> None:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] != JWKS_PATH:
                self.send_error(404)
                return
            self._send(200, jwks)

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/oauth/token":
                self.send_error(404)
                return
            form = dict(parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()))
            client = clients.get(form.get("client_id", ""))
            if (
                form.get("grant_type") != "client_credentials"
                or client is None
                or client[0] != form.get("client_secret")
            ):
                self._send(401, {"error": {"code": "invalid_client", "message": "Identifiants refusés."}})
                return
            subject = uuid.uuid5(uuid.NAMESPACE_URL, form["client_id"])
            token = tokens.issue(subject, [opco_claim(client[1], role="reviewer")], kind="client", ttl=600)
            issued.append(form["client_id"])
            self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 600})

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="identity-stub", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield f"{base}{JWKS_PATH}", f"{base}/oauth/token"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
