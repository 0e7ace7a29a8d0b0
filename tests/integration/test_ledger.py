"""The ledger and the download rewards on SQLite and PostgreSQL: exact balances after 200 parallel downloads from
50 organisations (and again with the same keys), one reward per company per case however many organisations it
has, never for one's own company, the daily cap, settlement after the window, takedown voiding pending rewards,
and `ledger verify` naming an account whose cached balance was tampered with."""

from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor

import helpers_billing
from click.testing import CliRunner
from helpers_billing import Clock, partner_org
from sqlalchemy import text

from billing.ledger import org_account
from billing.rewards import RewardsConfig
from billing.service import Billing
from community.cases import DownloadEvent, TakedownEvent

# the fixtures, on SQLite and PostgreSQL; the books must verify clean after each test
database_url, clock, billing = helpers_billing.database_url, helpers_billing.clock, helpers_billing.billing

POINTS = RewardsConfig().points_per_download


def _event(case_id: str, author: str, downloader: str, key: str, at: dt.datetime, *, repeated: bool = False) -> DownloadEvent:
    return DownloadEvent(case_id=case_id, author_org_id=author, downloader_org_id=downloader, downloader_user_id="u",
                         idempotency_key=key, download_id=1, at=at, repeated=repeated)  # fmt: skip


def test_200_parallel_downloads_from_50_organisations_leave_exact_balances(billing: Billing, clock: Clock) -> None:
    accounts = billing.accounts
    authors = [partner_org(accounts) for _ in range(4)]
    downloaders = [partner_org(accounts) for _ in range(50)]
    # ten more accounts of the first ten companies, and a second organisation of the first author's company
    twins = [partner_org(accounts, accounts.organisation(d).credit_code) for d in downloaders[:10]]  # type: ignore[union-attr]
    own = partner_org(accounts, accounts.organisation(authors[0]).credit_code)  # type: ignore[union-attr]
    cases = {author: f"case-{i}" for i, author in enumerate(authors)}
    events = [_event(cases[a], a, d, f"{d}:{cases[a]}", clock.now) for d in downloaders for a in authors]
    events += [_event(cases[a], a, t, f"{t}:{cases[a]}", clock.now) for t in twins for a in authors]
    events += [_event(cases[a], a, a, f"{a}:self", clock.now) for a in authors]
    events += [_event(cases[authors[0]], authors[0], own, f"{own}:own", clock.now)]
    assert len(events) == 200 + 40 + 5
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(billing.rewards.on_download, events))  # all at once
        list(pool.map(billing.rewards.on_download, [e.__class__(**{**e.__dict__, "repeated": True}) for e in events]))
    for author in authors:
        wallet = billing.wallet(author)
        assert (wallet["balance"], wallet["pending"]) == (0, 50 * POINTS), author
        assert len(wallet["entries"]) == 50 and {e["kind"] for e in wallet["entries"]} == {"download_reward"}
        assert len({e["counterparty_org"] for e in wallet["entries"]}) == 50
    assert billing.wallet(own)["pending"] == 0
    assert billing.entitlements.used(downloaders[0], "case_downloads") == 4  # each download spent the allowance once
    assert billing.verify() == []

    clock.now += dt.timedelta(days=7, seconds=1)
    assert billing.settle() == 200
    assert billing.settle() == 0
    assert [billing.wallet(a)["balance"] for a in authors] == [50 * POINTS] * 4
    assert billing.ledger.balance("platform:points_issuance").posted == -200 * POINTS


