"""The filled CERFA as a PDF laid out like the official form: the République française block, the cerfa box with
the form's number and version, black section bars, labelled boxes, "Fait à ... le ...", signatures and (for an
apprenticeship) the CFA's visa.

CERFA 10103 (apprentissage, FA13) and 12434 (professionnalisation, EJ20) share the layout; labels and
sections follow each form's wording. Drawn with reportlab from the contract's data only. Labels are never cut:
a long label is set smaller, then on two lines.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from passerelle.contracts.domain.codes import DIPLOMAS, ContractType, KindCode
from passerelle.contracts.domain.form import Address, ContractForm
from passerelle.contracts.service_layer.records import ContractRecord

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
LABEL_SIZE, VALUE_SIZE = 6.5, 8.5
BOX_H = 6.2 * mm
LABEL_H = 3.2 * mm
BAR_H = 5.5 * mm
FORM_BLUE = colors.HexColor("#000091")
LABEL_MIN_SIZE = 5.2

# The form each contract type is printed on: number with its version (n° 10103*14 is the FA13 in force since
# 2025 per the Centre Inffo's sheet of January 2026), and the model code printed in the top right corner.
FORMS = {
    ContractType.APPRENTICESHIP: ("10103*14", "FA13"),
    ContractType.PROFESSIONALISATION: ("12434*04", "EJ20"),
}

# The kind codes' wording differs between the two forms.
_PRO_KIND_LABELS = {KindCode.FIRST: "Premier contrat de professionnalisation"}
_APPRENTICESHIP_KIND_LABELS = {KindCode.FIRST: "Premier contrat de l'apprenti"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        if not label or label == value.value:
            return str(value.value)
        # Numeric CERFA codes are printed with their label; word codes (private, cdd) by their label only.
        return f"{value.value} – {label}" if str(value.value)[:1].isdigit() else label
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") if value != value.to_integral() else f"{value:.0f}"
    return str(value)


def _address(address: Address | None) -> str:
    if address is None:
        return ""
    street = " ".join(p for p in (address.number, address.street) if p)
    town = " ".join(p for p in (address.postcode, address.city) if p)
    return ", ".join(p for p in (street, address.complement, town) if p)


def _diploma(code: str | None) -> str:
    if not code:
        return ""
    diploma = DIPLOMAS.get(code)
    return f"{code} – {diploma.label}" if diploma else code


def _kind(code: KindCode | None, apprenticeship: bool) -> str:
    if code is None:
        return ""
    labels = _APPRENTICESHIP_KIND_LABELS if apprenticeship else _PRO_KIND_LABELS
    return f"{code.value} – {labels.get(code, code.label)}"


def _experience(years: int | None, months: int | None) -> str:
    if years is None and not months:
        return ""
    parts = [f"{years or 0} an{'s' if (years or 0) > 1 else ''}"]
    if months:
        parts.append(f"{months} mois")
    return " et ".join(parts)


def _label_lines(text: str, width: float) -> tuple[float, list[str]]:
    """A label at the largest size (down to LABEL_MIN_SIZE) that fits, then on two lines: never cut."""
    size = LABEL_SIZE
    while size > LABEL_MIN_SIZE and stringWidth(text, FONT, size) > width:
        size -= 0.3
    if stringWidth(text, FONT, size) <= width:
        return size, [text]
    words = text.split()
    first: list[str] = []
    for index, word in enumerate(words):
        if stringWidth(" ".join([*first, word]), FONT, size) > width and first:
            return size, [" ".join(first), " ".join(words[index:])]
        first.append(word)
    return size, [text]


def _fit(text: str, width: float, size: float, font: str = FONT) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Sheet:
    """A cursor over A4 pages that draws the official form's elements and breaks pages as needed."""

    def __init__(self, canvas: Canvas, footer: str) -> None:
        self.c = canvas
        self.footer = footer
        self.page = 1
        self.y = PAGE_H - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 8 * mm:
            self._footer()
            self.c.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN

    def _footer(self) -> None:
        self.c.setFont(FONT, 6.5)
        self.c.setFillColor(colors.black)
        self.c.drawString(MARGIN, MARGIN - 2 * mm, self.footer)
        self.c.drawRightString(PAGE_W - MARGIN, MARGIN - 2 * mm, f"Page {self.page}")

    def finish(self) -> None:
        self._footer()

    def header(self, number: str, model: str, title: str, subtitle: str) -> None:
        c = self.c
        top = self.y
        # The République française block (the State's mark: name and motto).
        c.setFillColor(colors.black)
        c.setFont(BOLD, 8.5)
        c.drawString(MARGIN, top - 4 * mm, "RÉPUBLIQUE")
        c.drawString(MARGIN, top - 7.5 * mm, "FRANÇAISE")
        c.setFont("Helvetica-Oblique", 6.5)
        for index, word in enumerate(("Liberté", "Égalité", "Fraternité")):
            c.drawString(MARGIN, top - (11 + index * 2.8) * mm, word)
        # The cerfa box with the form's number and version.
        box_x = MARGIN + 27 * mm
        c.setLineWidth(1)
        c.rect(box_x, top - 18 * mm, 28 * mm, 18 * mm)
        c.setFont(BOLD, 15)
        c.drawCentredString(box_x + 14 * mm, top - 9 * mm, "cerfa")
        c.setFont(FONT, 7)
        c.drawCentredString(box_x + 14 * mm, top - 14 * mm, f"N° {number}")
        centre = (box_x + 28 * mm + PAGE_W - MARGIN) / 2
        c.setFont(BOLD, 13)
        c.drawCentredString(centre, top - 8 * mm, title)
        c.setFont(FONT, 7.5)
        c.drawCentredString(centre, top - 13 * mm, subtitle)
        c.setFont(BOLD, 7)
        c.drawRightString(PAGE_W - MARGIN, top - 4 * mm, model)
        c.setFont(FONT, 6)
        c.drawRightString(PAGE_W - MARGIN, top - 17 * mm, "Ministère chargé du travail")
        self.y = top - 22 * mm

    def notice(self, lines: Sequence[str]) -> None:
        self.need(len(lines) * 3.4 * mm + 2 * mm)
        self.c.setFont(FONT, 6.5)
        for line in lines:
            self.c.drawString(MARGIN, self.y - 2.6 * mm, line)
            self.y -= 3.4 * mm
        self.y -= 1.5 * mm

    def section(self, title: str) -> None:
        # Never a bar alone at the bottom of a page: keep room for a subtitle and a row of boxes under it.
        self.need(BAR_H + 5 * mm + LABEL_H + BOX_H + 4 * mm)
        c = self.c
        c.setFillColor(colors.black)
        c.rect(MARGIN, self.y - BAR_H, CONTENT_W, BAR_H, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(BOLD, 8.5)
        c.drawString(MARGIN + 2 * mm, self.y - BAR_H + 1.7 * mm, title.upper())
        c.setFillColor(colors.black)
        self.y -= BAR_H + 1.5 * mm

    def subtitle(self, text: str) -> None:
        self.need(5 * mm + LABEL_H + BOX_H)
        self.c.setFont(BOLD, 7.5)
        self.c.drawString(MARGIN, self.y - 3.2 * mm, text)
        self.y -= 5 * mm

    def fields(self, items: Sequence[tuple[str, Any]], columns: int = 2) -> None:
        """Labelled boxes, `columns` per row; a value's width follows its column."""
        gap = 3 * mm
        width = (CONTENT_W - gap * (columns - 1)) / columns
        for start in range(0, len(items), columns):
            row = items[start : start + columns]
            self.need(LABEL_H + BOX_H + 1.5 * mm)
            for index, (label, value) in enumerate(row):
                x = MARGIN + index * (width + gap)
                self._field(x, width, label, value)
            self.y -= LABEL_H + BOX_H + 1.5 * mm

    def _field(self, x: float, width: float, label: str, value: Any) -> None:
        c = self.c
        c.setFillColor(colors.black)
        size, lines = _label_lines(label, width)
        c.setFont(FONT, size)
        if len(lines) == 1:
            c.drawString(x, self.y - LABEL_H + 0.8 * mm, lines[0])
        else:
            c.drawString(x, self.y - LABEL_H + 2.4 * mm, lines[0])
            c.drawString(x, self.y - LABEL_H + 0.4 * mm, lines[1])
        box_top = self.y - LABEL_H
        c.setStrokeColor(colors.HexColor("#555555"))
        c.setLineWidth(0.5)
        c.rect(x, box_top - BOX_H, width, BOX_H)
        text = _text(value)
        size = VALUE_SIZE
        while size > 6 and stringWidth(text, FONT, size) > width - 3 * mm:
            size -= 0.5
        c.setFont(FONT, size)
        c.setFillColor(FORM_BLUE)
        if stringWidth(text, FONT, size) <= width - 3 * mm:
            c.drawString(x + 1.5 * mm, box_top - BOX_H + 2 * mm, text)
        else:
            # Too long for one line even small: two lines in the box rather than a cut value.
            lines = _wrap(text, width - 3 * mm, size)
            c.drawString(x + 1.5 * mm, box_top - 2.5 * mm, lines[0])
            c.drawString(x + 1.5 * mm, box_top - 5 * mm, _fit(" ".join(lines[1:]), width - 3 * mm, size))
        c.setFillColor(colors.black)
        c.setStrokeColor(colors.black)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        scale = CONTENT_W / sum(widths)
        widths = [w * scale for w in widths]
        row_h = 5 * mm
        self.need(row_h * 2)
        c = self.c

        def draw(cells: Sequence[Any], bold: bool) -> None:
            x = MARGIN
            c.setFont(BOLD if bold else FONT, 7)
            c.setFillColor(colors.black if bold else FORM_BLUE)
            for cell, width in zip(cells, widths, strict=True):
                c.setStrokeColor(colors.HexColor("#555555"))
                c.rect(x, self.y - row_h, width, row_h)
                text = _text(cell)
                c.drawString(x + 1.2 * mm, self.y - row_h + 1.6 * mm, _fit(text, width - 2.4 * mm, 7))
                x += width
            c.setFillColor(colors.black)
            self.y -= row_h

        draw(headers, True)
        for row in rows:
            self.need(row_h)
            draw(row, False)
        self.y -= 2 * mm

    def checkbox(self, checked: bool | None, label: str) -> None:
        lines = _wrap(label, CONTENT_W - 5 * mm, 7)
        self.need(5 * mm + 3.2 * mm * (len(lines) - 1))
        c = self.c
        c.rect(MARGIN, self.y - 3.6 * mm, 3 * mm, 3 * mm)
        if checked:
            c.setFillColor(FORM_BLUE)
            c.setFont(BOLD, 8)
            c.drawString(MARGIN + 0.6 * mm, self.y - 3.1 * mm, "X")
            c.setFillColor(colors.black)
        c.setFont(FONT, 7)
        for index, line in enumerate(lines):
            c.drawString(MARGIN + 5 * mm, self.y - 3.2 * mm - index * 3.2 * mm, line)
        self.y -= 5 * mm + 3.2 * mm * (len(lines) - 1)

    def signatures(self, labels: Sequence[str]) -> None:
        height = 22 * mm
        self.need(height + 2 * mm)
        width = (CONTENT_W - 3 * mm * (len(labels) - 1)) / len(labels)
        for index, label in enumerate(labels):
            x = MARGIN + index * (width + 3 * mm)
            self.c.rect(x, self.y - height, width, height)
            self.c.setFont(FONT, 6.5)
            for row, line in enumerate(_wrap(label, width - 3 * mm, 6.5)):
                self.c.drawString(x + 1.5 * mm, self.y - (3.5 + row * 2.8) * mm, line)
        self.y -= height + 2 * mm


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most `width` at `size`, cut between words."""
    lines: list[str] = []
    current: list[str] = []
    for word in text.split():
        if current and stringWidth(" ".join([*current, word]), FONT, size) > width:
            lines.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines or [""]


def render_cerfa(record: ContractRecord) -> bytes:
    contract = record.contract
    form = contract.form
    apprenticeship = contract.type == ContractType.APPRENTICESHIP
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    number, model = FORMS[ContractType.APPRENTICESHIP if apprenticeship else ContractType.PROFESSIONALISATION]
    title = "CONTRAT D'APPRENTISSAGE" if apprenticeship else "CONTRAT DE PROFESSIONNALISATION"
    canvas.setTitle(f"Cerfa n° {number} – {title.capitalize()}")
    canvas.setAuthor("Passerelle")
    canvas.setSubject(f"Contrat {contract.id}, révision {contract.revision}")
    sheet = _Sheet(
        canvas,
        f"Cerfa n° {number} – modèle {model} – contrat {contract.id} – révision {contract.revision} – "
        f"{contract.status.label}",
    )
    subtitle = (
        "(Code du travail – Articles L6211-1 et suivants, L6221-1 et suivants)"
        if apprenticeship
        else "(Code du travail – Articles L6325-1 à L6325-24)"
    )
    sheet.header(number, model, title, subtitle)
    sheet.notice(
        [
            "Mode contractuel de l'apprentissage" if apprenticeship else "Contrat de travail de type particulier",
            "Les informations demandées sont nécessaires au dépôt du contrat auprès de l'opérateur de compétences.",
        ]
    )
    _employer(sheet, form, apprenticeship)
    _employee(sheet, form, apprenticeship)
    _tutors(sheet, form, apprenticeship)
    _contract(sheet, form, apprenticeship)
    _training(sheet, form, apprenticeship)
    _attestations(sheet, form, apprenticeship)
    if apprenticeship:
        _cfa_visa(sheet, form)
    sheet.section("Cadre réservé à l'organisme en charge du dépôt du contrat")
    sheet.fields(
        [
            ("Opérateur de compétences (OPCO)", record.opco_code),
            ("N° de dossier", contract.opco_file_number),
            ("Date de transmission", record.transmitted_at.date() if record.transmitted_at else None),
            ("Révision / avenant", f"{contract.revision} / {contract.amendment_number}"),
        ]
    )
    sheet.finish()
    canvas.save()
    return buffer.getvalue()


def _employer(sheet: _Sheet, form: ContractForm, apprenticeship: bool) -> None:
    e = form.employer
    sheet.section("L'employeur")
    sheet.fields(
        [
            ("Employeur privé ou public", form.introduction.employer_sector),
            ("N° SIRET de l'établissement d'exécution du contrat", e.siret),
            ("Nom et prénom ou dénomination", e.name),
            ("Adresse de l'établissement d'exécution du contrat", _address(e.address)),
            ("Téléphone", e.phone),
            ("Courriel", e.email),
            ("Type d'employeur", e.employer_type),
            ("Employeur spécifique", e.specific_employer),
            ("Code activité de l'entreprise (NAF)", e.naf_code),
            ("Effectif total salariés de l'entreprise", e.headcount),
            ("Code IDCC de la convention collective applicable", e.idcc),
            ("Libellé de la convention collective", e.idcc_label),
            (
                "Caisse de retraite complémentaire" if apprenticeship else "Organisme de prévoyance",
                e.supplementary_pension_fund if apprenticeship else e.provident_fund,
            ),
        ]
    )


def _employee(sheet: _Sheet, form: ContractForm, apprenticeship: bool) -> None:
    s = form.employee
    sheet.section("L'apprenti(e)" if apprenticeship else "Le salarié")
    items: list[tuple[str, Any]] = [
        ("Nom de naissance", s.birth_name),
        ("Nom d'usage", s.usage_name),
        ("Prénom", s.first_name),
        ("NIR (numéro de sécurité sociale)", s.nir),
        ("Date de naissance", s.birth_date),
        ("Sexe", s.sex),
        ("Commune de naissance", s.birth_city),
        ("Département de naissance", s.birth_department),
        (
            "Né(e) en France ou à l'étranger",
            None if s.born_abroad is None else ("À l'étranger" if s.born_abroad else "En France"),
        ),
        ("Nationalité", s.nationality),
        ("Régime social", s.social_regime),
        ("Adresse", _address(s.address)),
        ("Téléphone / courriel", " – ".join(v for v in (s.phone, s.email) if v)),
        ("Déclare être reconnu(e) travailleur handicapé (RQTH)", s.disabled_worker),
        ("Situation avant ce contrat", s.situation_before_contract),
        ("Dernière classe / année suivie", s.last_class),
        ("Diplôme ou titre le plus élevé obtenu", _diploma(s.highest_diploma)),
    ]
    if apprenticeship:
        items += [
            ("Sportif de haut niveau", s.high_level_athlete),
            ("Projet de création ou de reprise d'entreprise", s.business_project),
            ("Dernier diplôme ou titre préparé", _diploma(s.last_diploma_prepared)),
            ("Intitulé précis du dernier diplôme ou titre préparé", s.last_diploma_prepared_title),
        ]
    else:
        items += [
            ("Inscrit(e) comme demandeur d'emploi", s.job_seeker_registered),
            ("Identifiant demandeur d'emploi", s.job_seeker_id),
            ("Durée d'inscription (mois)", s.job_seeker_registration_months),
            ("Bénéficiaire d'un minimum social", s.social_benefit),
            ("Autre situation", s.public_category),
        ]
    sheet.fields(items)
    if s.legal_representative is not None:
        r = s.legal_representative
        sheet.subtitle("Représentant légal (apprenti mineur non émancipé)")
        sheet.fields(
            [
                ("Nom et prénom", " ".join(v for v in (r.last_name, r.first_name) if v)),
                ("Lien avec l'apprenti", r.relationship),
                ("Adresse", _address(r.address)),
                ("Téléphone / courriel", " – ".join(v for v in (r.phone, r.email) if v)),
            ]
        )


def _tutors(sheet: _Sheet, form: ContractForm, apprenticeship: bool) -> None:
    sheet.section("Le maître d'apprentissage" if apprenticeship else "Le tuteur")
    tutors = form.tutors or []
    if not tutors:
        sheet.fields([("Nom de naissance", None), ("Prénom", None)])
    for index, t in enumerate(tutors, start=1):
        sheet.subtitle(f"{'Maître d’apprentissage' if apprenticeship else 'Tuteur'} n° {index}")
        sheet.fields(
            [
                ("Nom de naissance", t.last_name),
                ("Prénom", t.first_name),
                ("Date de naissance", t.birth_date),
                ("Emploi occupé", t.job_title),
                ("Diplôme ou titre le plus élevé obtenu", _diploma(t.highest_diploma)),
                ("Intitulé du diplôme ou titre le plus élevé obtenu", t.diploma_title),
                ("Expérience en rapport avec la qualification", _experience(t.experience_years, t.experience_months)),
                ("Courriel", t.email),
                ("Téléphone", t.phone),
            ]
        )
        attested = t.eligibility_attested
        if attested is None and len(tutors) == 1:
            attested = form.tutor_eligibility_attested
        sheet.checkbox(
            attested,
            "L'employeur atteste sur l'honneur que ce "
            + ("maître d'apprentissage" if apprenticeship else "tuteur")
            + " répond à l'ensemble des critères d'éligibilité à cette fonction.",
        )


def _contract(sheet: _Sheet, form: ContractForm, apprenticeship: bool) -> None:
    t = form.contract
    sheet.section("Le contrat")
    items: list[tuple[str, Any]] = [
        ("Type de contrat ou d'avenant", _kind(t.kind_code, apprenticeship)),
        ("Type de dérogation", t.derogation_code),
        ("Numéro du contrat précédent ou du contrat sur lequel porte l'avenant", t.previous_contract_number),
        ("Nature du contrat", t.employment_form),
        ("Date de conclusion (signature)", t.signature_date),
        ("Date de début d'exécution du contrat", t.start_date),
        (
            "Date de fin du contrat ou de la période d'apprentissage"
            if apprenticeship
            else "Date de fin du contrat ou de l'action de professionnalisation",
            t.end_date,
        ),
        ("Date d'effet de l'avenant", t.amendment_effective_date),
        ("Durée hebdomadaire du travail (heures)", t.weekly_hours),
        ("Travail sur machines dangereuses ou exposition à des risques", t.dangerous_work),
    ]
    if apprenticeship:
        items.insert(6, ("Date de début de la formation pratique chez l'employeur", t.practical_training_start_date))
    else:
        items += [
            ("Emploi occupé pendant le contrat", t.job_title),
            ("Classification et coefficient", t.classification),
        ]
    items += [
        ("Salaire minimum conventionnel (SMC) mensuel brut", t.branch_minimum_salary),
        ("Salaire brut mensuel à l'embauche (€)", t.hiring_salary),
    ]
    sheet.fields(items)
    schedule = t.pay_schedule or []
    if schedule:
        sheet.subtitle("Rémunération")
        sheet.table(
            ["Année", "Du", "Au", "Taux (%)", "Base", "Salaire brut mensuel (€)"],
            [[p.year, p.start_date, p.end_date, p.rate_percent, p.base, p.gross_monthly] for p in schedule],
            [1, 2, 2, 1.4, 2.2, 2.4],
        )
    benefits = t.benefits_in_kind
    if benefits is not None:
        sheet.fields(
            [
                ("Avantages en nature : nourriture (€ par repas)", benefits.food_per_meal),
                ("Avantages en nature : logement (€ par mois)", benefits.housing_per_month),
            ]
        )


def _training(sheet: _Sheet, form: ContractForm, apprenticeship: bool) -> None:
    f = form.training
    o = f.organisation
    q = f.qualification
    sheet.section("La formation")
    items: list[tuple[str, Any]] = [
        (
            "Dénomination du CFA ou de l'organisme responsable" if apprenticeship else "Organisme de formation",
            o and o.name,
        ),
        (
            "N° UAI" if apprenticeship else "N° de déclaration d'activité",
            o and (o.uai if apprenticeship else o.activity_declaration_number),
        ),
        ("N° SIRET", o and o.siret),
        ("Adresse", _address(o.address) if o else ""),
    ]
    if apprenticeship:
        items.append(("CFA d'entreprise", o and o.internal_cfa))
    items += [
        ("Diplôme ou titre visé", q and q.title),
        ("Code du diplôme", q and q.diploma_code),
        ("Code RNCP", q and q.rncp_code),
        ("Niveau", q and q.level),
        ("Date de début du cycle de formation", f.start_date),
        ("Date prévue de fin des épreuves ou examens", f.end_date),
        ("Durée de la formation (heures)", f.hours),
    ]
    if not apprenticeship:
        items += [
            ("Nature de la qualification", q and q.kind),
            ("Dont heures en organisme de formation", f.hours_in_organisation),
        ]
    sheet.fields(items)
    if f.main_site_same_as_organisation is False and f.main_site is not None:
        s = f.main_site
        sheet.subtitle("Lieu principal de la formation")
        sheet.fields([("Dénomination", s.name), ("SIRET / UAI", s.siret or s.uai), ("Adresse", _address(s.address))])


def _attestations(sheet: _Sheet, form: ContractForm, apprenticeship: bool) -> None:
    sheet.section("Attestations et signatures")
    sheet.checkbox(
        form.synthesis.employer_attests_supporting_documents,
        "L'employeur atteste disposer de l'ensemble des pièces justificatives nécessaires au dépôt du contrat.",
    )
    sheet.checkbox(
        form.synthesis.employer_attests_accuracy,
        "L'employeur atteste l'exactitude des informations portées sur ce contrat.",
    )
    sheet.fields([("Fait à", form.contract.signature_place), ("Le", form.contract.signature_date)], columns=2)
    labels = ["Signature de l'employeur", "Signature de l'apprenti(e)" if apprenticeship else "Signature du salarié"]
    if apprenticeship and form.employee.legal_representative is not None:
        labels.append("Signature du représentant légal")
    sheet.signatures(labels)


def _cfa_visa(sheet: _Sheet, form: ContractForm) -> None:
    """The frame the CFA fills in by hand: its stamp, its director's signature and the date it received the form."""
    sheet.section("Cadre réservé au CFA")
    organisation = form.training.organisation
    sheet.fields(
        [
            ("Dénomination du CFA", organisation and organisation.name),
            ("N° UAI du CFA", organisation and organisation.uai),
        ]
    )
    sheet.signatures(["Date de réception du dossier complet", "Visa du CFA (cachet et signature du directeur)"])
