#!/usr/bin/env python3
"""Writes passerelle.json, the Grafana dashboard of the platform's Prometheus metrics (libs/observability/metrics).

python3 deploy/grafana/dashboard.py     (re-run after adding a metric; the JSON is committed)
"""

from __future__ import annotations

import json
from pathlib import Path

PANELS = [
    # (title, unit, [(expr, legend)])
    ("Requêtes par route (req/s)", "reqps", [
        ('sum by (service, route) (rate(passerelle_http_requests_totalSEL[5m]))', "{{service}} {{route}}"),
    ]),
    ("Latence p95 par route", "s", [
        ("histogram_quantile(0.95, sum by (service, route, le) "
         "(rate(passerelle_http_request_duration_seconds_bucketSEL[5m])))",
         "{{service}} {{route}}"),
    ]),
    ("Erreurs serveur par route (5xx/s)", "reqps", [
        ('sum by (service, route) (rate(passerelle_http_request_errors_totalSEL[5m]))', "{{service}} {{route}}"),
    ]),
    ("Retard des consommateurs (messages)", "short", [
        ('sum by (group, topic) (passerelle_consumer_lagSEL)', "{{group}} {{topic}}"),
    ]),
    ("Temps de traitement p95 par sujet", "s", [
        ("histogram_quantile(0.95, sum by (group, topic, le) "
         "(rate(passerelle_consumer_processing_seconds_bucketSEL[5m])))",
         "{{group}} {{topic}}"),
    ]),
    ("Événements appliqués / doublons / parqués (par s)", "ops", [
        ('sum by (group, outcome) (rate(passerelle_consumer_events_totalSEL[5m]))', "{{group}} {{outcome}}"),
    ]),
    ("Outbox : lignes en attente", "short", [
        ('max by (service) (passerelle_outbox_backlogSEL)', "{{service}}"),
    ]),
    ("Outbox : âge de la plus ancienne ligne", "s", [
        ('max by (service) (passerelle_outbox_oldest_age_secondsSEL)', "{{service}}"),
    ]),
    ("Lettres mortes (sur 1 h)", "short", [
        ('sum by (group, topic) (increase(passerelle_dead_letters_totalSEL[1h]))', "{{group}} {{topic}}"),
    ]),
    ("Délais légaux proches de l'échéance", "short", [
        ('sum by (service, clock, horizon) (passerelle_legal_deadlines_dueSEL)', "{{clock}} ({{horizon}})"),
    ]),
]  # fmt: skip


SEL = '{service=~"$service"}'  # every query follows the dashboard's service picker


def dashboard() -> dict:
    panels = []
    for i, (title, unit, targets) in enumerate(PANELS):
        panels.append(
            {
                "id": i + 1,
                "type": "timeseries",
                "title": title,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "options": {"legend": {"displayMode": "table", "placement": "bottom"}},
                "targets": [
                    {"refId": chr(65 + j), "expr": expr.replace("SEL", SEL), "legendFormat": legend}
                    for j, (expr, legend) in enumerate(targets)
                ],
            }
        )
    return {
        "uid": "passerelle-platform",
        "title": "Passerelle — plateforme",
        "tags": ["passerelle"],
        "timezone": "Europe/Paris",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Source"},
                {
                    "name": "service",
                    "type": "query",
                    "label": "Service",
                    "datasource": {"type": "prometheus", "uid": "${datasource}"},
                    "query": "label_values(passerelle_http_requests_total, service)",
                    "includeAll": True,
                    "multi": True,
                    "current": {"text": "All", "value": "$__all"},
                    "allValue": ".*",
                },
            ]
        },
        "panels": panels,
    }


if __name__ == "__main__":
    out = Path(__file__).with_name("passerelle.json")
    out.write_text(json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n")
    print(out)
