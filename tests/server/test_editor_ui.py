"""The editor page (/editor) in a real headless Chromium: an editor uploads a Markdown file, sees the draft and its
chunk preview, edits and saves a new version, submits it; an admin approves it from the review queue; the chat
then cites the document; the editor retires it and the chat no longer cites it.

Needs Debian's /usr/bin/chromium (see tests/server/test_ui.py). Waits on network responses, never on sleeps.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from conftest import LiveServer
from helpers import document_text
from playwright.sync_api import expect
from test_login_ui import log_in, make_user, new_page

from accounts.tables import Role

BODY = """# 蓝鲸协议日志留存要求

蓝鲸协议是本测试虚构的一份行业规范，用于检验编辑页面的发布流程。

## 日志留存期限

蓝鲸协议要求接入单位的网络日志留存不少于六个月，由运维部门每周抽查并保留抽查记录。

## 报备要求

蓝鲸协议适用于所有接入省级政务外网的单位，接入前须完成安全评估并向主管部门报备。
"""
QUESTION = "蓝鲸协议对网络日志留存期限有什么要求？"
PUBLISH_TIMEOUT = 120_000  # approving re-indexes the document


def cited(server: LiveServer, doc_id: str) -> bool:
    """Whether an anonymous chat answer to QUESTION cites doc_id."""
    reply = httpx.post(f"{server.url}/api/chat", json={"message": QUESTION}, headers={"Accept": "application/json"}, timeout=120)
    assert reply.status_code == 200, reply.text
    return doc_id in {s["doc_id"] for s in reply.json()["sources"]}


def open_editor(browser: Any, server: LiveServer, email: str) -> Any:
    page = new_page(browser, server)
    page.goto("/editor")
    page.wait_for_url("**/login?next=**")
    log_in(page, email)
    page.wait_for_url(f"{server.url}/editor")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def responds(page: Any, method: str, suffix: str, **kwargs: Any) -> Any:
    return page.expect_response(lambda r: r.request.method == method and r.url.split("?")[0].endswith(suffix), **kwargs)


def test_upload_edit_submit_approve_cite_retire(browser: Any, live_server: LiveServer, tmp_path: Path) -> None:
    server = live_server
    doc_id = f"faq-lanjing-ui-{uuid.uuid4().hex[:8]}"
    source = tmp_path / f"{doc_id}.md"
    source.write_text(document_text(doc_id, BODY, title="蓝鲸协议日志留存要求", status="draft",
                                    need_categories=["network_security"]), encoding="utf-8")  # fmt: skip
    editor = open_editor(browser, server, make_user(server, Role.editor, "李编辑"))
    assert "待审核" in editor.locator("#filters").inner_text() and editor.locator("#health table").count() == 1

    # upload → the new draft opens with its chunk preview
    editor.set_input_files("#upload-file", str(source))
    with responds(editor, "POST", "/api/editor/documents") as created:
        editor.click("#upload button[type=submit]")
    assert created.value.status == 201, created.value.text()
    expect(editor.locator("#doc-title")).to_contain_text("蓝鲸协议日志留存要求")
    expect(editor.locator("#versions tr")).to_have_count(1)
    expect(editor.locator("#versions tr").first).to_contain_text("草稿")
    expect(editor.locator("#chunks li")).to_have_count(3)
    expect(editor.locator("#chunks .locator")).to_have_text(["蓝鲸协议日志留存要求", "日志留存期限", "报备要求"])
    expect(editor.locator(f'#doc-list button[data-doc="{doc_id}"]')).to_be_visible()
    expect(editor.locator("[data-act=approve]")).to_be_disabled()

    # edit with a live preview, save → version 2
    editor.fill("#text", editor.input_value("#text").replace("六个月", "十二个月"))
    expect(editor.locator("#live :is(h2, h3, h4)").filter(has_text="日志留存期限")).to_have_count(1)
    expect(editor.locator("#live")).not_to_contain_text("need_categories")  # front matter is not previewed
    expect(editor.locator("#live")).to_contain_text("十二个月")
    editor.fill("#note", "留存期改为十二个月")
    with responds(editor, "PUT", f"/api/editor/documents/{doc_id}") as saved:
        editor.click("#save")
    assert saved.value.status == 200, saved.value.text()
    expect(editor.locator("#versions tr")).to_have_count(2)
    expect(editor.locator('#versions tr[data-version="2"]')).to_contain_text("留存期改为十二个月")
    expect(editor.locator('#versions tr[data-version="1"]')).to_contain_text("已被取代")
    expect(editor.locator("#chunks")).to_contain_text("十二个月")

    # the side-by-side diff of versions 1 and 2
    with responds(editor, "GET", f"/api/editor/documents/{doc_id}/diff"):
        editor.click("#diff-run")
    changed = editor.locator("#diff tr.replace")
    expect(changed).to_have_count(1)
    assert "六个月" in changed.locator("td.a").inner_text() and "十二个月" in changed.locator("td.b").inner_text()

    # submit; the editor may not approve their own version
    with responds(editor, "POST", "/versions/2/submit") as submitted:
        editor.click("[data-act=submit]")
    assert submitted.value.status == 200, submitted.value.text()
    expect(editor.locator("#doc-title")).to_contain_text("待审核")
    expect(editor.locator(f'#queue button[data-doc="{doc_id}"]')).to_be_visible()
    # the page knows who wrote the version: 通过并发布 is disabled, with the reason beside it (the server refuses anyway)
    expect(editor.locator("[data-act=approve]")).to_be_disabled()
    expect(editor.locator("#approve-why")).to_be_visible()
    expect(editor.locator("#approve-why")).to_contain_text("不能批准自己撰写的版本")
    csrf = editor.evaluate("async () => (await (await fetch('/api/me')).json()).csrf_token")
    refused = editor.request.post(f"{server.url}/api/editor/documents/{doc_id}/versions/2/approve",
                                  headers={"X-CSRF-Token": csrf}, data={})  # fmt: skip
    assert refused.status == 403
    assert not cited(server, doc_id)  # not published yet

    # an admin (another browser context) approves it from the review queue
    admin = open_editor(browser, server, make_user(server, Role.admin, "王管理"))
    with responds(admin, "GET", f"/api/editor/documents/{doc_id}"):
        admin.click(f'#queue button[data-doc="{doc_id}"]')
    with responds(admin, "POST", "/versions/2/approve", timeout=PUBLISH_TIMEOUT) as approved:
        admin.click("[data-act=approve]")
    assert approved.value.status == 200, approved.value.text()
    expect(admin.locator("#doc-title")).to_contain_text("已发布")
    expect(admin.locator(f'#queue button[data-doc="{doc_id}"]')).to_have_count(0)
    assert cited(server, doc_id)

    # the editor reopens it and retires it
    editor.on("dialog", lambda dialog: dialog.accept())
    with responds(editor, "GET", f"/api/editor/documents/{doc_id}"):
        editor.click(f'#doc-list button[data-doc="{doc_id}"]')
    expect(editor.locator("[data-act=retire]")).to_be_enabled()
    with responds(editor, "POST", f"/api/editor/documents/{doc_id}/retire", timeout=PUBLISH_TIMEOUT) as retired:
        editor.click("[data-act=retire]")
    assert retired.value.status == 200, retired.value.text()
    expect(editor.locator("#doc-title")).to_contain_text("已下线")
    assert not cited(server, doc_id)
    assert editor.errors == [] and admin.errors == []
    editor.context.close()
    admin.context.close()
