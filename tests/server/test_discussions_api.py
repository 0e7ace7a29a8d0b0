"""Topic discussions over real HTTP: threads by topic, replies, mentions of published documents and cases only,
the PII warning before posting, editor moderation (hide, lock), abuse reports."""

from __future__ import annotations

import pytest
from conftest import LiveServer
from helpers_cases import Member, call, case_body, draft, member, ok, publish, unique_customer

from accounts.tables import Role


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    return live_server


@pytest.fixture
def partner(server: LiveServer) -> Member:
    return member(server, Role.partner)


@pytest.fixture
def editor(server: LiveServer) -> Member:
    return member(server, Role.editor)


def new_thread(server: LiveServer, who: Member, **fields: object) -> dict:
    body = {"topic_kind": "industry", "topic": "healthcare", "title": "医院数据库审计怎么做验收", "body": "大家验收时看哪些指标？"}
    return ok(call(server, who, "POST", "/api/discussions", json={**body, **fields}), 201)


def test_topics_list_industries_regulations_and_needs(server: LiveServer, partner: Member) -> None:
    topics = ok(call(server, partner, "GET", "/api/discussions/topics"))
    assert {k["id"] for k in topics["kinds"]} == {"industry", "regulation", "need", "general"}
    assert any(t["topic"] == "healthcare" for t in topics["industry"])
    assert any(t["topic"] == "sol-database-audit" for t in topics["need"])
    assert any(t["topic"].startswith("reg-") for t in topics["regulation"])
    for kind, topic in (("need", "sol-database-audit"), ("regulation", topics["regulation"][0]["topic"]), ("general", "")):
        assert new_thread(server, partner, topic_kind=kind, topic=topic)["topic_kind"] == kind
    assert call(server, partner, "POST", "/api/discussions", json={"topic_kind": "need", "topic": "reg-nope", "title": "x",
                                                                   "body": "y"}).status_code == 422  # fmt: skip
    assert call(server, partner, "POST", "/api/discussions", json={"topic_kind": "gossip", "title": "x", "body": "y"}).status_code == 422


def test_pii_is_flagged_before_posting_and_can_be_acknowledged(server: LiveServer, partner: Member) -> None:
    customer = unique_customer()
    draft(server, partner, case_body(customer))  # the organisation's own customer, known from its cases
    text = f"我们给{customer}做的，信息科李主任电话13700001234。"
    checked = ok(call(server, partner, "POST", "/api/discussions/check", json={"text": text}))["findings"]
    assert {"customer", "person", "phone"} <= {f["kind"] for f in checked}
    refused = call(server, partner, "POST", "/api/discussions",
                   json={"topic_kind": "industry", "topic": "healthcare", "title": "分享", "body": text})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["findings"] and "acknowledge_pii" in refused.json()["detail"]
    thread = new_thread(server, partner, body="这个做法我们试过，效果不错。")
    reply = call(server, partner, "POST", f"/api/discussions/{thread['id']}/posts", json={"body": "王总说13700001234可以联系"})
    assert reply.status_code == 422
    posted = ok(call(server, partner, "POST", f"/api/discussions/{thread['id']}/posts",
                     json={"body": "王总说13700001234可以联系", "acknowledge_pii": True}), 201)  # fmt: skip
    assert posted["body"].startswith("王总")


def test_mentions_link_published_documents_and_cases_only(server: LiveServer, partner: Member, editor: Member) -> None:
    author = member(server, Role.partner)
    published = publish(server, author, editor, case_body(unique_customer()))
    unpublished = draft(server, author, case_body(unique_customer()))
    body = f"参考 [[pc-{published['id']}]] 和 [[sol-database-audit]]，还有 [[pc-{unpublished['id']}]] 与 [[no-such-doc]]。"
    thread = new_thread(server, partner, body=body)
    mentions = thread["posts"][0]["mentions"]
    assert [m["id"] for m in mentions] == [f"pc-{published['id']}", "sol-database-audit"]
    assert mentions[0]["url"] == f"/cases/{published['id']}" and mentions[0]["partner"] is True
    assert unpublished["customer"] not in str(thread)
    found = ok(call(server, partner, "GET", "/api/discussions", params={"mention": f"pc-{published['id']}"}))["items"]
    assert [t["id"] for t in found] == [thread["id"]]
    picker = ok(call(server, partner, "GET", "/api/discussions/mentionable", params={"q": published["title"][:6]}))["items"]
    assert f"pc-{published['id']}" in {i["id"] for i in picker}


