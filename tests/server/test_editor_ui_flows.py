"""The editor page in headless Chromium, continued: a PDF from upload to a cited answer (with the metadata fixed,
a hit test and the audit log on the way), and a rollback that puts the previous version back into answers.

Each test invents its own regulation ("鹭岛协议", "青屿规程") so no other document can answer for it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from conftest import LiveServer
from helpers import document_text
from pdf_writer import make_pdf
from playwright.sync_api import expect
from test_editor_ui import PUBLISH_TIMEOUT, open_editor, responds
from test_login_ui import make_user

from accounts.tables import Role


def answer_sources(server: LiveServer, question: str) -> list[dict[str, Any]]:
    reply = httpx.post(f"{server.url}/api/chat", json={"message": question}, headers={"Accept": "application/json"}, timeout=120)
    assert reply.status_code == 200, reply.text
    return reply.json()["sources"]


def approve_from_queue(admin: Any, doc_id: str, number: int) -> None:
    with responds(admin, "GET", "/api/editor/documents"):
        admin.reload()
    with responds(admin, "GET", f"/api/editor/documents/{doc_id}"):
        admin.click(f'#queue button[data-doc="{doc_id}"]')
    with responds(admin, "POST", f"/versions/{number}/approve", timeout=PUBLISH_TIMEOUT) as approved:
        admin.click("[data-act=approve]")
    assert approved.value.status == 200, approved.value.text()
    expect(admin.locator("#doc-title")).to_contain_text("已发布")


def submit_latest(editor: Any, number: int) -> None:
    with responds(editor, "POST", f"/versions/{number}/submit") as submitted:
        editor.click("[data-act=submit]")
    assert submitted.value.status == 200, submitted.value.text()


def test_pdf_upload_metadata_fix_hit_test_publish_and_cite(browser: Any, live_server: LiveServer, tmp_path: Path) -> None:
    server = live_server
    token = uuid.uuid4().hex[:6]
    pdf = tmp_path / "鹭岛协议.pdf"
    pdf.write_bytes(make_pdf([
        [f"鹭岛协议数据备份管理办法（{token}）", "第一章 总则",
         "第一条 为了规范接入单位的数据备份工作，保障业务连续性，制定本办法。",
         "第二条 鹭岛协议要求接入单位每日备份核心业务数据，备份数据应当异地保存不少于三十天。"],
        ["第二章 附则", "第三条 本办法自2026年1月1日起施行。"],
    ]))  # fmt: skip
    editor = open_editor(browser, server, make_user(server, Role.editor, "周编辑"))

    # upload the PDF: it is converted to our Markdown with suggested front matter; the 办法 names no issuer, so
    # nothing is invented: the text waits in the editor and the form asks for the 发文机关
    editor.set_input_files("#upload-file", str(pdf))
    with responds(editor, "POST", "/api/editor/documents", timeout=60_000) as converted:
        editor.click("#upload button[type=submit]")
    assert converted.value.status == 422, converted.value.text()
    # the page fills the fields after the response arrives: wait for them, not for the response alone
    expect(editor.locator("#yaml")).to_have_value(re.compile(r"status: draft"))
    expect(editor.locator("#text")).to_have_value(re.compile(r"第二条"))
    assert not editor.input_value("#text").startswith("---")  # the body; the front matter is the form (and the YAML view)
    expect(editor.locator("#meta-problems")).to_contain_text("发文机关")
    expect(editor.locator("#meta-form [name=issuer]")).to_have_class(re.compile(r"\binvalid\b"))
    expect(editor.locator("#save")).to_have_text("创建草稿")
    expect(editor.locator("#meta-why-box")).to_be_visible()
    why = editor.locator("#meta-why").inner_text()
    assert "发文机关" in why and "施行日期" in why and "渠道参谋编辑部" not in why
    assert not re.search(r"\b(issuer|effective_date|industries|need_categories|healthcare|regulation)\b", why)
    expect(editor.locator("#meta-form [name=title]")).to_have_value(re.compile("鹭岛协议数据备份管理办法"))
    expect(editor.locator("#meta-form [name=kind]")).to_have_value("regulation")
    expect(editor.locator("#meta-form [name=effective_date]")).to_have_value("2026-01-01")
    assert editor.input_value("#meta-form [name=articles]").startswith("第一条")
    with responds(editor, "POST", "/api/editor/metadata"):
        editor.fill("#meta-form [name=issuer]", "鹭岛协议联盟秘书处")
    expect(editor.locator("#meta-problems li")).to_have_count(0)
    with responds(editor, "POST", "/api/editor/documents") as created:
        editor.click("#save")
    assert created.value.status == 201, created.value.text()
    doc_id = created.value.json()["doc_id"]
    expect(editor.locator("#chunks li").first).to_be_visible()
    expect(editor.locator("#chunks")).to_contain_text("异地保存不少于三十天")
    expect(editor.locator('#versions tr[data-version="1"]')).to_contain_text("草稿")

    # fix what the importer could only guess, in the form: it rewrites the front matter in the text
    with responds(editor, "POST", "/api/editor/metadata"):
        editor.fill("#meta-form [name=title]", "")
    expect(editor.locator("#meta-problems")).to_contain_text("标题：不能为空")  # named as the form names it
    expect(editor.locator("#meta-form [name=title]")).to_have_class(re.compile(r"\binvalid\b"))
    editor.fill("#meta-form [name=title]", f"鹭岛协议数据备份管理办法{token}")
    for box in editor.locator("#meta-form input[name=industries]:checked").all():
        box.uncheck()
    with responds(editor, "POST", "/api/editor/metadata"):
        editor.check('#meta-form input[name=industries][value="government"]')
    expect(editor.locator("#yaml")).to_have_value(re.compile(f"title: 鹭岛协议数据备份管理办法{token}\n"))
    expect(editor.locator("#yaml")).to_have_value(re.compile(r"industries:\n- government\n"))
    expect(editor.locator("#meta-problems li")).to_have_count(0)
    editor.fill("#note", "修正标题与行业")
    with responds(editor, "PUT", f"/api/editor/documents/{doc_id}") as saved:
        editor.click("#save")
    assert saved.value.status == 200, saved.value.text()
    assert saved.value.json()["industries"] == ["government"]
    expect(editor.locator("#doc-title")).to_contain_text(f"鹭岛协议数据备份管理办法{token}")
    expect(editor.locator('#versions tr[data-version="2"]')).to_contain_text("我")

    # the hit test: if version 2 were published, this question would find it first
    editor.fill("#hit-query", "鹭岛协议 备份数据 异地保存")
    with responds(editor, "POST", f"/api/editor/documents/{doc_id}/versions/2/hit-test") as tested:
        editor.click("#hit-form button[type=submit]")
    assert tested.value.status == 200, tested.value.text()
    expect(editor.locator("#hit-summary")).to_contain_text("排第 1 名")
    expect(editor.locator("#hits li").first).to_have_class(re.compile(r"\bown\b"))
    assert not any(s["doc_id"] == doc_id for s in answer_sources(server, "鹭岛协议要求备份数据异地保存多久？"))

    # submit; another person approves; the next partner question cites the PDF's article
    submit_latest(editor, 2)
    admin = open_editor(browser, server, make_user(server, Role.admin, "孙管理"))
    approve_from_queue(admin, doc_id, 2)
    expect(admin.locator('#versions tr[data-version="2"]')).to_contain_text("周编辑")  # a name, not a user id
    expect(admin.locator('#versions tr[data-version="2"]')).to_contain_text("我")  # the admin reviewed it
    sources = [s for s in answer_sources(server, "鹭岛协议要求备份数据异地保存多久？") if s["doc_id"] == doc_id]
    assert sources and any("三十天" in s["text"] for s in sources)

    # the audit log on the page: every step, newest first, with names
    audit = admin.locator("#audit tr")
    expect(audit.first).to_contain_text("发布")
    log = admin.locator("#audit").inner_text()
    for action in ("创建草稿", "保存新版本", "提交审核", "批准", "发布"):
        assert action in log, action
    assert "周编辑" in log and "孙管理" in log and "修正标题与行业" in log
    assert editor.errors == [] and admin.errors == []
    editor.context.close()
    admin.context.close()


BODY = """# 青屿规程日志留存要求