def test_daily_cap_settlement_window_and_takedown(billing: Billing, clock: Clock) -> None:
    billing.rewards.config = RewardsConfig(daily_cap_per_author=3)
    accounts = billing.accounts
    author = partner_org(accounts)
    others = [partner_org(accounts) for _ in range(5)]
    got = [billing.rewards.reward(case_id="c1", author_org=author, downloader_org=o, at=clock.now) for o in others]
    assert [t is not None for t in got] == [True, True, True, False, False]  # the cap: three a day
    clock.now += dt.timedelta(days=1)
    later = billing.rewards.reward(case_id="c2", author_org=author, downloader_org=others[3], at=clock.now)
    assert later is not None and later.state == "pending"

    clock.now += dt.timedelta(days=6, hours=1)  # c1's rewards are past their window, c2's is not
    assert billing.settle() == 3
    billing.rewards.on_takedown(TakedownEvent(case_id="c2", author_org_id=author, reason="泄密", by_user_id="e", at=clock.now))
    billing.rewards.on_takedown(TakedownEvent(case_id="c1", author_org_id=author, reason="泄密", by_user_id="e", at=clock.now))
    wallet = billing.wallet(author)
    assert (wallet["balance"], wallet["pending"]) == (3 * POINTS, 0)  # settled rewards stay; the pending one is void
    assert {e["case_id"]: e["state"] for e in wallet["entries"]}["c2"] == "voided"


def test_organisations_without_a_verified_code_earn_and_give_nothing(billing: Billing, clock: Clock) -> None:
    accounts = billing.accounts
    author, unverified = partner_org(accounts), partner_org(accounts, "")
    assert billing.rewards.reward(case_id="c", author_org=author, downloader_org=unverified, at=clock.now) is None
    assert billing.rewards.reward(case_id="c", author_org=unverified, downloader_org=author, at=clock.now) is None


def test_points_convert_into_fee_credit_once_posted(billing: Billing, clock: Clock) -> None:
    accounts = billing.accounts
    author, other = partner_org(accounts), partner_org(accounts)
    billing.rewards.reward(case_id="c", author_org=author, downloader_org=other, at=clock.now)
    try:
        billing.convert(author, POINTS)
        raise AssertionError("pending points converted")
    except ValueError as exc:
        assert "可用积分不足" in str(exc)
    clock.now += dt.timedelta(days=8)
    billing.settle()
    done = billing.convert(author, POINTS, key="k1")
    again = billing.convert(author, POINTS, key="k1")  # a retry with the same key converts once
    assert done["fee_credit"] == POINTS / 100 and again["wallet"]["balance"] == 0
    assert billing.wallet(author)["fee_credit"] == POINTS / 100


def test_verify_names_the_account_whose_cached_balance_disagrees(billing: Billing, clock: Clock, database_url: str,
                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    from api.cli import cli

    accounts = billing.accounts
    author, other = partner_org(accounts), partner_org(accounts)
    billing.rewards.reward(case_id="c", author_org=author, downloader_org=other, at=clock.now)
    monkeypatch.setenv("TOP_DATABASE_URL", database_url)
    assert CliRunner().invoke(cli, ["ledger", "verify"]).exit_code == 0
    wallet = org_account(author, "points").id
    with billing.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_balances SET pending = pending + 1 WHERE account_id = :a"), {"a": wallet})
    result = CliRunner().invoke(cli, ["ledger", "verify"])
    assert result.exit_code == 1 and wallet in result.output, result.output
    with billing.engine.begin() as conn:  # put it right, so the fixture's own check passes
        conn.execute(text("UPDATE ledger_balances SET pending = pending - 1 WHERE account_id = :a"), {"a": wallet})


def test_many_transfers_in_parallel_on_crossing_accounts(billing: Billing) -> None:
    """Transfers between the same organisations in both directions at once: no deadlock, no lost update."""
    from billing.ledger import POINTS as UNIT
    from billing.ledger import AccountSpec

    specs = [AccountSpec(f"org:x{i}:points", f"x{i}", "points", UNIT) for i in range(4)]
    billing.ledger.open(*specs)
    pairs = list(itertools.permutations(specs, 2)) * 10

    def move(item: tuple[int, tuple[AccountSpec, AccountSpec]]) -> None:
        n, (a, b) = item
        billing.ledger.transfer(key=f"t{n}", kind="test", debit=a, credit=b, amount=n + 1)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(move, enumerate(pairs)))
    expected = {s.id: 0 for s in specs}
    for n, (a, b) in enumerate(pairs):
        expected[a.id] -= n + 1
        expected[b.id] += n + 1
    assert {s.id: billing.ledger.balance(s.id).posted for s in specs} == expected
