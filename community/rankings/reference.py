"""The original single-statement SQL count of a release, kept as the reference for the numpy path.

It reads the events themselves (a DISTINCT over events ⋈ needs, a join to the windows, a cross join with the
four levels), so it does not depend on the activity_presence rollup: tests check that the fast path gives the
same release, and `python -m bench rankings` times both. Slow on a million events (tens of seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Date, bindparam, text

from community.rankings.privacy import RankingsConfig
from community.rankings.tables import ALL_INDUSTRIES, NATIONWIDE

if TYPE_CHECKING:
    from community.rankings.refresh import Window

__all__ = ["sql_counts"]


def _counting_sql(windows: Sequence[Window], *, simulated: bool, bounded: bool) -> str:
    values = ", ".join(f"({i}, :f{i}, :l{i})" for i in range(len(windows)))
    only_real = "" if simulated else " AND e.simulated = :false"
    pick = (
        ", ROW_NUMBER() OVER (PARTITION BY c.wid, c.org_id ORDER BY random()) AS pick FROM cellorg c"
        if bounded else ", 1 AS pick FROM cellorg c"
    )  # fmt: skip
    return f"""
WITH w(wid, first_week, last_week) AS (VALUES {values}),
presence AS (
  SELECT DISTINCT e.org_id, e.industry, e.province, n.need, e.week
  FROM activity_events e JOIN activity_event_needs n ON n.event_id = e.id
  WHERE e.week BETWEEN :earliest AND :latest{only_real}
),
cellorg AS (
  SELECT DISTINCT w.wid, p.industry, p.province, p.need, p.org_id
  FROM presence p JOIN w ON p.week BETWEEN w.first_week AND w.last_week
),
picked AS (SELECT c.wid, c.industry, c.province, c.need, c.org_id{pick}),
levels(li, lp) AS (VALUES (1, 1), (1, 0), (0, 1), (0, 0)),
cells AS (
  SELECT p.wid,
         CASE WHEN l.li = 1 THEN p.industry ELSE '{ALL_INDUSTRIES}' END AS industry,
         CASE WHEN l.lp = 1 THEN p.province ELSE '{NATIONWIDE}' END AS province,
         p.need, p.org_id, p.pick
  FROM picked p CROSS JOIN levels l
  WHERE (l.li = 0 OR p.industry <> 'unknown') AND (l.lp = 0 OR p.province <> '')
)
SELECT wid, industry, province, need, COUNT(DISTINCT org_id) AS n,
       COUNT(DISTINCT CASE WHEN pick <= :cap THEN org_id END) AS nb
FROM cells
GROUP BY wid, industry, province, need
HAVING COUNT(DISTINCT org_id) >= :k
"""


def sql_counts(conn: Connection, windows: Sequence[Window], config: RankingsConfig, *, bounded: bool) -> list[tuple]:
    """Rows (window id, industry, province, need, n, n bounded) of the cells with at least k organisations."""
    sql = text(_counting_sql(windows, simulated=config.include_simulated, bounded=bounded))
    params: dict[str, object] = {"earliest": min(w.first for w in windows), "latest": max(w.last for w in windows),
                                 "k": config.k, "cap": config.max_cells_per_org}  # fmt: skip
    dated = [bindparam("earliest", type_=Date), bindparam("latest", type_=Date)]
    for i, window in enumerate(windows):
        params[f"f{i}"], params[f"l{i}"] = window.first, window.last
        dated += [bindparam(f"f{i}", type_=Date), bindparam(f"l{i}", type_=Date)]
    if not config.include_simulated:
        params["false"] = False
    return [tuple(row) for row in conn.execute(sql.bindparams(*dated), params).all()]
