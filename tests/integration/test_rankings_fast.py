"""The fast rankings path (activity_presence rollup + numpy counting) gives the release of the original SQL
over the events, on real SQLite and PostgreSQL, on a random activity set; and the rollup stays the DISTINCT of
the events through recording, simulating, deleting, purging and the migration's backfill."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import Engine, select, text

from community.activity import ActivityLog, iso_week, migrate_activity
from community.activity.log import ActivityEvent, ActivityKind
from community.activity.simulate import simulate_activity
from community.rankings import RankingsConfig, refresh_rankings
from community.rankings.counting import count_cells
from community.rankings.reference import sql_counts
from community.rankings.refresh import windows_for
from community.rankings.tables import RankingCellRow

TODAY = dt.date(2026, 6, 10)
WEEK = iso_week(TODAY)
NEEDS = [f"sol-{i:02d}" for i in range(9)]
EVENTS_NEEDS = ("SELECT DISTINCT e.week, e.org_id, e.industry, e.province, n.need, e.simulated "
                "FROM activity_events e JOIN activity_event_needs n ON n.event_id = e.id")  # fmt: skip
PRESENCE = "SELECT week, org_id, industry, province, need, simulated FROM activity_presence"


@pytest.fixture
def engine(activity_engine: Engine) -> Engine:  # SQLite and PostgreSQL (tests/conftest.py)
    return activity_engine


def random_activity(engine: Engine, seed: int) -> ActivityLog:
    """Real events over 30 weeks (some of unknown industry or province, repeats, needless events) and simulated ones."""
    rng = random.Random(seed)
    log = ActivityLog(engine)
    events = []
    for _ in range(1500):
        events.append(ActivityEvent(
            org_id=f"org-{rng.randrange(40)}", kind=ActivityKind.brief,
            industry=rng.choice(["healthcare", "finance", "education", "unknown"]),
            province=rng.choice(["广东省", "江苏省", "北京市", ""]),
            needs=rng.sample(NEEDS, rng.randrange(0, 4)), week=WEEK - dt.timedelta(weeks=rng.randrange(30)),
        ))  # fmt: skip
    log.record_many(events)
    simulate_activity(engine, {"healthcare": NEEDS[:6], "finance": NEEDS[3:]}, {}, orgs=25, weeks=28,
                      events_per_org_week=2.0, end=TODAY, seed=seed)  # fmt: skip
    return log


def release(engine: Engine) -> list[tuple]:
    c = RankingCellRow
    with engine.connect() as conn:
        rows = conn.execute(select(c.window, c.kind, c.period, c.industry, c.province, c.need, c.rank, c.band)).all()
    return sorted(tuple(r) for r in rows)


def rollup_is_distinct_of_events(engine: Engine) -> bool:
    with engine.connect() as conn:
        events = {tuple(r) for r in conn.execute(text(EVENTS_NEEDS))}
        presence = [tuple(r) for r in conn.execute(text(PRESENCE))]
    return len(presence) == len(set(presence)) and set(presence) == events


@pytest.mark.parametrize("config", [RankingsConfig(k=2), RankingsConfig(), RankingsConfig(k=3, include_simulated=False)])
def test_fast_release_equals_the_reference_sql(engine: Engine, config: RankingsConfig) -> None:
    random_activity(engine, seed=7)
    refresh_rankings(engine, config, today=TODAY, reference_sql=True)
    reference = release(engine)
    refresh_rankings(engine, config, today=TODAY)
    assert release(engine) == reference
    assert len({r[0] for r in reference}) == 4 and {r[1] for r in reference} == {"top", "rising"}  # every window


def test_bounded_counts_match_where_the_bound_decides_nothing_and_bound_otherwise(engine: Engine) -> None:
    random_activity(engine, seed=11)
    windows = windows_for(WEEK)
    with engine.connect() as conn:
        reference = sorted(sql_counts(conn, windows, RankingsConfig(k=2, max_cells_per_org=1000), bounded=True))
        rows = conn.execute(text("SELECT org_id, industry, province, need, week FROM activity_presence WHERE week >= :w"),
                            {"w": min(w.first for w in windows)}).all()  # fmt: skip
    rows = [(o, i, p, n, w if isinstance(w, dt.date) else dt.date.fromisoformat(w)) for o, i, p, n, w in rows]
    spans = [(w.first, w.last) for w in windows]
    assert sorted(count_cells(rows, spans, k=2, cap=1000)) == reference
    assert sorted(count_cells(rows, spans, k=2, cap=None)) == reference

    bounded = count_cells(rows, spans, k=2, cap=2)
    assert sorted(r[:5] for r in bounded) == sorted(r[:5] for r in reference)  # true counts decide suppression
    assert all(0 <= r[5] <= r[4] for r in bounded) and any(r[5] < r[4] for r in bounded)
    base = [r for r in bounded if r[0] == 0 and r[1] != "all" and r[2] != "全国"]
    orgs = len({r[0] for r in rows})
    assert sum(r[5] for r in base) <= 2 * orgs  # at most 2 base cells per organisation in the window


def test_the_rollup_follows_recording_deleting_purging_and_backfill(engine: Engine) -> None:
    log = random_activity(engine, seed=3)
    assert rollup_is_distinct_of_events(engine)
    log.delete_organisation("org-5")
    assert rollup_is_distinct_of_events(engine)
    log.purge(retention_days=100, today=TODAY)
    assert rollup_is_distinct_of_events(engine)
    log.delete_simulated()
    assert rollup_is_distinct_of_events(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity_presence")).scalar_one() > 100
        conn.execute(text("DROP TABLE activity_presence"))  # back to the schema before the rollup
        conn.execute(text("UPDATE activity_alembic_version SET version_num = 'a0001'"))
    migrate_activity(engine)
    assert rollup_is_distinct_of_events(engine)
