"""Tenant isolation of partner cases: what organisation A writes never reaches another organisation except as the
redacted text A confirmed and an editor approved.

Organisation A has a draft (never confirmed), a confirmed case not yet submitted, and a published case; each
names its own unique customer (and alias), a unique phone, and (the first two) a unique sentence; the author's
e-mail and name are not told outside A either (published cases carry only the chosen handle). Another
partner organisation B and an editor of a vendor organisation E then use every channel; no response body may
contain any planted string. A channel is one entry of CHANNELS; adding one (e.g. message exports once
`/api/messages/…/export` exists) is one function.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from conftest import LiveServer
from helpers_cases import Member, call, case_body, draft, member, ok, unique_customer

from accounts.tables import Role

PORTAL = "https://portal.example.com"


@dataclass
class Planted:
    author: Member
    other: Member
    editor: Member
    secrets: list[str] = field(default_factory=list)  # must never appear outside A
    case_ids: list[str] = field(default_factory=list)
    published_id: str = ""
    words: list[str] = field(default_factory=list)  # query words that would find the secret sentences if they leaked


def _phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def _sentence(tag: str) -> str:
    return f"蜂巢暗号{tag}规定机房北侧第三列机柜存放核心数据库备份磁带。"


@pytest.fixture(scope="module")
def planted(live_server: LiveServer) -> Planted:
    server = live_server
    author, other, editor = member(server, Role.partner), member(server, Role.partner), member(server, Role.editor)
    planted = Planted(author=author, other=other, editor=editor, words=["蜂巢暗号", "机房北侧第三列机柜", "备份磁带"],
                      secrets=[author.email, author.name])  # who wrote it is not told either (ids are opaque)
    for stage in ("draft", "confirmed", "published"):
        customer, tag, phone = unique_customer(), uuid.uuid4().hex[:6].upper(), _phone()
        alias = f"澜{customer[2:4]}院"
        marker = _sentence(tag) if stage != "published" else ""
        body = case_body(customer, marker=marker, aliases=[alias])
        body["problem"] = body["problem"].replace("13912345678", phone)
        created = draft(server, author, body)
        planted.case_ids.append(created["id"])
        planted.secrets += [customer, alias, phone, *([f"蜂巢暗号{tag}", marker] if marker else [])]
        if stage in ("confirmed", "published"):
            ok(call(server, author, "POST", f"/api/cases/{created['id']}/confirm", json={"handle": "A的昵称"}))
        if stage == "published":
            ok(call(server, author, "POST", f"/api/cases/{created['id']}/submit"))
            ok(call(server, editor, "POST", f"/api/cases/{created['id']}/approve"))
            planted.published_id = created["id"]
    # A talks about its customers in a discussion only after the PII warning, with the case cited.
    ok(call(server, author, "POST", "/api/discussions", json={"topic_kind": "industry", "topic": "healthcare", "title": "审计经验",
        "body": f"见 [[pc-{planted.published_id}]] 与 [[pc-{planted.case_ids[0]}]]。"}), 201)  # fmt: skip
    # B watches a customer of the same industry and has a widget.
    ok(call(server, other, "POST", "/api/watchlist", json={"customer": "临江市第一人民医院"}), 201)
    return planted


def _get(server: LiveServer, who: Member, path: str, **params: object) -> str:
    response = call(server, who, "GET", path, params=params)
    assert response.status_code < 500, response.text
    return response.text


def _post(server: LiveServer, who: Member, path: str, body: object = None, headers: dict[str, str] | None = None) -> str:
    response = call(server, who, "POST", path, **({"json": body} if body is not None else {}), headers=headers or {})
    assert response.status_code < 500, response.text
    return response.text


QUESTIONS = ["蜂巢暗号是什么？", "机房北侧第三列机柜放什么？", "医院数据库审计有哪些案例？", "临江市第一人民医院"]


def search(server: LiveServer, p: Planted, who: Member) -> list[str]:
    queries = [*p.words, "数据库审计 安全托管服务 三级医院", "澜沧 县人民医院 信息科"]
    return [_get(server, who, "/api/search", q=q, k=50) for q in queries] + [
        _get(server, who, "/api/search", q=q, k=50, kind="case") for q in queries]


def chat(server: LiveServer, p: Planted, who: Member) -> list[str]:
    return [_post(server, who, "/api/chat", {"message": q}) for q in QUESTIONS]


def openai_v1(server: LiveServer, p: Planted, who: Member) -> list[str]:
    return [_post(server, who, "/v1/chat/completions", {"model": "top-advisor", "messages": [{"role": "user", "content": q}]})
            for q in QUESTIONS]  # fmt: skip


def widget(server: LiveServer, p: Planted, who: Member) -> list[str]:
    if who.role != Role.partner:
        return []
    key = ok(call(server, who, "POST", "/api/widget-keys", json={"allowed_origins": [PORTAL]}), 201)["id"]
    out = []
    for q in QUESTIONS:
        response = httpx.post(f"{server.url}/api/widget/{key}/chat", json={"message": q}, timeout=180,
                              headers={"Origin": PORTAL, "Accept": "application/json"})  # fmt: skip
        assert response.status_code == 200, response.text
        out.append(response.text)
    return out


def case_library(server: LiveServer, p: Planted, who: Member) -> list[str]:
    out = [_get(server, who, "/api/cases", limit=100), _get(server, who, "/api/cases", q="蜂巢暗号", limit=100),
           _get(server, who, "/api/cases", industry="healthcare", province="浙江省", limit=100),
           _get(server, who, "/api/cases/options")]  # fmt: skip
    for case_id in p.case_ids:
        out += [_get(server, who, f"/api/cases/{case_id}"), _get(server, who, f"/api/cases/{case_id}/redaction"),
                _get(server, who, f"/api/cases/{case_id}/audit"), _post(server, who, f"/api/cases/{case_id}/download")]  # fmt: skip
    if who.role == Role.editor:
        out += [_get(server, who, "/api/cases/review", status=s) for s in ("in_review", "published", "rejected", "taken_down")]
    return out


def documents(server: LiveServer, p: Planted, who: Member) -> list[str]:
    out = [_get(server, who, f"/api/documents/pc-{case_id}") for case_id in p.case_ids]
    out += [_get(server, who, f"/documents/pc-{p.published_id}")]
    if who.role == Role.editor:  # the editor's workbench lists the partner case's document (redacted) and its audit
        out += [_get(server, who, "/api/editor/documents", limit=500), _get(server, who, "/api/editor/audit", limit=1000),
                _get(server, who, f"/api/editor/documents/pc-{p.published_id}")]  # fmt: skip
    return out


def updates(server: LiveServer, p: Planted, who: Member) -> list[str]:
    return [_get(server, who, "/api/updates", limit=500)] if who.role == Role.partner else []


def discussions(server: LiveServer, p: Planted, who: Member) -> list[str]:
    listing = ok(call(server, who, "GET", "/api/discussions", params={"limit": 100}))
    out = [str(listing), _get(server, who, "/api/discussions/topics"), _get(server, who, "/api/discussions/mentionable", q="医院")]
    out += [_get(server, who, f"/api/discussions/{t['id']}") for t in listing["items"]]
    out += [_get(server, who, "/api/discussions", mention=f"pc-{case_id}") for case_id in p.case_ids]
    return out


def exports(server: LiveServer, p: Planted, who: Member) -> list[str]:
    """What a user can take away: the rankings CSV, their conversations; message exports when they exist."""
    out = [_get(server, who, "/api/rankings.csv"), _get(server, who, "/api/conversations", limit=100)]
    conversations = ok(call(server, who, "GET", "/api/conversations", params={"limit": 100}))["items"]
    for conversation in conversations:
        detail = ok(call(server, who, "GET", f"/api/conversations/{conversation['id']}"))
        out.append(str(detail))
        for message in detail.get("messages", []):
            exported = call(server, who, "GET", f"/api/messages/{message['id']}/export")
            if exported.status_code != 404:  # the export endpoint (issue 18) once it exists
                out.append(exported.text)
    return out


CHANNELS: dict[str, Callable[[LiveServer, Planted, Member], list[str]]] = {
    "search": search, "chat": chat, "v1": openai_v1, "widget": widget, "case_library": case_library,
    "documents": documents, "updates": updates, "discussions": discussions, "exports": exports,
}  # fmt: skip


@pytest.mark.parametrize("reader", ["partner", "editor"])
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_planted_identifiers_never_reach_another_organisation(live_server: LiveServer, planted: Planted, channel: str,
                                                              reader: str) -> None:  # fmt: skip
    who = planted.other if reader == "partner" else planted.editor
    bodies = CHANNELS[channel](live_server, planted, who)
    for body in bodies:
        leaked = [s for s in planted.secrets if s in body]
        assert not leaked, f"{channel} ({reader}) shows {leaked}: …{body[:300]}…"


def test_the_author_sees_everything_and_the_published_case_is_visible_redacted(live_server: LiveServer, planted: Planted) -> None:
    """The same channels do carry the data where they should: the test above can fail."""
    server = live_server
    mine = ok(call(server, planted.author, "GET", "/api/cases/mine"))
    assert planted.secrets[2] in str(mine)  # the first case's customer
    review = ok(call(server, planted.author, "GET", f"/api/cases/{planted.case_ids[0]}/redaction"))
    assert planted.secrets[2] in review["original"] and "蜂巢暗号" in review["text"]
    hits = ok(call(server, planted.other, "GET", "/api/search", params={"q": "数据库审计 安全托管服务 伙伴分享", "k": 50, "kind": "case"}))
    assert f"pc-{planted.published_id}" in {h["doc_id"] for h in hits}
    library = ok(call(server, planted.other, "GET", "/api/cases", params={"limit": 100}))
    assert planted.published_id in {i["id"] for i in library["items"]}
    assert set(planted.case_ids[:2]) & {i["id"] for i in library["items"]} == set()
