"""The contracts API: drafting tab by tab, validation, questions, pay schedule, transmission and the file's life.

Each write runs one use case in the request's unit of work, which the kit commits when the route returns: the
contract, its history and the events it caused (outbox) are saved together, or nothing is.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import AfterValidator

from passerelle.contracts.adapters.pdf import render_cerfa
from passerelle.contracts.domain.codes import ContractStatus, ContractType, DashboardSort
from passerelle.contracts.domain.findings import finding_dict, summary
from passerelle.contracts.domain.legal import ParameterNotInForce
from passerelle.contracts.domain.questions import applicable_questions, case_reminders
from passerelle.contracts.domain.remuneration import compute_pay_schedule
from passerelle.contracts.domain.tabs import Tab
from passerelle.contracts.service_layer import commands, drafting, lifecycle, queries
from passerelle.contracts.service_layer.access import sides_of
from passerelle.contracts.service_layer.records import ContractRecord
from passerelle.libs.access import Side
from passerelle.libs.auth import CurrentPrincipal
from passerelle.libs.errors import FieldError, InvalidInput

from .choices import choice_of, parse_choice
from .dependencies import DependenciesDep, ExpectedVersion, ReadsDep, UnitOfWorkDep
from .schemas import (
    AcceptBody,
    AmendmentBody,
    ContractPage,
    ContractPublic,
    ContractValidation,
    CreateContractBody,
    DeclineBody,
    HistoryOut,
    ProposeBody,
    QuestionsOut,
    RemunerationOut,
    SaveResponse,
    TransferBody,
    TransmitResponse,
    contract_public,
    history_out,
    pay_period_out,
    summary_out,
)

router = APIRouter(prefix="/contracts", tags=["contrats"])


async def _public(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, record: ContractRecord, response: Response | None = None
) -> ContractPublic:
    documents = await uow.contracts.documents(record.id)
    if response is not None:
        response.headers["ETag"] = f'"{record.contract.version}"'
    return contract_public(record, sides_of(principal, record), documents)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContractPublic, summary="Créer un contrat")
async def create_contract(
    body: CreateContractBody, principal: CurrentPrincipal, uow: UnitOfWorkDep, deps: DependenciesDep, response: Response
) -> ContractPublic:
    command = commands.CreateContract(
        contract_type=body.contract_type,
        employer_siret=body.employer_siret,
        training_uai=body.training_uai,
        training_siret=body.training_siret,
        side=Side(body.side) if body.side else None,
        form=body.form.model_dump(exclude_unset=True) if body.form is not None else None,
    )
    record = await drafting.create_contract(uow, principal, command, deps)
    response.headers["Location"] = f"/contracts/{record.id}"
    return await _public(uow, principal, record, response)


@router.get("", response_model=ContractPage, summary="Tableau de bord : les contrats dont je suis partie")
async def list_contracts(
    principal: CurrentPrincipal,
    uow: ReadsDep,
    deps: DependenciesDep,
    status_: Annotated[
        str | None,
        Query(alias="status", max_length=40, description="Status code: " + ", ".join(ContractStatus)),
        AfterValidator(choice_of(ContractStatus, "Statut")),
    ] = None,
    contract_type: Annotated[
        str | None,
        Query(max_length=40, description="Contract type: " + ", ".join(ContractType)),
        AfterValidator(choice_of(ContractType, "Type de contrat")),
    ] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text searched in names, SIRET, file number")] = None,
    siret: Annotated[str | None, Query(max_length=20)] = None,
    include_archived: bool = False,
    created_from: Annotated[date | None, Query(description="Created on or after this day (AAAA-MM-JJ)")] = None,
    created_to: Annotated[date | None, Query(description="Created on or before this day")] = None,
    start_from: Annotated[date | None, Query(description="Starting on or after this day (tab Contrat)")] = None,
    start_to: Annotated[date | None, Query(description="Starting on or before this day")] = None,
    transmitted_from: Annotated[date | None, Query(description="Last transmitted on or after this day")] = None,
    transmitted_to: Annotated[date | None, Query(description="Last transmitted on or before this day")] = None,
    in_charge: Annotated[
        UUID | None, Query(description="Only the contracts this account is in charge of, on either side")
    ] = None,
    sort: Annotated[
        str,
        Query(max_length=40, description="Order: " + ", ".join(DashboardSort)),
        AfterValidator(choice_of(DashboardSort, "Tri")),
    ] = DashboardSort.UPDATED_DESC.value,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ContractPage:
    chosen_status = parse_choice(ContractStatus, status_, "status", "Statut")
    chosen_type = parse_choice(ContractType, contract_type, "contract_type", "Type de contrat")
    chosen_sort = parse_choice(DashboardSort, sort, "sort", "Tri") or DashboardSort.UPDATED_DESC
    query = queries.dashboard_query(
        principal,
        status=chosen_status.value if chosen_status else None,
        contract_type=chosen_type.value if chosen_type else None,
        text=q,
        siret=siret,
        include_archived=include_archived,
        created=queries.DayRange(created_from, created_to),
        start=queries.DayRange(start_from, start_to),
        transmitted=queries.DayRange(transmitted_from, transmitted_to),
        in_charge=str(in_charge) if in_charge else None,
        sort=chosen_sort.value,
        time_zone=deps.time_zone,
        page=page,
        page_size=page_size,
    )
    found = await uow.contracts.search(query)
    return ContractPage(
        items=[summary_out(i) for i in found.items],
        total=found.total,
        total_exact=found.total_exact,
        page=page,
        page_size=page_size,
    )


@router.get("/{contract_id}", response_model=ContractPublic, summary="Lire un contrat")
async def get_contract(
    contract_id: UUID, principal: CurrentPrincipal, uow: ReadsDep, response: Response
) -> ContractPublic:
    record, sides, documents = await queries.get_contract(uow, principal, contract_id)
    response.headers["ETag"] = f'"{record.contract.version}"'
    return contract_public(record, sides, documents)


@router.put("/{contract_id}/tabs/{tab}", response_model=SaveResponse, summary="Enregistrer un onglet")
async def save_tab(
    contract_id: UUID,
    tab: Tab,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
    content: Annotated[dict[str, Any], Body(description="The tab's fields; incomplete answers are accepted")],
) -> SaveResponse:
    command = commands.SaveTab(contract_id, tab, content, expected_version)
    result = await drafting.save_tab(uow, principal, command, deps)
    return SaveResponse(
        contract=await _public(uow, principal, result.record, response),
        changed=result.changed,
        findings=[finding_dict(f) for f in result.findings],
    )


@router.put("/{contract_id}", response_model=SaveResponse, summary="Enregistrer tout le formulaire")
async def save_form(
    contract_id: UUID,
    form: Annotated[dict[str, Any], Body(description="The whole form (ContractForm)")],
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> SaveResponse:
    result = await drafting.save_form(uow, principal, commands.SaveForm(contract_id, form, expected_version), deps)
    return SaveResponse(
        contract=await _public(uow, principal, result.record, response),
        changed=result.changed,
        findings=[finding_dict(f) for f in result.findings],
    )


@router.get("/{contract_id}/validation", response_model=ContractValidation, summary="Contrôles, onglet par onglet")
async def validation(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: ReadsDep,
    deps: DependenciesDep,
    for_transmission: Annotated[
        bool, Query(description="As transmission sees it (missing answers block) or as saving does")
    ] = True,
) -> ContractValidation:
    record, findings = await queries.contract_findings(
        uow, principal, contract_id, deps, for_transmission=for_transmission
    )
    return ContractValidation(
        contract_id=record.id, version=record.contract.version, for_transmission=for_transmission, **summary(findings)
    )


@router.get("/{contract_id}/questions", response_model=QuestionsOut, summary="Les questions de ce cas")
async def questions(contract_id: UUID, principal: CurrentPrincipal, uow: ReadsDep) -> QuestionsOut:
    record, _, _ = await queries.get_contract(uow, principal, contract_id)
    form = record.contract.form
    try:
        tabs = applicable_questions(form)
        reminders = case_reminders(form)
    except ParameterNotInForce as exc:
        raise _dates_unknown() from exc
    return QuestionsOut.model_validate(
        {
            "contract_id": record.id,
            "tabs": [
                {
                    "tab": t.tab.value,
                    "label": t.label,
                    "questions": [
                        {
                            "field": q.field,
                            "label": q.label,
                            "required": q.required,
                            "help": q.help,
                            "choices": [{"code": c.code, "label": c.label} for c in q.choices],
                            "reminder": {"text": q.reminder.text, "reference": q.reminder.reference}
                            if q.reminder
                            else None,
                        }
                        for q in t.questions
                    ],
                }
                for t in tabs
            ],
            "reminders": [{"text": r.text, "reference": r.reference} for r in reminders],
        }
    )


def _dates_unknown() -> InvalidInput:
    return InvalidInput(
        [
            FieldError(
                "contract.start_date",
                "legal_parameters_unknown",
                "Les valeurs légales en vigueur à cette date ne sont pas connues : vérifiez la date de début.",
            )
        ]
    )


@router.get("/{contract_id}/remuneration", response_model=RemunerationOut, summary="Rémunération minimale")
async def remuneration(contract_id: UUID, principal: CurrentPrincipal, uow: ReadsDep) -> RemunerationOut:
    record, _, _ = await queries.get_contract(uow, principal, contract_id)
    try:
        periods = compute_pay_schedule(record.contract.form)
    except ParameterNotInForce as exc:
        raise _dates_unknown() from exc
    return RemunerationOut(
        contract_id=record.id,
        periods=[pay_period_out(p) for p in periods],
        declared=record.contract.form.contract.pay_schedule or [],
    )


@router.post("/{contract_id}/propose", response_model=ContractPublic, summary="Proposer à l'employeur")
async def propose(
    contract_id: UUID,
    body: ProposeBody,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> ContractPublic:
    command = commands.ProposeContract(contract_id, str(body.employer_email), body.employer_siret, expected_version)
    record = await drafting.propose_contract(uow, principal, command, deps)
    return await _public(uow, principal, record, response)


@router.post("/{contract_id}/accept", response_model=ContractPublic, summary="Accepter la proposition")
async def accept(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
    body: AcceptBody | None = None,
) -> ContractPublic:
    command = commands.AcceptProposal(contract_id, body.employer_siret if body else None, expected_version)
    record = await drafting.accept_proposal(uow, principal, command, deps)
    return await _public(uow, principal, record, response)


@router.post("/{contract_id}/decline", response_model=ContractPublic, summary="Refuser la proposition")
async def decline(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
    body: DeclineBody | None = None,
) -> ContractPublic:
    command = commands.DeclineProposal(contract_id, body.reason if body else None, expected_version)
    record = await drafting.decline_proposal(uow, principal, command, deps)
    documents = await uow.contracts.documents(record.id)
    response.headers["ETag"] = f'"{record.contract.version}"'
    # The employer no longer sees it: the answer shows what it became, from the employer's side.
    return contract_public(record, frozenset({Side.EMPLOYER}), documents)


@router.post(
    "/{contract_id}/transmit",
    response_model=TransmitResponse,
    summary="Transmettre à l'OPCO",
    responses={422: {"description": "Refused: every error, grouped by tab and field; nothing transmitted"}},
)
async def transmit(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> TransmitResponse:
    record, warnings = await lifecycle.transmit_contract(uow, principal, contract_id, deps, expected_version)
    return TransmitResponse(
        contract=await _public(uow, principal, record, response), warnings=[finding_dict(f) for f in warnings]
    )


@router.post(
    "/{contract_id}/amendments",
    response_model=ContractPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Demande de modification (avenant)",
)
async def request_amendment(
    contract_id: UUID,
    body: AmendmentBody,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> ContractPublic:
    command = commands.RequestAmendment(contract_id, body.kind_code, body.effective_date, expected_version)
    record = await lifecycle.request_amendment(uow, principal, command, deps)
    return await _public(uow, principal, record, response)


@router.post("/{contract_id}/transfer", response_model=ContractPublic, summary="Transférer à un collègue")
async def transfer(
    contract_id: UUID,
    body: TransferBody,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> ContractPublic:
    command = commands.TransferContract(contract_id, body.to_account_id, expected_version)
    record = await lifecycle.transfer_contract(uow, principal, command, deps)
    return await _public(uow, principal, record, response)


@router.post("/{contract_id}/archive", response_model=ContractPublic, summary="Archiver")
async def archive(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> ContractPublic:
    record = await lifecycle.archive_contract(uow, principal, contract_id, deps, expected_version)
    return await _public(uow, principal, record, response)


@router.post("/{contract_id}/restore", response_model=ContractPublic, summary="Désarchiver")
async def restore(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
    response: Response,
) -> ContractPublic:
    record = await lifecycle.restore_contract(uow, principal, contract_id, deps, expected_version)
    return await _public(uow, principal, record, response)


@router.delete("/{contract_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Supprimer un brouillon")
async def delete(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    expected_version: ExpectedVersion,
) -> Response:
    await lifecycle.delete_contract(uow, principal, contract_id, deps, expected_version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{contract_id}/history", response_model=list[HistoryOut], summary="Historique : qui, quand, quoi")
async def history(contract_id: UUID, principal: CurrentPrincipal, uow: ReadsDep) -> list[HistoryOut]:
    return [history_out(e) for e in await queries.contract_history(uow, principal, contract_id)]


@router.get(
    "/{contract_id}/cerfa.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="Le CERFA rempli (PDF)",
)
async def cerfa_pdf(
    contract_id: UUID,
    principal: CurrentPrincipal,
    uow: ReadsDep,
    disposition: Literal["inline", "attachment"] = "inline",
) -> Response:
    record, _, _ = await queries.get_contract(uow, principal, contract_id)
    content = render_cerfa(record)
    number = "10103" if record.contract.type == ContractType.APPRENTICESHIP else "12434"
    filename = f"cerfa-{number}-{record.id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
