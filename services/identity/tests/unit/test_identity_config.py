from passerelle.identity.config import Settings
from passerelle.libs.testing.settings import check_settings_conventions


def test_settings_follow_the_platform_conventions(monkeypatch):
    """IDENTITY_ variables win over PASSERELLE_ ones; its database is identity."""
    check_settings_conventions(monkeypatch, Settings, prefix="IDENTITY_", database="identity")
