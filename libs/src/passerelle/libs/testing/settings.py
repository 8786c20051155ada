"""The settings conventions every service keeps, checked the same way in each service's own tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

    from passerelle.libs.settings import ServiceSettings


def check_settings_conventions(
    monkeypatch: pytest.MonkeyPatch, settings: type[ServiceSettings], prefix: str, database: str | None
) -> None:
    """The service's own variables win over the platform's; its database URL is derived from the base."""
    monkeypatch.setenv("PASSERELLE_KAFKA_BOOTSTRAP", "platform:9092")
    assert settings().kafka_bootstrap == "platform:9092"
    monkeypatch.setenv(f"{prefix}KAFKA_BOOTSTRAP", "own:9092")
    assert settings().kafka_bootstrap == "own:9092"
    monkeypatch.setenv("PASSERELLE_DATABASE_URL_BASE", "postgresql+psycopg://u:p@db:5432")
    expected = None if database is None else f"postgresql+psycopg://u:p@db:5432/{database}"
    assert settings().database_url == expected
