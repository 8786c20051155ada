"""The demonstration world: idempotent, passwords from the environment, logins printed."""

import pytest

from passerelle.identity import cli as demo

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "demo-alternance-2026"


async def test_seed_creates_the_demo_world_once(app, client, db):
    identity = app.state.service.context
    first = await demo.seed(identity, DEMO_PASSWORD)
    again = await demo.seed(identity, DEMO_PASSWORD)
    assert [s.email for s in first] == [s.email for s in again] == [p.email for p in demo.PEOPLE]
    assert not any(s.created for s in again)
    assert db.scalar("SELECT count(*) FROM organisations WHERE siret = '81208328500013'") == 1

    r = await client.post("/auth/login", json={"email": "direction@dupain.example.fr", "password": DEMO_PASSWORD})
    principal = await identity.verifier.verify(r.json()["access_token"])
    assert principal.sirets() == {"81208328500013", "81208328500021"}
    assert all(m.is_admin for m in principal.memberships)

    r = await client.post(
        "/auth/login", json={"email": "formation@cfa-alimentation.example.fr", "password": DEMO_PASSWORD}
    )
    principal = await identity.verifier.verify(r.json()["access_token"])
    assert principal.uais() == {"0754321P"} and principal.training_sirets() == {"19793776650011"}

    r = await client.post("/auth/login", json={"email": "instructeur@opcommerce.example.fr", "password": DEMO_PASSWORD})
    [membership] = (await identity.verifier.verify(r.json()["access_token"])).memberships
    assert (membership.kind, membership.role, membership.opco_code) == ("opco", "reviewer", "OPCOMMERCE")


async def test_seed_gives_opco_processing_a_machine_identity_per_opco(app, client, tmp_path, monkeypatch):
    identity = app.state.service.context
    path = tmp_path / "machine-clients.json"
    monkeypatch.setenv(demo.MACHINE_CLIENTS_FILE_VARIABLE, str(path))
    await demo.seed(identity, DEMO_PASSWORD)
    await demo.seed(identity, DEMO_PASSWORD)  # idempotent: the secrets kept are still valid
    import json

    clients = json.loads(path.read_text())
    assert set(clients) == {"OPCOMMERCE", "OPCOEP"}
    for code, credentials in clients.items():
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", **credentials})
        assert r.status_code == 200, r.text
        [membership] = (await identity.verifier.verify(r.json()["access_token"])).memberships
        assert (membership.kind, membership.opco_code) == ("opco", code)


def test_seed_refuses_to_run_without_a_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.delenv(demo.PASSWORD_VARIABLE, raising=False)
    assert demo.main([]) == 2
    assert demo.PASSWORD_VARIABLE in capsys.readouterr().err
