"""A conversation over real HTTP (uvicorn, SSE off the wire, composer writer): each intent, clarifying
choices, exports in three formats, and sharing with colleagues of the same organisation only."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import LiveServer
from docx import Document
from pypdf import PdfReader
from test_auth_api import Account, log_in, make_account
from test_chat_api import chat

from accounts.tables import Role

CUSTOMER = "佛山市第一人民医院"


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        yield http


def text_of(events: list[tuple[str, Any]]) -> str:
    return "".join(d["text"] for e, d in events if e == "delta")


def done(events: list[tuple[str, Any]]) -> dict[str, Any]:
    assert events[-1][0] == "done", events[-1]
    return events[-1][1]


def conversation_with(client: httpx.Client, *messages: str) -> tuple[str, list[list[tuple[str, Any]]]]:
    replies, cid = [], None
    for message in messages:
        events = chat(client, message, cid)
        cid = events[0][1]["conversation_id"]
        replies.append(events)
    return cid, replies


def test_each_intent_over_http(client: httpx.Client) -> None:
    cid, replies = conversation_with(
        client, CUSTOMER, "推荐哪家厂商的防火墙？", "谢谢", "有没有类似的案例？", "预算大概多少？", "帮我写一封拜访邮件",
        "等保二级和三级有什么区别", "网络安全事件要在多长时间内报告？", "那他们的数据安全呢？",
    )
    intents = [done(r)["intent"] for r in replies]
    assert intents == ["customer", "recommend", "thanks", "cases", "budget", "draft", "compare", "question", "focus"]
    brief, recommend, thanks, cases, budget, draft, compare, question, focus = replies
    assert [e for e, _ in brief].count("profile") == 1
    assert all(e != "profile" for r in replies[1:] for e, _ in r), "the card is shown once per customer"
    assert "排名不分先后" in text_of(recommend)
    assert len(text_of(thanks)) < 200 and all(e != "sources" or not d["sources"] for e, d in thanks)
    assert "示意案例" in text_of(cases) and "[1]" in text_of(cases)
    assert re.search(r"\d+%|万元", text_of(budget).splitlines()[0])
    assert "**主题**" in text_of(draft) and CUSTOMER in text_of(draft)
    assert "## 等保二级" in text_of(compare) and "## 等保三级" in text_of(compare)
    first = text_of(question).splitlines()[0]
    assert first.startswith("**直接回答**") and "1小时" in first
    assert "## 数据安全" in text_of(focus) and "## 网络安全" not in text_of(focus)
    stored = client.get(f"/api/conversations/{cid}").json()
    assert [m["intent"] for m in stored["messages"] if m["role"] == "assistant"] == intents


def test_a_clarification_with_choices_continues_the_same_customer(client: httpx.Client) -> None:
    cid, (asked,) = conversation_with(client, "北辰云帆")
    assert done(asked)["mode"] == "ask_user"
    profile = next(d for e, d in asked if e == "profile")
    assert profile["industry"] == "unknown" and profile["name"] == "北辰云帆"
    sources = next(d for e, d in asked if e == "sources")["sources"]
    assert sources == [], "no unrelated sources next to the question"
    choices = next(d for e, d in asked if e == "choices")["choices"]
    assert len(choices) == 13 and all({"label", "value"} <= set(c) for c in choices)
    assert text_of(asked).count("暂时无法判断") == 1
    stored = client.get(f"/api/conversations/{cid}").json()["messages"][1]
    assert stored["choices"] == choices, "a reopened conversation still offers them"

    clicked = chat(client, next(c["value"] for c in choices if c["label"] == "制造业"), cid)
    assert done(clicked)["intent"] == "clarify" and done(clicked)["mode"] == "brief"
    merged = next(d for e, d in clicked if e == "profile")
    assert merged["name"] == "北辰云帆" and merged["industry"] == "manufacturing"
    typed = chat(client, "总部在深圳，大约3000人", cid)
    moved = next(d for e, d in typed if e == "profile")
    assert moved["name"] == "北辰云帆" and moved["region"]["city"] == "深圳市" and "3000" in moved["size"]
    assert client.get("/api/conversations", params={"limit": 100}).json()["items"][0]["customer"] == "北辰云帆"


def _brief_message(client: httpx.Client) -> tuple[str, str, list[dict[str, Any]], str]:
    events = chat(client, CUSTOMER)
    sources = next(d for e, d in events if e == "sources")["sources"]
    return events[0][1]["conversation_id"], events[0][1]["message_id"], sources, text_of(events)


def test_exports_carry_the_customer_the_summary_and_every_source(client: httpx.Client) -> None:
    _, message_id, sources, text = _brief_message(client)
    summary_line = next(line for line in text.splitlines() if line.startswith("- **")).split("：", 1)[1][:20]
    documents = {s["title"] for s in sources}

    markdown = client.get(f"/api/messages/{message_id}/export", params={"format": "md"})
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert "attachment" in markdown.headers["content-disposition"] and ".md" in markdown.headers["content-disposition"]
    body = markdown.text
    assert body.startswith(f"# {CUSTOMER}：客户需求简报") and "客户画像" in body and summary_line in body
    assert all(f"[{s['n']}]" in body.split("## 来源", 1)[1] for s in sources) and all(f"《{t}》" in body for t in documents)

    word = client.get(f"/api/messages/{message_id}/export", params={"format": "docx"})
    assert word.status_code == 200 and word.content[:2] == b"PK"
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    tables = "\n".join(c.text for t in Document(io.BytesIO(word.content)).tables for row in t.rows for c in row.cells)
    assert CUSTOMER in paragraphs and "三级医院" in tables and summary_line in paragraphs
    assert all(f"[{s['n']}]" in paragraphs for s in sources) and all(f"《{t}》" in paragraphs for t in documents)

    pdf = client.get(f"/api/messages/{message_id}/export", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) < 1_000_000
    reader = PdfReader(io.BytesIO(pdf.content))
    assert b"/FontFile" in pdf.content or b"/FontFile3" in pdf.content, "the CJK font is embedded"
    extracted = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))
    assert CUSTOMER in extracted and re.sub(r"\s+", "", summary_line)[:12] in extracted
    assert all(f"[{s['n']}]" in extracted for s in sources)


def test_export_refuses_unknown_formats_and_other_peoples_messages(client: httpx.Client, live_server: LiveServer) -> None:
    _, message_id, _, _ = _brief_message(client)
    assert client.get(f"/api/messages/{message_id}/export", params={"format": "exe"}).status_code == 422
    with httpx.Client(base_url=live_server.url, timeout=30) as stranger:
        refused = stranger.get(f"/api/messages/{message_id}/export", params={"format": "md"})
    assert refused.status_code == 404 and "消息不存在" in refused.json()["detail"]


def _as(account: Account) -> dict[str, str]:
    return {**account.headers()}


def test_a_shared_conversation_is_readable_by_colleagues_of_the_same_organisation_only(live_server: LiveServer) -> None:
    org = "共享测试伙伴"
    owner = log_in(live_server, make_account(live_server, Role.partner, org=org))
    colleague = log_in(live_server, make_account(live_server, Role.partner, org=org))
    outsider = log_in(live_server, make_account(live_server, Role.partner, org="另一家伙伴"))
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        started = http.post("/api/chat", json={"message": CUSTOMER}, headers=_as(owner)).json()
        cid, message_id = started["conversation_id"], started["message_id"]
        assert http.get(f"/api/shared/{cid}", headers=_as(colleague)).status_code == 404, "not shared yet"
        assert http.post(f"/api/conversations/{cid}/share", headers=_as(outsider)).status_code == 404
        shared = http.post(f"/api/conversations/{cid}/share", headers=_as(owner))
        assert shared.status_code == 200 and shared.json()["url"] == f"/#/shared/{cid}"

        read = http.get(f"/api/shared/{cid}", headers=_as(colleague))
        assert read.status_code == 200
        body = read.json()
        assert body["read_only"] and body["messages"][1]["content"].startswith(f"# {CUSTOMER}")
        pdf = http.get(f"/api/messages/{message_id}/export", params={"format": "pdf"}, headers=_as(colleague))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert http.get(f"/api/conversations/{cid}", headers=_as(colleague)).status_code == 404, "read, not continue"
        refused = http.post("/api/chat", json={"message": "那预算呢？", "conversation_id": cid}, headers=_as(colleague))
        assert refused.status_code == 404

        assert http.get(f"/api/shared/{cid}", headers=_as(outsider)).status_code == 404
        assert http.get(f"/api/messages/{message_id}/export", params={"format": "md"}, headers=_as(outsider)).status_code == 404
        assert http.get(f"/api/shared/{cid}").status_code == 401, "colleagues sign in"

        assert http.delete(f"/api/conversations/{cid}/share", headers=_as(owner)).status_code == 204
        assert http.get(f"/api/shared/{cid}", headers=_as(colleague)).status_code == 404


def test_anonymous_visitors_cannot_share(client: httpx.Client) -> None:
    events = chat(client, CUSTOMER)
    cid = events[0][1]["conversation_id"]
    assert client.post(f"/api/conversations/{cid}/share").status_code == 401
