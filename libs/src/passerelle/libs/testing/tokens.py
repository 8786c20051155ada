"""Access tokens for tests of services that verify identity's tokens, without running identity.

    tokens = TokenFactory()
    tokens.install(app)                      # after the app's lifespan started (it sets its own verifier)
    headers = tokens.headers(orgs=[employer_claim("81208328500013")])
    with tokens.serve_jwks() as jwks_url: ...  # a service in its own process: <SERVICE>_JWKS_URL=jwks_url

The claims follow passerelle.libs.auth's documented format; the key is an Ed25519 key made for the test.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from passerelle.libs.auth import Principal, TokenVerifier, principal_from_claims

JWKS_PATH = "/.well-known/jwks.json"


def org_claim(
    kind: str,
    role: str,
    *,
    organisation_id: uuid.UUID | str | None = None,
    siret: str | None = None,
    uai: str | None = None,
    opco: str | None = None,
) -> dict[str, Any]:
    return {
        "id": str(organisation_id or uuid.uuid4()),
        "kind": kind,
        "role": role,
        "siret": siret,
        "siren": siret[:9] if siret else None,
        "uai": uai,
        "opco": opco,
    }


def employer_claim(siret: str, role: str = "contributor", **kw: Any) -> dict[str, Any]:
    return org_claim("employer", role, siret=siret, **kw)


def training_claim(uai: str, siret: str | None = None, role: str = "contributor", **kw: Any) -> dict[str, Any]:
    return org_claim("training", role, uai=uai, siret=siret, **kw)


def opco_claim(code: str, role: str = "reviewer", **kw: Any) -> dict[str, Any]:
    return org_claim("opco", role, opco=code, **kw)


def principal_of(
    *orgs: dict[str, Any],
    kind: str = "user",
    pending: Sequence[dict[str, Any]] = (),
    subject: uuid.UUID | str | None = None,
) -> Principal:
    """The principal a token with these organisations gives (for unit tests of access rules); `pending`: the
    organisations it is a member of that are not verified yet."""
    claims: dict[str, Any] = {"sub": str(subject or uuid.uuid4()), "kind": kind, "orgs": list(orgs)}
    if pending:
        claims["pending"] = list(pending)
    return principal_from_claims(claims)


class TokenFactory:
    def __init__(self, issuer: str = "passerelle-identity", audience: str = "passerelle") -> None:
        self.issuer = issuer
        self.audience = audience
        self.key = Ed25519PrivateKey.generate()
        self.kid = f"test-{secrets.token_hex(4)}"

    def jwks(self) -> dict[str, Any]:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    def claims(
        self,
        subject: uuid.UUID | str | None = None,
        *,
        kind: str = "user",
        email: str | None = "test@example.fr",
        name: str | None = "Test Utilisateur",
        orgs: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
        lifetime: int = 600,
        issued_at: float | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        # Milliseconds, as identity issues them: a token minted just after a revocation cut (a verification, a
        # logout everywhere) in the same second is newer than the cut, as it is in production.
        now = round(time.time(), 3) if issued_at is None else issued_at
        return {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(subject or uuid.uuid4()),
            "iat": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "kind": kind,
            "email": email,
            "name": name,
            "orgs": list(orgs),
            **extra,
        }

    def encode(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": self.kid})

    def token(self, subject: uuid.UUID | str | None = None, **kw: Any) -> str:
        return self.encode(self.claims(subject, **kw))

    def headers(self, subject: uuid.UUID | str | None = None, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, **kw)}"}

    def issue(
        self, sub: uuid.UUID | str, orgs: Sequence[dict[str, Any]] = (), kind: str = "user", ttl: int = 600, **kw: Any
    ) -> str:
        return self.token(sub, orgs=list(orgs), kind=kind, lifetime=ttl, **kw)

    @contextmanager
    def serve_jwks(self, host: str = "127.0.0.1") -> Iterator[str]:
        """Serves the JWKS over HTTP on a free port, for a service running in its own process; yields its URL."""
        body = json.dumps(self.jwks()).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.split("?")[0] != JWKS_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keeps test output quiet
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        thread = threading.Thread(target=server.serve_forever, name="jwks-server", daemon=True)
        thread.start()
        try:
            yield f"http://{host}:{server.server_address[1]}{JWKS_PATH}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)

    def verifier(self) -> TokenVerifier:
        verifier = TokenVerifier("http://jwks.invalid", self.issuer, self.audience, refresh_seconds=10**9)
        verifier.set_jwks(self.jwks())
        return verifier

    def install(self, app: FastAPI) -> None:
        """Makes `app` trust this factory's key (call it once the app's lifespan has started)."""
        app.state.token_verifier = self.verifier()


def tampered(token: str) -> str:
    """The same token with one claim changed and the signature kept: any verifier must refuse it."""
    header, payload, signature = token.split(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    forged = data.replace(b'"role":"contributor"', b'"role":"admin"').replace(b'"kind":"user"', b'"kind":"userx"')
    if forged == data:
        forged = data[:-1] + b',"x":1}'
    return f"{header}.{base64.urlsafe_b64encode(forged).rstrip(b'=').decode()}.{signature}"
