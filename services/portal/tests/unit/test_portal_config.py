from passerelle.portal.config import Settings


def test_service_prefix_overrides_platform_variable(monkeypatch):
    monkeypatch.setenv("PASSERELLE_KAFKA_BOOTSTRAP", "platform:9092")
    assert Settings().kafka_bootstrap == "platform:9092"
    monkeypatch.setenv("PORTAL_KAFKA_BOOTSTRAP", "own:9092")
    assert Settings().kafka_bootstrap == "own:9092"


def test_the_portal_has_no_database_of_its_own(monkeypatch):
    monkeypatch.setenv("PASSERELLE_DATABASE_URL_BASE", "postgresql+psycopg://u:p@db:5432")
    assert Settings().database_url is None
