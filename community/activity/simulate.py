"""Simulated activity for demos and benchmarks: `top-advisor demo seed-activity --orgs 300 --weeks 12`.

Every simulated event is flagged (`simulated=True`) and belongs to an organisation id starting with `sim-`,
which no real organisation has (real ids are 32 hex digits), so simulated activity can be shown as such,
left out of a release, or deleted at once. Generated with numpy and written with the driver's executemany:
a million events take seconds, not a Python loop per row through the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, func, select, text

from assistant.name_rules import SEGMENTS
from community.activity.log import ActivityKind, iso_week
from community.activity.tables import PRESENCE_FROM_EVENTS, ActivityEventRow

__all__ = ["PROVINCES", "SIM_PREFIX", "SimulationReport", "simulate_activity"]

SIM_PREFIX = "sim-"
# Province-level divisions of the mainland with a rough weight for channel activity (bigger economies, more deals).
PROVINCES: dict[str, float] = {
    "广东省": 10, "江苏省": 9, "浙江省": 8, "山东省": 7, "北京市": 7, "上海市": 7, "河南省": 5, "四川省": 5,
    "湖北省": 5, "福建省": 4, "湖南省": 4, "安徽省": 4, "河北省": 4, "陕西省": 3, "重庆市": 3, "江西省": 3,
    "辽宁省": 3, "天津市": 2, "云南省": 2, "广西壮族自治区": 2, "山西省": 2, "贵州省": 2, "内蒙古自治区": 1.5,
    "黑龙江省": 1.5, "吉林省": 1.5, "新疆维吾尔自治区": 1.5, "甘肃省": 1, "海南省": 1, "宁夏回族自治区": 0.6,
    "青海省": 0.5, "西藏自治区": 0.3,
}  # fmt: skip
INDUSTRY_WEIGHTS: dict[str, float] = {
    "government": 10, "healthcare": 9, "education": 8, "finance": 8, "manufacturing": 7, "energy": 5,
    "transport": 4, "telecom": 3, "internet": 3, "retail": 3, "media": 2, "real_estate": 2, "agriculture": 1.5,
}  # fmt: skip
KINDS = (ActivityKind.brief, ActivityKind.answer, ActivityKind.download, ActivityKind.shared_case)
KIND_WEIGHTS = (0.6, 0.3, 0.07, 0.03)


@dataclass
class SimulationReport:
    orgs: int
    weeks: int
    events: int
    needs: int
    first_week: dt.date
    last_week: dt.date


def _segments() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for industry, _pattern, segment, _detail in SEGMENTS:
        found.setdefault(industry, [])
        if segment not in found[industry]:
            found[industry].append(segment)
    return found


def _probabilities(weights: Sequence[float]) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return array / array.sum()


def simulate_activity(
    engine: Engine,
    needs_by_industry: Mapping[str, Sequence[str]],
    topics_of: Mapping[str, Sequence[str]],
    *,
    orgs: int = 300,
    weeks: int = 12,
    events_per_org_week: float = 3.0,
    end: dt.date | None = None,
    seed: int = 14,
) -> SimulationReport:
    """Write simulated events for `orgs` organisations over the `weeks` ISO weeks ending with `end`'s week.

    Each organisation works from a home province in one to three industries; each industry has its own
    popularity order of needs (Zipf-like), and a few needs per industry grow week by week, so both the top
    and the rising rankings have something to show.
    """
    if orgs < 1 or weeks < 1:
        raise ValueError("orgs and weeks must be at least 1")
    industries = [i for i in INDUSTRY_WEIGHTS if needs_by_industry.get(i)]
    if not industries:
        raise ValueError("no needs to simulate: the corpus has no solution guides")
    rng = np.random.default_rng(seed)
    last = iso_week(end)
    mondays = [last - dt.timedelta(weeks=weeks - 1 - w) for w in range(weeks)]
    provinces = list(PROVINCES)
    segments = _segments()

    # Organisations: a home province, up to three industries, an activity rate.
    home = rng.choice(len(provinces), size=orgs, p=_probabilities(list(PROVINCES.values())))
    ind_p = _probabilities([INDUSTRY_WEIGHTS[i] for i in industries])
    most = min(3, len(industries))
    org_industries = [rng.choice(len(industries), size=rng.integers(1, most + 1), replace=False, p=ind_p) for _ in range(orgs)]
    rate = rng.lognormal(mean=np.log(events_per_org_week), sigma=0.6, size=orgs)

    # Events per (organisation, week), then one row per event.
    counts = rng.poisson(rate[:, None] * np.ones(weeks)[None, :])
    org_of = np.repeat(np.arange(orgs), counts.sum(axis=1))
    week_of = np.concatenate([np.repeat(np.arange(weeks), counts[o]) for o in range(orgs)])
    total = int(org_of.size)
    industry_of = _pick_industry(rng, org_of, org_industries)
    away = rng.random(total) < 0.2
    province_of = np.where(away, rng.choice(len(provinces), size=total, p=_probabilities(list(PROVINCES.values()))), home[org_of])
    kind_of = rng.choice(len(KINDS), size=total, p=np.asarray(KIND_WEIGHTS))

    # Needs: 1-3 per event from the industry's popularity order, with some needs rising over the weeks.
    need_rows: list[tuple[int, str]] = []
    segment_of = np.empty(total, dtype=object)
    first_id = _next_id(engine)
    for code in range(len(industries)):
        industry = industries[code]
        pool = list(needs_by_industry[industry])
        members = np.flatnonzero(industry_of == code)
        if members.size == 0:
            continue
        seg_pool = segments.get(industry) or [""]
        segment_of[members] = np.asarray(seg_pool, dtype=object)[rng.integers(len(seg_pool), size=members.size)]
        base = 1.0 / np.arange(1, len(pool) + 1) ** 1.1
        rng.shuffle(base)
        rising = rng.choice(len(pool), size=min(3, len(pool)), replace=False)
        for w in range(weeks):
            at = members[week_of[members] == w]
            if at.size == 0:
                continue
            weight = base.copy()
            weight[rising] *= 1.0 + 0.35 * w  # grows week by week
            p = weight / weight.sum()
            per_event = rng.integers(1, min(3, len(pool)) + 1, size=at.size)
            for k in range(1, per_event.max() + 1):
                chosen = at[per_event >= k]
                picks = rng.choice(len(pool), size=chosen.size, p=p)
                need_rows.extend(zip((first_id + chosen).tolist(), [pool[i] for i in picks]))
    need_rows = list(dict.fromkeys(need_rows))  # an event names a need once

    topics: dict[int, set[str]] = {}
    for event_id, need in need_rows:
        topics.setdefault(event_id, set()).update(topics_of.get(need, ()))
    sqlite = engine.dialect.name == "sqlite"
    events = [
        (
            first_id + i, f"{SIM_PREFIX}{int(org_of[i]):05d}", KINDS[kind_of[i]].value, industries[industry_of[i]],
            str(segment_of[i] or ""), provinces[province_of[i]], ",".join(sorted(topics.get(first_id + i, ()))),
            mondays[week_of[i]].isoformat() if sqlite else mondays[week_of[i]], 1 if sqlite else True,
        )
        for i in range(total)
    ]  # fmt: skip
    _bulk_insert(engine, events, need_rows)
    return SimulationReport(orgs=orgs, weeks=weeks, events=total, needs=len(need_rows), first_week=mondays[0], last_week=last)


def _pick_industry(rng: np.random.Generator, org_of: np.ndarray, org_industries: list[np.ndarray]) -> np.ndarray:
    """Vectorised: each event takes one of its organisation's industries at random."""
    width = max(len(x) for x in org_industries)
    table = np.full((len(org_industries), width), -1, dtype=int)
    sizes = np.array([len(x) for x in org_industries])
    for o, chosen in enumerate(org_industries):
        table[o, : len(chosen)] = chosen
    slot = (rng.random(org_of.size) * sizes[org_of]).astype(int)
    return table[org_of, slot]


def _next_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(ActivityEventRow.id), 0))).scalar_one()) + 1


def _bulk_insert(engine: Engine, events: list[tuple], needs: list[tuple[int, str]]) -> None:
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    columns = "id, org_id, kind, industry, segment, province, topics, week, simulated"
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        cursor.executemany(f"INSERT INTO activity_events ({columns}) VALUES ({', '.join([mark] * 9)})", events)
        cursor.executemany(f"INSERT INTO activity_event_needs (event_id, need) VALUES ({mark}, {mark})", needs)
        cursor.close()
        conn.execute(text(PRESENCE_FROM_EVENTS), {"first": events[0][0] if events else 0})
    if engine.dialect.name == "postgresql":  # explicit ids leave the sequence behind
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('activity_events', 'id'), (SELECT MAX(id) FROM activity_events))"
            )
