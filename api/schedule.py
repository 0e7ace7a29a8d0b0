"""Background work of the server: refresh the rankings every `rankings.refresh_minutes`, send the weekly
digest on `digest_weekday` (claimed per user and week in the database, so several replicas send it once),
and mark replies interrupted whose worker died mid-stream (their lease ran out; any replica may do it), and post
the download rewards whose settlement window has passed (each transfer posts once, whoever runs it).
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
SWEEP_SECONDS = 10  # replies a dead worker left pending are marked interrupted this often (after their lease)


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


def _sweep(container: Container) -> None:
    if lost := container.chat.store.interrupt_stale():
        log.warning("%d replies were left pending by a worker that stopped; marked interrupted", lost)


async def _loop(container: Container) -> None:
    ticks = 0
    while True:
        for job, every in ((_sweep, SWEEP_SECONDS), (_tick, TICK_SECONDS)):
            if ticks % (every // SWEEP_SECONDS) == 0:
                try:
                    await run_in_threadpool(job, container)
                except Exception:  # a failed job is logged and tried again next time
                    log.exception("scheduled work %s failed", job.__name__)
        ticks += 1
        await asyncio.sleep(SWEEP_SECONDS)


def run_schedule(container: Container) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(_loop(container), name="community-schedule")