青屿规程是本测试虚构的一份行业规范，用于检验回滚。

## 日志留存

青屿规程要求接入单位的安全日志留存不少于{period}，并每季度抽查一次。
"""
QUESTION = "青屿规程要求安全日志留存多久？"


def test_rollback_puts_the_previous_version_back_into_answers(browser: Any, live_server: LiveServer, tmp_path: Path) -> None:
    server = live_server
    doc_id = f"faq-qingyu-ui-{uuid.uuid4().hex[:8]}"
    source = tmp_path / f"{doc_id}.md"
    source.write_text(document_text(doc_id, BODY.format(period="六个月"), title="青屿规程日志留存要求", status="draft",
                                    need_categories=["network_security"]), encoding="utf-8")  # fmt: skip
    editor = open_editor(browser, server, make_user(server, Role.editor, "吴编辑"))
    admin = open_editor(browser, server, make_user(server, Role.admin, "郑管理"))

    # version 1 (六个月) published
    editor.set_input_files("#upload-file", str(source))
    with responds(editor, "POST", "/api/editor/documents") as created:
        editor.click("#upload button[type=submit]")
    assert created.value.status == 201, created.value.text()
    submit_latest(editor, 1)
    approve_from_queue(admin, doc_id, 1)

    # version 2 (二十四个月) published over it
    with responds(editor, "GET", f"/api/editor/documents/{doc_id}"):
        editor.click(f'#doc-list button[data-doc="{doc_id}"]')
    editor.fill("#text", editor.input_value("#text").replace("六个月", "二十四个月"))
    with responds(editor, "PUT", f"/api/editor/documents/{doc_id}") as saved:
        editor.click("#save")
    assert saved.value.status == 200, saved.value.text()
    submit_latest(editor, 2)
    approve_from_queue(admin, doc_id, 2)
    texts = " ".join(s["text"] for s in answer_sources(server, QUESTION) if s["doc_id"] == doc_id)
    assert "二十四个月" in texts and "六个月" not in texts.replace("二十四个月", "")

    # roll back to version 1: a new version 3 with version 1's text, in review until approved
    with responds(editor, "GET", f"/api/editor/documents/{doc_id}"):
        editor.click(f'#doc-list button[data-doc="{doc_id}"]')
    editor.select_option("#rollback-to", "1")
    with responds(editor, "POST", f"/api/editor/documents/{doc_id}/rollback") as rolled:
        editor.click("[data-act=rollback]")
    assert rolled.value.status == 200, rolled.value.text()
    assert rolled.value.json()["number"] == 3
    expect(editor.locator('#versions tr[data-version="3"]')).to_contain_text("待审核")
    expect(editor.locator('#versions tr[data-version="2"]')).to_contain_text("已发布")  # still serving until approved
    editor.select_option("#diff-a", "1")
    editor.select_option("#diff-b", "3")
    with responds(editor, "GET", f"/api/editor/documents/{doc_id}/diff"):
        editor.click("#diff-run")
    expect(editor.locator("#status")).to_contain_text("两个版本内容相同")
    expect(editor.locator("#audit")).to_contain_text("恢复第 1 版的内容")

    approve_from_queue(admin, doc_id, 3)
    texts = " ".join(s["text"] for s in answer_sources(server, QUESTION) if s["doc_id"] == doc_id)
    assert "六个月" in texts and "二十四个月" not in texts
    assert editor.errors == [] and admin.errors == []
    editor.context.close()
    admin.context.close()
