"""The filled CERFA as a PDF laid out like the official form: the République française block, the cerfa box with
the form's number and version, black section bars, labelled boxes, "Fait à ... le ...", the signatures and (for an
apprenticeship) the CFA's visa.

CERFA 10103 (apprentissage, FA13) and 12434 (professionnalisation, EJ20) share the layout; labels and
sections follow each form's wording. Drawn on the platform's PDF sheet (passerelle.libs.pdf) from the
contract's data only.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from passerelle.contracts.domain.codes import DIPLOMAS, ContractType, KindCode
from passerelle.contracts.domain.form import Address, ContractForm
from passerelle.contracts.service_layer.records import ContractRecord
from passerelle.libs.pdf import Sheet


def _forms() -> dict[ContractType, tuple[str, str]]:
    """The form each contract type is printed on (its number with the version, and the model code printed top
    right), from `cerfa_forms.json`, which says where each version number comes from and whether it was checked."""
    raw = json.loads(resources.files(__package__).joinpath("cerfa_forms.json").read_text(encoding="utf-8"))
    return {ContractType(kind): (form["number"], form["model"]) for kind, form in raw["forms"].items()}


FORMS = _forms()

# The kind codes' wording differs between the two forms.
_KIND_LABELS = {
    ContractType.APPRENTICESHIP: {KindCode.FIRST: "Premier contrat de l'apprenti"},
    ContractType.PROFESSIONALISATION: {KindCode.FIRST: "Premier contrat de professionnalisation"},
}


def _kind(code: KindCode | None, contract_type: ContractType) -> str:
    if code is None:
        return ""
    return f"{code.value} – {_KIND_LABELS[contract_type].get(code, code.label)}"


def _experience(years: int | None, months: int | None) -> str:
    if years is None and not months:
        return ""
    parts = [f"{years or 0} an{'s' if (years or 0) > 1 else ''}"]
    if months:
        parts.append(f"{months} mois")
    return " et ".join(parts)


def _address(address: Address | None) -> str:
    if address is None:
        return ""
    street = " ".join(p for p in (address.number, address.street) if p)
    town = " ".join(p for p in (address.postcode, address.city) if p)
    return ", ".join(p for p in (street, address.complement, town) if p)


def _birth_place(born_abroad: bool | None) -> str:
    if born_abroad is None:
        return ""
    return "À l'étranger" if born_abroad else "En France"


def _diploma(code: str | None) -> str:
    if not code:
        return ""
    diploma = DIPLOMAS.get(code)
    return f"{code} – {diploma.label}" if diploma else code


def render_cerfa(record: ContractRecord) -> bytes:
    contract = record.contract
    form = contract.form
    apprenticeship = contract.type == ContractType.APPRENTICESHIP
    number, model = FORMS[contract.type]
    title = "CONTRAT D'APPRENTISSAGE" if apprenticeship else "CONTRAT DE PROFESSIONNALISATION"
    sheet = Sheet(
        title=f"Cerfa n° {number} – {title.capitalize()}",
        subject=f"Contrat {contract.id}, révision {contract.revision}",
        footer=(
            f"Cerfa n° {number} – modèle {model} – contrat {contract.id} – révision {contract.revision} – "
            f"{contract.status.label}"
        ),
    )
    subtitle = (
        "(Code du travail – Articles L6211-1 et suivants, L6221-1 et suivants)"
        if apprenticeship
        else "(Code du travail – Articles L6325-1 à L6325-24)"
    )
    sheet.header(number, model, title, subtitle, ministry="Ministère chargé du travail")
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
    return sheet.finish()


def _employer(sheet: Sheet, form: ContractForm, apprenticeship: bool) -> None:
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


def _employee(sheet: Sheet, form: ContractForm, apprenticeship: bool) -> None:
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
        ("Né(e) en France ou à l'étranger", _birth_place(s.born_abroad)),
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


def _tutors(sheet: Sheet, form: ContractForm, apprenticeship: bool) -> None:
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


def _contract(sheet: Sheet, form: ContractForm, apprenticeship: bool) -> None:
    t = form.contract
    sheet.section("Le contrat")
    items: list[tuple[str, Any]] = [
        (
            "Type de contrat ou d'avenant",
            _kind(t.kind_code, ContractType.APPRENTICESHIP if apprenticeship else ContractType.PROFESSIONALISATION),
        ),
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


def _training(sheet: Sheet, form: ContractForm, apprenticeship: bool) -> None:
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


def _attestations(sheet: Sheet, form: ContractForm, apprenticeship: bool) -> None:
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


def _cfa_visa(sheet: Sheet, form: ContractForm) -> None:
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
