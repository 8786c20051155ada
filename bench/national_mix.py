"""The national September mix: complete contracts of both types, drawn from realistic distributions.

About 90 % apprenticeship (CERFA 10103), 10 % professionalisation (12434). Employers are drawn from the offline
establishment referential, weighted like the branches' share of apprenticeship (craft food trades, retail,
hotels and restaurants, building, services...), so the contracts reach several OPCOs by their IDCC. Apprentices'
ages follow the national distribution (most 16-20, a tail to 25; professionalisation mostly 21-30), start dates
cluster on the first days of September with a tail from late August to mid-October, and a share of the
apprenticeships is trained by a CFA whose quality certification (Qualiopi) has lapsed: opco-processing's checks
fail on those, and their reviewers raise an anomaly.

Every form is the project's complete sample with these draws applied (dates shifted together, the NIR rebuilt
for the new birth date, the declared pay set to the legal minimum for the new age): valid for transmission.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

from passerelle.contracts.testing.samples import (
    complete_apprenticeship_form,
    complete_professionalisation_form,
    with_declared_minimum_pay,
)

# (SIRET, weight): private employers of the offline referential, weighted by their branch's share.
APPRENTICESHIP_EMPLOYERS = [
    ("81208328500013", 14),  # boulangerie (0843, OPCO EP)
    ("81208328500021", 6),  # boulangerie, second establishment
    ("79016259800011", 9),  # coiffure (2596, OPCO EP)
    ("53344309900015", 10),  # brasserie (1979, AKTO)
    ("61213567300046", 6),  # hôtel (1979, AKTO)
    ("35168819701214", 12),  # supermarché (2216, L'Opcommerce)
    ("43935504100021", 8),  # garage (1090, OPCO Mobilités)
    ("52054446100012", 7),  # électricité (1597, Constructys)
    ("82869977700011", 5),  # plomberie (1597, Constructys)
    ("40235510100013", 5),  # pharmacie (1996)
    ("84186164400018", 4),  # fleuriste (1978)
    ("31821189300025", 5),  # expertise comptable (0787, Atlas)
    ("55285046300076", 5),  # mécanique (3248, OPCO 2i)
    ("38906667100055", 4),  # transports (0016, OPCO Mobilités)
]
PROFESSIONALISATION_EMPLOYERS = [
    ("48256477000030", 6),  # ESN (1486, Atlas)
    ("35168819701214", 3),
    ("31821189300025", 2),
    ("38906667100055", 2),
]
# Apprentices' age at the start (years, weight): the DARES distribution's shape.
APPRENTICE_AGES = [(16, 12), (17, 17), (18, 18), (19, 15), (20, 12), (21, 9), (22, 7), (23, 5), (24, 3), (25, 2)]
# (Professionalisation of the young public, 16-25; older job seekers' contracts need their situation declared.)
PRO_AGES = [(20, 6), (21, 10), (22, 14), (23, 16), (24, 15), (25, 12)]
# Share of apprenticeships trained by the CFA whose Qualiopi certification lapsed (their checks fail).
LAPSED_CFA_SHARE = 0.08
LAPSED_CFA = {
    "siret": "78006895300030",
    "uai": "0691234S",
    "name": "CFA du Bâtiment Rhône",
    "address": {"number": "60", "street": "avenue Jean Jaurès", "postcode": "69007", "city": "Lyon"},
    "internal_cfa": False,
    "email": "apprentissage@cfa-btp-rhone.example.fr",
    "phone": "04 78 00 45 45",
}


@dataclass(frozen=True)
class Draw:
    contract_type: str
    employer_siret: str
    training_uai: str | None
    training_siret: str
    form: dict[str, Any]
    expect_anomaly: bool


def _weighted(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _start_date(rng: random.Random, year: int) -> date:
    # Most on the first working days of September; a tail from late August to mid-October.
    roll = rng.random()
    if roll < 0.6:
        day = date(year, 9, 1) + timedelta(days=rng.randint(0, 6))
    elif roll < 0.75:
        day = date(year, 8, 25) + timedelta(days=rng.randint(0, 6))
    else:
        day = date(year, 9, 8) + timedelta(days=rng.randint(0, 37))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _nir(sex: str, birth: date, department: str, rng: random.Random) -> str:
    commune, order = rng.randint(1, 999), rng.randint(1, 999)
    body = f"{1 if sex == 'M' else 2}{birth:%y}{birth:%m}{department[:2]:0>2}{commune:03d}{order:03d}"
    return body + f"{97 - int(body) % 97:02d}"


def _shift(data: dict[str, Any], keys: tuple[str, ...], delta: timedelta) -> None:
    for key in keys:
        if data.get(key):
            data[key] = (date.fromisoformat(data[key]) + delta).isoformat()


def _draw_form(rng: random.Random, contract_type: str, employer: dict[str, Any], lapsed: bool) -> dict[str, Any]:
    base = complete_apprenticeship_form() if contract_type == "apprentissage" else complete_professionalisation_form()
    data = base.model_dump(mode="json", exclude_none=True)
    start = _start_date(rng, base.contract.start_date.year)
    delta = start - base.contract.start_date
    _shift(data["contract"], ("signature_date", "start_date", "practical_training_start_date", "end_date"), delta)
    _shift(data["training"], ("start_date", "end_date"), delta)
    if lapsed:
        data["training"]["organisation"] = dict(LAPSED_CFA)
    age = _weighted(rng, APPRENTICE_AGES if contract_type == "apprentissage" else PRO_AGES)
    birth = date(start.year - age, 1, 1) + timedelta(days=rng.randint(0, 364))
    if birth > date(start.year - age, start.month, start.day):
        birth = date(start.year - age - 1, birth.month, min(birth.day, 28))
    sex = rng.choice(["M", "F"])
    employee = data["employee"]
    employee.update(
        birth_date=birth.isoformat(), sex=sex, nir=_nir(sex, birth, employee.get("birth_department", "75"), rng)
    )
    if contract_type == "apprentissage" and age >= 18:
        employee.pop("legal_representative", None)
    if contract_type == "professionnalisation":
        data["contract"]["hiring_salary"] = data["contract"]["branch_minimum_salary"]
    data["employer"].update(employer)
    form = type(base).model_validate(data)
    if contract_type == "apprentissage":
        form = with_declared_minimum_pay(form)
    return form.model_dump(mode="json", exclude_none=True)


def establishments() -> dict[str, dict[str, Any]]:
    """The offline establishment referential the contracts service auto-fills from, by SIRET."""
    raw = json.loads(
        resources.files("passerelle.contracts.adapters.referentials").joinpath("establishments.json").read_text()
    )
    return {e["siret"]: e for e in raw["establishments"]}


def draw(count: int, seed: int = 2026) -> list[Draw]:
    rng = random.Random(seed)
    directory = establishments()
    out = []
    for _ in range(count):
        apprenticeship = rng.random() < 0.9
        contract_type = "apprentissage" if apprenticeship else "professionnalisation"
        siret = _weighted(rng, APPRENTICESHIP_EMPLOYERS if apprenticeship else PROFESSIONALISATION_EMPLOYERS)
        known = directory[siret]
        employer = {
            "siret": siret,
            "name": known["name"],
            "address": known["address"],
            "naf_code": known["naf_code"],
            "idcc": known["idcc"],
            "headcount": known["headcount"],
            "employer_type": known["employer_type"],
        }
        lapsed = apprenticeship and rng.random() < LAPSED_CFA_SHARE
        form = _draw_form(rng, contract_type, employer, lapsed)
        organisation = form["training"]["organisation"]
        out.append(
            Draw(
                contract_type=contract_type,
                employer_siret=siret,
                training_uai=organisation.get("uai"),
                training_siret=organisation["siret"],
                form=form,
                expect_anomaly=lapsed,
            )
        )
    return out
