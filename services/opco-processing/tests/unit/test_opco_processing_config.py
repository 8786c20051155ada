from passerelle.libs.testing.settings import check_settings_conventions
from passerelle.opco_processing.config import Settings


def test_settings_follow_the_platform_conventions(monkeypatch):
    """OPCO_PROCESSING_ variables win over PASSERELLE_ ones; its database is opco_processing."""
    check_settings_conventions(monkeypatch, Settings, prefix="OPCO_PROCESSING_", database="opco_processing")
