"""What a notification says and where it leads: the template context, the link and the letter of one event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from passerelle.notifier.domain import labels
from passerelle.notifier.domain.kinds import Kind
from passerelle.notifier.domain.links import PortalLinks

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Names:
    """Display names the projections know (None when not learnt yet: templates fall back to a generic word)."""

    employer_name: str | None = None
    training_name: str | None = None
    organisation_name: str | None = None
    apprentice_name: str | None = None
    from_name: str | None = None
    contract_type: str | None = None  # from the projection, for events that do not carry it (the OPCO's)


@dataclass
class Content:
    context: dict[str, Any]
    link: str
    contract_id: UUID | None = None
    organisation_id: UUID | None = None
    letter_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def build(kind: Kind, event: Any, names: Names, links: PortalLinks) -> Content:
    """The context every template of `kind` reads; `has_account`/`recipient_name` are added per recipient."""
    contract_id: UUID | None = getattr(event, "contract_id", None)
    organisation_id: UUID | None = getattr(event, "organisation_id", None)
    ctx: dict[str, Any] = {
        "employer_name": names.employer_name or "L'employeur",
        "training_name": names.training_name or "L'organisme de formation",
        "organisation_name": names.organisation_name or "votre organisation",
        "apprentice_name": names.apprentice_name,
        "contract_type_label": labels.CONTRACT_TYPES.get(
            getattr(event, "contract_type", None) or names.contract_type or "", ""
        ),
        "preferences_url": links.preferences(),
    }
    link = links.contract(contract_id) if contract_id else links.notifications()
    letter_url = None
    match kind:
        case Kind.CONTRACT_TRANSMITTED:
            ctx |= {"is_amendment": event.is_amendment, "revision": event.revision}
        case Kind.ANOMALY_RAISED:
            ctx["anomalies"] = [a.model_dump() for a in event.anomalies]
            if any(a.kind == "missing_document" for a in event.anomalies):
                link = links.contract_documents(event.contract_id)
            if event.letter_document_id:
                letter_url = links.document(event.contract_id, event.letter_document_id)
        case Kind.ANOMALY_RESOLVED:
            ctx["codes"] = list(event.codes)
        case Kind.DOCUMENT_RECEIVED:
            ctx |= {
                "filename": event.filename,
                "version": event.version,
                "document_label": labels.DOCUMENT_TYPES.get(event.document_type, "document"),
            }
            link = links.contract_documents(event.contract_id)
        case Kind.CONTRACT_ENGAGED:
            ctx["opco_file_number"] = event.opco_file_number
            if event.letter_document_id:
                letter_url = links.document(event.contract_id, event.letter_document_id)
        case Kind.CONTRACT_REFUSED | Kind.CONTRACT_DECLINED:
            ctx["reason"] = event.reason
        case Kind.CONTRACT_DEPOSITED:
            ctx |= {"opco_file_number": event.opco_file_number, "deposit_number": event.deposit_number}
        case Kind.CASE_OPENED:
            ctx |= {"opco_code": event.opco_code, "decision_due_on": event.decision_due_on.strftime("%d/%m/%Y")}
            link = links.case(event.case_id)
        case Kind.CASE_ASSIGNED:
            of_whom = f" de {names.apprentice_name}" if names.apprentice_name else ""
            by = f" par {names.from_name}" if names.from_name else ""
            ctx |= {
                "opco_code": event.opco_code,
                "message": f"Le dossier {ctx['contract_type_label']}{of_whom} vous a été attribué{by}.",
            }
            link = links.case(event.case_id)
        case Kind.CLOCK_ALERT:
            due = event.due_at.astimezone(PARIS)
            silence = "refus" if event.silence == "refusal" else "acceptation"
            days = f"{event.days_left} jour{'s' if event.days_left > 1 else ''}"
            # Named after its apprentice when known: a supervisor's page lists several alerts side by side.
            of_whom = f" de {names.apprentice_name}" if names.apprentice_name else ""
            ctx |= {
                "due_on": due.strftime("%d/%m/%Y"),
                "message": (
                    f"La période légale de décision du dossier {ctx['contract_type_label']}{of_whom} se termine "
                    f"dans {days}, "
                    f"le {due.strftime('%d/%m/%Y')} : sans décision d'ici là, le silence vaudra {silence}."
                ),
            }
            link = links.case(event.case_id)
        case Kind.AMENDMENT_REQUESTED:
            ctx["revision"] = event.revision
        case Kind.CONTRACT_TRANSFERRED:
            ctx["from_name"] = names.from_name
        case Kind.MEMBERSHIP_REQUESTED:
            ctx |= {"requester_name": event.full_name, "requester_email": event.email, "message": event.message}
            link = links.join_requests(event.organisation_id)
        case Kind.INVITATION_RECEIVED:
            ctx["role_label"] = labels.ROLES.get(event.role, event.role)
            link = links.notifications()
        case Kind.MEMBERSHIP_GRANTED:
            ctx["role_label"] = labels.ROLES.get(event.role, event.role)
            link = links.members(event.organisation_id)
        case Kind.MEMBERSHIP_ROLE_CHANGED:
            ctx |= {
                "role_label": labels.ROLES.get(event.role, event.role),
                "previous_role_label": labels.ROLES.get(event.previous_role, event.previous_role),
            }
            link = links.members(event.organisation_id)
        case Kind.MEMBERSHIP_REVOKED:
            link = links.notifications()
        case _:
            pass
    ctx["letter_url"] = letter_url
    ctx["action_url"] = link
    ctx["action_label"] = ACTION_LABELS.get(kind, "Ouvrir sur Passerelle")
    return Content(
        context=ctx, link=link, contract_id=contract_id, organisation_id=organisation_id, letter_url=letter_url
    )


def for_staff(content: Content, case_id: UUID, links: PortalLinks) -> Content:
    """OPCO staff are sent to the case in the back office, not to the parties' contract page."""
    link = links.case(case_id)
    context = content.context | {"action_url": link, "action_label": "Ouvrir le dossier"}
    return Content(
        context=context,
        link=link,
        contract_id=content.contract_id,
        organisation_id=content.organisation_id,
        letter_url=content.letter_url,
        extra=content.extra,
    )


def for_proposal_recipient(content: Content, event: Any, has_account: bool, links: PortalLinks) -> dict[str, Any]:
    """A proposal to an address with no account invites the person to register and find the contract."""
    url = (
        links.login_to_contract(event.contract_id)
        if has_account
        else links.register_for_contract(event.employer_email, event.contract_id)
    )
    return content.context | {
        "has_account": has_account,
        "action_url": url,
        "action_label": "Voir le contrat" if has_account else "Créer mon compte et voir le contrat",
    }


ACTION_LABELS: dict[Kind, str] = {
    Kind.CONTRACT_PROPOSED: "Voir le contrat",
    Kind.ANOMALY_RAISED: "Corriger le contrat",
    Kind.DOCUMENT_RECEIVED: "Voir les documents",
    Kind.MEMBERSHIP_REQUESTED: "Voir la demande",
    Kind.CASE_OPENED: "Ouvrir le dossier",
    Kind.CLOCK_ALERT: "Ouvrir le dossier",
    Kind.CASE_ASSIGNED: "Ouvrir le dossier",
    Kind.MEMBERSHIP_REVOKED: "Mes notifications",
    Kind.INVITATION_RECEIVED: "Mes notifications",
}
