"""The contracts API on real PostgreSQL: drafting, side rules, bad input, transmission and its outbox event."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from passerelle.contracts.adapters.unit_of_work import ContractsUnitOfWork
from passerelle.contracts.service_layer import projections
from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    DEMO_OTHER_COMPANY_SIRET,
    DEMO_PRO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
    complete_professionalisation_form,
)
from passerelle.schemas.events.documents import DocumentUploaded

pytestmark = pytest.mark.integration


def _employer(siret: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "employer", "role": "admin", "siret": siret, "siren": siret[:9]}


EMPLOYER = [_employer(DEMO_EMPLOYER_SIRET)]
PRO_EMPLOYER = [_employer(DEMO_PRO_EMPLOYER_SIRET)]
CFA = [{"id": str(uuid.uuid4()), "kind": "training", "role": "admin", "uai": DEMO_CFA_UAI, "siret": DEMO_CFA_SIRET}]
STRANGER = [_employer(DEMO_OTHER_COMPANY_SIRET)]


def outbox(database_url: str, contract_id: str, topic: str | None = None) -> list[dict]:
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        query = "SELECT topic, payload FROM outbox WHERE key = :key"
        params = {"key": contract_id}
        if topic:
            query += " AND topic = :topic"
            params["topic"] = topic
        rows = conn.execute(sa.text(query + " ORDER BY seq"), params).all()
    engine.dispose()
    return [{"topic": r.topic, "payload": json.loads(r.payload)} for r in rows]


async def attach(service, contract_id: str, document_type: str = "convention_formation", version: int = 1) -> None:
    """What the `document.uploaded` consumer does (the Kafka path is tested in test_consumers.py)."""
    svc, _ = service
    event = DocumentUploaded(
        document_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        document_type=document_type,
        version=version,
        filename=f"{document_type}.pdf",
        size=1000,
        sha256="ab" * 32,
        media_type="application/pdf",
        uploaded_at=datetime.now(UTC),
    )
    async with ContractsUnitOfWork(svc.sessions, "contracts") as uow:
        await projections.record_document(uow, event)
        await uow.commit()


async def create(client, auth, orgs, **body) -> dict:
    response = await client.post("/contracts", json=body, headers=auth(orgs))
    assert response.status_code == 201, response.text
    return response.json()


def form_json(kind: str) -> dict:
    form = complete_apprenticeship_form() if kind == "apprentissage" else complete_professionalisation_form()
    return form.model_dump(mode="json", exclude_none=True)


async def test_an_employer_drafts_corrects_and_transmits_an_apprenticeship(client, auth, service, database_url):
    headers = auth(EMPLOYER)
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    contract_id = created["id"]
    assert created["status"] == "draft" and created["version"] == 1
    assert created["form"]["employer"]["name"] == "Boulangerie Dupain SAS"  # auto-filled from the SIRET
    assert created["parties"]["opco_code"] == "OPCOEP"
    assert [e["topic"] for e in outbox(database_url, contract_id)] == ["contract.drafted"]

    # Saving an incomplete tab is fine; the tab's findings come back (missing answers as warnings).
    saved = await client.put(f"/contracts/{contract_id}/tabs/salarie", json={"first_name": "Lucas"}, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["changed"] == ["employee.first_name"]
    assert {f["tab"] for f in saved.json()["findings"]} == {"salarie"}
    assert all(f["severity"] == "warning" for f in saved.json()["findings"] if f["rule_id"] == "EMPLOYEE_REQUIRED")

    # Transmitting now is refused with every error grouped by tab; nothing changes.
    refused = await client.post(f"/contracts/{contract_id}/transmit", headers=headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "contract_transmission_refused"
    assert {"salarie", "tuteur", "contrat", "formation", "documents"} <= set(error["tabs_in_error"])
    assert any(f["path"] == "documents.convention_formation" for f in error["fields"])
    assert all(f["rule_id"] and f["reference"] for f in error["errors"])
    assert (await client.get(f"/contracts/{contract_id}", headers=headers)).json()["status"] == "draft"

    # The whole form corrected; the training agreement is still missing.
    put = await client.put(f"/contracts/{contract_id}", json=form_json("apprentissage"), headers=headers)
    assert put.status_code == 200, put.text
    version = put.json()["contract"]["version"]
    refused = await client.post(f"/contracts/{contract_id}/transmit", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["tabs_in_error"] == ["documents"]

    await attach(service, contract_id)
    report = (await client.get(f"/contracts/{contract_id}/validation", headers=headers)).json()
    assert report["valid"] is True and report["error_count"] == 0

    # A stale version is refused; the right one transmits.
    stale = await client.post(f"/contracts/{contract_id}/transmit", headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    sent = await client.post(f"/contracts/{contract_id}/transmit", headers={**headers, "If-Match": f'"{version}"'})
    assert sent.status_code == 200, sent.text
    assert sent.json()["contract"]["status"] == "transmitted"
    assert sent.json()["contract"]["editable"] is False
    transmitted = outbox(database_url, contract_id, "contract.transmitted")
    assert len(transmitted) == 1
    payload = transmitted[0]["payload"]
    assert payload["revision"] == 1 and payload["is_amendment"] is False
    assert payload["form"]["employer"]["siret"] == DEMO_EMPLOYER_SIRET
    assert [d["document_type"] for d in payload["documents"]] == ["convention_formation"]
    assert payload["parties"] == {
        "employer_siret": DEMO_EMPLOYER_SIRET,
        "training_uai": DEMO_CFA_UAI,
        "training_siret": DEMO_CFA_SIRET,
        "opco_code": "OPCOEP",
        "employer_may_see": True,
        "private_to": None,  # an ordinary draft (#10.1)
    }

    # Frozen for editing.
    frozen = await client.put(f"/contracts/{contract_id}/tabs/salarie", json={"first_name": "Luc"}, headers=headers)
    assert frozen.status_code == 409

    history = (await client.get(f"/contracts/{contract_id}/history", headers=headers)).json()
    assert [h["action"] for h in history] == ["drafted", "saved", "saved", "document_attached", "transmitted"]
    assert "employee.first_name" in history[1]["details"]["changed"]

    pdf = await client.get(f"/contracts/{contract_id}/cerfa.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


async def test_bad_input_gets_422_with_paths_and_nothing_is_saved(client, auth, database_url):
    headers = auth(PRO_EMPLOYER)
    created = await create(
        client, auth, PRO_EMPLOYER, contract_type="professionnalisation", employer_siret=DEMO_PRO_EMPLOYER_SIRET
    )
    contract_id = created["id"]
    cases = [
        ("employeur", {"headcount": "beaucoup"}, "employer.headcount"),
        ("employeur", {"colour": "blue"}, "employer.colour"),
        ("employeur", {"address": {"postcode": 75011}}, "employer.address.postcode"),
        ("tuteur", {"tutors": [{"birth_date": "1980-02-30"}]}, "tutors[0].birth_date"),
        ("contrat", {"weekly_hours": -3}, "contract.weekly_hours"),
    ]
    for tab, body, path in cases:
        response = await client.put(f"/contracts/{contract_id}/tabs/{tab}", json=body, headers=headers)
        assert response.status_code == 422, (tab, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        assert [f["path"] for f in error["fields"]] == [path]
        assert error["fields"][0]["message"]
    whole = form_json("professionnalisation")
    whole["employee"]["birth_date"] = "pas une date"
    whole["training"]["unknown"] = 1
    response = await client.put(f"/contracts/{contract_id}", json=whole, headers=headers)
    assert response.status_code == 422
    assert {f["path"] for f in response.json()["error"]["fields"]} == {"employee.birth_date", "training.unknown"}
    # Changing the contract's type is refused, on its field.
    response = await client.put(
        f"/contracts/{contract_id}/tabs/introduction", json={"contract_type": "apprentissage"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "introduction.contract_type"
    unknown_tab = await client.put(f"/contracts/{contract_id}/tabs/bonus", json={}, headers=headers)
    assert unknown_tab.status_code == 422

    after = (await client.get(f"/contracts/{contract_id}", headers=headers)).json()
    assert after["version"] == 1
    assert after["form"]["employee"]["birth_date"] is None
    assert [e["topic"] for e in outbox(database_url, contract_id)] == ["contract.drafted"]


async def test_only_parties_see_a_contract_and_each_side_edits_its_part(client, auth, database_url):
    created = await create(
        client, auth, CFA, contract_type="apprentissage", training_uai=DEMO_CFA_UAI, employer_siret=DEMO_EMPLOYER_SIRET
    )
    contract_id = created["id"]
    assert created["created_by"] == "training"
    assert created["form"]["training"]["organisation"]["name"] == "CFA des Métiers de l'Alimentation de Paris"
    assert created["writable_tabs"] == ["formation"]
    cfa = auth(CFA)
    employer = auth(EMPLOYER)

    # Not proposed yet: the employer does not see it; a stranger never does.
    assert (await client.get(f"/contracts/{contract_id}", headers=employer)).status_code == 404
    assert (await client.get(f"/contracts/{contract_id}", headers=auth(STRANGER))).status_code == 404

    # The training organisation fills the Formation tab, not the employer's.
    training = form_json("apprentissage")["training"]
    ok = await client.put(f"/contracts/{contract_id}/tabs/formation", json=training, headers=cfa)
    assert ok.status_code == 200, ok.text
    forbidden = await client.put(f"/contracts/{contract_id}/tabs/salarie", json={"first_name": "X"}, headers=cfa)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "contract_side_not_allowed"
    # ...nor can it hand its part to another organisation.
    moved = {**training, "organisation": {**training["organisation"], "uai": "0753456F", "siret": None}}
    lost = await client.put(f"/contracts/{contract_id}/tabs/formation", json=moved, headers=cfa)
    assert lost.status_code == 422

    proposed = await client.post(
        f"/contracts/{contract_id}/propose", json={"employer_email": "rh@dupain.example.fr"}, headers=cfa
    )
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["status"] == "proposed"
    # The events say so, for the documents service to apply the same rule (issue #10, item 3).
    events = {e["topic"]: e["payload"]["parties"]["employer_may_see"] for e in outbox(database_url, contract_id)}
    assert events["contract.drafted"] is False and events["contract.proposed"] is True
    seen = await client.get(f"/contracts/{contract_id}", headers=employer)
    assert seen.status_code == 200 and seen.json()["status_label"] == "Envoyé par l'organisme ou le CFA"
    # Accepting opens it for completing; the employer still cannot rewrite the training organisation's part.
    assert (await client.post(f"/contracts/{contract_id}/accept", headers=cfa)).status_code == 403
    accepted = await client.post(f"/contracts/{contract_id}/accept", headers=employer)
    assert accepted.status_code == 200 and accepted.json()["status"] == "draft"
    assert "formation" not in accepted.json()["writable_tabs"]
    denied = await client.put(f"/contracts/{contract_id}/tabs/formation", json=training, headers=employer)
    assert denied.status_code == 403
    employee = form_json("apprentissage")["employee"]
    assert (
        await client.put(f"/contracts/{contract_id}/tabs/salarie", json=employee, headers=employer)
    ).status_code == 200
    # The training organisation may not transmit; the employer may not re-attach it to another company.
    assert (await client.post(f"/contracts/{contract_id}/transmit", headers=cfa)).status_code == 403
    other = await client.put(
        f"/contracts/{contract_id}/tabs/employeur", json={"siret": DEMO_OTHER_COMPANY_SIRET}, headers=employer
    )
    assert other.status_code == 422
    assert other.json()["error"]["fields"][0]["path"] == "employer.siret"


async def test_creating_requires_membership_and_valid_identifiers(client, auth):
    response = await client.post(
        "/contracts",
        json={"contract_type": "apprentissage", "employer_siret": DEMO_OTHER_COMPANY_SIRET},
        headers=auth(EMPLOYER),
    )
    assert response.status_code == 403
    response = await client.post(
        "/contracts",
        json={"contract_type": "apprentissage", "employer_siret": "12345678901234"},
        headers=auth(EMPLOYER),
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "employer_siret"
    response = await client.post("/contracts", json={"contract_type": "cdi"}, headers=auth(EMPLOYER))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "contract_type"
    assert (await client.post("/contracts", json={"contract_type": "apprentissage"})).status_code == 401


async def test_dashboard_lists_filters_and_pages_only_my_contracts(client, auth, orgs):
    mine, other = orgs.new_siret(), orgs.new_siret()
    me = [orgs.employer(mine)]
    for kind in ("apprentissage", "apprentissage", "professionnalisation"):
        await create(client, auth, me, contract_type=kind, employer_siret=mine)
    await create(client, auth, [orgs.employer(other)], contract_type="apprentissage", employer_siret=other)
    headers = auth(me)
    page = (await client.get("/contracts", headers=headers)).json()
    assert page["total"] == 3
    assert {item["employer_siret"] for item in page["items"]} == {mine}
    typed = (await client.get("/contracts", params={"contract_type": "professionnalisation"}, headers=headers)).json()
    assert typed["total"] == 1
    paged = (await client.get("/contracts", params={"page_size": 2, "page": 2}, headers=headers)).json()
    assert len(paged["items"]) == 1 and paged["total"] == 3
    found = (await client.get("/contracts", params={"q": page["items"][0]["id"][:8]}, headers=headers)).json()
    assert found["total"] == 1
    archived_id = page["items"][0]["id"]
    assert (await client.post(f"/contracts/{archived_id}/archive", headers=headers)).status_code == 200
    assert (await client.get("/contracts", headers=headers)).json()["total"] == 2
    assert (await client.get("/contracts", params={"status": "archived"}, headers=headers)).json()["total"] == 1
    restored = await client.post(f"/contracts/{archived_id}/restore", headers=headers)
    assert restored.json()["status"] == "draft"
    assert (await client.delete(f"/contracts/{archived_id}", headers=headers)).status_code == 204
    assert (await client.get(f"/contracts/{archived_id}", headers=headers)).status_code == 404
    assert (await client.get("/contracts", headers=headers)).json()["total"] == 2
    bad = await client.get("/contracts", params={"page_size": 1000, "status": "nope"}, headers=headers)
    assert bad.status_code == 422
    assert {f["path"] for f in bad.json()["error"]["fields"]} == {"page_size", "status"}
    [status_error] = [f for f in bad.json()["error"]["fields"] if f["path"] == "status"]
    assert status_error["message"].startswith(
        "Statut inconnu : « nope ». Valeurs possibles : draft (En cours de saisie)"
    )


async def test_dashboard_filters_by_periods_and_person_in_charge_and_sorts(
    client, auth, orgs, database_url, monkeypatch
):
    from passerelle.contracts.adapters import repository

    mine = orgs.new_siret()
    me = [orgs.employer(mine)]
    alice, bob = uuid.uuid4(), uuid.uuid4()
    ids = []
    for who, start in ((alice, "01/09/2026"), (alice, "2026-10-15"), (bob, None)):
        created = await client.post(
            "/contracts",
            json={"contract_type": "apprentissage", "employer_siret": mine},
            headers=auth(me, sub=who),
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        if start:
            saved = await client.put(
                f"/contracts/{ids[-1]}/tabs/contrat", json={"start_date": start}, headers=auth(me, sub=who)
            )
            assert saved.status_code == 200, saved.text
    first, second, third = ids
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        # 23:30 UTC on 5 March is already 6 March in Paris: the day asked for is the platform's.
        for cid, created_at, transmitted_at in (
            (first, "2026-01-10T10:00:00Z", None),
            (second, "2026-03-05T23:30:00Z", "2026-11-20T12:00:00Z"),
            (third, "2026-06-01T08:00:00Z", None),
        ):
            conn.execute(
                sa.text("UPDATE contract SET created_at = :c, transmitted_at = :t WHERE id = :id"),
                {"c": created_at, "t": transmitted_at, "id": cid},
            )
    engine.dispose()
    headers = auth(me, sub=alice)

    async def found(**params) -> list[str]:
        response = await client.get("/contracts", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await found(created_from="2026-03-06", created_to="2026-03-06") == [second]
    assert await found(created_to="2026-03-05") == [first]
    assert sorted(await found(created_from="2026-01-10")) == sorted(ids)
    assert await found(start_from="2026-10-01") == [second]
    assert await found(start_to="2026-09-30") == [first]
    assert await found(start_from="2026-09-01", start_to="2026-10-15", sort="start_date") == [first, second]
    assert await found(transmitted_from="2026-11-01", transmitted_to="2026-11-30") == [second]
    assert await found(in_charge=str(bob)) == [third]
    assert sorted(await found(in_charge=str(alice))) == sorted([first, second])
    assert await found(in_charge=str(uuid.uuid4())) == []
    # Orders: contracts without the value come last either way.
    assert await found(sort="start_date") == [first, second, third]
    assert await found(sort="-start_date") == [second, first, third]
    assert await found(sort="created_at") == [first, second, third]
    assert await found(sort="-created_at") == [third, second, first]
    assert (await found(sort="-transmitted_at"))[0] == second
    # The same, read in the indexes' order (FEW = 0): the undated contracts after the dated ones, by id.
    for few in (repository.FEW, 0):
        monkeypatch.setattr(repository, "FEW", few)
        assert await found(sort="-transmitted_at") == [second, *sorted([first, third])]
        assert await found(sort="transmitted_at") == [second, *sorted([first, third])]
        assert await found(sort="-start_date") == [second, first, third]
        assert await found(in_charge=str(alice), sort="-start_date") == [second, first]
    monkeypatch.undo()
    item = (await client.get("/contracts", params={"sort": "created_at"}, headers=headers)).json()["items"][0]
    assert item["start_date"] == "2026-09-01" and item["in_charge"] == {"employer": str(alice)}
    assert item["transmitted_at"] is None

    reversed_ = await client.get(
        "/contracts", params={"created_from": "2026-05-01", "created_to": "2026-04-01"}, headers=headers
    )
    assert reversed_.status_code == 422
    [error] = reversed_.json()["error"]["fields"]
    assert error["path"] == "created_to" and error["code"] == "range_reversed"
    assert error["message"] == "La fin de la période (création) doit être postérieure ou égale à son début."
    bad = await client.get("/contracts", params={"sort": "nope", "start_from": "32/13/2026"}, headers=headers)
    assert bad.status_code == 422
    assert {f["path"] for f in bad.json()["error"]["fields"]} == {"sort", "start_from"}
    [sort_error] = [f for f in bad.json()["error"]["fields"] if f["path"] == "sort"]
    assert sort_error["message"].startswith("Tri inconnu : « nope ». Valeurs possibles : -updated_at (Dernière")


async def test_dashboard_joins_every_way_in_once_in_order_and_caps_its_count(client, auth, orgs, monkeypatch):
    """A person reaches contracts by an establishment, a UAI and a training SIRET: each way is searched in its own
    index's order; a contract reached twice is listed once, pages follow one order across ways, and the count
    stops at the cap (then says so)."""
    from passerelle.contracts.adapters import repository
    from passerelle.libs.identifiers import uai_check_letter

    def new_uai() -> str:  # unknown to the referential: nothing is filled in from it
        digits = f"{uuid.uuid4().int % 10_000_000:07d}"
        return digits + uai_check_letter(digits)

    uai, cfa_siret, shop = new_uai(), orgs.new_siret(), orgs.new_siret()
    cfa, employer = orgs.training(uai, cfa_siret), orgs.employer(shop)
    by_uai = await create(
        client, auth, [employer], contract_type="apprentissage", employer_siret=shop, training_uai=uai
    )
    elsewhere = orgs.new_siret()
    by_siret = await create(
        client,
        auth,
        [orgs.employer(elsewhere)],
        contract_type="apprentissage",
        employer_siret=elsewhere,
        training_uai=new_uai(),
        training_siret=cfa_siret,
    )
    only_shop = await create(client, auth, [employer], contract_type="apprentissage", employer_siret=shop)
    both = await create(
        client,
        auth,
        [employer],
        contract_type="professionnalisation",
        employer_siret=shop,
        training_uai=uai,
        training_siret=cfa_siret,
    )
    headers = auth([employer, cfa])

    async def listed(**params) -> dict:
        response = await client.get("/contracts", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    newest_first = [both["id"], only_shop["id"], by_siret["id"], by_uai["id"]]
    # A few contracts found are fetched whole and sorted; many are read in the indexes' order (FEW = 0 forces it).
    for few in (repository.FEW, 0):
        monkeypatch.setattr(repository, "FEW", few)
        page = await listed()
        assert [item["id"] for item in page["items"]] == newest_first  # `both` (three ways) listed once
        assert page["total"] == 4 and page["total_exact"] is True
        assert [item["id"] for item in (await listed(sort="updated_at"))["items"]] == newest_first[::-1]
        second = await listed(page_size=3, page=2)
        assert [item["id"] for item in second["items"]] == [by_uai["id"]] and second["total"] == 4
        # No start date on any of them: the newest-start order keeps them last, by id.
        assert [item["id"] for item in (await listed(sort="-start_date"))["items"]] == sorted(newest_first)
    typed = await listed(contract_type="professionnalisation")
    assert [item["id"] for item in typed["items"]] == [both["id"]] and typed["total"] == 1
    cfa_only = (await client.get("/contracts", headers=auth([cfa]))).json()
    assert {item["id"] for item in cfa_only["items"]} == {by_uai["id"], by_siret["id"], both["id"]}

    monkeypatch.setattr(repository, "COUNT_CAP", 2)
    capped = await listed(page_size=1)
    assert [item["id"] for item in capped["items"]] == newest_first[:1]
    assert capped["total"] == 2 and capped["total_exact"] is False
    beyond = await listed(page_size=1, page=4)  # past where the count stopped, the pages go on
    assert [item["id"] for item in beyond["items"]] == newest_first[3:] and beyond["total_exact"] is False
    # Under the cap the count is exact; a page past the count is empty.
    assert (await listed(contract_type="professionnalisation"))["total_exact"] is True
    assert (await listed(contract_type="professionnalisation", page=2))["items"] == []


async def test_questions_remuneration_and_referentials(client, auth, orgs):
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    contract_id = created["id"]
    headers = auth(EMPLOYER)
    await client.put(f"/contracts/{contract_id}", json=form_json("apprentissage"), headers=headers)
    questions = (await client.get(f"/contracts/{contract_id}/questions", headers=headers)).json()
    fields = {q["field"] for tab in questions["tabs"] for q in tab["questions"]}
    assert "employee.legal_representative.last_name" in fields  # a minor: the legal representative is asked
    assert "employee.public_category" not in fields  # professionalisation only
    sex = next(q for tab in questions["tabs"] for q in tab["questions"] if q["field"] == "employee.sex")
    assert {c["code"] for c in sex["choices"]} == {"M", "F"}
    assert any("45" in r["text"] for r in questions["reminders"])  # the 45-day trial period
    pay = (await client.get(f"/contracts/{contract_id}/remuneration", headers=headers)).json()
    assert pay["periods"][0]["rate_percent"] == "27"
    assert {p["smic_monthly"] for p in pay["periods"]} == {"1801.80", "1823.03"}  # SMIC 2024 then 2026

    found = await client.get(f"/referentials/establishments/{DEMO_EMPLOYER_SIRET}", headers=headers)
    assert found.status_code == 200 and found.json()["idcc"] == "0843"
    assert (await client.get("/referentials/establishments/12345678901234", headers=headers)).status_code == 422
    assert (await client.get(f"/referentials/establishments/{orgs.new_siret()}", headers=headers)).status_code == 404
    rncp = await client.get("/referentials/qualifications/RNCP37680", headers=headers)
    assert rncp.status_code == 200 and rncp.json()["title"] == "CAP Boulanger"
    # The field registry, which names a field to people (the OPCO's anomaly letters use it).
    registry = {f["path"]: f for f in (await client.get("/referentials/fields", headers=headers)).json()}
    assert registry["employee.nir"]["tab"] == "salarie" and registry["employee.nir"]["label"]
    assert registry["contract.hiring_salary"]["tab_label"] == "Contrat"
    assert (await client.get("/referentials/fields")).status_code == 401


@pytest.mark.parametrize("kind", ["apprentissage", "professionnalisation"])
async def test_partner_validation_saves_nothing(client, auth, orgs, kind):
    headers = auth([orgs.employer(orgs.new_siret())])
    body = form_json(kind)
    ok = await client.post("/validation", json=body, params={"documents": ["convention_formation"]}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["valid"] is True
    body["tutors"][0]["experience_years"] = 0
    body["contract"]["weekly_hours"] = "50"
    report = (await client.post("/validation", json=body, headers=headers)).json()
    assert report["valid"] is False
    rules = {(f["rule_id"], f["tab"], f["field"]) for f in report["findings"] if f["severity"] == "error"}
    assert ("TRAINING_AGREEMENT_DOCUMENT", "documents", "documents.convention_formation") in rules
    assert ("WEEKLY_HOURS_MAX", "contrat", "contract.weekly_hours") in rules
    assert all(f["reference"] and f["message"] for f in report["findings"])
    bad = await client.post("/validation", json={"employer": {"siret": 1, "x": 2}}, headers=headers)
    assert bad.status_code == 422
    assert {f["path"] for f in bad.json()["error"]["fields"]} == {"employer.siret", "employer.x"}


async def test_dashboard_searches_words_on_covered_ways_and_an_opcos_alike(client, auth, orgs, database_url):
    """Words are searched within the text's head: a substring test on an establishment's way (its index covers
    the search), LIKE on an OPCO's (the trigrams answer it); the LIKE wildcards are plain characters on both."""
    shop = orgs.new_siret()
    me = [orgs.employer(shop)]
    marked = await create(client, auth, me, contract_type="apprentissage", employer_siret=shop)
    other = await create(client, auth, me, contract_type="apprentissage", employer_siret=shop)
    code = "OP" + uuid.uuid4().hex[:8]
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        for contract, text in ((marked, f"{shop} 100%_bio dupont"), (other, f"{shop} 100xxbio durand")):
            conn.execute(
                sa.text(
                    "UPDATE contract SET search_text = :text, opco_code = :code, transmitted_revision = 1"
                    " WHERE id = :id"
                ),
                {"text": text, "code": code, "id": contract["id"]},
            )
    engine.dispose()
    opco = [{"id": str(uuid.uuid4()), "kind": "opco", "role": "reviewer", "opco": code}]
    for headers in (auth(me), auth(opco)):

        async def found(words: str, headers: dict = headers) -> list[str]:
            response = await client.get("/contracts", params={"q": words}, headers=headers)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()["items"]]

        assert await found("100%_bio") == [marked["id"]]
        assert await found("DUPONT 100%") == [marked["id"]]
        assert sorted(await found(shop)) == sorted([marked["id"], other["id"]])
        assert await found("dupont durand") == []


