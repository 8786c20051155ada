"""The reviewers' and administrators' API in-process on the real database: roles, OPCO isolation, French errors,
overrides, notes, previews, batch results, settings and barred employers."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from uuid import uuid4

import httpx
import pytest

from passerelle.contracts.testing.samples import complete_apprenticeship_form
from passerelle.libs.testing.events import contract_transmitted, envelope_for
from passerelle.libs.testing.fakes import FakeClock
from passerelle.libs.testing.tokens import TokenFactory, opco_claim
from passerelle.opco_processing.bootstrap import bootstrap
from passerelle.opco_processing.config import Settings
from passerelle.opco_processing.service_layer import checking, intake

from .conftest import AcceptingValidation, FormLabels, LetterShelf


@pytest.fixture
async def api(database_url):
    tokens = TokenFactory()
    clock = FakeClock(datetime(2025, 9, 3, 9, 0, tzinfo=UTC))
    service = bootstrap(
        Settings(database_url=database_url, background_enabled=False, consumers_enabled=False),
        clock=clock,
        validation=AcceptingValidation(),
        documents=LetterShelf(),
        field_labels=FormLabels(),
    )
    app = service.app()
    async with app.router.lifespan_context(app):
        tokens.install(app)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://opco") as client:

            def as_(role: str, opco: str = "OPCOEP") -> dict[str, str]:
                return tokens.headers(uuid4(), orgs=[opco_claim(opco, role)], name=f"Agent {role}")

            yield client, service.context, as_


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


async def open_case(ctx) -> str:
    form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    event = contract_transmitted(form=form, transmitted_at=ctx.clock())
    async with ctx.uow() as uow:
        case = await intake.receive_transmission(ctx, uow, envelope_for(event), event)
        await uow.commit()
    assert await checking.check_case(ctx, case.id)
    return str(case.id)


async def test_roles_and_opco_isolation(api):
    client, ctx, as_ = api
    case_id = await open_case(ctx)
    assert (await client.get(f"/cases/{case_id}", headers=as_("reviewer"))).status_code == 200
    other = await client.get(f"/cases/{case_id}", headers=as_("reviewer", "OPCOMMERCE"))
    assert other.status_code == 404 and other.json()["error"]["code"] == "case_not_found"
    assert (await client.get("/cases", headers={"Authorization": "Bearer nope"})).status_code == 401
    employer = await client.get("/cases", headers=as_("admin", "") | {})
    assert employer.status_code == 403 and employer.json()["error"]["code"] == "opco_staff_only"

    refused = await client.post(
        f"/cases/{case_id}/checks/FUNDING/override",
        headers=as_("reviewer"),
        json={"result": "failed", "reason": "Montant à revoir"},
    )
    assert refused.status_code == 403 and "superviseur" in refused.json()["error"]["message"]
    overridden = await client.post(
        f"/cases/{case_id}/checks/FUNDING/override",
        headers=as_("supervisor"),
        json={"result": "failed", "reason": "Montant à revoir"},
    )
    assert overridden.status_code == 200 and overridden.json()["status"] == "in_review"
    blocked = await client.post(f"/cases/{case_id}/engage", headers=as_("reviewer"))
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "checks_failed"
    history = (await client.get(f"/cases/{case_id}/history", headers=as_("reviewer"))).json()
    assert history[-1]["action"] == "check_overridden" and history[-1]["actor"]["role"] == "supervisor"

    assign_other = await client.post(
        f"/cases/{case_id}/assign",
        headers=as_("reviewer"),
        json={"assignee": {"id": str(uuid4()), "name": "Quelqu'un"}},
    )
    assert assign_other.status_code == 403


async def test_notes_preview_batch_and_validation_errors_in_french(api):
    client, ctx, as_ = api
    case_id = await open_case(ctx)
    reviewer = as_("reviewer")
    assert (
        await client.post(f"/cases/{case_id}/notes", headers=reviewer, json={"text": "Appeler le CFA."})
    ).status_code == 201
    notes = (await client.get(f"/cases/{case_id}/notes", headers=reviewer)).json()
    assert [n["text"] for n in notes] == ["Appeler le CFA."]

    preview = await client.post(
        f"/cases/{case_id}/letters/preview/anomaly",
        headers=reviewer,
        json={
            "anomalies": [{"kind": "missing_document", "document_type": "cerfa_signe", "reason": "CERFA signé absent."}]
        },
    )
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert (await client.get(f"/cases/{case_id}", headers=reviewer)).json()["status"] == "ready"  # nothing saved

    motivation = "La formation visée ne prépare à aucune certification enregistrée au RNCP."
    refusal = await client.post(
        f"/cases/{case_id}/letters/preview/refusal", headers=reviewer, json={"reason": motivation}
    )
    assert refusal.status_code == 200 and motivation in pdf_text(refusal.content)
    placeholder = await client.post(f"/cases/{case_id}/letters/preview/refusal", headers=reviewer)
    assert placeholder.status_code == 200 and "Motif du refus (aperçu)" in pdf_text(placeholder.content)
    wrong = await client.post(
        f"/cases/{case_id}/letters/preview/anomaly", headers=reviewer, json={"reason": motivation}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "anomalies_required"
    assert (await client.get(f"/cases/{case_id}", headers=reviewer)).json()["status"] == "ready"

    bad = await client.post(f"/cases/{case_id}/refuse", headers=reviewer, json={"reason": "non"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["path"] == "reason"

    unknown = str(uuid4())
    batch = await client.post(
        "/cases/batch", headers=reviewer, json={"action": "engage", "case_ids": [case_id, unknown]}
    )
    results = {r["case_id"]: r for r in batch.json()["results"]}
    assert results[case_id]["ok"] and not results[unknown]["ok"]
    assert results[unknown]["error"]["code"] == "case_not_found"
    engaged = (await client.get(f"/cases/{case_id}", headers=reviewer)).json()
    assert engaged["status"] == "engaged" and engaged["file_number"] == "OPCOEP-2025-000001"
    queue = (await client.get("/cases", headers=reviewer, params={"tab": "traites"})).json()
    assert queue["counts"]["traites"] == 1 and queue["items"][0]["id"] == case_id


async def test_settings_and_barred_employers_are_the_administrators(api):
    client, ctx, as_ = api
    admin, reviewer = as_("admin"), as_("reviewer")
    assert (
        await client.put(
            "/settings", headers=reviewer, json={"auto_engage": {"apprentissage": True}, "alert_days": [5, 2]}
        )
    ).status_code == 403
    wrong = await client.put(
        "/settings", headers=admin, json={"auto_engage": {"apprentissage": True}, "alert_days": [15]}
    )
    assert wrong.status_code == 422 and "entre 1 et 10 jours" in wrong.json()["error"]["message"]
    saved = await client.put(
        "/settings", headers=admin, json={"auto_engage": {"apprentissage": True}, "alert_days": [3]}
    )
    assert saved.json() == {"auto_engage": {"apprentissage": True, "professionnalisation": False}, "alert_days": [3]}

    barred = await client.post(
        "/barred-employers",
        headers=admin,
        json={"siren": "812083285", "reason": "Décision préfectorale d'interdiction (L6225-1)."},
    )
    assert barred.status_code == 201
    # A barred employer's contract fails the check and is not engaged automatically.
    case_id = await open_case(ctx)
    case = (await client.get(f"/cases/{case_id}", headers=reviewer)).json()
    checks = {c["id"]: c for c in case["checks_detail"]}
    assert checks, (case["status"], case["opco_code"], barred.json())
    assert checks["EMPLOYER_NOT_BARRED"]["result"] == "failed" and case["status"] == "in_review"
    assert (await client.delete(f"/barred-employers/{barred.json()['id']}", headers=reviewer)).status_code == 403
    assert (await client.delete(f"/barred-employers/{barred.json()['id']}", headers=admin)).status_code == 204
    # Without it, automatic engagement (turned on above) engages the next one at once.
    auto_id = await open_case(ctx)
    assert (await client.get(f"/cases/{auto_id}", headers=reviewer)).json()["status"] == "engaged"
