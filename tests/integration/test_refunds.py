"""Pay then refund on SQLite and PostgreSQL: the refund posts at ¥50,000 of orders in the fee year and not at
¥49,999.99, exactly once when two imports race; re-importing is harmless; bad rows are named; the plan follows
the partner-programme membership and the fee year; entitlements answer 402 and 429 naming the plan."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import helpers_billing
import pytest
from click.testing import CliRunner
from helpers_billing import Clock, credit_code, partner_org

from billing.entitlements import NotEntitled
from billing.plans import Plan, Plans, load_plans
from billing.service import Billing

# the fixtures, on SQLite and PostgreSQL; the books must verify clean after each test
database_url, clock, billing = helpers_billing.database_url, helpers_billing.clock, helpers_billing.billing

HEADER = "credit_code,order_id,date,amount\n"


def _csv(*rows: tuple[str, str, str, str]) -> str:
    return HEADER + "".join(",".join(r) + "\n" for r in rows)


def _paying(billing: Billing) -> tuple[str, str]:
    code = credit_code()
    org = partner_org(billing.accounts, code)
    billing.record_payment(org_id=org, amount_fen=9_800_00, paid_on=dt.date(2026, 3, 1), reference=f"BANK-{org[:6]}", by="admin")
    return org, code


def test_refund_posts_at_the_threshold_and_not_before(billing: Billing) -> None:
    org, code = _paying(billing)
    first = billing.refunds.import_csv(_csv((code, "A-1", "2026-03-02", "\"30,000\""), (code, "A-2", "2026-12-01", "19999.99"),
                                            (code, "A-0", "2026-02-28", "5000")))  # before the fee year: does not count
    assert (first.added, first.errors, first.refunds) == (3, [], [])
    progress = billing.plan(org)["refund"]
    assert progress["text"] == "还差 ¥0.01 即可退还使用费" and not progress["refunded"]
    again = billing.refunds.import_csv(_csv((code, "A-1", "2026-03-02", "30000")))
    assert (again.added, again.unchanged) == (0, 1)
    last = billing.refunds.import_csv(_csv((code, "A-3", "2027-02-28", "0.01")))
    assert [r["amount"] for r in last.refunds] == [9800.0]
    assert billing.plan(org)["refund"]["refunded"] and billing.plan(org)["refund"]["text"] == "使用费已退还"
    assert billing.wallet(org)["fee_credit"] == 9800.0
    assert billing.refunds.import_csv(_csv((code, "A-4", "2026-05-01", "100000"))).refunds == []  # once per fee year


def test_two_racing_imports_post_one_refund(billing: Billing) -> None:
    org, code = _paying(billing)
    billing.refunds.import_csv(_csv((code, "B-0", "2026-04-01", "49999.98")))
    files = [_csv((code, f"B-{i}", "2026-04-02", "0.01")) for i in (1, 2)]
    barrier, reports = threading.Barrier(2), []

    def run(text: str) -> None:
        barrier.wait()
        reports.append(billing.refunds.import_csv(text))

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r.refunds) for r in reports) == 1
    assert len(billing.ledger.transfers(kind="fee_refund")) == 1 and billing.wallet(org)["fee_credit"] == 9800.0


def test_bad_rows_are_named_and_the_cli_reports_them(billing: Billing, database_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from api.cli import cli

    _org, code = _paying(billing)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    report = billing.refunds.import_csv(_csv((bad, "C-1", "2026-04-01", "10"), (code, "C-2", "2026/04/01", "10"),
                                             (code, "C-3", "2026-04-01", "十元"), (code, "C-4", "2026-04-01", "10.001"),
                                             (code, "C-5", "2026-04-01", "10")))  # fmt: skip
    assert report.added == 1 and [e.split("：")[0] for e in report.errors] == ["第 2 行", "第 3 行", "第 4 行", "第 5 行"]
    assert "校验位" in report.errors[0] and "YYYY-MM-DD" in report.errors[1]
    changed = billing.refunds.import_csv(_csv((code, "C-5", "2026-04-01", "11")))
    assert "已导入，内容不同" in changed.errors[0]
    assert "缺少列" in billing.refunds.import_csv("order_id,date\n").errors[0]

    monkeypatch.setenv("TOP_DATABASE_URL", database_url)
    path = tmp_path / "orders.csv"
    path.write_text(_csv((code, "D-1", "2026-04-01", "50000")), encoding="utf-8")
    result = CliRunner().invoke(cli, ["orders", "import", str(path)])
    assert result.exit_code == 0 and "新增 1 条订单" in result.output and "已退还使用费 ¥9,800" in result.output, result.output
    again = CliRunner().invoke(cli, ["orders", "import", str(path)])
    assert again.exit_code == 0 and "1 条已导入过" in again.output and "已退还" not in again.output
    path.write_text(_csv((bad, "D-2", "2026-04-01", "1")), encoding="utf-8")
    failed = CliRunner().invoke(cli, ["orders", "import", str(path)])
    assert failed.exit_code == 1 and "第 2 行" in failed.output


def test_plan_follows_membership_and_fee_year(billing: Billing, clock: Clock) -> None:
    org = partner_org(billing.accounts)
    assert billing.plan(org)["plan"]["name"] == "free"
    billing.add_membership(org_id=org, starts_on=clock.now.date(), ends_on=clock.now.date() + dt.timedelta(days=30),
                           package_order="PKG-1", by="admin")  # fmt: skip
    assert billing.plan(org)["plan"]["name"] == "partner"
    clock.now += dt.timedelta(days=31)  # the plan ends with the membership
    assert billing.plan(org)["plan"]["name"] == "free"
    billing.record_payment(org_id=org, amount_fen=100_00, paid_on=clock.now.date(), reference="R-1", by="admin")
    assert billing.plan(org)["plan"]["name"] == "paid"
    with pytest.raises(ValueError, match="已登记过"):
        billing.record_payment(org_id=org, amount_fen=100_00, paid_on=clock.now.date(), reference="R-1", by="admin")
    with pytest.raises(ValueError, match="早于"):
        billing.add_membership(org_id=org, starts_on=clock.now.date(), ends_on=clock.now.date() - dt.timedelta(days=1),
                               package_order="PKG", by="admin")  # fmt: skip


def test_entitlements_answer_402_and_429_naming_the_plan(billing: Billing) -> None:
    plans = load_plans()
    narrow = Plans(version=plans.version, plans={**plans.plans, "free": Plan(name="free", title="免费版", features=["briefs"],
                                                                             quotas={"briefs_per_day": 2})})  # fmt: skip
    billing.entitlements.plans = narrow
    org = partner_org(billing.accounts)
    with pytest.raises(NotEntitled) as refused:
        billing.entitlements.check(org, "exports")
    assert refused.value.status == 402 and "「伙伴计划」" in refused.value.message and "免费版" in refused.value.message
    for key in ("a", "b"):
        billing.entitlements.check_and_spend(org, "briefs", key)
    billing.entitlements.check_and_spend(org, "briefs", "b")  # a key already spent passes
    with pytest.raises(NotEntitled) as used:
        billing.entitlements.check_and_spend(org, "briefs", "c")
    assert used.value.status == 429 and "今日" in used.value.message and "「伙伴计划」（500）" in used.value.message
    assert used.value.retry_after and billing.plan(org)["usage"] == {"briefs_per_day": 2}


def test_parallel_uses_admit_exactly_the_quota(billing: Billing) -> None:
    plans = load_plans()
    billing.entitlements.plans = Plans(version=plans.version, plans={**plans.plans, "free": Plan(
        name="free", title="免费版", features=["briefs"], quotas={"briefs_per_day": 5})})  # fmt: skip
    org = partner_org(billing.accounts)
    barrier, outcomes = threading.Barrier(16), []

    def use(i: int) -> None:
        barrier.wait()
        try:
            billing.entitlements.check_and_spend(org, "briefs", f"req-{i}")
            outcomes.append(200)
        except NotEntitled as refused:
            outcomes.append(refused.status)

    threads = [threading.Thread(target=use, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [200] * 5 + [429] * 11
    assert billing.plan(org)["usage"] == {"briefs_per_day": 5}
