"""Rankings on real SQLite and PostgreSQL: distinct organisations, k-suppression at every level, rising needs,
CSV without counts, optional noise from python-dp."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from helpers_community import add_activity
from sqlalchemy import Engine

from community.activity import ActivityLog, iso_week
from community.catalogue import NeedCatalogue
from community.rankings import RankingsConfig, RankingsService, refresh_rankings
from community.rankings.privacy import NoisyCounter, sensitivity
from retrieval.keyword_index import SqliteKeywordIndex

TODAY = dt.date(2026, 6, 10)
WEEK = iso_week(TODAY)
ORGS = [f"org-{i}" for i in range(10)]


@pytest.fixture
def engine(activity_engine: Engine) -> Engine:  # SQLite and PostgreSQL (tests/conftest.py)
    return activity_engine


@pytest.fixture
def service(engine, tmp_path: Path) -> RankingsService:  # type: ignore[no-untyped-def]
    return RankingsService(engine, NeedCatalogue(SqliteKeywordIndex(tmp_path / "keyword.sqlite3")))


def published(service: RankingsService, *, industry: str = "", province: str = "", window: str = "7d", kind: str = "top") -> list[str]:
    return [c["need"] for c in service.cells(window=window, kind=kind, industry=industry, province=province)["cells"]]


def csv_rows(service: RankingsService) -> list[dict[str, str]]:
    text = "".join(service.csv_lines(window=None, kind=None, industry=None, province=None)).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_four_organisations_stay_hidden_at_every_level_and_five_publish(engine, service) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    add_activity(log, ORGS[:4], week=WEEK, needs=["sol-database-audit"])
    refresh_rankings(engine, RankingsConfig(), today=TODAY)
    for industry, province in [("healthcare", "广东省"), ("healthcare", ""), ("", "广东省"), ("", "")]:
        for window in ("7d", "30d", "quarter"):
            assert published(service, industry=industry, province=province, window=window) == []
    assert [r for r in csv_rows(service) if r["need"] == "sol-database-audit"] == []

    add_activity(log, ORGS[4:5], week=WEEK, needs=["sol-database-audit"])
    refresh_rankings(engine, RankingsConfig(), today=TODAY)
    for industry, province in [("healthcare", "广东省"), ("healthcare", ""), ("", "广东"), ("", "")]:
        assert published(service, industry=industry, province=province) == ["sol-database-audit"]
    found = service.cells(window="30d", kind="top", industry="healthcare", province="广东省")
    assert found["k"] == 5 and found["cells"][0]["rank"] == 1 and found["cells"][0]["band"] == "≥5 家伙伴"
    assert {r["industry"] for r in csv_rows(service)} == {"healthcare", "all"}


def test_an_organisation_counts_once_however_often_it_asks(engine, service) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    add_activity(log, ORGS[:1], week=WEEK, repeat=30)
    add_activity(log, ORGS[1:4], week=WEEK)
    refresh_rankings(engine, RankingsConfig(), today=TODAY)
    assert published(service, industry="healthcare", province="广东省") == []


def test_k_is_a_setting(engine, service) -> None:  # type: ignore[no-untyped-def]
    add_activity(ActivityLog(engine), ORGS[:3], week=WEEK)
    refresh_rankings(engine, RankingsConfig(k=3), today=TODAY)
    assert published(service) == ["sol-database-audit"]
    refresh_rankings(engine, RankingsConfig(k=4), today=TODAY)
    assert published(service) == []


def test_lists_are_ordered_by_distinct_organisations(engine, service) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    add_activity(log, ORGS[:5], week=WEEK, needs=["sol-b"])
    add_activity(log, ORGS[:8], week=WEEK, needs=["sol-a"])
    add_activity(log, ORGS[:6], week=WEEK, needs=["sol-c"], repeat=5)
    refresh_rankings(engine, RankingsConfig(), today=TODAY)
    found = service.cells(window="7d", kind="top", industry="healthcare", province="广东省")
    assert [(c["need"], c["rank"]) for c in found["cells"]] == [("sol-a", 1), ("sol-c", 2), ("sol-b", 3)]
    assert all(set(c) >= {"industry", "province", "need", "rank", "band"} for c in found["cells"])
    assert not any(k in c for c in found["cells"] for k in ("count", "n", "organisations", "total"))


def test_rising_needs_compare_two_published_windows(engine, service) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    before = WEEK - dt.timedelta(weeks=1)
    add_activity(log, ORGS[:5], week=before, needs=["sol-grows"])
    add_activity(log, ORGS[:9], week=WEEK, needs=["sol-grows"])
    add_activity(log, ORGS[:6], week=before, needs=["sol-falls"])
    add_activity(log, ORGS[:5], week=WEEK, needs=["sol-falls"])
    add_activity(log, ORGS[:2], week=before, needs=["sol-new"])  # the previous window was suppressed
    add_activity(log, ORGS[:7], week=WEEK, needs=["sol-new"])
    refresh_rankings(engine, RankingsConfig(), today=TODAY)
    assert published(service, window="7d", kind="rising") == ["sol-grows"]
    assert set(published(service, window="7d", kind="top")) == {"sol-grows", "sol-falls", "sol-new"}
    trend = service.trend(industry="", province="", needs=["sol-grows"])
    assert trend["series"][0]["ranks"][-2:] == [2, 1]  # 2nd the week before (sol-falls led), 1st this week


def test_simulated_activity_is_counted_only_when_allowed_and_flagged(engine, service) -> None:  # type: ignore[no-untyped-def]
    add_activity(ActivityLog(engine), ORGS[:5], week=WEEK, simulated=True)
    refresh_rankings(engine, RankingsConfig(), today=TODAY)
    found = service.cells(window="7d", kind="top", industry="", province="")
    assert found["simulated"] is True and found["cells"]
    refresh_rankings(engine, RankingsConfig(include_simulated=False), today=TODAY)
    found = service.cells(window="7d", kind="top", industry="", province="")
    assert found["simulated"] is False and found["cells"] == []


def test_bad_filters_are_refused_in_chinese(service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="时间窗口"):
        service.cells(window="1y", kind="top", industry="", province="")
    with pytest.raises(ValueError, match="行业代码"):
        service.cells(window="7d", kind="top", industry="bakery", province="")
    with pytest.raises(ValueError, match="省份"):
        service.cells(window="7d", kind="top", industry="", province="亚特兰蒂斯")


def test_noise_keeps_the_threshold_and_is_calibrated(engine, service) -> None:  # type: ignore[no-untyped-def]
    log = ActivityLog(engine)
    add_activity(log, ORGS[:4], week=WEEK, needs=["sol-hidden"])
    add_activity(log, ORGS[:9], week=WEEK, needs=["sol-shown"])
    config = RankingsConfig(epsilon=0.5, max_cells_per_org=2)
    for _ in range(3):
        refresh_rankings(engine, config, today=TODAY)
        assert published(service, industry="healthcare", province="广东省") == ["sol-shown"]
        assert service.cells(window="7d", kind="top", industry="", province="")["noise"] is True

    counter = NoisyCounter(epsilon=2.0, sensitivity=sensitivity(2, 10))
    assert counter.scale == 80 / 2.0
    draws = [v - 1000 for v in counter.noisy([1000] * 4000)]
    spread = (sum(d * d for d in draws) / len(draws)) ** 0.5
    assert 0.8 * (2**0.5) * counter.scale < spread < 1.2 * (2**0.5) * counter.scale  # Laplace: sd = √2·scale
