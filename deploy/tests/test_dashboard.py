"""The Grafana dashboard plots the metrics the services expose, and every one of them."""

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

from passerelle.libs.observability import metrics

DASHBOARD = Path(__file__).resolve().parents[1] / "grafana" / "passerelle.json"


def test_dashboard_queries_exactly_the_exposed_metrics():
    assert metrics.HTTP_REQUESTS  # the module registers its metrics on import
    families = {family.name for family in REGISTRY.collect() if family.name.startswith("passerelle_")}
    queried = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            queried |= set(re.findall(r"passerelle_[a-z_]+", target["expr"]))
    base = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in queried}
    assert len(families) >= 10
    assert base <= families, base - families
    unplotted = families - base - {"passerelle_outbox_published"}  # published: a throughput figure, not a panel
    assert not unplotted, unplotted
