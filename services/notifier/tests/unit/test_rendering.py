"""Every kind's template renders French subject, summary, text and HTML, escaped, with its portal links."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from passerelle.notifier.adapters.rendering import TemplateRenderer
from passerelle.notifier.domain.kinds import Kind
from passerelle.notifier.domain.links import PortalLinks
from passerelle.notifier.service_layer import content as contents
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import documents as d
from passerelle.schemas.events import identity as i
from passerelle.schemas.events import opco as o
from passerelle.schemas.events.common import ContractParties

LINKS = PortalLinks("https://portail.example.fr/")
CID, ORG, ACC, CASE, LETTER = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
PARTIES = ContractParties(employer_siret="81208328500013", training_uai="0754321P", opco_code="OPCOMMERCE")
COMMON = {"contract_id": CID, "contract_type": "apprentissage", "parties": PARTIES}


EVENTS = {
    Kind.CONTRACT_PROPOSED: c.ContractProposed(**COMMON, employer_email="recrutement@dupain.example.fr"),
    Kind.CONTRACT_ACCEPTED: c.ContractAccepted(**COMMON),
    Kind.CONTRACT_DECLINED: c.ContractDeclined(**COMMON, reason="Nous avons déjà recruté."),
    Kind.CONTRACT_TRANSMITTED: c.ContractTransmitted(**COMMON, revision=1, form={}, transmitted_at=NOW),
    Kind.ANOMALY_RAISED: o.AnomalyRaised(
        case_id=CASE,
        contract_id=CID,
        revision=1,
        anomalies=[
            o.Anomaly(code="MISSING", kind="missing_document", message="La convention de formation <signée> manque."),
            o.Anomaly(code="NIR", kind="field_error", field="employee.nir", message="Le NIR ne correspond pas."),
        ],
        letter_document_id=LETTER,
        raised_at=NOW,
    ),
    Kind.ANOMALY_RESOLVED: o.AnomalyResolved(case_id=CASE, contract_id=CID, revision=1, codes=["MISSING"]),
    Kind.DOCUMENT_RECEIVED: d.DocumentUploaded(
        document_id=uuid4(),
        contract_id=CID,
        document_type="convention_formation",
        version=1,
        filename="convention.pdf",
        size=10,
        sha256="0" * 64,
        media_type="application/pdf",
        uploaded_at=NOW,
    ),
    Kind.CONTRACT_ENGAGED: o.ContractEngaged(
        case_id=CASE,
        contract_id=CID,
        revision=1,
        opco_file_number="OPC-2026-000123",
        letter_document_id=LETTER,
        engaged_at=NOW,
    ),
    Kind.CONTRACT_REFUSED: o.ContractRefused(
        case_id=CASE, contract_id=CID, revision=1, reason="Le délai légal est dépassé.", refused_at=NOW
    ),
    Kind.CONTRACT_DEPOSITED: o.ContractDeposited(
        case_id=CASE,
        contract_id=CID,
        revision=1,
        opco_file_number="OPC-1",
        deposit_number="DECA-9",
        deposited_at=NOW,
    ),
    Kind.CASE_OPENED: o.CaseOpened(
        case_id=CASE, contract_id=CID, revision=1, opco_code="OPCOMMERCE", decision_due_on=date(2026, 12, 21)
    ),
    Kind.CLOCK_ALERT: o.DeadlineApproached(
        case_id=CASE,
        contract_id=CID,
        revision=1,
        opco_code="OPCOMMERCE",
        due_at=datetime(2026, 12, 20, 23, tzinfo=UTC),
        days_left=3,
        assignee_id=ACC,
        silence="refusal",
    ),
    Kind.CASE_ASSIGNED: o.CaseAssigned(
        case_id=CASE,
        contract_id=CID,
        revision=1,
        opco_code="OPCOMMERCE",
        assignee_id=ACC,
        assignee_name="Camille Instructrice",
        actor_id=uuid4(),
        assigned_at=NOW,
    ),
    Kind.AMENDMENT_REQUESTED: c.AmendmentRequested(**COMMON, revision=2),
    Kind.CONTRACT_TRANSFERRED: c.ContractTransferred(**COMMON, to_account_id=ACC),
    Kind.MEMBERSHIP_REQUESTED: i.MembershipRequested(
        request_id=uuid4(),
        organisation_id=ORG,
        account_id=ACC,
        email="paul@dupain.example.fr",
        full_name="Paul <b>Martin</b>",
        message="Je suis le nouveau gérant.",
    ),
    Kind.INVITATION_RECEIVED: i.InvitationSent(
        invitation_id=uuid4(),
        organisation_id=ORG,
        email="a@b.fr",
        role="contributor",
        invited_by=ACC,
        expires_at=NOW,
    ),
    Kind.MEMBERSHIP_GRANTED: i.MembershipGranted(
        membership_id=uuid4(),
        account_id=ACC,
        email="a@b.fr",
        full_name="A",
        organisation_id=ORG,
        organisation_kind="employer",
        role="admin",
    ),
    Kind.MEMBERSHIP_ROLE_CHANGED: i.MembershipRoleChanged(
        membership_id=uuid4(),
        account_id=ACC,
        organisation_id=ORG,
        previous_role="contributor",
        role="admin",
        changed_by=uuid4(),
    ),
    Kind.MEMBERSHIP_REVOKED: i.MembershipRevoked(membership_id=uuid4(), account_id=ACC, organisation_id=ORG),
}
NAMES = contents.Names(
    employer_name="Boulangerie Dupain",
    training_name="CFA des Métiers",
    organisation_name="Boulangerie Dupain",
    apprentice_name="Léa Petit",
)
renderer = TemplateRenderer()


def render(kind: Kind, **extra):
    content = contents.build(kind, EVENTS[kind], NAMES, LINKS)
    context = content.context
    if kind is Kind.CONTRACT_PROPOSED:
        context = contents.for_proposal_recipient(content, EVENTS[kind], False, LINKS)
    content.context = context
    return content, renderer.render(kind.value, context | {"recipient_name": "Marie Curie"} | extra)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_in_french_with_a_link_back(kind):
    content, rendered = render(kind)
    assert rendered.subject and "{" not in rendered.subject and "\n" not in rendered.subject
    assert rendered.summary
    assert rendered.text.startswith("Bonjour Marie Curie,")
    assert "merci de ne pas y répondre" in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in rendered.html
    assert "https://portail.example.fr/notifications/preferences" in rendered.html
    if kind is not Kind.INVITATION_RECEIVED:
        assert content.context["action_url"] in rendered.text
        assert content.context["action_url"].startswith("https://portail.example.fr/")


def test_the_proposal_to_an_address_without_account_invites_to_register_and_find_the_contract():
    _, rendered = render(Kind.CONTRACT_PROPOSED)
    register = f"https://portail.example.fr/inscription?courriel=recrutement%40dupain.example.fr&contrat={CID}"
    assert register in rendered.text
    assert register.replace("&", "&amp;") in rendered.html
    assert "Envoyé par l'organisme ou le CFA" in rendered.text
    assert "ne transmet rien" in rendered.text
    assert rendered.subject == "CFA des Métiers vous propose un contrat d'apprentissage"


def test_values_are_escaped_in_html_and_plain_in_text():
    _, rendered = render(Kind.MEMBERSHIP_REQUESTED)
    assert "Paul &lt;b&gt;Martin&lt;/b&gt;" in rendered.html and "<b>Martin" not in rendered.html
    assert "Paul <b>Martin</b> (paul@dupain.example.fr)" in rendered.text
    assert rendered.subject == "Paul <b>Martin</b> demande à rejoindre Boulangerie Dupain"


def test_the_anomaly_lists_what_to_fix_and_links_the_letter_without_attaching_it():
    content, rendered = render(Kind.ANOMALY_RAISED)
    letter = f"https://portail.example.fr/contrats/{CID}/documents/{LETTER}"
    assert content.letter_url == letter and letter in rendered.text and letter in rendered.html
    assert (
        "- La convention de formation <signée> manque.\n  Déposez la pièce sur le contrat : l'enregistrer suffit.\n\n"
        "- Le NIR ne correspond pas.\n  Corrigez le contrat"
    ) in rendered.text
    assert "contrat  " not in rendered.text  # no gap where a value is missing
    assert "&lt;signée&gt;" in rendered.html
    assert content.link == f"https://portail.example.fr/contrats/{CID}/documents"


def test_the_engagement_carries_the_file_number_and_the_letter_link():
    content, rendered = render(Kind.CONTRACT_ENGAGED)
    assert "OPC-2026-000123" in rendered.subject and "OPC-2026-000123" in rendered.text
    assert content.letter_url and content.letter_url in rendered.html


def test_the_clock_alert_says_when_the_period_ends_and_what_silence_means():
    content, rendered = render(Kind.CLOCK_ALERT)
    assert "se termine dans 3 jours, le 21/12/2026 : sans décision d'ici là, le silence vaudra refus." in rendered.text
    assert "de Léa Petit se termine dans 3 jours" in rendered.text  # which case, among several alerts
    assert content.link == f"https://portail.example.fr/instruction/dossiers/{CASE}"


def test_the_digest_lists_its_items():
    rendered = renderer.render(
        "digest",
        {
            "items": [
                {"title": "A", "body": "a", "link": "https://x/1"},
                {"title": "B", "body": "b", "link": "https://x/2"},
            ],
            "action_url": "https://x/notifications",
            "action_label": "Voir",
        },
    )
    assert rendered.subject == "Votre récapitulatif Passerelle : 2 notifications"
    assert "https://x/2" in rendered.text and rendered.text.startswith("Bonjour,")


def test_a_declined_proposal_tells_the_training_organisation_why_and_what_next():
    _, rendered = render(Kind.CONTRACT_DECLINED)
    assert "a décliné votre proposition" in rendered.subject
    assert "Motif indiqué : Nous avons déjà recruté." in rendered.text
    assert "proposer à un autre employeur" in rendered.text and "proposer à un autre employeur" in rendered.html


STAFF = [Kind.CONTRACT_TRANSMITTED, Kind.ANOMALY_RESOLVED, Kind.DOCUMENT_RECEIVED]


@pytest.mark.parametrize("kind", STAFF)
def test_staff_are_sent_to_the_case_in_the_back_office(kind):
    content = contents.for_staff(contents.build(kind, EVENTS[kind], NAMES, LINKS), CASE, LINKS)
    rendered = renderer.render(f"staff_{kind.value}", content.context | {"recipient_name": "Inès Roche"})
    case_url = f"https://portail.example.fr/instruction/dossiers/{CASE}"
    assert content.link == case_url and content.contract_id == CID
    assert f"Ouvrir le dossier : {case_url}" in rendered.text and f'href="{case_url}"' in rendered.html
    assert "Léa Petit" in rendered.subject and "Léa Petit" in rendered.summary
    assert rendered.text.startswith("Bonjour Inès Roche,") and "{" not in rendered.subject + rendered.summary


def test_the_staff_wording_says_what_changed_on_the_case():
    transmitted = c.ContractTransmitted(**COMMON, revision=2, form={}, transmitted_at=NOW)
    content = contents.for_staff(contents.build(Kind.CONTRACT_TRANSMITTED, transmitted, NAMES, LINKS), CASE, LINKS)
    rendered = renderer.render("staff_contract_transmitted", content.context)
    assert rendered.subject == "Contrat corrigé transmis : Léa Petit"
    assert "Boulangerie Dupain a transmis la révision 2 du contrat d'apprentissage de Léa Petit" in rendered.summary
    _, resolved = render(Kind.ANOMALY_RESOLVED)
    resolved_content = contents.build(Kind.ANOMALY_RESOLVED, EVENTS[Kind.ANOMALY_RESOLVED], NAMES, LINKS)
    staff = renderer.render("staff_anomaly_resolved", contents.for_staff(resolved_content, CASE, LINKS).context)
    # The OPCO's event carries no contract type (the consumer takes the projection's; none here).
    assert staff.summary.startswith("1 anomalie du contrat de Léa Petit a été levée : la pièce")
    assert staff.summary != resolved.summary
    document = contents.build(Kind.DOCUMENT_RECEIVED, EVENTS[Kind.DOCUMENT_RECEIVED], NAMES, LINKS)
    staff = renderer.render("staff_document_received", contents.for_staff(document, CASE, LINKS).context)
    assert staff.subject == "Pièce reçue sur un dossier : convention de formation (Léa Petit)"
