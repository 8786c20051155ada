"""`PATCH /me` with an e-mail address: a clear French refusal, not a 200 that changes nothing."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from passerelle.identity.entrypoints.http.schemas import EMAIL_CHANGE_REFUSED, AccountUpdate
from passerelle.libs.errors import install_error_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.patch("/me")
    async def update_me(body: AccountUpdate) -> dict:
        return body.model_dump(exclude_unset=True)

    return app


def test_an_email_change_is_refused_in_french_with_the_field():
    response = TestClient(_app()).patch("/me", json={"email": "nouvelle@example.fr", "full_name": "Anne"})
    assert response.status_code == 422
    [field] = response.json()["error"]["fields"]
    assert field["path"] == "email"
    assert field["code"] == "email_change_unsupported"
    assert field["message"] == EMAIL_CHANGE_REFUSED


def test_the_profile_without_email_is_accepted():
    response = TestClient(_app()).patch("/me", json={"full_name": "Anne", "phone": ""})
    assert response.status_code == 200
    assert response.json() == {"full_name": "Anne", "phone": ""}


@pytest.mark.parametrize("email", [None])
def test_an_explicit_null_email_changes_nothing_and_is_accepted(email):
    assert AccountUpdate.model_validate({"email": email}).email is None
