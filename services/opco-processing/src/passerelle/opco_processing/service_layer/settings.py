"""An OPCO's own settings (automatic engagement per contract type, alerts before expiry)."""

from __future__ import annotations

from typing import Any

from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork

from .context import Policy


def defaults(policy: Policy) -> dict[str, Any]:
    return {"auto_engage": dict(policy.default_auto_engage), "alert_days": list(policy.default_alert_days)}


async def opco_settings(uow: OpcoUnitOfWork, opco_code: str, policy: Policy) -> dict[str, Any]:
    stored = await uow.cases.settings(opco_code) or {}
    merged = defaults(policy)
    merged["auto_engage"].update(stored.get("auto_engage", {}))
    if "alert_days" in stored:
        merged["alert_days"] = stored["alert_days"]
    return merged
