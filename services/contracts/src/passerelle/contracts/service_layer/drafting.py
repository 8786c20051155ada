"""Drafting a contract: created by an employer or pre-filled by a training organisation, proposed, accepted,
saved tab by tab (nothing blocks a save; the findings are returned)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID, uuid4

from passerelle.contracts.domain.autofill import autofill_employer, autofill_training
from passerelle.contracts.domain.contract import Contract
from passerelle.contracts.domain.form import ContractForm, Employer, TrainingOrganisation
from passerelle.contracts.domain.identifiers import compact, siret_problem, uai_problem
from passerelle.contracts.domain.rules import Finding
from passerelle.contracts.domain.tabs import Tab
from passerelle.libs.access import Side
from passerelle.libs.auth import Principal
from passerelle.libs.errors import Conflict, FieldError, Forbidden, InvalidInput

from . import access
from .commands import AcceptProposal, CreateContract, DeclineProposal, ProposeContract, SaveForm, SaveTab
from .common import actor, documents_context, load_for_write, persist
from .context import Dependencies
from .forms import changed_paths, changed_tabs, parse_form, parse_tab
from .messages import history_entry, integration_event
from .ports import UnitOfWork
from .records import ContractRecord, HistoryEntry


@dataclass
class SaveResult:
    record: ContractRecord
    findings: list[Finding]
    changed: list[str]


def _identifier_errors(employer_siret: str | None, training_uai: str | None, training_siret: str | None) -> None:
    fields = []
    if employer_siret and siret_problem(employer_siret):
        fields.append(FieldError("employer_siret", "siret_invalid", "Le SIRET de l'employeur n'est pas valide."))
    if training_uai and uai_problem(training_uai):
        fields.append(FieldError("training_uai", "uai_invalid", "Le code UAI de l'organisme n'est pas valide."))
    if training_siret and siret_problem(training_siret):
        fields.append(FieldError("training_siret", "siret_invalid", "Le SIRET de l'organisme n'est pas valide."))
    if fields:
        raise InvalidInput(fields)


def _creator_side(principal: Principal, cmd: CreateContract) -> tuple[Side, UUID | None]:
    """The side the creator drafts for and, when they draft for an organisation not verified yet (a pending
    membership), that organisation: the draft is then private to them until it is verified."""
    siret = compact(cmd.employer_siret) if cmd.employer_siret is not None else None
    uai = compact(cmd.training_uai) if cmd.training_uai is not None else None
    training_siret = compact(cmd.training_siret) if cmd.training_siret is not None else None
    employer = siret is not None and siret in principal.sirets()
    training = (uai is not None and uai in principal.uais()) or (
        training_siret is not None and training_siret in principal.training_sirets()
    )
    if employer and cmd.side in (Side.EMPLOYER, None):
        return Side.EMPLOYER, None
    if cmd.side in (Side.TRAINING, None) and training:
        return Side.TRAINING, None
    pending_employer = principal.pending_membership("employer", siret=siret) if siret else None
    if pending_employer is not None and cmd.side in (Side.EMPLOYER, None):
        return Side.EMPLOYER, pending_employer.organisation_id
    pending_training = principal.pending_membership("training", siret=training_siret, uai=uai)
    if pending_training is not None and cmd.side in (Side.TRAINING, None):
        return Side.TRAINING, pending_training.organisation_id
    raise Forbidden(
        "Vous ne pouvez créer un contrat que pour un établissement employeur ou un organisme de formation "
        "dont vous êtes membre.",
        "contract_creation_not_allowed",
    )


def _with_employer_establishment(principal: Principal, cmd: CreateContract) -> CreateContract:
    """An employer who names no establishment: theirs if they have one; asked which one if they have several."""
    if cmd.employer_siret or cmd.side == Side.TRAINING or cmd.training_uai or cmd.training_siret:
        return cmd
    sirets = sorted(principal.sirets()) or sorted(
        m.siret for m in principal.pending if m.kind == "employer" and m.siret
    )
    if len(sirets) == 1:
        return replace(cmd, employer_siret=sirets[0])
    if len(sirets) > 1:
        raise InvalidInput(
            [
                FieldError(
                    "employer_siret",
                    "establishment_to_choose",
                    "Vous êtes membre de plusieurs établissements : indiquez pour lequel vous créez ce contrat "
                    f"(SIRET {', '.join(sirets)}).",
                )
            ],
            message="Choisissez l'établissement employeur.",
        )
    return cmd


def _check_reachable(principal: Principal, sides_before: frozenset[Side], record: ContractRecord) -> None:
    """A save may not take the contract away from the side that saves it."""
    after = access.sides_of(principal, record)
    if Side.EMPLOYER in sides_before and Side.EMPLOYER not in after:
        raise InvalidInput(
            [
                FieldError(
                    "employer.siret",
                    "employer_not_yours",
                    "Indiquez le SIRET de l'un de vos établissements : vous perdriez l'accès à ce contrat.",
                )
            ]
        )
    if Side.TRAINING in sides_before and Side.TRAINING not in after:
        raise InvalidInput(
            [
                FieldError(
                    "training.organisation",
                    "training_organisation_not_yours",
                    "Indiquez l'UAI ou le SIRET de votre organisme : vous perdriez l'accès à ce contrat.",
                )
            ]
        )


def _forbid_other_employer(
    principal: Principal, before: ContractForm, after: ContractForm, record: ContractRecord
) -> None:
    siret = after.employer.siret
    mine = principal.sirets()
    if record.is_private:  # drafted for an establishment not verified yet: only to that one
        mine = {m.siret for m in principal.pending if m.organisation_id == record.private_organisation_id and m.siret}
    if siret != before.employer.siret and (siret is None or compact(siret) not in mine):
        raise InvalidInput(
            [
                FieldError(
                    "employer.siret",
                    "employer_not_yours",
                    "Le contrat ne peut être rattaché qu'à l'un de vos établissements.",
                )
            ]
        )


def _employer_filled(form: ContractForm, deps: Dependencies) -> ContractForm:
    """The employer tab from its SIRET, and the label of its collective agreement from the platform's IDCC table
    (what the person typed is kept)."""
    form = autofill_employer(form, deps.establishments)
    employer = form.employer
    if employer is None or not employer.idcc or employer.idcc_label:
        return form
    label = deps.opcos.agreement_label(employer.idcc)
    if label is None:
        return form
    return form.model_copy(update={"employer": employer.model_copy(update={"idcc_label": label})})


def _autofill(form: ContractForm, deps: Dependencies) -> ContractForm:
    """Employer from its SIRET, training organisation from its UAI/SIRET, qualification from its RNCP code."""
    form = _employer_filled(form, deps)
    return autofill_training(form, deps.establishments, deps.qualifications)


async def create_contract(
    uow: UnitOfWork, principal: Principal, cmd: CreateContract, deps: Dependencies
) -> ContractRecord:
    """An employer starts a contract, or a training organisation pre-fills its part of one."""
    record = await prepare_new_contract(principal, cmd, deps)
    if record.private_organisation_id is not None and await uow.contracts.organisation_verified(
        record.private_organisation_id
    ):
        # Verified since the caller's token was issued (organisation.verified already applied here): an
        # ordinary draft of the organisation, as the private ones became.
        record.private_to = record.private_organisation_id = None
    await persist(uow, record, deps, new=True)
    return record


async def create_contracts(uow: UnitOfWork, records: list[ContractRecord], deps: Dependencies) -> None:
    """Save new contracts prepared by `prepare_new_contract` together: one insert each for the contracts, their
    history and their events (bulk drafting)."""
    if not records:
        return
    now = deps.now()
    entries: list[HistoryEntry] = []
    messages = []
    for record in records:
        record.created_at = record.updated_at = now
        for event in record.contract.collect_events():
            entries.append(history_entry(record, event))
            message = integration_event(record, event, documents=[], tabs=[])
            if message is not None:
                messages.append(message)
    await uow.contracts.add_many(records)
    await uow.contracts.add_history(entries)
    for message in messages:
        uow.publish(message)


async def prepare_new_contract(principal: Principal, cmd: CreateContract, deps: Dependencies) -> ContractRecord:
    """The new contract's record, checked and auto-filled, not saved yet."""
    _identifier_errors(cmd.employer_siret, cmd.training_uai, cmd.training_siret)
    cmd = _with_employer_establishment(principal, cmd)
    side, pending_organisation = _creator_side(principal, cmd)
    form = parse_form(cmd.form) if cmd.form is not None else ContractForm()
    blank = ContractForm()
    if cmd.form is not None:
        tabs = set(changed_tabs(changed_paths(blank, form))) - {Tab.INTRODUCTION}
        access.require_tabs(frozenset({side}), side, tabs)
    updates: dict[str, Any] = {}
    if cmd.employer_siret:
        updates["employer"] = form.employer.model_copy(update={"siret": compact(cmd.employer_siret)})
    if cmd.training_uai or cmd.training_siret:
        organisation = form.training.organisation or TrainingOrganisation()
        organisation = organisation.model_copy(
            update={
                "uai": compact(cmd.training_uai) if cmd.training_uai else organisation.uai,
                "siret": compact(cmd.training_siret) if cmd.training_siret else organisation.siret,
            }
        )
        updates["training"] = form.training.model_copy(update={"organisation": organisation})
    form = form.model_copy(update=updates)
    form = await asyncio.to_thread(_autofill, form, deps)
    contract = Contract.draft(
        id=uuid4(), contract_type=cmd.contract_type, owner_id=actor(principal), form=form, at=deps.now()
    )
    record = ContractRecord(
        contract=contract,
        created_by_side=side,
        opco_code=deps.opco_for(contract.form.employer.idcc),
        visible_to_employer=side == Side.EMPLOYER,
        in_charge={side: actor(principal)},
    )
    if pending_organisation is not None:
        record.private_to, record.private_organisation_id = principal.subject, pending_organisation
    if not access.sides_of(principal, record):
        raise Forbidden("Vous ne seriez pas partie à ce contrat.", "contract_creation_not_allowed")
    return record


