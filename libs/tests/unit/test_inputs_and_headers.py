"""The input guard and the security headers, on a small app built like every service's."""

import json

import pytest
from fastapi import FastAPI, Form, Query, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from passerelle.libs.errors import install_error_handlers
from passerelle.libs.headers import SecurityHeaders
from passerelle.libs.inputs import InputGuard, character_problem


class Person(BaseModel):
    name: str
    age: int | None = None
    children: list["Person"] = []


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(InputGuard, max_depth=8)
    app.add_middleware(SecurityHeaders)

    @app.post("/people")
    def create(person: Person) -> dict[str, str]:
        return {"name": person.name}

    @app.get("/search")
    def search(q: str = Query("")) -> dict[str, str]:
        return {"q": q}

    @app.post("/token")
    def token(grant_type: str = Form(...)) -> dict[str, str]:
        return {"grant_type": grant_type}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail")

    @app.get("/database-down")
    def database_down() -> None:
        import sqlalchemy.exc

        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_app(), raise_server_exceptions=False)


def fields(response) -> dict[str, str]:
    return {f["path"]: f["code"] for f in response.json()["error"]["fields"]}


def test_clean_input_goes_through_unchanged(client):
    r = client.post("/people", json={"name": "Zoé Lefèvre-Ağaoğlu\nfille", "children": [{"name": "Léa"}]})
    assert r.status_code == 200 and r.json() == {"name": "Zoé Lefèvre-Ağaoğlu\nfille"}
    assert client.get("/search", params={"q": "crème brûlée"}).json() == {"q": "crème brûlée"}


@pytest.mark.parametrize(
    "text", ["a\x00b", "a\x07b", "\x7f", "a\u202eb", "a\u2066b", "\x9b"], ids=["nul", "bell", "del", "rlo", "lri", "c1"]
)
def test_control_and_bidi_characters_are_refused_with_the_field_path(client, text):
    r = client.post("/people", json={"name": "ok", "children": [{"name": text}]})
    assert r.status_code == 422
    assert fields(r) == {"children[0].name": "forbidden_character"}
    assert "caractère" in r.json()["error"]["fields"][0]["message"]


def test_lone_surrogates_are_refused(client):
    r = client.post("/people", content=b'{"name": "a\\ud800b"}', headers={"content-type": "application/json"})
    assert r.status_code == 422 and fields(r) == {"name": "forbidden_character"}


def test_non_utf8_bodies_get_a_french_400_naming_the_body(client):
    r = client.post("/people", content='{"name": "é"}'.encode("latin-1"), headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "body_not_utf8" and fields(r) == {"body": "body_not_utf8"}
    r = client.post(
        "/token", content=b"grant_type=\xff\xfe", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 400 and fields(r) == {"grant_type": "body_not_utf8"}
    r = client.post(
        "/token", content=b"grant_type=a%00b", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 422 and fields(r) == {"grant_type": "forbidden_character"}


@pytest.mark.parametrize("number", ["9" * 5000, str(2**63), str(-(2**63) - 1), "1e999", "NaN", "-Infinity"])
def test_numbers_past_64_bits_or_not_finite_are_refused(client, number):
    r = client.post(
        "/people", content=f'{{"name": "x", "age": {number}}}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and fields(r) == {"age": "number_out_of_range"}


def test_deep_nesting_is_refused_in_french(client):
    nested: dict = {"name": "x"}
    for _ in range(10):
        nested = {"name": "x", "children": [nested]}
    r = client.post("/people", json=nested)
    assert r.status_code == 422 and set(fields(r).values()) == {"too_deep"}
    r = client.post("/people", content=b"[" * 100_000 + b"]" * 100_000, headers={"content-type": "application/json"})
    assert r.status_code == 422 and fields(r) == {"body": "too_deep"}


def test_query_strings_are_checked(client):
    assert fields(client.get("/search?q=a%00b")) == {"q": "forbidden_character"}
    r = client.get("/search?q=%ff")
    assert r.status_code == 400 and fields(r) == {"q": "query_not_utf8"}


def test_invalid_json_still_gets_the_french_json_invalid(client):
    r = client.post("/people", content=b'{"name": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "json_invalid"


def test_a_database_that_cannot_be_reached_answers_503_to_try_again(client):
    # A restarting PostgreSQL is not a server fault: the caller (or its load balancer) tries again shortly.
    r = client.get("/database-down")
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert r.json()["error"]["code"] == "unavailable" and "connection refused" not in r.text


def test_server_errors_answer_the_error_shape_without_details(client):
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {
        "error": {"code": "internal_error", "message": "Une erreur interne est survenue.", "fields": []}
    }
    assert "secret" not in r.text


def test_every_answer_has_the_security_headers(client):
    for r in (client.get("/search"), client.post("/people", json={"name": "a\x00"}), client.get("/nowhere")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert "server" not in r.headers


def test_character_problem_lets_ordinary_text_through():
    assert character_problem("Jean-Édouard O'Neil, 12 bis rue\tdes Lilas\r\n") is None
    assert character_problem(json.loads('"\\u202e"')) is not None


def test_bodies_without_a_content_type_are_checked_only_when_they_are_json():
    app = make_app()

    @app.put("/raw")
    async def raw(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return {"size": size}

    client = TestClient(app)
    binary = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20_000  # past the guard's 2 MiB: streamed on whole
    assert client.put("/raw", content=binary, headers={"content-type": ""}).json() == {"size": len(binary)}
    r = client.post("/people", content=b'{"name": "a\\u0000"}', headers={"content-type": ""})
    assert r.status_code == 422 and fields(r) == {"name": "forbidden_character"}
