"""The decision letters as French PDFs: the OPCO's identity, the contract, the decision and its legal basis.

Rendered with reportlab in invariant mode, from the case alone: the same letter gives the same bytes,
which is what lets the letters step find a letter it already stored after a crash.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from passerelle.opco_processing.domain.case import Letter, ReviewCase, value_at
from passerelle.opco_processing.domain.clocks import PARIS
from passerelle.opco_processing.domain.referentials import OpcoIdentity

BLUE = colors.HexColor("#000091")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
TYPE_LABELS = {"apprentissage": "contrat d'apprentissage", "professionnalisation": "contrat de professionnalisation"}
TAB_LABELS = {
    "introduction": "Introduction",
    "employeur": "Employeur",
    "salarie": "Salarié / Apprenti",
    "tuteur": "Tuteur",
    "contrat": "Contrat",
    "formation": "Formation",
    "documents": "Documents",
}
DOCUMENT_LABELS = {
    "convention_formation": "Convention de formation",
    "convention_reduction_duree": "Convention de réduction de durée",
    "convention_mobilite": "Convention de mobilité",
    "cerfa_signe": "CERFA signé",
    "piece_justificative": "Pièce justificative",
    "autre": "Autre pièce",
}


def _day(value: Any) -> str:
    if value is None or value == "":
        return "—"
    from datetime import date, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _money(amount: str | None) -> str:
    if not amount:
        return "—"
    units, _, cents = f"{float(amount):,.2f}".partition(".")
    return f"{units.replace(',', ' ')},{cents} €"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


_INDEX = re.compile(r"\[(\d+)\]")


def field_name(path: str | None, labels: Mapping[str, str]) -> str:
    """How a letter names a field: « its label » on the form (with the tutor's rank for `tutors[1].…`), the
    path only when the registry does not know it."""
    if not path:
        return "champ non précisé"
    ranks = [int(i) + 1 for i in _INDEX.findall(path)]
    label = labels.get(_INDEX.sub("[]", path))
    if label is None:
        return f"champ {path}"
    if path.startswith("tutors[") and ranks:
        return f"« {label} » (tuteur {ranks[0]})"
    return f"« {label} »"


class LetterRenderer:
    def __init__(self) -> None:
        base = getSampleStyleSheet()
        self.body = ParagraphStyle("body", parent=base["Normal"], fontName="Helvetica", fontSize=10, leading=14)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10, textColor=colors.grey)
        self.bold = ParagraphStyle("bold", parent=self.body, fontName="Helvetica-Bold")
        self.title = ParagraphStyle(
            "title",
            parent=self.body,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=16,
            textColor=BLUE,
            spaceBefore=6,
            spaceAfter=6,
        )
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9, leading=11)

    def render(
        self, case: ReviewCase, letter: Letter, opco: OpcoIdentity, field_labels: Mapping[str, str] | None = None
    ) -> bytes:
        """The letter's PDF; an anomaly letter names each field to correct by its label on the form
        (`field_labels`: path → French label, the contracts service's field registry)."""
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=self._subject(case, letter),
            author=opco.name,
            subject=f"Dossier {case.id}",
            invariant=1,
        )
        revision = next((r for r in case.revisions if r.number == letter.revision), case.current_revision)
        form = revision.form
        story: list[Any] = []
        story += self._head(case, letter, opco, form)
        story.append(_p(f"Objet : {self._subject(case, letter)}", self.title))
        story.append(self._references(case, letter, revision))
        story.append(Spacer(1, 4 * mm))
        story.append(self._contract_table(case, form))
        story.append(Spacer(1, 5 * mm))
        if letter.kind == "anomaly":
            story += self._anomaly(case, letter, field_labels or {})
        else:
            story += getattr(self, f"_{letter.kind}")(case, letter)
        story.append(Spacer(1, 6 * mm))
        story.append(_p(f"Pour {opco.name}, le service instruction des contrats en alternance.", self.body))
        story.append(Spacer(1, 8 * mm))
        story.append(
            _p(
                f"Courrier établi par {opco.name} au moyen de Passerelle. "
                f"Dossier {case.id}, révision {letter.revision}. "
                "Il est joint au contrat et consultable dans son onglet Documents par l'employeur et l'organisme de "
                "formation.",
                self.small,
            )
        )
        doc.build(story)
        return buffer.getvalue()

    def _subject(self, case: ReviewCase, letter: Letter) -> str:
        kind = TYPE_LABELS.get(case.contract_type, "contrat")
        decision = next((d for d in case.decisions if d.letter_id == letter.id), None)
        return {
            "agreement": f"{kind} — accord de prise en charge"
            + (" (acceptation implicite)" if decision and decision.kind == "implicit_acceptance" else ""),
            "anomaly": f"{kind} — demande de correction ou de pièces (anomalies)",
            "refusal": f"{kind} — refus de prise en charge"
            + (" (refus implicite)" if decision and decision.kind == "implicit_refusal" else ""),
        }[letter.kind].capitalize()

    def _head(self, case: ReviewCase, letter: Letter, opco: OpcoIdentity, form: dict[str, Any]) -> list[Any]:
        sender = Paragraph(
            f"<b><font color='#000091' size='13'>{escape(opco.name)}</font></b><br/>"
            "Opérateur de compétences<br/>Service instruction des contrats en alternance<br/>"
            f"{escape(opco.city)}",
            self.body,
        )
        address = value_at(form, "employer.address") or {}
        lines = [
            value_at(form, "employer.name") or "L'employeur",
            " ".join(str(x) for x in (address.get("number"), address.get("street")) if x),
            " ".join(str(x) for x in (address.get("postcode"), address.get("city")) if x),
        ]
        recipient = Paragraph("<br/>".join(escape(x) for x in lines if x), self.body)
        head = Table([[sender, recipient]], colWidths=[95 * mm, 75 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        training = value_at(form, "training.organisation.name")
        out: list[Any] = [
            head,
            Spacer(1, 6 * mm),
            _p(f"{opco.city or 'Paris'}, le {_day(letter.created_at)}", self.right),
        ]
        if training:
            out.append(_p(f"Copie : {training} (organisme de formation)", self.small))
        return out

    def _references(self, case: ReviewCase, letter: Letter, revision: Any) -> Table:
        rows = [
            [
                "N° de dossier OPCO",
                case.file_number or ("sans objet" if letter.kind == "refusal" else "attribué à l'engagement"),
            ],
            ["Contrat", f"{case.contract_id} (révision {letter.revision})"],
            ["Reçu le", _day(revision.transmitted_at)],
        ]
        table = Table([[_p(a, self.cell), _p(b, self.cell)] for a, b in rows], colWidths=[45 * mm, 125 * mm])
        table.setStyle(TableStyle([("TEXTCOLOR", (0, 0), (0, -1), colors.grey)]))
        return table

    def _contract_table(self, case: ReviewCase, form: dict[str, Any]) -> Table:
        employee = " ".join(
            x
            for x in (
                value_at(form, "employee.first_name"),
                value_at(form, "employee.usage_name") or value_at(form, "employee.birth_name"),
            )
            if x
        )
        who = "Apprenti(e)" if case.contract_type == "apprentissage" else "Salarié(e)"
        org = value_at(form, "training.organisation") or {}
        rows = [
            [
                "Employeur",
                f"{value_at(form, 'employer.name') or '—'} — SIRET {value_at(form, 'employer.siret') or '—'}",
            ],
            [who, f"{employee or '—'}, né(e) le {_day(value_at(form, 'employee.birth_date'))}"],
            [
                "Qualification",
                f"{value_at(form, 'training.qualification.title') or '—'} "
                f"({value_at(form, 'training.qualification.rncp_code') or 'sans code RNCP'})",
            ],
            [
                "Organisme de formation",
                f"{org.get('name') or '—'} — UAI {org.get('uai') or '—'}, SIRET {org.get('siret') or '—'}",
            ],
            [
                "Durée du contrat",
                f"du {_day(value_at(form, 'contract.start_date'))} au {_day(value_at(form, 'contract.end_date'))}",
            ],
        ]
        table = Table([[_p(a, self.bold), _p(b, self.cell)] for a, b in rows], colWidths=[45 * mm, 125 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f8")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8c8d8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return table

    def _decision(self, case: ReviewCase, letter: Letter) -> Any:
        return next((d for d in case.decisions if d.letter_id == letter.id), None)

    def _agreement(self, case: ReviewCase, letter: Letter) -> list[Any]:
        decision = self._decision(case, letter)
        funding = case.funding or {}
        implicit = decision is not None and decision.kind == "implicit_acceptance"
        opening = (
            "Faute de décision dans le délai légal, la prise en charge de ce contrat est réputée acceptée et le "
            "contrat déposé."
            if implicit
            else "Après instruction, nous vous informons que ce contrat est conforme : sa prise en charge est engagée."
        )
        out = [_p("Madame, Monsieur,", self.body), Spacer(1, 2 * mm), _p(opening, self.body), Spacer(1, 2 * mm)]
        out.append(_p(f"Numéro de dossier attribué : {case.file_number}", self.bold))
        if funding.get("basis") == "npec":
            detail = (
                f"Niveau de prise en charge (NPEC) de {_money(funding.get('yearly_amount'))} par an, "
                f"proratisé sur {funding.get('days')} jours de contrat."
            )
        elif funding.get("basis") == "hourly":
            detail = f"Forfait de {_money(funding.get('hourly_rate'))} par heure pour {funding.get('hours')} heures."
        else:
            detail = "Montant déterminé selon les règles de prise en charge de la branche."
        out.append(_p(f"Montant de la prise en charge : {_money(funding.get('amount'))}. {detail}", self.body))
        out.append(Spacer(1, 2 * mm))
        out.append(_p(f"Fondement : {decision.legal_basis if decision else ''}", self.small))
        out.append(
            _p(
                "Le contrat sera déposé auprès des services du ministère chargé de la formation "
                "professionnelle (DECA).",
                self.body,
            )
        )
        return out

    def _anomaly(self, case: ReviewCase, letter: Letter, field_labels: Mapping[str, str]) -> list[Any]:
        decision = self._decision(case, letter)
        items = [
            a
            for a in case.anomalies
            if a.raised_at == (decision.at if decision else a.raised_at) and a.revision == letter.revision
        ]
        out = [
            _p("Madame, Monsieur,", self.body),
            Spacer(1, 2 * mm),
            _p(
                "L'instruction de ce contrat relève les anomalies suivantes. Le dossier ne pourra être engagé "
                "qu'une fois complet et corrigé.",
                self.body,
            ),
            Spacer(1, 3 * mm),
        ]
        rows = [[_p("Anomalie", self.bold), _p("Où", self.bold), _p("Ce qu'il faut faire", self.bold)]]
        for a in items:
            if a.kind.value == "missing_document":
                what = f"Pièce manquante : {DOCUMENT_LABELS.get(a.document_type or '', a.document_type)}"
                where = "Onglet Documents"
                todo = f"{a.reason} Déposez la pièce dans l'onglet Documents : le dossier reprendra de lui-même."
            else:
                what = "Information à corriger"
                where = f"Onglet {TAB_LABELS.get(a.tab or '', a.tab or '—')}, {field_name(a.field, field_labels)}"
                todo = f"{a.reason} Corrigez le contrat puis transmettez-le à nouveau."
            rows.append([_p(what, self.cell), _p(where, self.cell), _p(todo, self.cell)])
        table = Table(rows, colWidths=[45 * mm, 45 * mm, 80 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e3fd")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8c8d8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        out += [table, Spacer(1, 3 * mm)]
        if case.answer_due_on:
            out.append(_p(f"Merci de répondre au plus tard le {_day(case.answer_due_on)}.", self.bold))
        out.append(
            _p(
                "Le délai de décision de vingt jours court à nouveau à compter de la réception du dossier complet.",
                self.body,
            )
        )
        out.append(_p(f"Fondement : {decision.legal_basis if decision else ''}", self.small))
        return out

    def _refusal(self, case: ReviewCase, letter: Letter) -> list[Any]:
        decision = self._decision(case, letter)
        out = [
            _p("Madame, Monsieur,", self.body),
            Spacer(1, 2 * mm),
            _p(
                "Nous vous informons que la prise en charge de ce contrat est refusée, pour le motif suivant :",
                self.body,
            ),
            Spacer(1, 2 * mm),
            _p(decision.reason if decision and decision.reason else "", self.bold),
            Spacer(1, 2 * mm),
            _p(f"Fondement : {decision.legal_basis if decision else ''}", self.small),
            _p(
                "Un contrat dont la prise en charge est refusée n'est pas déposé. Cette décision est notifiée à "
                "l'employeur, à l'apprenti ou au salarié et à l'organisme de formation. Pour toute question, ou "
                "pour la contester, écrivez au service instruction en rappelant la référence du contrat.",
                self.body,
            ),
        ]
        return out