async def propose_contract(
    uow: UnitOfWork, principal: Principal, cmd: ProposeContract, deps: Dependencies
) -> ContractRecord:
    """The training organisation sends its pre-filled contract to the employer's e-mail (and establishment, if it
    knows it). Only a draft the training side created and no employer sees yet can be proposed (#10.2): once an
    employer sees it, re-addressing it is the employer's own action (declining)."""
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    access.require_side(sides, Side.TRAINING, "proposer le contrat à l'employeur")
    access.require_not_private(record, "le proposer à l'employeur")
    if record.created_by_side != Side.TRAINING or record.visible_to_employer:
        raise Conflict(
            "Seul un brouillon créé par l'organisme de formation, qu'aucun employeur ne voit encore, peut être "
            "proposé : ce contrat est déjà celui d'un employeur.",
            "proposal_not_allowed",
        )
    contract = record.contract
    siret = compact(cmd.employer_siret) if cmd.employer_siret else contract.employer_siret
    if siret:
        _identifier_errors(siret, None, None)
    if siret and siret != contract.employer_siret:
        employer = (contract.form.employer or Employer()).model_copy(update={"siret": siret})
        addressed = contract.form.model_copy(update={"employer": employer})
        form = await asyncio.to_thread(_employer_filled, addressed, deps)
        contract.form = form  # the proposal addresses the employer; their own tabs stay theirs
    contract.propose(employer_email=cmd.employer_email, by=actor(principal), at=deps.now())
    # With an establishment its members see the proposal; without one, the employer whose account has this
    # e-mail finds it (access.addressed_to) and chooses the establishment when accepting.
    record.visible_to_employer = siret is not None
    record.proposed_to_email = cmd.employer_email
    await persist(uow, record, deps)
    return record


