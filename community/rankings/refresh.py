"""Compute a ranking release from the activity tables: counting in numpy, Python for the ordering.

The counting reduces the presence rollup (one row per organisation, customer kind, need and week, kept at
record time) to one row per (window, industry, province, need) with the number of distinct organisations, at
four levels (with 全部行业 and 全国), keeping only cells of at least k organisations.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Date, Engine, bindparam, delete, exists, insert, select, text

from community.activity.log import iso_week
from community.activity.tables import ActivityEventRow
from community.rankings.counting import count_cells
from community.rankings.privacy import NoisyCounter, RankingsConfig, band_label, sensitivity
from community.rankings.reference import sql_counts
from community.rankings.tables import RankingCellRow, RankingReleaseRow

__all__ = ["TREND_WEEKS", "WINDOWS", "ReleaseSummary", "Window", "refresh_rankings", "windows_for"]

# Raw text, untyped columns: the week comes back as the driver gives it (ISO text on SQLite), no per-row parsing.
_PRESENCE_SQL = "SELECT org_id, industry, province, need, week FROM activity_presence WHERE week BETWEEN :earliest AND :latest"
_DATES = (bindparam("earliest", type_=Date), bindparam("latest", type_=Date))
_PRESENCE = text(_PRESENCE_SQL).bindparams(*_DATES)
_PRESENCE_REAL = text(_PRESENCE_SQL + " AND simulated = :false").bindparams(*_DATES)
WINDOWS: dict[str, int] = {"7d": 1, "30d": 4, "quarter": 13}  # window → ISO weeks
TREND_WEEKS = 13


@dataclass(frozen=True)
class Window:
    name: str  # 7d, 30d, quarter, or week (a trend point)
    phase: str  # cur or prev
    first: dt.date  # Monday of the first week
    last: dt.date  # Monday of the last week


@dataclass
class ReleaseSummary:
    release_id: int
    reference_week: dt.date
    cells: int
    lists: int
    simulated: bool
    seconds: float


def windows_for(reference: dt.date) -> list[Window]:
    """Current and previous window of each size, and one window per week for the trend."""
    found = []
    for name, weeks in WINDOWS.items():
        span = dt.timedelta(weeks=weeks)
        found.append(Window(name, "cur", reference - span + dt.timedelta(weeks=1), reference))
        found.append(Window(name, "prev", reference - 2 * span + dt.timedelta(weeks=1), reference - span))
    for back in range(TREND_WEEKS):
        monday = reference - dt.timedelta(weeks=back)
        found.append(Window("week", "cur", monday, monday))
    return found


def refresh_rankings(
    engine: Engine,
    config: RankingsConfig,
    *,
    today: dt.date | None = None,
    known_needs: Collection[str] | None = None,
    reference_sql: bool = False,
) -> ReleaseSummary:
    """Count, suppress, order and publish one release; older releases are dropped in the same transaction.

    Counting reads the activity_presence rollup and counts in numpy (community/rankings/counting.py);
    `reference_sql` counts with the original single SQL statement over the events instead (slow: the
    reference for tests and `python -m bench rankings`).
    """
    import time

    started = time.perf_counter()
    reference = iso_week(today)
    windows = windows_for(reference)
    earliest = min(w.first for w in windows)
    noise = config.epsilon is not None

    with engine.begin() as conn:
        if reference_sql:
            rows = sql_counts(conn, windows, config, bounded=noise)
        else:
            # A million presence rows are a million tracked objects: without the cyclic collector running over
            # them again and again, reading them costs a fraction (none of them can form a cycle).
            collecting = gc.isenabled()
            gc.disable()
            try:
                presence = conn.execute(_PRESENCE if config.include_simulated else _PRESENCE_REAL,
                                        {"earliest": earliest, "latest": reference, "false": False}).all()  # fmt: skip
                rows = count_cells(presence, [(w.first, w.last) for w in windows],
                                   k=config.k, cap=config.max_cells_per_org if noise else None)  # fmt: skip
                del presence
            finally:
                if collecting:
                    gc.enable()
        simulated = config.include_simulated and bool(conn.execute(select(exists().where(
            ActivityEventRow.simulated.is_(True), ActivityEventRow.week.between(earliest, reference)))).scalar())  # fmt: skip

        counts: dict[tuple[int, str, str], dict[str, float]] = defaultdict(dict)
        for wid, industry, province, need, n, nb in rows:
            if known_needs is None or need in known_needs:
                counts[(wid, industry, province)][need] = int(nb if noise else n)
        if noise:
            counter = NoisyCounter(config.epsilon, sensitivity(config.max_cells_per_org, len(windows)))  # type: ignore[arg-type]
            for cell in counts.values():
                cell.update(zip(cell, counter.noisy([int(v) for v in cell.values()])))

        release_id = conn.execute(insert(RankingReleaseRow).values(
            reference_week=reference, k=config.k, epsilon=config.epsilon, simulated=simulated,
            created_at=dt.datetime.now(dt.UTC)).returning(RankingReleaseRow.id)).scalar_one()  # fmt: skip
        cells = _ranked(release_id, windows, counts, band_label(config.k))
        if cells:
            conn.execute(insert(RankingCellRow), cells)
        older = select(RankingReleaseRow.id).where(RankingReleaseRow.id < release_id)
        conn.execute(delete(RankingCellRow).where(RankingCellRow.release_id.in_(older)))
        conn.execute(delete(RankingReleaseRow).where(RankingReleaseRow.id < release_id))
    lists = len({(c["window"], c["kind"], c["period"], c["industry"], c["province"]) for c in cells})
    return ReleaseSummary(release_id, reference, len(cells), lists, simulated, time.perf_counter() - started)


def _ranked(
    release_id: int, windows: list[Window], counts: dict[tuple[int, str, str], dict[str, float]], band: str
) -> list[dict[str, object]]:
    """Top lists for every window, rising lists for the sized windows (both windows published)."""
    previous = {w.name: i for i, w in enumerate(windows) if w.phase == "prev"}
    cells: list[dict[str, object]] = []

    def emit(window: Window, kind: str, industry: str, province: str, order: list[str]) -> None:
        base = {"release_id": release_id, "window": window.name, "kind": kind, "period": window.first,
                "industry": industry, "province": province, "band": band}  # fmt: skip
        cells.extend({**base, "need": need, "rank": rank} for rank, need in enumerate(order, 1))

    for (wid, industry, province), current in counts.items():
        window = windows[wid]
        if window.phase != "cur":
            continue
        emit(window, "top", industry, province, sorted(current, key=lambda need: (-current[need], need)))
        if window.name in previous:
            before = counts.get((previous[window.name], industry, province), {})
            growth = {
                need: (current[need] - before[need]) / max(before[need], 1.0)
                for need in current
                if need in before and current[need] > before[need]
            }
            emit(window, "rising", industry, province, sorted(growth, key=lambda need: (-growth[need], -current[need], need)))
    return cells
