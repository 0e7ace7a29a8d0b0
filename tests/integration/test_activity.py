"""Activity events: what is stored (and what cannot be), retention, deleting an organisation, simulation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from assistant.models import Profile, Region
from community.activity import ActivityEvent, ActivityKind, ActivityLog, iso_week, migrate_activity
from community.activity.simulate import SIM_PREFIX, simulate_activity
from community.insights import delete_organisation_data
from community.watch import WatchStore, migrate_watch
from corpus.store import make_engine


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate_activity(engine)
    migrate_activity(engine)  # idempotent
    migrate_watch(engine)
    yield engine
    engine.dispose()


def hospital() -> Profile:
    return Profile(name="临江市第一人民医院", industry="healthcare", segment="三级医院",
                   region=Region(province="广东省", city="临江市"))  # fmt: skip


def test_a_brief_is_stored_without_the_customer_name_message_or_user(engine) -> None:  # type: ignore[no-untyped-def]
    ActivityLog(engine).record_brief("org-a", hospital(), ["sol-database-audit", "sol-mlps-level3-compliance"],
                                     topics=["data_security", "network_security"])  # fmt: skip
    columns = {c["name"] for c in inspect(engine).get_columns("activity_events")}
    assert columns == {"id", "org_id", "kind", "industry", "segment", "province", "topics", "week", "simulated"}
    with engine.connect() as conn:
        event = conn.execute(text("SELECT * FROM activity_events")).mappings().one()
        needs = conn.execute(text("SELECT need FROM activity_event_needs ORDER BY need")).scalars().all()
        dump = " ".join(str(v) for v in event.values()) + " ".join(needs)
    assert "临江" not in dump and "医院" not in dump.replace("三级医院", "")
    assert event["org_id"] == "org-a" and event["kind"] == "brief" and event["industry"] == "healthcare"
    assert event["segment"] == "三级医院" and event["province"] == "广东省" and not event["simulated"]
    assert str(event["week"]) == iso_week().isoformat()  # the Monday of this ISO week, nothing finer (a date in PG)
    assert needs == ["sol-database-audit", "sol-mlps-level3-compliance"]
    assert event["topics"] == "data_security,network_security"


def test_unknown_values_are_normalised_not_stored_verbatim(engine) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    log.record_download("org-b", industry="not-an-industry", province="佛山市", needs=["sol-a", "sol-a"], topics=["x", "it"])
    with engine.connect() as conn:
        row = conn.execute(text("SELECT industry, province, topics FROM activity_events")).one()
        assert conn.execute(text("SELECT count(*) FROM activity_event_needs")).scalar_one() == 1
    assert tuple(row) == ("unknown", "广东省", "it")  # a city is generalised to its province


def test_events_carry_only_whole_iso_weeks() -> None:
    event = ActivityEvent(org_id="o", kind=ActivityKind.answer, week=dt.date(2026, 3, 5))  # a Thursday
    assert event.week == dt.date(2026, 3, 2)


def test_retention_purges_old_weeks_and_their_needs(engine) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    today = dt.date(2026, 6, 10)
    log.record_many([
        ActivityEvent(org_id="o", kind=ActivityKind.brief, industry="finance", needs=["n1"], week=today - dt.timedelta(days=400)),
        ActivityEvent(org_id="o", kind=ActivityKind.brief, industry="finance", needs=["n2"], week=today - dt.timedelta(days=10)),
    ])  # fmt: skip
    assert log.purge(retention_days=180, today=today) == 1
    assert log.count() == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT need FROM activity_event_needs")).scalars().all() == ["n2"]


def test_deleting_an_organisation_removes_its_events_and_watchlist_only(engine) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    log.record_brief("org-gone", hospital(), ["n1"])
    log.record_brief("org-stays", hospital(), ["n1"])
    watch = WatchStore(engine)
    watch.add(org_id="org-gone", user_id="u1", name="临江市第一人民医院", profile=hospital())
    watch.add(org_id="org-stays", user_id="u2", name="临江市第一人民医院", profile=hospital())
    watch.mark_seen(user_id="u1", org_id="org-gone")

    removed = delete_organisation_data(engine, "org-gone")

    assert removed == {"activity_events": 1, "watched_customers": 1}
    assert log.count(org_id="org-gone") == 0 and log.count(org_id="org-stays") == 1
    assert watch.list("org-gone") == [] and len(watch.list("org-stays")) == 1
    assert watch.seen_at("u1") is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity_event_needs")).scalar_one() == 1


def test_simulated_activity_is_flagged_and_can_be_removed_alone(engine) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    log.record_brief("real-org", hospital(), ["n1"])
    report = simulate_activity(engine, {"healthcare": ["n1", "n2", "n3"], "finance": ["n4", "n5"]},
                               {"n1": ["it"]}, orgs=20, weeks=3, seed=1)  # fmt: skip
    assert report.events > 0 and report.weeks == 3
    assert log.count(simulated=True) == report.events
    with engine.connect() as conn:
        orgs = conn.execute(text("SELECT DISTINCT org_id FROM activity_events WHERE simulated")).scalars().all()
        weeks = conn.execute(text("SELECT DISTINCT week FROM activity_events WHERE simulated")).scalars().all()
    assert all(o.startswith(SIM_PREFIX) for o in orgs) and len(orgs) <= 20
    assert len(weeks) <= 3
    assert log.delete_simulated() == report.events
    assert log.count() == 1
