"""The widget over real HTTP (uvicorn): key management by role and organisation, the embed page's headers,
Origin checks on the chat API, quotas, identity tokens, hidden sources. The browser side: test_widget_ui.py."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from conftest import LiveServer
from helpers import parse_sse

from accounts.tables import OrgKind, Role

PORTAL = "https://portal.example.com"
JSON = {"Accept": "application/json"}
ASK = {"message": "等保三级对医院有什么要求？"}


@dataclass
class Caller:
    user_id: str
    org_id: str
    headers: dict[str, str]


def make_caller(server: LiveServer, role: Role = Role.partner, *, org_id: str | None = None) -> Caller:
    accounts = server.container.accounts
    tag = uuid.uuid4().hex[:10]
    if org_id is None:
        kind = OrgKind.vendor if role == Role.editor else OrgKind.partner
        org_id = accounts.create_organisation(name=f"组织-{tag}", kind=kind).id
    user = accounts.create_user(email=f"{tag}@example.com", password="s3cure-enough-passphrase", role=role, org_id=org_id)
    key = accounts.create_api_key(user.id, name="widget tests")
    return Caller(user.id, org_id, {"Authorization": f"Bearer {key.key}", **JSON})


@pytest.fixture
def http(live_server) -> Any:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


@pytest.fixture
def partner(live_server) -> Caller:  # type: ignore[no-untyped-def]
    return make_caller(live_server)


def create_key(http: httpx.Client, caller: Caller, **fields: Any) -> dict[str, Any]:
    response = http.post("/api/widget-keys", json={"allowed_origins": [PORTAL], **fields}, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


def ask(http: httpx.Client, key: str, *, origin: str | None = PORTAL, body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None) -> httpx.Response:  # fmt: skip
    sent = {**JSON, **({"Origin": origin} if origin else {}), **(headers or {})}
    return http.post(f"/api/widget/{key}/chat", json={**ASK, **(body or {})}, headers=sent)


def embed_config(response: httpx.Response) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="widget-config">(.*?)</script>', response.text, re.S)
    assert match, response.text[:500]
    return json.loads(match.group(1))


def identity(secret: str, **claims: Any) -> str:
    return jwt.encode({"sub": "visitor-1", "exp": int(time.time()) + 600, **claims}, secret, algorithm="HS256")


# -- managing keys --------------------------------------------------------------------------------------
def test_partner_manages_its_own_keys_and_the_secret_is_shown_once(http, partner, live_server) -> None:  # type: ignore[no-untyped-def]
    created = create_key(http, partner, title="某某科技在线顾问", colour="#AA3300", allowed_origins=[f"{PORTAL}/", PORTAL])
    key, secret = created["id"], created["secret"]
    assert re.fullmatch(r"wk_[0-9a-f]{20}", key) and secret.startswith("wsk_") and len(secret) > 40
    assert created["allowed_origins"] == [PORTAL] and created["colour"] == "#aa3300" and created["show_sources"] is True
    listed = http.get("/api/widget-keys", headers=partner.headers)
    assert [k["id"] for k in listed.json()["items"]] == [key]
    changed = http.patch(f"/api/widget-keys/{key}", json={"greeting": "您好", "quota_per_user_day": 5, "enabled": False},
                         headers=partner.headers).json()  # fmt: skip
    assert (changed["greeting"], changed["quota_per_user_day"], changed["enabled"], changed["title"]) == ("您好", 5, False, "某某科技在线顾问")
    rotated = http.post(f"/api/widget-keys/{key}/rotate-secret", headers=partner.headers).json()
    assert rotated["id"] == key and rotated["secret"] != secret
    for response in (listed, http.get(f"/api/widget-keys/{key}", headers=partner.headers), http.get("/widget.js")):
        assert secret not in response.text and rotated["secret"] not in response.text
    assert "secret" not in http.get(f"/api/widget-keys/{key}", headers=partner.headers).json()
    assert http.delete(f"/api/widget-keys/{key}", headers=partner.headers).status_code == 204
    assert http.get(f"/api/widget-keys/{key}", headers=partner.headers).status_code == 404


def test_another_partner_cannot_see_or_touch_the_key(http, partner, live_server) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner)["id"]
    other = make_caller(live_server)
    assert http.get("/api/widget-keys", headers=other.headers).json()["items"] == []
    for method, path, body in (("GET", f"/api/widget-keys/{key}", None), ("PATCH", f"/api/widget-keys/{key}", {"enabled": False}),
                               ("POST", f"/api/widget-keys/{key}/rotate-secret", None), ("DELETE", f"/api/widget-keys/{key}", None)):
        response = http.request(method, path, json=body, headers=other.headers)
        assert response.status_code == 404 and "不存在" in response.json()["detail"], (method, path)  # fmt: skip
    assert http.get(f"/api/widget-keys/{key}", headers=partner.headers).json()["enabled"] is True
    colleague = make_caller(live_server, org_id=partner.org_id)  # same organisation: shared keys
    assert http.get(f"/api/widget-keys/{key}", headers=colleague.headers).status_code == 200
    admin = make_caller(live_server, Role.admin)
    assert http.get(f"/api/widget-keys/{key}", headers=admin.headers).status_code == 200


def test_only_partners_and_admins_manage_keys(http, live_server) -> None:  # type: ignore[no-untyped-def]
    assert http.get("/api/widget-keys").status_code == 401
    editor = make_caller(live_server, Role.editor)
    refused = http.post("/api/widget-keys", json={}, headers=editor.headers)
    assert refused.status_code == 403 and "角色" in refused.json()["detail"]
    page = http.get("/widgets", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/widgets"


def test_a_partner_cannot_read_another_partners_conversation(http, partner, live_server) -> None:  # type: ignore[no-untyped-def]
    other = make_caller(live_server)
    reply = http.post("/api/chat", json=ASK, headers=other.headers)
    cid = reply.json()["conversation_id"]
    assert http.get(f"/api/conversations/{cid}", headers=other.headers).status_code == 200
    assert http.get(f"/api/conversations/{cid}", headers=partner.headers).status_code == 404
    assert cid not in http.get("/api/conversations", headers=partner.headers).text


def test_cookie_sessions_need_the_csrf_token_to_create_keys(http, live_server) -> None:  # type: ignore[no-untyped-def]
    caller = make_caller(live_server)
    email = live_server.container.accounts.get_user(caller.user_id).email
    login = http.post("/api/auth/login", json={"email": email, "password": "s3cure-enough-passphrase"})
    cookie = {"Cookie": f"top_session={login.cookies.get('top_session') or _cookie(login)}"}
    body = {"allowed_origins": [PORTAL]}
    refused = http.post("/api/widget-keys", json=body, headers=cookie)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    created = http.post("/api/widget-keys", json=body, headers={**cookie, "X-CSRF-Token": login.json()["csrf_token"]})
    assert created.status_code == 201
    page = http.get("/widgets", headers=cookie)
    assert page.status_code == 200 and 'id="widgets-app"' in page.text and created.json()["secret"] not in page.text


def _cookie(response: httpx.Response) -> str:
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith("top_session="))
    return header.split(";", 1)[0].split("=", 1)[1]


def test_bad_settings_are_refused_with_messages(http, partner) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/api/widget-keys", json={"colour": "blue", "allowed_origins": ["https://x.cn/path"], "quota_per_user_day": 0},
                         headers=partner.headers)  # fmt: skip
    assert response.status_code == 422
    detail = " ".join(response.json()["detail"])
    assert "#rrggbb" in detail and "路径" in detail and "quota_per_user_day" in detail


# -- the embed page -------------------------------------------------------------------------------------
def test_embed_page_is_framable_only_by_allowed_origins_and_holds_no_secret(http, partner) -> None:  # type: ignore[no-untyped-def]
    created = create_key(http, partner, allowed_origins=[PORTAL, "https://*.example.cn"], title="在线顾问<b>{{config}}")
    page = http.get(f"/embed/{created['id']}", headers={"Referer": f"{PORTAL}/products/list?x=1"})
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert f"frame-ancestors {PORTAL} https://*.example.cn" in csp and "script-src 'self'" in csp
    assert "x-frame-options" not in page.headers and page.headers["cache-control"] == "no-store"
    config = embed_config(page)
    assert config["key"] == created["id"] and config["parentOrigin"] == PORTAL and config["embedToken"]
    assert created["secret"] not in page.text and "<b>" not in page.text.split("<body")[1]
    assert config["title"] == "在线顾问<b>{{config}}" and "在线顾问&lt;b&gt;{{config}}</h1>" in page.text
    via_param = http.get(f"/embed/{created['id']}?origin=https://shop.example.cn")  # no Referer: the loader's origin
    assert via_param.status_code == 200 and embed_config(via_param)["parentOrigin"] == "https://shop.example.cn"


def test_embed_page_refuses_other_sites_and_unknown_or_disabled_keys(http, partner) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner)["id"]
    other = http.get(f"/embed/{key}?origin={PORTAL}", headers={"Referer": "https://evil.example.net/"})
    assert other.status_code == 403 and "https://evil.example.net 不在此小组件允许嵌入的网站来源中" in other.text
    # the refusal holds nothing to protect: it shows wherever it was embedded, so the portal's owner can read it
    assert other.headers["content-security-policy"].endswith("frame-ancestors *")
    assert PORTAL not in other.text and "embedToken" not in other.text
    assert http.get(f"/embed/{key}").status_code == 403  # no way to tell the embedding page
    top_level = http.get(f"/embed/{key}?origin={PORTAL}", headers={"Sec-Fetch-Dest": "document"})
    assert top_level.status_code == 403 and "只能嵌入" in top_level.text  # a page of its own, not a frame
    unknown = http.get("/embed/wk_00000000000000000000", headers={"Referer": PORTAL})
    assert unknown.status_code == 403 and "密钥无效" in unknown.text
    http.patch(f"/api/widget-keys/{key}", json={"enabled": False}, headers=partner.headers)
    disabled = http.get(f"/embed/{key}", headers={"Referer": PORTAL})
    assert disabled.status_code == 403 and "已停用" in disabled.text
    nowhere = create_key(http, partner, allowed_origins=[])["id"]
    refused = http.get(f"/embed/{nowhere}", headers={"Referer": PORTAL})
    assert refused.status_code == 403 and PORTAL in refused.text and "embedToken" not in refused.text
    opened = http.get(f"/embed/{nowhere}?origin={PORTAL}", headers={"Sec-Fetch-Dest": "document"})
    assert "frame-ancestors 'none'" in opened.headers["content-security-policy"]


def test_a_refused_origin_is_named_with_where_to_add_it_and_shown_to_the_owner(http, partner, live_server) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner, allowed_origins=["http://localhost:8080", "https://example.com"])["id"]
    page = http.get(f"/embed/{key}", headers={"Referer": "http://127.0.0.1:8080/portal/index.html"})
    assert page.status_code == 403
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "网站 http://127.0.0.1:8080 不在此小组件允许嵌入的网站来源中" in text
    assert f"{live_server.url}/widgets" in text and "允许嵌入的网站来源" in text
    assert "已授权的是 http://localhost:8080" in text and "127.0.0.1" in text
    direct = ask(http, key, origin="https://www.example.com")  # the portal calling the API itself
    assert direct.status_code == 403 and "带 www 与不带 www" in direct.json()["detail"]
    ask(http, key, origin="https://www.example.com")

    listed = {k["id"]: k for k in http.get("/api/widget-keys", headers=partner.headers).json()["items"]}[key]
    refused = {r["origin"]: r for r in listed["refused_origins"]}
    assert set(refused) == {"http://127.0.0.1:8080", "https://www.example.com"}
    assert refused["https://www.example.com"]["count"] == 2 and refused["http://127.0.0.1:8080"]["count"] == 1
    assert listed["refused_origins"][0]["origin"] == "https://www.example.com"  # most recent first
    assert ask(http, key, origin="https://example.com").status_code == 200  # allowed origins are not recorded
    other = make_caller(live_server)
    assert http.get(f"/api/widget-keys/{key}", headers=other.headers).status_code == 404  # nobody else sees them

    for n in range(12):  # bounded per key: the ten most recent
        ask(http, key, origin=f"https://site{n}.example.net")
    kept = http.get(f"/api/widget-keys/{key}", headers=partner.headers).json()["refused_origins"]
    assert len(kept) == 10 and kept[0]["origin"] == "https://site11.example.net"
    allowed = http.patch(f"/api/widget-keys/{key}", json={"allowed_origins": ["https://site11.example.net"]}, headers=partner.headers)
    assert "https://site11.example.net" not in {r["origin"] for r in allowed.json()["refused_origins"]}  # now allowed: forgotten


def test_widget_js_is_cacheable_javascript(http) -> None:  # type: ignore[no-untyped-def]
    response = http.get("/widget.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert "max-age=86400" in response.headers["cache-control"] and "data-widget" in response.text


# -- the chat API -------------------------------------------------------------------------------------
def test_allowed_origin_chats_with_cited_answer_and_cors(http, partner) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner)["id"]
    with http.stream("POST", f"/api/widget/{key}/chat", json=ASK, headers={"Origin": PORTAL}) as response:
        assert response.status_code == 200 and response.headers["access-control-allow-origin"] == PORTAL
        events = parse_sse(response.read().decode())
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done"
    sources = {s["n"] for s in dict(events)["sources"]["sources"]}
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", "".join(d["text"] for name, d in events if name == "delta"))}
    assert cited and cited <= sources
    preflight = http.options(f"/api/widget/{key}/chat", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == PORTAL


def test_other_origins_and_unknown_keys_get_403_with_a_message(http, partner, live_server) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner)["id"]
    for origin, says in (("https://evil.example.net", "未被授权"), (None, "缺少 Origin"), ("null", "未被授权")):
        response = ask(http, key, origin=origin)
        assert response.status_code == 403 and says in response.json()["detail"], origin
        assert "access-control-allow-origin" not in response.headers
    assert http.options(f"/api/widget/{key}/chat", headers={"Origin": "https://evil.example.net"}).status_code == 403
    assert "密钥无效" in ask(http, "wk_00000000000000000000").json()["detail"]
    own = ask(http, key, origin=live_server.url)  # our own origin without an embed session
    assert own.status_code == 403 and "嵌入会话" in own.json()["detail"]
    http.patch(f"/api/widget-keys/{key}", json={"enabled": False}, headers=partner.headers)
    assert "已停用" in ask(http, key).json()["detail"]


def test_iframe_calls_need_an_embed_session_of_this_key_and_an_allowed_parent(http, partner, live_server) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner)["id"]
    token = embed_config(http.get(f"/embed/{key}", headers={"Referer": PORTAL}))["embedToken"]
    ok = ask(http, key, origin=live_server.url, headers={"X-Embed-Token": token})
    assert ok.status_code == 200 and ok.json()["sources"] and "access-control-allow-origin" not in ok.headers
    proxied = {"X-Embed-Token": token, "X-Forwarded-Host": "advisor.example.com"}  # behind a reverse proxy
    assert ask(http, key, origin="https://advisor.example.com", headers=proxied).status_code == 200
    other_key = create_key(http, partner)["id"]
    assert ask(http, other_key, origin=live_server.url, headers={"X-Embed-Token": token}).status_code == 403
    http.patch(f"/api/widget-keys/{key}", json={"allowed_origins": ["https://new.example.com"]}, headers=partner.headers)
    moved = ask(http, key, origin=live_server.url, headers={"X-Embed-Token": token})
    assert moved.status_code == 403 and PORTAL in moved.json()["detail"]


def test_quotas_answer_429_with_retry_after(http, partner) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner, quota_per_user_day=2)["id"]
    visitor = {"visitor_id": uuid.uuid4().hex}
    assert [ask(http, key, body=visitor).status_code for _ in range(2)] == [200, 200]
    refused = ask(http, key, body=visitor)
    assert refused.status_code == 429 and "今天的提问次数已用完" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 86400
    assert refused.headers["access-control-allow-origin"] == PORTAL  # the page can read why
    elsewhere = {"X-Forwarded-For": "198.51.100.20"}  # uvicorn takes the client address from 127.0.0.1's proxy header
    assert ask(http, key, body={"visitor_id": uuid.uuid4().hex}, headers=elsewhere).status_code == 200  # another visitor
    busy = create_key(http, partner, quota_per_key_minute=1)["id"]
    assert ask(http, busy, body={"visitor_id": uuid.uuid4().hex}).status_code == 200
    refused = ask(http, busy, body={"visitor_id": uuid.uuid4().hex})
    assert refused.status_code == 429 and "秒后再试" in refused.json()["detail"] and int(refused.headers["retry-after"]) <= 60


def test_identity_tokens_are_verified(http, partner) -> None:  # type: ignore[no-untyped-def]
    created = create_key(http, partner, require_identity=True)
    key, secret = created["id"], created["secret"]
    missing = ask(http, key)
    assert missing.status_code == 401 and "身份令牌" in missing.json()["detail"]
    forged = ask(http, key, body={"identity_token": identity("wsk_" + "f" * 43)})
    assert forged.status_code == 401 and "签名无效" in forged.json()["detail"]
    expired = ask(http, key, body={"identity_token": identity(secret, exp=int(time.time()) - 120)})
    assert expired.status_code == 401 and "已过期" in expired.json()["detail"]
    none_alg = ask(http, key, body={"identity_token": jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, None, algorithm="none")})
    assert none_alg.status_code == 401
    first = ask(http, key, body={"identity_token": identity(secret)})
    assert first.status_code == 200
    cid = first.json()["conversation_id"]
    again = ask(http, key, body={"identity_token": identity(secret), "conversation_id": cid, "message": "那数据安全呢？"})
    assert again.status_code == 200 and again.json()["conversation_id"] == cid
    stranger = ask(http, key, body={"identity_token": identity(secret, sub="someone-else"), "conversation_id": cid})
    assert stranger.status_code == 404  # another end user's conversation does not exist for them


def test_customer_scope_of_the_identity_token_is_the_conversation_context(http, partner) -> None:  # type: ignore[no-untyped-def]
    created = create_key(http, partner)
    token = identity(created["secret"], customer="嘉兴银行")
    reply = ask(http, created["id"], body={"identity_token": token, "message": "那他们的数据安全呢？"}).json()
    assert reply["mode"] == "brief" and reply["intent"] == "focus"
    assert reply["text"].startswith("# 嘉兴银行：客户需求简报") and "## 数据安全" in reply["text"]


def test_hidden_sources_leave_no_sources_or_markers(http, partner) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner, show_sources=False)["id"]
    reply = ask(http, key).json()
    assert reply["sources"] == [] and reply["text"] and not re.search(r"\[\d+\]", reply["text"])
    with http.stream("POST", f"/api/widget/{key}/chat", json=ASK, headers={"Origin": PORTAL}) as response:
        events = parse_sse(response.read().decode())
    assert ("sources", {"sources": []}) in events
    assert not re.search(r"\[\d+\]", "".join(data["text"] for name, data in events if name == "delta"))
