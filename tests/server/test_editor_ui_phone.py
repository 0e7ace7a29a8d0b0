"""The editor page on a 390 px phone and on a desktop, in headless Chromium: the header and the version table fit
the screen, the starter documents are listed (read from their files), the front matter is a form with the raw YAML
as an advanced view, and 通过并发布 is disabled with its reason on a version you wrote yourself."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import LiveServer
from helpers import document_text
from playwright.sync_api import expect
from test_editor_ui import responds
from test_login_ui import log_in, make_user
from ui_browser import watch_csp

from accounts.tables import Role

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def open_editor_at(browser: Any, server: LiveServer, email: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport=viewport, is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE)  # fmt: skip
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.errors = watch_csp(context, [])  # CSP violations count as errors too
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto("/editor")
    page.wait_for_url("**/login?next=**")
    log_in(page, email)
    page.wait_for_url(f"{server.url}/editor")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def inside_the_screen(page: Any, selector: str) -> None:
    width = page.evaluate("window.innerWidth")
    for box in (el.bounding_box() for el in page.locator(selector).all()):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (selector, box, width)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_header_list_and_version_table_fit_and_starter_documents_are_listed(
    browser: Any, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    from corpus import STARTER_DIR

    page = open_editor_at(browser, live_server, make_user(live_server, Role.editor, "钱编辑"), viewport)
    starter = len([p for p in STARTER_DIR.rglob("*.md") if not p.name.startswith("README")])
    total = int(page.locator("#doc-total").inner_text().split("共 ")[1].split(" 篇")[0])
    assert total >= starter > 100
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    inside_the_screen(page, ".topbar .brand, #whoami, #logout")
    expect(page.locator("#logout")).to_be_visible()

    # a starter document: its version came from its file, and the table fits the screen
    with responds(page, "GET", "/api/editor/documents/reg-pipl-processing-rules"):
        page.locator("#filters [name=kind]").select_option("regulation")
        page.locator('#doc-list button[data-doc="reg-pipl-processing-rules"]').click()
    row = page.locator('#versions tr[data-version="1"]')
    expect(row).to_contain_text("语料目录")
    expect(row).to_contain_text("已发布")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    inside_the_screen(page, "#versions tr, #versions td, #actions button")
    load = page.locator('#versions [data-load="1"]').bounding_box()
    assert load is not None and load["height"] >= (44 if viewport is PHONE else 20)
    if viewport is PHONE:
        assert page.locator("#versions thead").is_hidden()  # one card per version instead of six columns
        assert page.locator('#versions tr[data-version="1"] td[data-label="状态"]').evaluate(
            "td => getComputedStyle(td, '::before').content").strip('"') == "状态"

    # the front matter is the form; the raw YAML is the advanced view, closed by default
    expect(page.locator("#meta-form [name=title]")).to_have_value("个人信息保护法要点：处理规则、敏感个人信息与个人信息跨境提供")
    assert page.locator("#yaml").is_hidden() and not page.input_value("#text").startswith("---")
    page.locator("#yaml-box summary").click()
    expect(page.locator("#yaml")).to_be_visible()
    assert page.input_value("#yaml").startswith("id: reg-pipl-processing-rules\n")
    expect(page.locator("#meta-form select[name=kind] option:checked")).to_have_text("法规")
    assert page.errors == []
    page.context.close()


def test_your_own_version_cannot_be_approved_and_the_page_says_why(browser: Any, live_server: LiveServer) -> None:
    page = open_editor_at(browser, live_server, make_user(live_server, Role.editor, "孔编辑"), PHONE)
    doc_id = "faq-phone-approval-check"
    text = document_text(doc_id, title="手机审核检查", status="draft")
    created = page.evaluate("""async (text) => {
        const me = await (await fetch('/api/me')).json();
        const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token };
        const made = await fetch('/api/editor/documents', { method: 'POST', headers, body: JSON.stringify({ text }) });
        await fetch('/api/editor/documents/faq-phone-approval-check/versions/1/submit', { method: 'POST', headers });
        return made.status;
    }""", text)  # fmt: skip
    assert created == 201
    with responds(page, "GET", f"/api/editor/documents/{doc_id}"):
        page.reload()
        page.locator(f'#queue button[data-doc="{doc_id}"]').click()
    expect(page.locator("[data-act=approve]")).to_be_disabled()
    expect(page.locator("[data-act=reject]")).to_be_enabled()
    expect(page.locator("#approve-why")).to_be_visible()
    expect(page.locator("#approve-why")).to_contain_text("不能批准自己撰写的版本")
    inside_the_screen(page, "#approve-why")
    assert page.errors == []
    page.context.close()