async def test_a_write_on_a_version_that_moved_on_is_refused_and_leaves_the_row_as_it_was(
    client, auth, service, database_url
):
    """The repository rewrites a row only at the version it read (the SET clause from one statement built once):
    a stale copy's write fails with nothing changed, the current one's takes every column."""
    from passerelle.contracts.adapters.orm import contract_table
    from passerelle.contracts.service_layer.errors import ConcurrentModification

    svc, _ = service
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    contract_id = uuid.UUID(created["id"])
    async with ContractsUnitOfWork(svc.sessions, "contracts") as uow:
        current = await uow.contracts.get(contract_id)
    async with ContractsUnitOfWork(svc.sessions, "contracts") as uow:
        stale = await uow.contracts.get(contract_id)
    assert current is not None and stale is not None
    version = current.contract.version
    current.refusal_reason = "Motif de test"
    current.proposed_to_email = "rh@dupain.example.fr"
    async with ContractsUnitOfWork(svc.sessions, "contracts") as uow:
        await uow.contracts.update(current)
        await uow.commit()
    stale.refusal_reason = "Autre motif"
    async with ContractsUnitOfWork(svc.sessions, "contracts") as uow:
        with pytest.raises(ConcurrentModification):
            await uow.contracts.update(stale)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            c = contract_table.c
            row = conn.execute(
                sa.select(c.version, c.refusal_reason, c.proposed_to_email).where(c.id == contract_id)
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == (version + 1, "Motif de test", "rh@dupain.example.fr")
    assert current.contract.version == version + 1
