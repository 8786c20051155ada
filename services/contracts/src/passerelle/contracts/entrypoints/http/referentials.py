"""Auto-fill: an establishment from its SIRET (or UAI), a qualification from its RNCP code; and the form's field
registry (every field's path, tab and French label), which other services use to name a field to people."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field

from passerelle.contracts.domain.identifiers import compact, rncp_problem, siret_problem
from passerelle.contracts.domain.labels import field_registry
from passerelle.contracts.domain.referentials import EstablishmentRecord
from passerelle.libs.auth import CurrentPrincipal
from passerelle.libs.errors import FieldError, InvalidInput, NotFound

from .dependencies import DependenciesDep
from .schemas import EstablishmentOut, QualificationOut

router = APIRouter(prefix="/referentials", tags=["référentiels"])


def _establishment(record: EstablishmentRecord) -> EstablishmentOut:
    a = record.address
    return EstablishmentOut(
        siret=record.siret,
        siren=record.siren,
        name=record.name,
        address={
            "number": a.number,
            "street": a.street,
            "complement": a.complement,
            "postcode": a.postcode,
            "city": a.city,
        },
        naf_code=record.naf_code,
        idcc=record.idcc,
        headcount=record.headcount,
        employer_type=record.employer_type.value if record.employer_type else None,
        employer_sector=record.employer_sector.value if record.employer_sector else None,
        uai=record.uai,
        training_organisation=record.training_organisation,
        supplementary_pension_fund=record.supplementary_pension_fund,
        phone=record.phone,
        email=record.email,
    )


@router.get("/establishments/{siret}", response_model=EstablishmentOut, summary="Établissement par SIRET")
async def establishment(siret: str, _: CurrentPrincipal, deps: DependenciesDep) -> EstablishmentOut:
    if siret_problem(siret):
        raise InvalidInput([FieldError("siret", "siret_invalid", "Le SIRET doit comporter 14 chiffres valides.")])
    record = await asyncio.to_thread(deps.establishments.find_by_siret, compact(siret))
    if record is None:
        raise NotFound("Aucun établissement connu pour ce SIRET.", "establishment_not_found")
    return _establishment(record)


@router.get("/training-organisations/{uai}", response_model=EstablishmentOut, summary="Organisme par UAI")
async def training_organisation(uai: str, _: CurrentPrincipal, deps: DependenciesDep) -> EstablishmentOut:
    record = await asyncio.to_thread(deps.establishments.find_by_uai, compact(uai))
    if record is None:
        raise NotFound("Aucun organisme de formation connu pour cet UAI.", "establishment_not_found")
    return _establishment(record)


@router.get("/qualifications/{rncp}", response_model=QualificationOut, summary="Certification par code RNCP")
async def qualification(rncp: str, _: CurrentPrincipal, deps: DependenciesDep) -> QualificationOut:
    if rncp_problem(rncp):
        raise InvalidInput([FieldError("rncp", "rncp_invalid", "Le code RNCP s'écrit RNCP suivi de chiffres.")])
    record = await asyncio.to_thread(deps.qualifications.find_by_rncp, rncp)
    if record is None:
        raise NotFound("Aucune certification connue pour ce code RNCP.", "qualification_not_found")
    return QualificationOut(
        rncp_code=record.rncp_code,
        diploma_code=record.diploma_code,
        title=record.title,
        diploma_type=record.diploma_type,
        level=record.level.value if record.level else None,
    )


class FieldLabelOut(BaseModel):
    path: str = Field(
        description="The field's dotted path in the form; `[]` stands for every row of a list (`tutors[]`)"
    )
    tab: str = Field(description="The tab the field is on")
    tab_label: str = Field(description="The tab's French label")
    label: str = Field(description="The field's French label, as the form shows it")
    contract_types: list[str] = Field(description="The contract types whose form has this field")


@router.get(
    "/fields",
    response_model=list[FieldLabelOut],
    summary="Les champs du formulaire et leurs libellés",
    description=(
        "Chaque champ des deux CERFA, questions posées ou non (lignes de l'échéancier de rémunération, contacts de "
        "l'organisme) : son chemin, son onglet et son libellé en français. Les courriers d'anomalie de l'OPCO et "
        "son espace d'instruction nomment ainsi les champs."
    ),
)
async def fields(_: CurrentPrincipal) -> list[FieldLabelOut]:
    return [
        FieldLabelOut(
            path=answer.path,
            tab=answer.tab.value,
            tab_label=answer.tab.label,
            label=answer.label,
            contract_types=sorted(t.value for t in answer.contract_types),
        )
        for answer in field_registry()
    ]
