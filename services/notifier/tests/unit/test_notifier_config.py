from passerelle.libs.testing.settings import check_settings_conventions
from passerelle.notifier.config import Settings


def test_settings_follow_the_platform_conventions(monkeypatch):
    """NOTIFIER_ variables win over PASSERELLE_ ones; its database is notifier."""
    check_settings_conventions(monkeypatch, Settings, prefix="NOTIFIER_", database="notifier")
