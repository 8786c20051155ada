import httpx

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.sessions import SessionStore
from passerelle.portal.entrypoints.http.web import safe_next


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_rotated_refresh_token_leads_to_the_new_session_for_a_grace_period_only():
    clock = Clock()
    store = SessionStore(clock)
    old = store.put("refresh-1", "access-1", 600, 3600)
    new = store.put("refresh-2", "access-2", 600, 3600)
    store.rotate("refresh-1", new)
    assert store.get("refresh-1") is new
    assert old.refresh_token == "refresh-1"
    clock.now += 31
    assert store.get("refresh-1") is None
    assert store.get("refresh-2") is new


def test_dropping_a_session_drops_its_aliases():
    store = SessionStore(Clock())
    new = store.put("refresh-2", "access-2", 600, 3600)
    store.rotate("refresh-1", new)
    store.drop("refresh-2")
    assert store.get("refresh-1") is None and store.get("refresh-2") is None


def test_entries_are_keyed_by_a_digest_never_by_the_token():
    store = SessionStore(Clock())
    store.put("secret-refresh-token", "access", 600, 3600)
    assert "secret-refresh-token" not in store._entries


def test_only_paths_of_this_site_follow_a_login():
    assert safe_next("/contrats/1") == "/contrats/1"
    assert safe_next("https://evil.example/x") == "/tableau-de-bord"
    assert safe_next("//evil.example/x") == "/tableau-de-bord"
    assert safe_next("") == "/tableau-de-bord"


def test_the_platform_error_shape_is_read_once():
    response = httpx.Response(
        422,
        json={
            "error": {
                "code": "invalid_input",
                "message": "Certaines informations sont invalides.",
                "fields": [{"path": "email", "code": "missing", "message": "Ce champ est obligatoire."}],
                "tabs_in_error": ["documents"],
            }
        },
    )
    error = ApiError.of(response)
    assert (error.status, error.code) == (422, "invalid_input")
    assert error.fields[0].path == "email"
    assert error.extra == {"tabs_in_error": ["documents"]}
    assert ApiError.of(httpx.Response(502, text="<html>")).message.startswith("Le service est momentanément")


def test_logging_out_everywhere_forgets_every_session_of_the_person_kept_here():
    class Me:
        id = "account-1"

    store = SessionStore(Clock())
    for n in range(3):
        store.put(f"refresh-{n}", f"access-{n}", 600, 3600).cached["me"] = Me()
    other = store.put("refresh-other", "access-other", 600, 3600)
    assert store.drop_account("account-1") == 3
    assert store.get("refresh-0") is None and store.get("refresh-other") is other
