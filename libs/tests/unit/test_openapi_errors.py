"""Every route documents its refusals with the one error shape (issue #10, item 10)."""

from fastapi import APIRouter

from passerelle.libs.openapi import ERROR_REF, ERROR_STATUSES
from passerelle.libs.service import Service
from passerelle.libs.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name = "probe"  # type: ignore[assignment]


def test_every_operation_lists_401_403_404_409_422_with_the_error_schema():
    router = APIRouter()

    @router.post("/things/{thing_id}", responses={404: {"description": "Chose introuvable"}})
    def update(thing_id: int, flag: bool = False) -> dict[str, int]:
        return {"id": thing_id}

    @router.get("/things")
    def listing() -> list[int]:
        return []

    app = Service(Settings(kafka_bootstrap="127.0.0.1:9"), title="probe", routers=[router]).app()
    spec = app.openapi()
    operations = [
        (p, m, o) for p, ops in spec["paths"].items() for m, o in ops.items() if p not in ("/health", "/ready")
    ]
    assert {(p, m) for p, m, _ in operations} >= {("/things/{thing_id}", "post"), ("/things", "get")}
    for path, method, operation in operations:
        for status in ERROR_STATUSES:
            response = operation["responses"][status]
            assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (path, method, status)
    assert spec["paths"]["/things/{thing_id}"]["post"]["responses"]["404"]["description"] == "Chose introuvable"
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
