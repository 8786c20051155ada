"""Forged input on the contracts API (issue #10, item 6): a French 4xx naming the field, never a server error."""

from __future__ import annotations

import pytest

from passerelle.contracts.testing.samples import DEMO_EMPLOYER_SIRET

from .test_contracts_api import EMPLOYER, create

pytestmark = pytest.mark.integration


def paths(response) -> dict[str, str]:
    return {f["path"]: f["code"] for f in response.json()["error"]["fields"]}


async def test_nul_bytes_in_text_fields_and_search_are_refused_by_field(client, auth):
    headers = auth(EMPLOYER)
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    tab = await client.put(
        f"/contracts/{created['id']}/tabs/salarie", json={"first_name": "Lu\x00cas"}, headers=headers
    )
    assert tab.status_code == 422 and paths(tab) == {"first_name": "forbidden_character"}
    search = await client.get("/contracts", params={"q": "Du\x00pain"}, headers=headers)
    assert search.status_code == 422 and paths(search) == {"q": "forbidden_character"}
    bidi = await client.put(
        f"/contracts/{created['id']}/tabs/salarie", json={"birth_name": "\u202eNIAPUD"}, headers=headers
    )
    assert bidi.status_code == 422 and paths(bidi) == {"birth_name": "forbidden_character"}
    saved = await client.get(f"/contracts/{created['id']}", headers=headers)
    assert saved.json()["form"]["employee"].get("first_name") is None  # nothing half-written


async def test_numbers_are_bounded(client, auth):
    headers = auth(EMPLOYER)
    page = await client.get("/contracts", params={"page": str(2**63)}, headers=headers)
    assert page.status_code == 422 and paths(page) == {"page": "less_than_equal"}
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    for headcount, code in ((2**63, "number_out_of_range"), (2**40, "less_than_equal")):
        r = await client.put(
            f"/contracts/{created['id']}/tabs/employeur", json={"headcount": headcount}, headers=headers
        )
        assert r.status_code == 422 and [(p.split(".")[-1], c) for p, c in paths(r).items()] == [("headcount", code)]
        assert "limite" in r.text or "inférieure" in r.text
    huge = await client.put(
        f"/contracts/{created['id']}/tabs/employeur",
        content=b'{"headcount": ' + b"9" * 5000 + b"}",
        headers={**headers, "content-type": "application/json"},
    )
    assert huge.status_code == 422 and paths(huge) == {"headcount": "number_out_of_range"}


@pytest.mark.parametrize("if_match", ["²", '"١٢"', "9" * 30, 'W/"-1"', "abc"])
async def test_unusual_if_match_values_are_a_422_on_the_header(client, auth, if_match):
    headers = auth(EMPLOYER)
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    r = await client.put(
        f"/contracts/{created['id']}/tabs/salarie",
        json={"first_name": "Lucas"},
        headers={**headers, "If-Match": if_match.encode("utf-8")},
    )
    assert r.status_code == 422 and paths(r) == {"If-Match": "invalid"}, r.text


async def test_unreadable_bodies_get_french_errors(client, auth):
    headers = {**auth(EMPLOYER), "content-type": "application/json"}
    latin1 = await client.post("/contracts", content='{"contract_type": "é"}'.encode("latin-1"), headers=headers)
    assert latin1.status_code == 400 and paths(latin1) == {"body": "body_not_utf8"}
    assert "UTF-8" in latin1.json()["error"]["fields"][0]["message"]
    deep = await client.post("/contracts", content=b"[" * 50_000 + b"]" * 50_000, headers=headers)
    assert deep.status_code == 422 and paths(deep) == {"body": "too_deep"}
    for r in (latin1, deep):
        assert "error parsing" not in r.text


async def test_booleans_are_booleans(client, auth):
    """Issue #10, item 10: `0`, `1` or "yes" are not an answer to a yes/no question."""
    headers = auth(EMPLOYER)
    created = await create(client, auth, EMPLOYER, contract_type="apprentissage", employer_siret=DEMO_EMPLOYER_SIRET)
    for value in (0, 1, "yes", "true"):
        r = await client.put(
            f"/contracts/{created['id']}/tabs/salarie", json={"disabled_worker": value}, headers=headers
        )
        assert r.status_code == 422, (value, r.text)
        assert [f["code"] for f in r.json()["error"]["fields"]] == ["bool_type"]
    ok = await client.put(f"/contracts/{created['id']}/tabs/salarie", json={"disabled_worker": False}, headers=headers)
    assert ok.status_code == 200, ok.text
