"""`/account` and `/admin/billing` in headless Chromium on a 390 px phone: plan, usage, wallet entries and the
refund progress are shown in Chinese and nothing is wider than the screen."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from conftest import LiveServer
from helpers_billing import credit_code
from test_login_ui import PASSWORD, log_in
from ui_browser import watch_csp

from accounts.tables import OrgKind, Role

PHONE = {"width": 390, "height": 844}


def _user(server: LiveServer, role: Role, org_id: str) -> str:
    email = f"bill-{uuid.uuid4().hex[:8]}@example.cn"
    server.container.accounts.create_user(email=email, password=PASSWORD, role=role, org_id=org_id, name="周伙伴")
    return email


def _open(browser: Any, server: LiveServer, path: str, email: str) -> Any:
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.errors = watch_csp(context, [])
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(path)
    page.wait_for_url("**/login?next=**")
    log_in(page, email)
    page.wait_for_url(f"{server.url}{path}")
    return page


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    width = page.evaluate("window.innerWidth")
    for box in (el.bounding_box() for el in page.locator(".card, table.data").all()):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box


def test_account_page_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    accounts, billing = live_server.container.accounts, live_server.container.billing
    code = credit_code()
    org = accounts.create_organisation(name=f"手机伙伴-{uuid.uuid4().hex[:6]}", kind=OrgKind.partner, credit_code=code).id
    other = accounts.create_organisation(name=f"下载方-{uuid.uuid4().hex[:6]}", kind=OrgKind.partner, credit_code=credit_code()).id
    billing.rewards.reward(case_id="case-ui", author_org=org, downloader_org=other, at=dt.datetime.now(dt.UTC))
    billing.record_payment(org_id=org, amount_fen=9_800_00, paid_on=dt.date.today(), reference=f"UI-{code}", by="admin")
    billing.refunds.import_csv(f"credit_code,order_id,date,amount\n{code},UI-{code},{dt.date.today()},38000\n")

    page = _open(browser, live_server, "/account", _user(live_server, Role.partner, org))
    assert page.locator("#plan h2").inner_text() == "当前方案：付费版（先付后退）"
    assert page.locator("#quotas").inner_text().count("每月案例下载") == 1
    assert page.locator("#pending").inner_text() == "10" and page.locator("#balance").inner_text() == "0"
    row = page.locator("#entries tbody tr").first.inner_text()
    assert "案例下载奖励" in row and "待结算" in row and "case-ui" in row
    assert page.locator("#refund-text").inner_text() == "还差 ¥12,000 即可退还使用费"
    _fits(page)
    assert page.errors == []


def test_admin_billing_page_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    accounts = live_server.container.accounts
    vendor = accounts.create_organisation(name=f"厂商-{uuid.uuid4().hex[:6]}", kind=OrgKind.vendor).id
    unverified = accounts.create_organisation(name=f"待核-{uuid.uuid4().hex[:6]}", kind=OrgKind.partner)
    page = _open(browser, live_server, "/admin/billing", _user(live_server, Role.admin, vendor))
    for title in ("计费管理", "可疑下载", "应退使用费", "伙伴计划会员", "年费付款（线下转账）", "厂商订单"):
        assert page.get_by_role("heading", name=title).count() == 1, title
    _fits(page)
    page.fill("textarea[name=csv]", "credit_code,order_id,date,amount\n91350100M000100Y44,X-1,2026-01-01,1\n")
    page.get_by_role("button", name="导入订单").click()
    assert "校验位错误" in page.locator(".form-error").inner_text()
    code = credit_code()
    form = page.locator("form[action='/admin/billing/credit-code']")
    form.locator("select[name=org_id]").select_option(unverified.id)
    form.locator("input[name=credit_code]").fill(code)
    form.get_by_role("button", name="登记信用代码").click()
    page.wait_for_url("**/admin/billing?note=*")
    assert code in page.locator(".notice").inner_text() and code in page.locator("#orgs").inner_text()
    assert accounts.organisation(unverified.id).credit_code == code  # type: ignore[union-attr]
    assert page.errors == []
