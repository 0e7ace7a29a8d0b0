"""Rewards, plans and pay-then-refund over real HTTP (uvicorn, the production container): self-downloads and
repeats earn nothing, distinct companies earn exactly one reward each, a takedown inside the window voids the
pending rewards, the refund appears at the threshold and not before, plan quotas answer 429 and missing features
402 in Chinese naming the plan; `ledger verify` is clean after each test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from conftest import LiveServer
from helpers_billing import credit_code
from helpers_cases import Member, call, case_body, member, ok, publish, unique_customer

from accounts.tables import OrgKind, Role

POINTS = 10


def company(server: LiveServer, code: str | None = None, role: Role = Role.partner) -> Member:
    org = server.container.accounts.create_organisation(name=f"公司-{uuid.uuid4().hex[:10]}", kind=OrgKind.partner,
                                                        credit_code=code or credit_code())  # fmt: skip
    return member(server, role, org_id=org.id)


def code_of(server: LiveServer, who: Member) -> str:
    return server.container.accounts.organisation(who.org_id).credit_code  # type: ignore[union-attr,return-value]


@pytest.fixture
def server(live_server: LiveServer) -> Iterator[LiveServer]:
    yield live_server
    assert live_server.container.billing.verify() == []


@pytest.fixture
def admin(server: LiveServer) -> Member:
    return member(server, Role.admin)


def download(server: LiveServer, who: Member, case_id: str, key: str | None = None) -> dict:  # type: ignore[type-arg]
    headers = {"Idempotency-Key": key} if key else {}
    return ok(call(server, who, "POST", f"/api/cases/{case_id}/download", headers=headers))


def test_distinct_companies_earn_once_and_a_takedown_voids_the_pending_rewards(server: LiveServer, admin: Member) -> None:
    author, editor = company(server), member(server, Role.editor)
    colleague = member(server, Role.partner, org_id=author.org_id)
    sister = company(server, code_of(server, author))  # another organisation of the author's company
    readers = [company(server) for _ in range(3)]
    twin = company(server, code_of(server, readers[0]))  # another organisation of the first reader's company
    case_id = publish(server, author, editor, case_body(unique_customer()))["id"]

    for who in (author, colleague, sister):
        download(server, who, case_id)
    assert ok(call(server, author, "GET", "/api/wallet"))["entries"] == []
    download(server, readers[0], case_id, "same-key")
    assert download(server, readers[0], case_id, "same-key")["repeated"] is True
    download(server, readers[0], case_id)  # a new key: downloaded again, but the company already earned the author once
    download(server, twin, case_id)
    for reader in readers[1:]:
        download(server, reader, case_id)

    wallet = ok(call(server, author, "GET", "/api/wallet"))
    assert (wallet["balance"], wallet["pending"]) == (0, 3 * POINTS)
    assert [(e["kind"], e["amount"], e["state"], e["case_id"]) for e in wallet["entries"]] == [("download_reward", POINTS, "pending", case_id)] * 3
    aliases = {e["counterparty_org"] for e in wallet["entries"]}
    assert len(aliases) == 3 and not aliases & {r.org_id for r in readers}  # who downloaded stays private
    assert ok(call(server, colleague, "GET", "/api/wallet"))["pending"] == 3 * POINTS  # the organisation's wallet
    assert ok(call(server, readers[0], "GET", "/api/plan"))["usage"]["downloads_per_month"] == 2

    ok(call(server, editor, "POST", f"/api/cases/{case_id}/takedown", json={"reason": "泄露客户信息"}))
    wallet = ok(call(server, author, "GET", "/api/wallet"))
    assert (wallet["balance"], wallet["pending"]) == (0, 0)
    assert {e["state"] for e in wallet["entries"]} == {"voided"}
    assert ok(call(server, admin, "GET", "/api/admin/billing/verify")) == {"ok": True, "problems": []}


def test_rewards_settle_after_the_window_and_convert_only_on_a_plan_that_allows_it(server: LiveServer, admin: Member) -> None:
    import datetime as dt

    author, editor, reader = company(server), member(server, Role.editor), company(server)
    case_id = publish(server, author, editor, case_body(unique_customer()))["id"]
    download(server, reader, case_id)
    server.container.billing.ledger.settle(dt.datetime.now(dt.UTC) + dt.timedelta(days=7, minutes=1))
    assert ok(call(server, author, "GET", "/api/wallet"))["balance"] == POINTS

    refused = call(server, author, "POST", "/api/wallet/convert", json={"points": POINTS})
    assert refused.status_code == 402 and "「伙伴计划」" in refused.json()["detail"], refused.text
    ok(call(server, admin, "POST", "/api/admin/billing/memberships",
            json={"org_id": author.org_id, "starts_on": str(dt.date.today()), "ends_on": str(dt.date.today() + dt.timedelta(days=365)),
                  "package_order": "PKG-2026-001"}), 201)  # fmt: skip
    assert ok(call(server, author, "GET", "/api/plan"))["plan"]["name"] == "partner"
    converted = ok(call(server, author, "POST", "/api/wallet/convert", json={"points": POINTS}))
    assert converted["wallet"]["balance"] == 0 and converted["wallet"]["fee_credit"] == POINTS / 100
    too_many = call(server, author, "POST", "/api/wallet/convert", json={"points": POINTS})
    assert too_many.status_code == 422 and "可用积分不足" in too_many.json()["detail"]
    assert ok(call(server, admin, "POST", "/api/admin/billing/settle")) == {"posted": 0}


def test_downloads_spend_the_plan_allowance(server: LiveServer) -> None:
    author, editor, reader = company(server), member(server, Role.editor), company(server)
    case_id = publish(server, author, editor, case_body(unique_customer()))["id"]
    allowance = server.container.billing.entitlements.plans.get("free").quotas["downloads_per_month"]
    for i in range(allowance):
        download(server, reader, case_id, f"k{i}")
    refused = call(server, reader, "POST", f"/api/cases/{case_id}/download", headers={"Idempotency-Key": "one-more"})
    assert refused.status_code == 429 and "本月下载伙伴案例额度已用完" in refused.json()["detail"] and "伙伴计划" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) > 0
    assert download(server, reader, case_id, "k0")["repeated"] is True  # a retry of a counted download still answers
    plan = ok(call(server, reader, "GET", "/api/plan"))
    assert plan["plan"]["name"] == "free" and plan["usage"]["downloads_per_month"] == allowance


def test_refund_appears_at_the_threshold_and_not_before(server: LiveServer, admin: Member) -> None:
    partner = company(server)
    code = code_of(server, partner)
    assert ok(call(server, partner, "GET", "/api/plan"))["refund"] is None
    ok(call(server, admin, "POST", "/api/admin/billing/payments",
            json={"org_id": partner.org_id, "amount": "9,800", "paid_on": "2026-01-15", "reference": f"BANK-{code}"}), 201)  # fmt: skip
    assert ok(call(server, partner, "GET", "/api/plan"))["plan"]["name"] in ("paid", "free")  # paid while the fee year runs

    def orders(body: str) -> dict:  # type: ignore[type-arg]
        return ok(call(server, admin, "POST", "/api/admin/billing/orders", content=body.encode(), headers={"Content-Type": "text/csv"}))

    first = orders(f"统一社会信用代码,订单号,日期,金额\n{code},O-{code}-1,2026-02-01,38000\n{code},O-{code}-2,2026-06-30,11999.99\n")
    assert (first["added"], first["refunds"]) == (2, [])
    refund = ok(call(server, partner, "GET", "/api/plan"))["refund"]
    assert refund["text"] == "还差 ¥0.01 即可退还使用费" and refund["refunded"] is False
    assert orders(f"credit_code,order_id,date,amount\n{code},O-{code}-1,2026-02-01,38000\n")["unchanged"] == 1
    last = orders(f"credit_code,order_id,date,amount\n{code},O-{code}-3,2026-07-01,0.01\n")
    assert [r["amount"] for r in last["refunds"]] == [9800.0]
    refund = ok(call(server, partner, "GET", "/api/plan"))["refund"]
    assert refund["refunded"] is True and refund["text"] == "使用费已退还"
    assert ok(call(server, partner, "GET", "/api/wallet"))["fee_credit"] == 9800.0
    assert orders(f"credit_code,order_id,date,amount\n{code},O-{code}-4,2026-07-02,1\n")["refunds"] == []
    due = ok(call(server, admin, "GET", "/api/admin/billing"))["refunds"]
    assert any(r["org_id"] == partner.org_id and r["refunded"] for r in due)


def test_bad_billing_input_is_a_chinese_4xx(server: LiveServer, admin: Member) -> None:
    partner = company(server)
    bad = call(server, admin, "POST", "/api/admin/billing/payments",
               json={"org_id": partner.org_id, "amount": "九千", "paid_on": "2026-01-15", "reference": "X"})  # fmt: skip
    assert bad.status_code == 422 and "金额" in bad.text
    unknown = call(server, admin, "POST", "/api/admin/billing/memberships",
                   json={"org_id": "nope", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "package_order": "P"})  # fmt: skip
    assert unknown.status_code == 422 and "没有这个渠道伙伴组织" in unknown.text
    checksum = call(server, admin, "PUT", f"/api/admin/organisations/{partner.org_id}/credit-code", json={"credit_code": "91350100M000100Y44"})
    assert checksum.status_code == 422 and "校验位错误" in checksum.text
    assert call(server, partner, "GET", "/api/admin/billing").status_code == 403
    assert call(server, admin, "POST", "/api/admin/billing/orders", content=b"\xff\xfe", headers={"Content-Type": "text/csv"}).status_code == 422
    created = call(server, admin, "POST", "/api/admin/organisations", json={"name": f"新伙伴-{uuid.uuid4().hex[:6]}", "credit_code": "91350100M000100Y4"})
    assert created.status_code == 422 and "18 位" in created.text
