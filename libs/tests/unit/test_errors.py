from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from passerelle.libs.errors import Forbidden, field_path, french_message, install_error_handlers


class Tutor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    experience_years: int = Field(ge=0)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    siret: str
    tutors: list[Tutor] = []


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    def create(body: Body) -> dict[str, str]:
        return {"siret": body.siret}

    @app.get("/forbidden")
    def forbidden() -> None:
        raise Forbidden()

    return app


def test_field_path_is_dotted_with_indexes():
    assert field_path(("body", "tutors", 0, "birth_date")) == "tutors[0].birth_date"
    assert field_path(("query", "page")) == "page"


def test_french_message_uses_constraint_context():
    assert (
        french_message({"type": "greater_than_equal", "ctx": {"ge": 0}})
        == "La valeur doit être supérieure ou égale à 0."
    )
    assert french_message({"type": "something_unknown"}) == "Valeur invalide."


def test_bad_input_names_every_field_and_reason_in_french():
    client = TestClient(make_app())
    response = client.post("/things", json={"tutors": [{"birth_date": "demain", "experience_years": -1}], "color": "x"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    fields = {f["path"]: f for f in body["fields"]}
    assert fields["siret"]["message"] == "Ce champ est obligatoire."
    assert fields["tutors[0].birth_date"]["code"] == "string_pattern_mismatch"
    assert fields["tutors[0].experience_years"]["message"] == "La valeur doit être supérieure ou égale à 0."
    assert fields["color"]["message"] == "Ce champ n'est pas attendu."


def test_domain_errors_share_one_json_shape():
    response = TestClient(make_app()).get("/forbidden")
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "Vous n'avez pas accès à cette ressource.", "fields": []}
    }
