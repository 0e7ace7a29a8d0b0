"""The plain rules of billing: the 统一社会信用代码 checksum, amounts of money, the plan file, suspicious patterns."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.credit_code import CreditCodeError, check_character, normalise, valid
from billing.money import parse_yuan, yuan
from billing.plans import FEATURES, load_plans
from billing.suspicious import Download, suspicious_patterns


def test_credit_codes_of_real_companies_pass_and_any_changed_character_fails() -> None:
    for code in ("91350100M000100Y43", "91110000600037341L", "91440300708461136T"):
        assert valid(code) and normalise(code.lower()[:9] + " " + code.lower()[9:]) == code
        for i in range(18):  # one character changed anywhere is caught
            for other in "0A":
                changed = code[:i] + other + code[i + 1:]
                assert changed == code or not valid(changed), changed
    with pytest.raises(CreditCodeError, match="18 位"):
        normalise("9135010")
    with pytest.raises(CreditCodeError, match="不允许的字符"):
        normalise("91350100M000100YO3")
    with pytest.raises(CreditCodeError, match="第 18 位应为 3"):
        normalise("91350100M000100Y44")
    assert check_character("91350100M000100Y4") == "3"


def test_amounts_read_and_shown_in_yuan() -> None:
    assert parse_yuan("50,000") == 5_000_000 and parse_yuan("¥49999.99") == 4_999_999 and parse_yuan(" 0.01 ") == 1
    for bad in ("十元", "-1", "1.001", "nan", ""):
        with pytest.raises(ValueError):
            parse_yuan(bad)
    assert (yuan(1_200_000), yuan(123_456), yuan(1)) == ("¥12,000", "¥1,234.56", "¥0.01")


def test_the_plan_file_names_known_features_and_quotas() -> None:
    plans = load_plans()
    assert set(plans.plans) == {"free", "partner", "paid"}
    for plan in plans.plans.values():
        assert {FEATURES[f].quota for f in plan.features if FEATURES[f].quota} <= set(plan.quotas)
    assert [p.name for p in plans.allowing("points_conversion")] == ["partner", "paid"]


def test_suspicious_patterns() -> None:
    now = dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)
    born = {"new1": now - dt.timedelta(days=2), "new2": now - dt.timedelta(days=1), "new3": now, "old": now - dt.timedelta(days=400)}
    downloads = [Download("A", f"new{i}", now) for i in (1, 2, 3)] + [Download("A", "old", now)]
    downloads += [Download("B", f"f{i}", now + dt.timedelta(minutes=i)) for i in range(10)]  # ten within an hour
    downloads += [Download("C", f"g{i}", now + dt.timedelta(hours=i)) for i in range(10)]  # spread out: not a burst
    downloads += [Download("X", "Y", now), Download("X", "Y", now), Download("Y", "X", now), Download("Y", "X", now)]
    found = {(p["kind"], tuple(p["orgs"])) for p in suspicious_patterns(downloads, created_at=born.get)}
    assert found == {("new_orgs", ("A",)), ("burst", ("B",)), ("circular", ("X", "Y"))}
