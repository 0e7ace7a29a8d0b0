"""Background work of the server: refresh the rankings every `rankings.refresh_minutes`, send the weekly
digest on `digest_weekday` (claimed per user and week in the database, so several replicas send it once),
and post the download rewards whose settlement window has passed (each transfer posts once, whoever runs it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from starlette.concurrency import run_in_threadpool

from api.container import Container
from community.watch import send_weekly_digests

log = logging.getLogger(__name__)
TICK_SECONDS = 60


def refresh_due(container: Container, now: dt.datetime) -> bool:
    minutes = container.settings.rankings.refresh_minutes
    if minutes <= 0:
        return False
    release = container.insights.rankings.release()
    if release is None:
        return True
    created = release.created_at if release.created_at.tzinfo else release.created_at.replace(tzinfo=dt.UTC)
    return now - created >= dt.timedelta(minutes=minutes)


def _tick(container: Container) -> None:
    settings = container.settings
    now = dt.datetime.now(dt.UTC)
    if refresh_due(container, now):
        purged, summary = container.insights.refresh(settings.rankings)
        log.info("rankings refreshed: %d cells in %.1fs (%d old events purged)", summary.cells, summary.seconds, purged)
    settled = container.billing.settle()
    if settled:
        log.info("rewards settled: %d pending transfers posted", settled)
    if settings.smtp.host and settings.digest_weekday == now.isoweekday():
        report = send_weekly_digests(settings.smtp, container.accounts, container.insights.updates)
        if report.sent or report.failed:
            log.info("weekly digest: %d sent, %d failed", len(report.sent), len(report.failed))


async def _loop(container: Container) -> None:
    while True:
        try:
            await run_in_threadpool(_tick, container)
        except Exception:  # a failed tick is logged and tried again at the next one
            log.exception("scheduled community work failed")
        await asyncio.sleep(TICK_SECONDS)


def run_schedule(container: Container) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(_loop(container), name="community-schedule")
