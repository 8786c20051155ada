"""Issue #10.1 on the real stack: identity, contracts and documents as real processes, real PostgreSQL, Kafka, S3,
ClamAV and SMTP.

The first account of an establishment registers it and stays unverified: it drafts a contract (and uploads its
training agreement), private to it; a colleague it invited (unverified too) and the CFA the draft names see
neither the contract nor its documents; it cannot transmit (a French refusal naming the field). The code sent by
post verifies the establishment: identity publishes `organisation.verified`, the older tokens of its members stop
working everywhere, contracts makes the draft an ordinary one (and documents follow), the colleague and the CFA
see it, and it is transmitted.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
)
from passerelle.libs.testing import samples
from passerelle.libs.testing.services import service_process
from passerelle.libs.testing.stack import scratch_bucket
from tests.e2e.test_contract_drafting import tab
from tests.e2e.test_identity_access import Identity, Mailbox, new_email
from tests.e2e.test_notifications import Person

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(stack, log_dir):
    run = uuid.uuid4().hex[:8]
    portal = {"IDENTITY_PORTAL_URL": "http://portail.e2e", "IDENTITY_MAIL_POLL_SECONDS": "0.2"}
    with (
        scratch_bucket("passerelle-docs-private") as bucket,
        service_process("identity", "e2e_private_identity", log_dir, portal, quiet=False) as identity,
        service_process(
            "contracts",
            "e2e_private_contracts",
            log_dir,
            {"PASSERELLE_IDENTITY_URL": identity.url, "CONTRACTS_CONSUMER_GROUP": f"contracts-e2e-private-{run}"},
            quiet=False,
        ) as contracts,
        service_process(
            "documents",
            "e2e_private_documents",
            log_dir,
            {
                "PASSERELLE_IDENTITY_URL": identity.url,
                "DOCUMENTS_S3_BUCKET": bucket,
                "DOCUMENTS_CONSUMER_GROUP": f"documents-e2e-private-{run}",
            },
            quiet=False,
        ) as documents,
    ):
        try:
            yield identity, contracts, documents
        except BaseException:
            for process in (identity, contracts, documents):
                print(f"--- {process.name}\n{process.tail(60)}")
            raise


def until(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.3)
    return found


def test_an_unverified_members_draft_stays_private_until_the_establishment_is_verified(platform, stack):
    identity_process, contracts_process, documents_process = platform
    idp = Identity(identity_process.url, Mailbox(os.environ.get("PASSERELLE_MAIL_API") or stack["PASSERELLE_MAIL_API"]))
    contracts = httpx.Client(base_url=contracts_process.url, timeout=30)
    documents = httpx.Client(base_url=documents_process.url, timeout=60)

    # --- A CFA, verified; an establishment registered by its first account, not verified; a colleague invited.
    cfa = Person(idp, new_email("sophie"))
    idp.sign_up(cfa.email, "Sophie Bernard")
    body = {"kind": "training", "name": "CFA des Métiers", "siret": DEMO_CFA_SIRET, "uai": DEMO_CFA_UAI}
    cfa_org = idp.call("POST", "/organisations", cfa.token, json=body, expect=201).json()
    assert idp.verify_by_post(cfa.email, cfa_org)["verified"]
    cfa.renew()
    claire, paul = Person(idp, new_email("claire")), Person(idp, new_email("paul"))
    idp.sign_up(claire.email, "Claire Dupain")
    body = {"kind": "employer", "name": "Boulangerie Dupain", "siret": DEMO_EMPLOYER_SIRET}
    shop = idp.call("POST", "/organisations", claire.token, json=body, expect=201).json()
    assert not shop["verified"]
    claire.renew()
    invitation = {"email": paul.email, "role": "contributor"}
    idp.call("POST", f"/organisations/{shop['id']}/invitations", claire.token, json=invitation, expect=201)
    idp.sign_up_from_invitation(paul.email, "Paul Lefort")
    me = contracts.get("/me", headers=claire.headers).json()
    assert me["memberships"] == []  # nothing addressed to the SIRET opens

    # --- Claire drafts: a private draft, listed for her only, with a badge-worthy flag.
    created = contracts.post(
        "/contracts",
        headers=claire.headers,
        json={"contract_type": "apprentissage", "employer_siret": DEMO_EMPLOYER_SIRET, "training_uai": DEMO_CFA_UAI},
    )
    assert created.status_code == 201, created.text
    contract = created.json()
    contract_id = contract["id"]
    assert contract["private"] is True and contract["your_sides"] == ["employer"]
    form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    for name in ("introduction", "employeur", "salarie", "tuteur", "contrat", "formation", "synthese"):
        etag = contracts.get(f"/contracts/{contract_id}", headers=claire.headers).headers["etag"]
        saved = contracts.put(
            f"/contracts/{contract_id}/tabs/{name}",
            headers={**claire.headers, "If-Match": etag},
            json=tab(form, name),
        )
        assert saved.status_code == 200, (name, saved.text)
    mine = contracts.get("/contracts", headers=claire.headers).json()
    assert [(c["id"], c["private"]) for c in mine["items"]] == [(contract_id, True)]

    # --- Its training agreement, through the documents service (the same rule, from contracts' events).
    def upload(person: Person) -> httpx.Response:
        return documents.post(
            f"/contracts/{contract_id}/documents",
            headers=person.headers,
            data={"document_type": "convention_formation"},
            files={"file": ("Convention de formation.pdf", samples.sample_pdf(4000, b"prive"), "application/pdf")},
        )

    until(lambda: upload(claire).status_code == 201, "contract.drafted never reached documents")
    until(
        lambda: contracts.get(f"/contracts/{contract_id}", headers=claire.headers).json()["documents"],
        "document.uploaded never reached contracts",
    )

    # --- Nobody else sees it: not the colleague (pending too), not the CFA it names.
    for other in (paul, cfa):
        assert contracts.get(f"/contracts/{contract_id}", headers=other.headers).status_code == 404
        assert contracts.get("/contracts", headers=other.headers).json()["total"] == 0
        assert documents.get(f"/contracts/{contract_id}/documents", headers=other.headers).status_code == 404
        assert upload(other).status_code == 404
    # --- Nor can it leave Claire's hands: a French refusal naming the field.
    etag = contracts.get(f"/contracts/{contract_id}", headers=claire.headers).headers["etag"]
    refused = contracts.post(f"/contracts/{contract_id}/transmit", headers={**claire.headers, "If-Match": etag})
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "organisation_not_verified" and "pas encore vérifié" in error["message"]
    assert [(f["path"], f["code"]) for f in error["fields"]] == [("organisation", "organisation_not_verified")]

    # --- The code by post verifies the establishment: older tokens of its members stop working everywhere.
    stale = paul.headers
    assert idp.verify_by_post(claire.email, shop)["verified"]
    until(lambda: contracts.get("/me", headers=stale).status_code == 401, "paul's older token kept working", 30)
    assert contracts.get("/me", headers=stale).json()["error"]["code"] == "token_revoked"
    until(
        lambda: documents.get(f"/contracts/{contract_id}/documents", headers=stale).status_code == 401,
        "documents kept honouring paul's older token",
        30,
    )
    for person in (claire, paul, cfa):
        person.renew()

    # --- An ordinary draft of the establishment now: the colleague and the CFA see it and its documents.
    seen = until(
        lambda: (r := contracts.get(f"/contracts/{contract_id}", headers=paul.headers)).status_code == 200 and r.json(),
        "the draft never became the establishment's",
    )
    assert seen["private"] is False and seen["your_sides"] == ["employer"]
    assert [c["id"] for c in contracts.get("/contracts", headers=paul.headers).json()["items"]] == [contract_id]
    assert contracts.get(f"/contracts/{contract_id}", headers=cfa.headers).json()["your_sides"] == ["training"]
    listed = until(
        lambda: (
            (r := documents.get(f"/contracts/{contract_id}/documents", headers=paul.headers)).status_code == 200
            and r.json()
        ),
        "documents never opened the draft to the establishment",
    )
    assert [d["document_type"] for d in listed["documents"]] == ["convention_formation"]
    history = contracts.get(f"/contracts/{contract_id}/history", headers=claire.headers).json()
    assert "organisation_verified" in [h["action"] for h in history]

    # --- And Claire transmits it.
    etag = contracts.get(f"/contracts/{contract_id}", headers=claire.headers).headers["etag"]
    sent = contracts.post(f"/contracts/{contract_id}/transmit", headers={**claire.headers, "If-Match": etag})
    assert sent.status_code == 200, sent.text
    assert sent.json()["contract"]["status"] == "transmitted"
    contracts.close()
    documents.close()
