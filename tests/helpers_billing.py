"""Builders for the billing tests: valid 统一社会信用代码, organisations on SQLite or PostgreSQL, and the check
that the books are clean after every test that touched them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_community import postgres_database

from accounts.credit_code import check_character
from accounts.store import AccountStore
from accounts.tables import OrgKind, migrate_accounts
from billing.rewards import RewardsConfig
from billing.service import Billing
from corpus.store import make_engine


def credit_code(number: int | None = None) -> str:
    """A valid code (GB 32100-2015 check character) for a made-up Shenzhen company."""
    number = uuid.uuid4().int % 10**9 if number is None else number
    body = f"91440300{number:09d}"
    return body + check_character(body)


def partner_org(accounts: AccountStore, code: str | None = None, *, name: str = "") -> str:
    return accounts.create_organisation(name=name or f"伙伴-{uuid.uuid4().hex[:10]}", kind=OrgKind.partner,
                                        credit_code=code if code is not None else credit_code()).id  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'top.db').as_posix()}"
        return
    with postgres_database() as url:
        if url is None:
            pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
        yield url


class Clock:
    """A settable clock for settlement windows and daily caps."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def billing(database_url: str, clock: Clock) -> Iterator[Billing]:
    """A billing service on a fresh database; the books must verify clean when the test ends."""
    engine = make_engine(database_url)
    migrate_accounts(engine)
    service = Billing(engine, AccountStore(engine), rewards=RewardsConfig(daily_cap_per_author=1000), clock=clock)
    yield service
    problems = service.verify()
    engine.dispose()
    assert problems == [], problems
