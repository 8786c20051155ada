from passerelle.portal.config import Settings


def test_service_prefix_overrides_platform_variable(monkeypatch):
    monkeypatch.setenv("PASSERELLE_KAFKA_BOOTSTRAP", "platform:9092")
    assert Settings().kafka_bootstrap == "platform:9092"
    monkeypatch.setenv("PORTAL_KAFKA_BOOTSTRAP", "own:9092")
    assert Settings().kafka_bootstrap == "own:9092"


def test_database_url_is_derived_from_the_platform_base(monkeypatch):
    monkeypatch.setenv("PASSERELLE_DATABASE_URL_BASE", "postgresql+psycopg://u:p@db:5432")
    url = Settings().database_url
    assert url == (None)
