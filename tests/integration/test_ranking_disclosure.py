"""No ranking output contains a count below k or lets one be derived from totals.

An attacker sees every published list. For each parent cell (全国 over the provinces, 全部行业 over the
industries, a 30-day window over its weeks) they know: parent ≤ Σ children (distinct organisations: a union is
at most the sum) and child ≤ parent. Each published value is known only as an interval; a cell that is not
published is in [0, k−1]. A suppressed cell is *disclosed* when these constraints narrow it: a lower bound
above 0 or an upper bound below k−1. The check runs on a real release of random activity, and on a leaky
publication (exact counts, zeros shown, a 全国 total) to show that it does catch a derivation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
from collections import defaultdict
from pathlib import Path

from community.activity import ActivityEvent, ActivityKind, ActivityLog, iso_week, migrate_activity
from community.activity.simulate import PROVINCES
from community.catalogue import NeedCatalogue
from community.rankings import RankingsConfig, RankingsService, migrate_rankings, refresh_rankings
from community.rankings.refresh import windows_for
from corpus.store import make_engine
from retrieval.keyword_index import SqliteKeywordIndex

K = 5
TODAY = dt.date(2026, 6, 10)
INDUSTRIES = ["healthcare", "finance", "education", "government"]
NEEDS = ["sol-a", "sol-b", "sol-c"]
Interval = tuple[float, float]


def disclosed(parent: Interval, children: dict[str, Interval], suppressed: set[str], k: int) -> dict[str, Interval]:
    """Suppressed children whose bounds the parent and their siblings narrow below [0, k−1]."""
    found = {}
    for name in suppressed:
        others = sum(hi for other, (_, hi) in children.items() if other != name)
        low = max(0.0, parent[0] - others)
        high = min(float(k - 1), parent[1])
        if low > 0 or high < k - 1:
            found[name] = (low, high)
    return found


def audit(cells: dict[tuple[str, str, str, str], Interval], k: int, weeks: dict[str, list[str]]) -> list[str]:
    """Every disclosure in a publication: cells maps (window, industry, province, need) → known interval."""
    unknown: Interval = (0.0, float(k - 1))

    def get(key: tuple[str, str, str, str]) -> Interval:
        return cells.get(key, unknown)

    problems = []
    provinces, industries = list(PROVINCES), INDUSTRIES
    windows = {key[0] for key in cells} | {"7d", "30d", "quarter"}
    for window in windows:
        for need in NEEDS:
            for industry in [*industries, "all"]:  # 全国 over the provinces
                children = {p: get((window, industry, p, need)) for p in provinces}
                hidden = {p for p in provinces if (window, industry, p, need) not in cells}
                for name, bounds in disclosed(get((window, industry, "全国", need)), children, hidden, k).items():
                    problems.append(f"{window}/{industry}/{name}/{need} derivable as {bounds}")
            for province in [*provinces, "全国"]:  # 全部行业 over the industries
                children = {i: get((window, i, province, need)) for i in industries}
                hidden = {i for i in industries if (window, i, province, need) not in cells}
                for name, bounds in disclosed(get((window, "all", province, need)), children, hidden, k).items():
                    problems.append(f"{window}/{name}/{province}/{need} derivable as {bounds}")
    for parent, parts in weeks.items():  # a window over its weeks
        for industry in [*industries, "all"]:
            for province in [*provinces, "全国"]:
                for need in NEEDS:
                    children = {w: get((w, industry, province, need)) for w in parts}
                    hidden = {w for w in parts if (w, industry, province, need) not in cells}
                    for name, bounds in disclosed(get((parent, industry, province, need)), children, hidden, k).items():
                        problems.append(f"{name}/{industry}/{province}/{need} derivable as {bounds}")
    return problems


def random_activity(log: ActivityLog) -> dict[tuple[str, str, str, str], set[str]]:
    """Skewed random activity with many small cells; returns the true organisations per 30-day cell."""
    rng = random.Random(7)
    truth: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    events = []
    provinces = list(PROVINCES)[:6]
    for week_back in range(8):
        week = iso_week(TODAY) - dt.timedelta(weeks=week_back)
        for org in range(60):
            for _ in range(rng.randint(0, 3)):
                industry = rng.choice(INDUSTRIES[: 1 + org % 4])
                province = provinces[min(int(rng.expovariate(0.9)), 5)]
                need = rng.choice(NEEDS)
                events.append(ActivityEvent(org_id=f"o{org}", kind=ActivityKind.brief, industry=industry,
                                            province=province, needs=[need], week=week))  # fmt: skip
                if week_back < 4:
                    for ind in (industry, "all"):
                        for prov in (province, "全国"):
                            truth[("30d", ind, prov, need)].add(f"o{org}")
    log.record_many(events)
    return truth


def test_a_release_discloses_no_suppressed_cell(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'top.db').as_posix()}")
    migrate_activity(engine)
    migrate_rankings(engine)
    truth = random_activity(ActivityLog(engine))
    refresh_rankings(engine, RankingsConfig(k=K), today=TODAY)
    service = RankingsService(engine, NeedCatalogue(SqliteKeywordIndex(tmp_path / "kw.sqlite3")))
    text = "".join(service.csv_lines(window=None, kind=None, industry=None, province=None)).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))

    # Every published value is a rank and the one band: a lower bound of k, no upper bound, no count column.
    assert set(rows[0]) == {"window", "kind", "period_start", "industry", "province", "rank", "need", "need_title", "band"}
    assert {r["band"] for r in rows} == {f"≥{K} 家伙伴"}
    def window(row: dict[str, str]) -> str:  # a trend point is named by its week: w0 = this week, w1 = the one before
        if row["window"] != "week":
            return row["window"]
        return f"w{(iso_week(TODAY) - dt.date.fromisoformat(row['period_start'])).days // 7}"

    published = {(window(r), r["industry"], r["province"], r["need"]): (float(K), math.inf) for r in rows if r["kind"] == "top"}
    assert any(key[0] == "w3" for key in published)
    # Both sides of the threshold occur in this data, and the release follows the truth exactly.
    small = {key for key, orgs in truth.items() if 0 < len(orgs) < K}
    large = {key for key, orgs in truth.items() if len(orgs) >= K}
    assert small and large
    assert not small & set(published) and large <= set(published)

    week_names = {f"w{i}" for i in range(4)}
    assert audit(published, K, {"30d": sorted(week_names)}) == []


def test_the_audit_catches_a_leaky_publication() -> None:
    """Exact counts, empty cells shown as 0 and a 全国 total: the one suppressed province is derivable."""
    cells: dict[tuple[str, str, str, str], Interval] = {}
    for province in PROVINCES:
        cells[("30d", "healthcare", province, "sol-a")] = (0.0, 0.0)
    cells[("30d", "healthcare", "广东省", "sol-a")] = (6.0, 6.0)
    del cells[("30d", "healthcare", "广西壮族自治区", "sol-a")]  # 2 organisations: suppressed
    cells[("30d", "healthcare", "全国", "sol-a")] = (8.0, 8.0)
    problems = audit(cells, K, {})
    assert any("广西壮族自治区" in p and "(2.0, 4.0)" in p for p in problems), problems


def test_the_window_dimension_is_audited_too() -> None:
    windows = windows_for(iso_week(TODAY))
    assert [w.name for w in windows].count("week") == 13
    cells = {("30d", "healthcare", "全国", "sol-a"): (9.0, 9.0), ("w0", "healthcare", "全国", "sol-a"): (5.0, 5.0),
             ("w1", "healthcare", "全国", "sol-a"): (0.0, 0.0), ("w2", "healthcare", "全国", "sol-a"): (0.0, 0.0)}  # fmt: skip
    problems = audit(cells, K, {"30d": ["w0", "w1", "w2", "w3"]})
    assert any(p.startswith("w3/healthcare/全国/sol-a") for p in problems), problems