async def accept_proposal(
    uow: UnitOfWork,
    principal: Principal,
    cmd: AcceptProposal | UUID,
    deps: Dependencies,
    expected_version: int | None = None,
) -> ContractRecord:
    if isinstance(cmd, UUID):
        cmd = AcceptProposal(cmd, expected_version=expected_version)
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    access.require_side(sides, Side.EMPLOYER, "accepter la proposition")
    contract = record.contract
    if contract.employer_siret is None:
        # Addressed to the e-mail only: the employer says which of its establishments the contract is for.
        mine = sorted(principal.sirets())
        chosen = compact(cmd.employer_siret) if cmd.employer_siret else (mine[0] if len(mine) == 1 else None)
        if chosen is None or chosen not in mine:
            raise InvalidInput(
                [
                    FieldError(
                        "employer_siret",
                        "establishment_to_choose",
                        "Indiquez pour lequel de vos établissements vous acceptez ce contrat "
                        f"(SIRET {', '.join(mine)}).",
                    )
                ],
                message="Choisissez l'établissement employeur.",
            )
        employer = (contract.form.employer or Employer()).model_copy(update={"siret": chosen})
        addressed = contract.form.model_copy(update={"employer": employer})
        contract.form = await asyncio.to_thread(_employer_filled, addressed, deps)
        record.opco_code = deps.opco_for(contract.form.employer.idcc)
    contract.accept(by=actor(principal), at=deps.now())
    record.visible_to_employer = True
    # The employer side now has its own person in charge; the training organisation's stays.
    record.in_charge[Side.EMPLOYER] = actor(principal)
    await persist(uow, record, deps)
    return record


