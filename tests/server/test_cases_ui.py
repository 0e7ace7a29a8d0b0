"""The partner-case path in headless Chromium (tests/ui_browser.py) against the live server, desktop and 390 px:
partner A drafts a case, reviews the redaction side by side (undoes one change, removes more by phrase and by
selecting original text), confirms and submits; editor B of another organisation approves it; partner C of a
third organisation asks for a brief on a hospital, sees the case cited as 伙伴分享, and downloads it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer
from helpers_cases import PASSWORD, unique_customer

from accounts.tables import OrgKind, Role

ARTIFACTS = Path(__file__).parent / "artifacts"
NEED = "攻防演练（护网）保障"  # a need of hospitals' briefs that no starter or other test case speaks of


def signed_in(browser: Any, server: LiveServer, role: Role, *, width: int = 1280) -> tuple[Any, Any, str]:
    accounts = server.container.accounts
    kind = OrgKind.vendor if role == Role.editor else OrgKind.partner
    org = accounts.create_organisation(name=f"组织-{uuid.uuid4().hex[:8]}", kind=kind)
    user = accounts.create_user(email=f"ui-{uuid.uuid4().hex[:8]}@example.cn", password=PASSWORD, role=role, org_id=org.id)
    session = accounts.create_session(user.id)
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)  # fmt: skip
    context.add_cookies([{"name": "top_session", "value": session.token, "url": server.url}])
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    return context, tab, org.id


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    return live_server


def ready(tab: Any, path: str) -> None:
    tab.goto(path)
    tab.wait_for_selector("body[data-ready=true]")


WIDEST = """() => [...document.querySelectorAll('body *')].filter(n => n.getBoundingClientRect().right > innerWidth + 1)
  .map(n => `${n.tagName}.${n.className}#${n.id}:${Math.round(n.getBoundingClientRect().right)}`).slice(0, 8)"""


def no_overflow(tab: Any) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"] + 1, f"page is {width}px wide: {tab.evaluate(WIDEST)}"


def write_case(tab: Any, customer: str) -> str:
    ready(tab, "/cases/new")
    tab.fill("input[name=customer]", customer)
    tab.fill("input[name=aliases]", "澜院")
    tab.fill("input[name=title]", f"{customer}{NEED}项目")
    tab.select_option("select[name=industry]", "healthcare")
    tab.fill("input[name=segment]", "三级医院")
    tab.select_option("select[name=province]", "浙江省")
    tab.fill("input[name=year]", "2024")
    tab.check("input[name=need][value=network_security]")
    tab.check("input[name=solution-id][value=sol-red-blue-exercise-support]")
    tab.fill("textarea[name=problem]", f"{customer}（澜院）地处杭州市西湖区，保卫科刘建国科长（电话13711112222）担心护网期间被攻破。")
    tab.fill("textarea[name=solution]", f"为医院做{NEED}：演练前资产梳理与暴露面收敛，演练期间7×24小时值守。项目代号QX-7。")
    tab.fill("textarea[name=budget]", "合同金额38万元，竞争性磋商。")
    tab.fill("textarea[name=outcome]", f"{NEED}期间未被攻破，防守得分位列同批前列。")
    tab.click("#save")
    tab.wait_for_url("**/redaction")
    tab.wait_for_selector("body[data-ready=true]")
    return tab.url.split("/cases/")[1].split("/")[0]


def test_draft_review_confirm_submit_approve_cite_and_download(browser: Any, server: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    customer = unique_customer()
    a_ctx, a, _ = signed_in(browser, server, Role.partner)
    b_ctx, b, _ = signed_in(browser, server, Role.editor)
    c_ctx, c, _ = signed_in(browser, server, Role.partner)
    try:
        # -- partner A: draft, review the redaction side by side, confirm, submit --------------------------
        case_id = write_case(a, customer)
        left, right = a.locator(".diff .side-original"), a.locator(".diff .side-redacted")
        assert customer in " ".join(left.all_inner_texts())
        redacted = " ".join(right.all_inner_texts())
        assert customer not in redacted and "13711112222" not in redacted and "刘某" in redacted and "10–50万元" in redacted
        amount = a.locator("#changes tr[data-kind=amount]")
        amount.get_by_role("button", name="撤销").click()
        a.wait_for_selector("#changes tr.undone[data-kind=amount]")
        assert "38万元" in " ".join(right.all_inner_texts())
        a.fill("#phrase", "竞争性磋商")
        a.click("#add-phrase")
        a.wait_for_function("() => [...document.querySelectorAll('.side-redacted')].every(n => !n.innerText.includes('竞争性磋商'))")
        # Select "QX-7" in the original and remove it.
        a.evaluate("""() => {
          const span = [...document.querySelectorAll('.side-original span[data-start]')].find(s => s.textContent.includes('QX-7'));
          const node = span.firstChild, at = node.textContent.indexOf('QX-7');
          const range = document.createRange();
          range.setStart(node, at); range.setEnd(node, at + 4);
          getSelection().removeAllRanges(); getSelection().addRange(range);
        }""")
        a.click("#redact-selection")
        a.wait_for_function("() => [...document.querySelectorAll('#changes tr[data-kind=manual]')].some(r => r.innerText.includes('QX-7'))")
        final = " ".join(right.all_inner_texts())
        assert "QX-7" not in final and "竞争性磋商" not in final and "[已删除]" in final
        a.fill("input[name=handle]", "西湖老刘")
        a.click("#confirm")
        a.wait_for_selector("#submit:not([hidden])")
        a.screenshot(path=str(ARTIFACTS / "case-redaction.png"), full_page=True)
        a.click("#submit")
        a.wait_for_url(f"**/cases/{case_id}")
        a.wait_for_selector("body[data-ready=true]")
        assert "审核中" in a.inner_text("#meta")
        a.wait_for_selector("#talk-card:not([hidden])")  # a case that exists has its discussions card

        # -- editor B (another organisation): review and approve --------------------------------------------
        ready(b, "/cases/review")
        b.locator(f".queue-item[data-case='{case_id}'] button").click()
        b.wait_for_selector("#detail:not([hidden])")
        text = b.inner_text("#detail-text")
        assert customer not in text and "刘某" in text and "QX-7" not in text
        assert "人名" in b.inner_text("#detail-findings")
        b.click("#approve")
        b.wait_for_function("() => document.querySelector('#detail-status').textContent.includes('已批准')")
        b.screenshot(path=str(ARTIFACTS / "case-review.png"), full_page=True)

        # -- partner C: the case is cited in a hospital's brief; download it from the library ---------------
        c.goto("/")
        c.fill("#input", "临江市第一人民医院")
        c.press("#input", "Enter")
        c.wait_for_function("() => { const r = document.querySelectorAll('.msg-assistant'); "
                            "return r.length && !r[r.length - 1].hasAttribute('aria-busy'); }", timeout=120_000)  # fmt: skip
        reply = c.locator(".msg-assistant").last
        assert "典型案例（伙伴分享）" in reply.inner_text()
        cited = reply.locator(".md a.cite").evaluate_all("links => links.map(a => a.title)")
        title = f"某医院{NEED}项目"
        assert title in cited, cited
        assert customer not in reply.inner_text()
        c.screenshot(path=str(ARTIFACTS / "case-cited.png"), full_page=True)
        ready(c, f"/cases?industry=healthcare&q={NEED}")
        card = c.locator(f".case-card[data-case='{case_id}']")
        c.screenshot(path=str(ARTIFACTS / "case-library.png"), full_page=True)
        assert "西湖老刘" in card.inner_text() and customer not in card.inner_text()
        with c.expect_download() as info:
            card.locator("[data-download]").click()
        saved = Path(info.value.path()).read_text(encoding="utf-8")
        assert "38万元" in saved and customer not in saved and "QX-7" not in saved
        downloads = server.container.cases.store.downloads(case_id=case_id)
        assert len(downloads) == 1 and downloads[0].author_org_id != downloads[0].org_id
        for tab in (a, b, c):
            assert not tab.errors, tab.errors
    finally:
        for context in (a_ctx, b_ctx, c_ctx):
            context.close()


@pytest.mark.parametrize("path", ["/cases", "/cases/new", "/cases/mine", "/discussions"])
def test_case_pages_fit_a_phone(browser: Any, server: LiveServer, path: str) -> None:
    context, tab, _ = signed_in(browser, server, Role.partner, width=390)
    try:
        ready(tab, path)
        no_overflow(tab)
        assert not tab.errors, tab.errors
    finally:
        context.close()


def test_the_redaction_review_fits_a_phone(browser: Any, server: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, tab, _ = signed_in(browser, server, Role.partner, width=390)
    try:
        write_case(tab, unique_customer())
        no_overflow(tab)
        assert tab.locator(".diff-row:not(.plain) .side-redacted").first.is_visible()
        tab.screenshot(path=str(ARTIFACTS / "case-redaction-phone.png"), full_page=True)
        assert not tab.errors, tab.errors
    finally:
        context.close()


def test_a_discussion_warns_before_posting_a_phone_number(browser: Any, server: LiveServer) -> None:
    context, tab, _ = signed_in(browser, server, Role.partner)
    try:
        ready(tab, "/discussions")
        tab.select_option("#new-thread select[name=topic_kind]", "industry")
        tab.select_option("#new-thread select[name=topic]", "healthcare")
        tab.fill("#new-thread input[name=title]", "护网值守经验")
        tab.fill("#new-thread textarea[name=body]", "有问题找王总，电话13766667777。")
        tab.click("#new-thread button[type=submit]")
        tab.wait_for_selector("#pii:not([hidden])")
        assert "13766667777" in tab.inner_text("#pii")
        tab.check("#new-thread input[name=acknowledge_pii]")
        tab.click("#new-thread button[type=submit]")
        tab.wait_for_url("**/discussions/*")
        tab.wait_for_selector("body[data-ready=true]")
        assert "护网值守经验" in tab.inner_text("#title")
        assert not tab.errors, tab.errors
    finally:
        context.close()


def test_an_unknown_case_shows_its_error_alone(browser: Any, server: LiveServer) -> None:
    context, tab, _ = signed_in(browser, server, Role.partner, width=390)
    try:
        ready(tab, "/cases/pc-nonexistent")
        tab.wait_for_selector("#error:not([hidden])")
        assert tab.locator("section[aria-labelledby=talk-title]").is_hidden() and tab.locator("#case").is_hidden()
        assert not tab.errors, tab.errors
    finally:
        context.close()
