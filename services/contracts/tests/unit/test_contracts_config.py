from passerelle.contracts.config import Settings
from passerelle.libs.testing.settings import check_settings_conventions


def test_settings_follow_the_platform_conventions(monkeypatch):
    """CONTRACTS_ variables win over PASSERELLE_ ones; its database is contracts."""
    check_settings_conventions(monkeypatch, Settings, prefix="CONTRACTS_", database="contracts")
