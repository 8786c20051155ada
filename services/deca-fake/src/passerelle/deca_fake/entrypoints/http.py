"""The fake DECA's HTTP API, as an OPCO's client calls it: contract, attachments, closing call.

    POST /depots                               the contract (201 new, 200 already open for this revision)
    PUT  /depots/{depot_id}/pieces/{document}  one attachment with its SHA-256
    POST /depots/{depot_id}/cloture            the verdict: « depose » with its number, or « non_deposable »
    GET  /depots/{depot_id}                    the deposit's status

Every call needs `Authorization: Bearer <key>`. The failures a client must survive are simulated on demand:
`POST /simulation/pannes {"indisponible": n}` makes the next n calls answer 503 (with Retry-After).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from passerelle.deca_fake.domain.deposits import DepositError, DepositRegister, UnknownDeposit


class FaultPlan:
    def __init__(self) -> None:
        self.unavailable = 0


class AttachmentIn(BaseModel):
    document_type: str = Field(description="Le type de la pièce (convention_formation, cerfa_signe, ...)")
    sha256: str = Field(description="L'empreinte SHA-256 de la pièce, en hexadécimal")


class FaultsIn(BaseModel):
    indisponible: int = Field(0, ge=0, le=1000, description="Les n prochains appels répondent 503")


def _error(status: int, error: DepositError) -> JSONResponse:
    return JSONResponse(
        {"erreur": {"code": error.code, "message": error.message, "champ": error.field}}, status_code=status
    )


async def _register(request: Request) -> DepositRegister:
    register: DepositRegister = request.app.state.deposits
    return register


async def _authenticated(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    expected = f"Bearer {request.app.state.api_key}"
    if authorization is None or not hmac.compare_digest(authorization.encode(), expected.encode()):
        raise Refused(JSONResponse({"erreur": {"code": "non_authentifie", "message": "Clé absente ou invalide."}}, 401))


async def _available(request: Request) -> None:
    """A simulated outage answers before anything is read or kept."""
    faults: FaultPlan = request.app.state.faults
    if faults.unavailable > 0:
        faults.unavailable -= 1
        raise Refused(
            JSONResponse(
                {"erreur": {"code": "indisponible", "message": "Service momentanément indisponible."}},
                503,
                headers={"Retry-After": "1"},
            )
        )


class Refused(Exception):
    """Answered as is by the app's handler (bootstrap): the key is wrong, or an outage is simulated."""

    def __init__(self, response: JSONResponse) -> None:
        self.response = response


Register = Annotated[DepositRegister, Depends(_register)]
router = APIRouter(prefix="/depots", tags=["dépôts"], dependencies=[Depends(_authenticated), Depends(_available)])
simulation = APIRouter(prefix="/simulation", tags=["simulation"], dependencies=[Depends(_authenticated)])


@router.post("", summary="Déposer un contrat (puis ses pièces, puis la clôture)")
async def open_deposit(body: dict[str, Any], register: Register) -> JSONResponse:
    try:
        deposit, created = register.open(body)
    except DepositError as error:
        return _error(422, error)
    return JSONResponse(deposit.as_dict(), status_code=201 if created else 200)


@router.put("/{depot_id}/pieces/{document_id}", summary="Joindre une pièce avec son empreinte")
async def attach(depot_id: UUID, document_id: UUID, body: AttachmentIn, register: Register) -> JSONResponse:
    try:
        deposit = register.attach(depot_id, document_id, body.document_type, body.sha256.lower())
    except UnknownDeposit as error:
        return _error(404, error)
    except DepositError as error:
        return _error(409 if error.code == "depot_clos" else 422, error)
    return JSONResponse(deposit.as_dict(), status_code=201)


@router.post("/{depot_id}/cloture", summary="Clore le dépôt : déposé avec son numéro, ou non déposable")
async def close(depot_id: UUID, register: Register) -> JSONResponse:
    try:
        return JSONResponse(register.close(depot_id).as_dict())
    except UnknownDeposit as error:
        return _error(404, error)


@router.get("/{depot_id}", summary="L'état d'un dépôt")
async def status(depot_id: UUID, register: Register) -> JSONResponse:
    try:
        return JSONResponse(register.get(depot_id).as_dict())
    except UnknownDeposit as error:
        return _error(404, error)


@simulation.post("/pannes", summary="Simuler une indisponibilité des prochains appels")
async def plan_faults(body: FaultsIn, request: Request) -> dict[str, int]:
    request.app.state.faults.unavailable = body.indisponible
    return {"indisponible": body.indisponible}