def test_editors_hide_and_lock_partners_report(server: LiveServer, partner: Member, editor: Member) -> None:
    thread = new_thread(server, partner)
    reader = member(server, Role.partner)
    reply = ok(call(server, reader, "POST", f"/api/discussions/{thread['id']}/posts", json={"body": "加微信聊，广告广告"}), 201)
    assert call(server, partner, "POST", f"/api/discussions/posts/{reply['id']}/report", json={"reason": ""}).status_code == 422
    first = ok(call(server, partner, "POST", f"/api/discussions/posts/{reply['id']}/report", json={"reason": "广告"}), 201)
    again = ok(call(server, partner, "POST", f"/api/discussions/posts/{reply['id']}/report", json={"reason": "还是广告"}), 201)
    assert again["id"] == first["id"] and again["already_reported"] is True  # one open report per reporter
    assert call(server, partner, "GET", "/api/discussions/reports").status_code == 403
    reports = ok(call(server, editor, "GET", "/api/discussions/reports"))["items"]
    assert [r["post_id"] for r in reports].count(reply["id"]) == 1
    report = next(r for r in reports if r["post_id"] == reply["id"])
    assert report["post"]["org_id"] == reader.org_id and report["reason"] == "广告"

    assert call(server, partner, "POST", f"/api/discussions/posts/{reply['id']}/hide").status_code == 403
    ok(call(server, editor, "POST", f"/api/discussions/posts/{reply['id']}/hide", json={"hidden": True, "reason": "广告"}))
    seen = ok(call(server, partner, "GET", f"/api/discussions/{thread['id']}"))
    hidden = next(p for p in seen["posts"] if p["id"] == reply["id"])
    assert hidden["hidden"] is True and hidden["body"] == "" and "org_id" not in hidden
    assert reply["id"] not in {r["post_id"] for r in ok(call(server, editor, "GET", "/api/discussions/reports"))["items"]}
    assert next(p for p in ok(call(server, editor, "GET", f"/api/discussions/{thread['id']}"))["posts"]
                if p["id"] == reply["id"])["body"] == "加微信聊，广告广告"  # fmt: skip

    assert call(server, partner, "POST", f"/api/discussions/{thread['id']}/lock").status_code == 403
    assert ok(call(server, editor, "POST", f"/api/discussions/{thread['id']}/lock", json={"locked": True}))["locked"] is True
    locked = call(server, reader, "POST", f"/api/discussions/{thread['id']}/posts", json={"body": "还能回复吗"})
    assert locked.status_code == 403 and "锁定" in locked.json()["detail"]

    ok(call(server, editor, "POST", f"/api/discussions/{thread['id']}/hide", json={"hidden": True, "reason": "跑题"}))
    assert call(server, partner, "GET", f"/api/discussions/{thread['id']}").status_code == 404
    assert thread["id"] not in {t["id"] for t in ok(call(server, partner, "GET", "/api/discussions", params={"limit": 100}))["items"]}
    assert thread["id"] in {t["id"] for t in ok(call(server, editor, "GET", "/api/discussions", params={"limit": 100}))["items"]}


def test_report_resolution_and_filters(server: LiveServer, partner: Member, editor: Member) -> None:
    thread = new_thread(server, partner, topic_kind="need", topic="sol-database-audit", title="数据库审计选型的坑")
    reader = member(server, Role.partner)
    ok(call(server, reader, "POST", f"/api/discussions/posts/{thread['posts'][0]['id']}/report", json={"reason": "不确定"}), 201)
    report = next(r for r in ok(call(server, editor, "GET", "/api/discussions/reports"))["items"]
                  if r["post_id"] == thread["posts"][0]["id"])  # fmt: skip
    assert ok(call(server, editor, "POST", f"/api/discussions/reports/{report['id']}/resolve", json={}))["status"] == "resolved"
    everything = ok(call(server, editor, "GET", "/api/discussions/reports", params={"all": True}))["items"]
    assert next(r for r in everything if r["id"] == report["id"])["resolution"] == "无需处理"
    listed = ok(call(server, partner, "GET", "/api/discussions", params={"topic_kind": "need", "topic": "sol-database-audit"}))
    assert thread["id"] in {t["id"] for t in listed["items"]}
    assert ok(call(server, partner, "GET", "/api/discussions", params={"q": "选型的坑"}))["total"] >= 1
    assert call(server, partner, "GET", "/api/discussions/nope").status_code == 404
    assert call(server, partner, "POST", "/api/discussions/posts/nope/report", json={"reason": "x"}).status_code == 404
