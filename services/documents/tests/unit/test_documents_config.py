from passerelle.documents.config import Settings
from passerelle.libs.testing.settings import check_settings_conventions


def test_settings_follow_the_platform_conventions(monkeypatch):
    """DOCUMENTS_ variables win over PASSERELLE_ ones; its database is documents."""
    check_settings_conventions(monkeypatch, Settings, prefix="DOCUMENTS_", database="documents")
