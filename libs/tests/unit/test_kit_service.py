"""The kit's HTTP side: typed context, the one commit of a request, errors by kind, body limits (no I/O)."""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from typing import ClassVar

from fastapi import APIRouter, File, UploadFile
from fastapi.testclient import TestClient

from passerelle.libs.context import ServiceContext
from passerelle.libs.errors import (
    STATUS_OF_KIND,
    Conflict,
    DomainError,
    ErrorKind,
    FieldError,
    InvalidInput,
    NotFound,
    PasserelleError,
    Throttled,
)
from passerelle.libs.http import ContextDep, CorrelationId, ExpectedVersion, UnitOfWorkDep, body_limit
from passerelle.libs.service import Service
from passerelle.libs.settings import ServiceSettings
from passerelle.libs.testing.events import contract_drafted
from passerelle.libs.testing.fakes import FakeClock, FakeUnitOfWork


class KitSettings(ServiceSettings):
    service_name: ClassVar[str] = "kit"


@dataclass(kw_only=True)
class KitContext(ServiceContext[FakeUnitOfWork]):
    greeting: str


class ContractGone(NotFound):
    code = "contract_not_found"
    message = "Contrat introuvable."


router = APIRouter()


@router.get("/greeting")
async def greeting(context: ContextDep[KitContext]) -> dict[str, str]:
    return {"greeting": context.greeting, "now": context.clock().isoformat()}


@router.post("/contracts")
async def create(uow: UnitOfWorkDep[FakeUnitOfWork], correlation: CorrelationId) -> dict[str, str | None]:
    uow.publish(contract_drafted())
    return {"correlation": str(correlation) if correlation else None}


@router.post("/contracts/fail")
async def create_then_fail(uow: UnitOfWorkDep[FakeUnitOfWork]) -> None:
    uow.publish(contract_drafted())
    raise Conflict("Ce contrat a déjà été transmis.", "contract_already_transmitted")


@router.get("/contracts/missing")
async def missing() -> None:
    raise ContractGone()


@router.put("/contracts/version")
async def version(expected: ExpectedVersion) -> dict[str, int | None]:
    return {"expected": expected}


@router.post("/echo")
async def echo(body: dict[str, object]) -> dict[str, int]:
    return {"keys": len(body)}


@router.post("/import")
@body_limit(4 * 1024 * 1024)
async def bulk(body: dict[str, object]) -> dict[str, int]:
    return {"keys": len(body)}


@router.post("/upload")
async def upload(file: UploadFile = File(...)) -> dict[str, int]:  # noqa: B008 - FastAPI's idiom
    return {"size": len(await file.read())}


def make_client() -> tuple[TestClient, FakeUnitOfWork]:
    uow = FakeUnitOfWork(producer="kit")
    context = KitContext(uow_factory=lambda: uow, producer="kit", clock=FakeClock(), greeting="bonjour")
    service = Service(KitSettings(), context, title="kit", routers=[router])
    return TestClient(service.app()), uow


def test_routes_get_the_typed_context() -> None:
    client, _ = make_client()
    assert client.get("/greeting").json() == {"greeting": "bonjour", "now": "2026-09-01T08:00:00+00:00"}


def test_the_request_boundary_commits_once_when_the_route_returns() -> None:
    client, uow = make_client()
    response = client.post("/contracts", headers={"X-Correlation-Id": "8d0b0c8e-4d5e-4b53-9b1e-6f0e2d6f3a11"})
    assert response.status_code == 200
    assert response.json() == {"correlation": "8d0b0c8e-4d5e-4b53-9b1e-6f0e2d6f3a11"}
    assert (uow.commits, len(uow.committed_events)) == (1, 1)


def test_a_route_that_raises_commits_nothing_and_answers_by_kind() -> None:
    client, uow = make_client()
    response = client.post("/contracts/fail")
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "contract_already_transmitted", "message": "Ce contrat a déjà été transmis.", "fields": []}
    }
    assert (uow.commits, uow.committed_events, uow.rollbacks) == (0, [], 1)


def test_a_subclass_sets_its_code_and_message_once() -> None:
    client, _ = make_client()
    response = client.get("/contracts/missing")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "contract_not_found")
    assert response.json()["error"]["message"] == "Contrat introuvable."


def test_expected_version_reads_if_match() -> None:
    client, _ = make_client()
    assert client.put("/contracts/version", headers={"If-Match": '"7"'}).json() == {"expected": 7}
    assert client.put("/contracts/version").json() == {"expected": None}
    refused = client.put("/contracts/version", headers={"If-Match": "abc"})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["path"] == "If-Match"


def test_every_kind_has_a_status() -> None:
    assert set(STATUS_OF_KIND) == set(ErrorKind)
    assert Throttled(retry_after=30).headers() == {"Retry-After": "30"}
    assert DomainError().status_code == 422
    legacy = PasserelleError("Fichier vide.", "document_empty", 413)
    assert (legacy.kind, legacy.status_code) == (ErrorKind.TOO_LARGE, 413)


def test_invalid_input_names_the_field() -> None:
    error = InvalidInput.one("employer.siret", "siret_invalid", "Le SIRET est invalide.")
    assert error.as_dict()["error"]["fields"] == [
        FieldError("employer.siret", "siret_invalid", "Le SIRET est invalide.").as_dict()
    ]
    assert error.message == "Le SIRET est invalide."


def test_json_bodies_over_the_default_limit_are_refused_before_parsing() -> None:
    client, _ = make_client()
    big = json.dumps({f"k{i}": "x" * 100 for i in range(12_000)})  # about 1.3 MB
    response = client.post("/echo", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    small = client.post("/echo", json={"a": 1})
    assert small.json() == {"keys": 1}


def test_a_body_sent_in_chunks_without_length_is_counted() -> None:
    client, _ = make_client()

    def chunks():  # noqa: ANN202 - a generator body: no Content-Length, chunked transfer
        for _ in range(300):
            yield b" " * 4096
        yield b"{}"

    response = client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_route_may_allow_a_larger_body() -> None:
    client, _ = make_client()
    big = json.dumps({f"k{i}": "x" * 100 for i in range(12_000)})
    assert client.post("/import", content=big, headers={"content-type": "application/json"}).json() == {"keys": 12_000}


def test_multipart_uploads_are_left_to_the_service() -> None:
    client, _ = make_client()
    response = client.post("/upload", files={"file": ("a.pdf", b"%PDF" + b"0" * 1_200_000, "application/pdf")})
    assert response.json() == {"size": 1_200_004}


def test_once_started_the_startup_heap_is_out_of_the_collectors_reach() -> None:
    # A full collection then walks only what was made since the start (issue #13: pauses of 120-260 ms before).
    gc.unfreeze()
    uow = FakeUnitOfWork(producer="kit")
    context = KitContext(uow_factory=lambda: uow, producer="kit", clock=FakeClock(), greeting="bonjour")
    service = Service(KitSettings(revocation_feed_enabled=False), context, title="kit", routers=[router])
    try:
        assert gc.get_freeze_count() == 0
        with TestClient(service.app()) as client:
            assert gc.get_freeze_count() > 10_000
            assert client.get("/greeting").status_code == 200
    finally:
        gc.unfreeze()
