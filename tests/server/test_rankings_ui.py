"""The /rankings and /updates pages in headless Chromium (tests/ui_browser.py), desktop and 390 px wide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer
from helpers import make_document
from helpers_community import add_activity
from test_rankings_api import FUTURE, refresh

from accounts.tables import OrgKind, Role


def signed_in(browser: Any, server: LiveServer, *, width: int = 1280) -> tuple[Any, Any, str]:
    accounts = server.container.accounts
    org = accounts.create_organisation(name=f"伙伴-{uuid.uuid4().hex[:8]}", kind=OrgKind.partner)
    user = accounts.create_user(email=f"ui-{uuid.uuid4().hex[:8]}@example.cn", password="s3cure-enough-passphrase",
                                role=Role.partner, org_id=org.id)  # fmt: skip
    session = accounts.create_session(user.id)
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)  # fmt: skip
    context.add_cookies([{"name": "top_session", "value": session.token, "url": server.url}])
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    return context, tab, org.id


@pytest.fixture
def server(live_server: LiveServer) -> Iterator[LiveServer]:
    yield live_server


def open_rankings(tab: Any, query: str) -> None:
    tab.goto(f"/rankings?{query}")
    tab.wait_for_selector("body[data-ready=true]")


def settled(tab: Any) -> None:
    """The page's requests started by the last action have all answered (and rendered: they await their render)."""
    tab.wait_for_selector('body[data-busy="0"]', state="attached")


def choose(tab: Any, industry: str, province: str) -> None:
    tab.select_option("select[name=industry]", industry)
    tab.select_option("select[name=province]", province)
    settled(tab)


def test_the_rankings_page_hides_four_organisations_and_shows_five(browser: Any, server: LiveServer) -> None:
    log = server.container.insights.activity
    orgs = [f"ui-{uuid.uuid4().hex[:8]}" for _ in range(5)]
    add_activity(log, orgs[:4], industry="transport", province="西藏自治区", needs=["sol-zero-trust-sdp"], week=FUTURE)
    add_activity(log, orgs, industry="transport", province="甘肃省", needs=["sol-ics-security"], week=FUTURE)
    refresh(server)
    context, tab, _ = signed_in(browser, server)
    try:
        open_rankings(tab, "")
        choose(tab, "transport", "西藏自治区")
        assert tab.locator("#list li").count() == 0 and tab.locator("#empty").is_visible()
        assert "≥5 家伙伴" in tab.inner_text("main")
        choose(tab, "transport", "甘肃省")
        tab.wait_for_selector("#list li[data-need=sol-ics-security]")
        item = tab.inner_text("#list li[data-need=sol-ics-security]")
        assert "≥5 家伙伴" in item and "工控安全" in item and "案例" in item
        assert tab.get_attribute("#list li[data-need=sol-ics-security] a", "href") == "/documents/sol-ics-security"
        assert tab.locator("#bar svg").count() == 1 and tab.locator("#trend svg").count() == 1
        tab.select_option("#map-need", "sol-ics-security")
        settled(tab)
        assert "#1" in tab.inner_text("#map")  # 甘肃 is ranked first for this need
        with tab.expect_download() as download:
            tab.click("#csv")
        exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert "sol-ics-security" in exported and "sol-zero-trust-sdp" not in exported
        assert tab.locator("#simulated").is_hidden()

        add_activity(log, orgs, industry="transport", province="甘肃省", needs=["sol-ics-security"], week=FUTURE, simulated=True)
        refresh(server)
        open_rankings(tab, "")
        assert tab.locator("#simulated").is_visible() and "模拟数据" in tab.inner_text("#simulated")
        assert not tab.errors
    finally:
        context.close()


OVERLAPPING_TEXT = """(selector) => {
  const boxes = [...document.querySelectorAll(`${selector} text`)].filter((t) => t.textContent.trim())
    .map((t) => [t.textContent, t.getBoundingClientRect()]);
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, p] = boxes[i], [b, q] = boxes[j];
    if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) hits.push(`${a} / ${b}`);
  }
  return hits;
}"""


def test_the_rankings_page_fits_a_phone(browser: Any, server: LiveServer) -> None:
    context, tab, _ = signed_in(browser, server, width=390)
    try:
        open_rankings(tab, "")
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert tab.locator("#filters select").count() == 4 and tab.locator("#map").bounding_box()["width"] <= 390
        tab.wait_for_selector("#trend svg text")
        assert tab.evaluate(OVERLAPPING_TEXT, "#trend svg") == []  # week labels and axis names stay apart
        assert not tab.errors
    finally:
        context.close()


def test_the_updates_page_shows_a_provincial_regulation_for_the_customer_there_only(browser: Any, server: LiveServer) -> None:
    context, tab, _ = signed_in(browser, server, width=390)
    doc_id = f"reg-gd-ui-{uuid.uuid4().hex[:6]}"
    try:
        tab.goto("/updates")
        tab.wait_for_selector("body[data-ready=true]")
        for name, region in (("临江市第一人民医院", "广东省"), ("杭州市第一人民医院", "")):
            tab.fill("input[name=customer]", name)
            tab.fill("input[name=region]", region)
            tab.click("#watch-form button[type=submit]")
            tab.wait_for_selector(f'#watchlist li[data-customer="{name}"]')
        tab.click("#mark-seen")
        tab.wait_for_load_state("networkidle")
        regulation = make_document(doc_id, kind="regulation", title="广东省医疗数据安全管理办法（界面测试）",
                                   industries=["healthcare"], regions=["广东省"], issuer="广东省卫生健康委员会")  # fmt: skip
        server.container.indexer.publish(regulation)
        tab.reload()
        tab.wait_for_selector("body[data-ready=true]")
        tab.wait_for_selector(f'[data-customer="临江市第一人民医院"] li[data-doc="{doc_id}"]')
        assert tab.locator(f'[data-customer="杭州市第一人民医院"] li[data-doc="{doc_id}"]').count() == 0
        assert "广东省" in tab.inner_text(f'li[data-doc="{doc_id}"] .why')
        assert tab.inner_text("[data-updates-badge]").strip() not in ("", "0")
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert not tab.errors
    finally:
        server.container.indexer.retire(doc_id)
        context.close()
