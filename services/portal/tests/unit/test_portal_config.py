from passerelle.libs.testing.settings import check_settings_conventions
from passerelle.portal.config import Settings


def test_settings_follow_the_platform_conventions(monkeypatch):
    """PORTAL_ variables win over PASSERELLE_ ones; it has no database of its own."""
    check_settings_conventions(monkeypatch, Settings, prefix="PORTAL_", database=None)