async def decline_proposal(
    uow: UnitOfWork, principal: Principal, cmd: DeclineProposal, deps: Dependencies
) -> ContractRecord:
    """The employer declines: the draft goes back to the training organisation alone, which may address it to
    another employer."""
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    access.require_side(sides, Side.EMPLOYER, "refuser la proposition")
    record.contract.decline(by=actor(principal), reason=cmd.reason, at=deps.now())
    record.visible_to_employer = False
    record.proposed_to_email = None
    await persist(uow, record, deps)
    return record


async def _save(
    uow: UnitOfWork,
    principal: Principal,
    record: ContractRecord,
    sides: frozenset[Side],
    form: ContractForm,
    deps: Dependencies,
) -> SaveResult:
    before = record.contract.form
    context, _ = await documents_context(uow, record, deps)
    findings = record.contract.save(form, by=actor(principal), at=deps.now(), context=context)
    # Checked on the saved form (typed by the aggregate); a refusal rolls the whole request back.
    changed = changed_paths(before, record.contract.form)
    access.require_tabs(sides, record.created_by_side, set(changed_tabs(changed)))
    if Side.EMPLOYER in sides:
        # An employer may only re-attach the contract to one of its own establishments.
        _forbid_other_employer(principal, before, record.contract.form, record)
    if not changed:
        record.contract.collect_events()  # nothing changed: nothing to keep or tell
        return SaveResult(record, findings, [])
    _check_reachable(principal, sides, record)
    await persist(uow, record, deps, changed=changed)
    return SaveResult(record, findings, changed)


async def save_tab(uow: UnitOfWork, principal: Principal, cmd: SaveTab, deps: Dependencies) -> SaveResult:
    """Save one tab, complete or not; returns the findings of that tab (nothing blocks a save)."""
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    updates = parse_tab(cmd.tab, cmd.content)
    access.require_tabs(sides, record.created_by_side, {cmd.tab})
    result = await _save(uow, principal, record, sides, record.contract.form.model_copy(update=updates), deps)
    result.findings = [f for f in result.findings if f.tab == cmd.tab]
    return result


async def save_form(uow: UnitOfWork, principal: Principal, cmd: SaveForm, deps: Dependencies) -> SaveResult:
    """Save the whole form; each side may only change the tabs that are its own."""
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    return await _save(uow, principal, record, sides, parse_form(cmd.form), deps)
