"""The durable clocks: implicit decisions at expiry and alerts before it, from a periodic task.

The deadline is a column of the case (`due_at`), so it survives restarts. One runner at a time holds the
task's advisory lock (the kit's exclusive periodic task); each effect is claimed in `fired_deadlines` on
(case, deadline, kind) in the transaction of the effect, so it happens exactly once even if two runners race.
"""

from __future__ import annotations

from datetime import timedelta

from passerelle.libs.logging import get_logger
from passerelle.libs.observability import metrics
from passerelle.opco_processing.domain.case import CaseStatus

from .context import Context
from .settings import opco_settings

log = get_logger(__name__)
# Alerts are set at most this many days before the end of the period (settings refuse more).
MAX_ALERT_DAYS = 10
# The legal-deadlines gauge (passerelle_legal_deadlines_due{clock="decision", horizon="3d"}): running decision
# clocks that end within each horizon, refreshed by every tick.
GAUGE_HORIZONS_DAYS = (1, 3, MAX_ALERT_DAYS)


async def tick(ctx: Context) -> dict[str, int]:
    fired = {"expired": 0, "alerts": 0}
    now = ctx.clock()
    async with ctx.uow() as uow:
        for case_id in await uow.cases.due_before(now, ctx.policy.batch_size * 4):
            case = await uow.cases.get(case_id, for_update=True)
            due = case.due_at() if case else None
            if case is None or due is None or not await uow.cases.fire(case.id, due, "expiry", now):
                continue
            number = None
            if case.clock.period.silence == "acceptance":
                number = case.file_number or await uow.cases.next_file_number(case.opco_code, now.year)
            if case.expire(now, number) is not None:
                fired["expired"] += 1
                log.info("decision period expired", case_id=str(case.id), status=case.status.value)
            await uow.save(case)
        for case_id in await uow.cases.due_before(now + timedelta(days=MAX_ALERT_DAYS), ctx.policy.batch_size * 4):
            case = await uow.cases.get(case_id, for_update=True)
            if case is None or case.status == CaseStatus.ANOMALY_PENDING:
                continue
            settings = await opco_settings(uow, case.opco_code, ctx.policy)
            due = case.due_at()
            changed = False
            for days in case.alert_due(now, settings["alert_days"]):
                if due is not None and await uow.cases.fire(case.id, due, f"alert-{days}", now):
                    case.record_alert(days, now)
                    fired["alerts"] += 1
                    changed = True
            if changed:
                await uow.save(case)
        due_within = await uow.cases.due_within(now, GAUGE_HORIZONS_DAYS)
        await uow.commit()
    for days, count in due_within.items():
        metrics.LEGAL_CLOCKS.labels(metrics.service(), "decision", f"{days}d").set(count)
    return fired
