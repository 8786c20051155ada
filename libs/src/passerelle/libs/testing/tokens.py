"""Access tokens for tests, signed like identity's: an Ed25519 key pair, its JWKS, and a tiny JWKS server.

    tokens = TokenFactory()
    token = tokens.issue(uuid4(), [employer_org("12345678901234")])
    service_verifier.set_jwks(tokens.jwks)          # in-process
    with tokens.serve_jwks() as jwks_url: ...       # a real process: DOCUMENTS_JWKS_URL=jwks_url

The claims follow `passerelle.libs.auth` (iss, aud, sub, exp, iat, jti, kind, email, name, orgs).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

JWKS_PATH = "/.well-known/jwks.json"


def org(
    kind: str,
    role: str = "contributor",
    *,
    siret: str | None = None,
    uai: str | None = None,
    opco: str | None = None,
    organisation_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """One `orgs` claim entry."""
    claim: dict[str, Any] = {"id": str(organisation_id or uuid.uuid4()), "kind": kind, "role": role}
    if siret:
        claim["siret"] = siret
        claim["siren"] = siret[:9]
    if uai:
        claim["uai"] = uai
    if opco:
        claim["opco"] = opco
    return claim


def employer_org(siret: str, role: str = "admin") -> dict[str, Any]:
    return org("employer", role, siret=siret)


def training_org(uai: str, siret: str | None = None, role: str = "admin") -> dict[str, Any]:
    return org("training", role, uai=uai, siret=siret)


def opco_org(opco_code: str, role: str = "reviewer") -> dict[str, Any]:
    return org("opco", role, opco=opco_code)


class TokenFactory:
    """Signs tokens with its own key; `jwks` is what identity would publish."""

    def __init__(self, issuer: str = "passerelle-identity", audience: str = "passerelle") -> None:
        self.issuer = issuer
        self.audience = audience
        self.key_id = uuid.uuid4().hex[:16]
        self._private_key = Ed25519PrivateKey.generate()

    @property
    def jwks(self) -> dict[str, Any]:
        jwk = OKPAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.key_id, "alg": "EdDSA", "use": "sig"})
        return {"keys": [jwk]}

    def issue(
        self,
        sub: uuid.UUID | str,
        orgs: Sequence[dict[str, Any]] = (),
        kind: str = "user",
        ttl: int = 600,
        *,
        email: str | None = None,
        name: str | None = None,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(sub),
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            "kind": kind,
            "email": email,
            "name": name,
            "orgs": list(orgs),
            **extra,
        }
        return jwt.encode(claims, self._private_key, algorithm="EdDSA", headers={"kid": self.key_id})

    def headers(self, sub: uuid.UUID | str, orgs: Sequence[dict[str, Any]] = (), **kwargs: Any) -> dict[str, str]:
        """`Authorization: Bearer ...` for an HTTP client."""
        return {"Authorization": f"Bearer {self.issue(sub, orgs, **kwargs)}"}

    @contextmanager
    def serve_jwks(self, host: str = "127.0.0.1") -> Iterator[str]:
        """Serves the JWKS over HTTP on a free port (the verifier fetches it with httpx); yields its URL."""
        body = json.dumps(self.jwks).encode()

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
