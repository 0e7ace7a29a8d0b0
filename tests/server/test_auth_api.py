"""Accounts and roles over real HTTP (uvicorn): cookies, CSRF, API keys, ownership, roles, TOP_REQUIRE_LOGIN.

Session cookies are Secure, which httpx (rightly) does not send over http://, so these tests carry the
`top_session` cookie by hand, as a header.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import LiveServer

from accounts.tables import Role

PASSWORD = "s3cure-enough-passphrase"
ASK = {"message": "等保三级对医院有什么要求？"}
JSON = {"Accept": "application/json"}


@dataclass
class Account:
    id: str
    email: str
    role: Role
    session: str = ""
    csrf: str = ""

    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"top_session={self.session}"}

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        return {**self.cookie(), **JSON, **({"X-CSRF-Token": self.csrf} if csrf else {})}


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name (whole header value, attributes included)."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def make_account(server: LiveServer, role: Role, *, org: str | None = None) -> Account:
    accounts = server.container.accounts
    org_row = accounts.organisation_named(org) if org else None
    if org_row is None:
        org_row = accounts.create_organisation(name=org or f"测试组织-{uuid.uuid4().hex[:8]}")
    user = accounts.create_user(email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.cn", password=PASSWORD,
                                role=role, org_id=org_row.id)  # fmt: skip
    return Account(user.id, user.email, role)


def log_in(server: LiveServer, account: Account) -> Account:
    response = httpx.post(f"{server.url}/api/auth/login", json={"email": account.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    account.session = response.cookies["top_session"]
    account.csrf = response.json()["csrf_token"]
    return account


def ask(server: LiveServer, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.url}/api/chat", json=ASK, headers=headers, timeout=60)


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    return live_server


@pytest.fixture
def partner(server: LiveServer) -> Account:
    return log_in(server, make_account(server, Role.partner))


def test_login_sets_a_secure_httponly_samesite_cookie_and_me_names_the_user(server: LiveServer) -> None:
    account = make_account(server, Role.editor)
    response = httpx.post(f"{server.url}/api/auth/login", json={"email": account.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    cookie = set_cookies(response)["top_session"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    body = response.json()
    assert body["user"]["email"] == account.email and body["user"]["role"] == "editor" and body["csrf_token"]
    me = httpx.get(f"{server.url}/api/me", headers={"Cookie": f"top_session={response.cookies['top_session']}"})
    assert me.json()["user"]["id"] == account.id and me.json()["csrf_token"] == body["csrf_token"]
    assert httpx.get(f"{server.url}/api/me").status_code == 401


def test_wrong_password_and_unknown_email_fail_alike(server: LiveServer) -> None:
    account = make_account(server, Role.partner)
    wrong = httpx.post(f"{server.url}/api/auth/login", json={"email": account.email, "password": "nope-nope-nope"})
    unknown = httpx.post(f"{server.url}/api/auth/login", json={"email": "ghost@example.cn", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() and "top_session" not in set_cookies(wrong)


def test_cookie_auth_needs_the_csrf_header_on_unsafe_requests(server: LiveServer, partner: Account) -> None:
    for headers in (partner.headers(csrf=False), {**partner.headers(), "X-CSRF-Token": "forged"}):
        refused = ask(server, headers)
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
        gone = httpx.delete(f"{server.url}/api/conversations/whatever", headers=headers)
        assert gone.status_code == 403
    assert ask(server, partner.headers()).status_code == 200
    assert httpx.delete(f"{server.url}/api/conversations/whatever", headers=partner.headers()).status_code == 404
    assert httpx.get(f"{server.url}/api/conversations", headers=partner.cookie()).status_code == 200  # GET: no token


def test_api_keys_authenticate_without_csrf_and_stop_when_revoked(server: LiveServer, partner: Account) -> None:
    created = httpx.post(f"{server.url}/api/api-keys", json={"name": "脚本"}, headers=partner.headers())
    assert created.status_code == 201
    key, key_id = created.json()["key"], created.json()["id"]
    bearer = {"Authorization": f"Bearer {key}", **JSON}
    reply = ask(server, bearer)
    assert reply.status_code == 200
    mine = httpx.get(f"{server.url}/api/conversations", headers=partner.cookie()).json()["items"]
    assert reply.json()["conversation_id"] in {c["id"] for c in mine}  # the key acts as its user
    listed = httpx.get(f"{server.url}/api/api-keys", headers=partner.cookie()).json()
    assert [k["id"] for k in listed] == [key_id] and "key" not in listed[0] and key not in str(listed)
    assert httpx.delete(f"{server.url}/api/api-keys/{key_id}", headers=partner.headers()).status_code == 200
    refused = ask(server, bearer)
    assert refused.status_code == 401
    assert httpx.get(f"{server.url}/api/me", headers={"Authorization": "Bearer tk_bogus_key"}).status_code == 401


def test_a_partner_cannot_read_or_change_another_partners_conversations_or_keys(server: LiveServer) -> None:
    alice = log_in(server, make_account(server, Role.partner))
    bob = log_in(server, make_account(server, Role.partner))
    reply = ask(server, alice.headers()).json()
    cid, mid = reply["conversation_id"], reply["message_id"]
    key = httpx.post(f"{server.url}/api/api-keys", json={}, headers=alice.headers()).json()

    url = f"{server.url}/api/conversations/{cid}"
    assert httpx.get(url, headers=bob.cookie()).status_code == 404
    assert cid not in str(httpx.get(f"{server.url}/api/conversations", headers=bob.cookie()).json())
    assert httpx.delete(url, headers=bob.headers()).status_code == 404
    feedback = {"message_id": mid, "rating": "down"}
    assert httpx.post(f"{server.url}/api/feedback", json=feedback, headers=bob.headers()).status_code == 404
    follow = httpx.post(f"{server.url}/api/chat", json={**ASK, "conversation_id": cid}, headers=bob.headers())
    assert follow.status_code == 404
    assert httpx.get(f"{server.url}/api/api-keys", headers=bob.cookie()).json() == []
    assert httpx.delete(f"{server.url}/api/api-keys/{key['id']}", headers=bob.headers()).status_code == 404

    stored = httpx.get(url, headers=alice.cookie()).json()  # untouched for its owner
    assert stored["messages"][1]["feedback"] is None
    assert httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {key['key']}"}).status_code == 200


def test_an_editor_cannot_administer_users(server: LiveServer) -> None:
    editor = log_in(server, make_account(server, Role.editor))
    admin = log_in(server, make_account(server, Role.admin))
    new_user = {"email": f"n-{uuid.uuid4().hex[:6]}@example.cn", "password": PASSWORD, "org_id": "x"}
    for method, path, body in [
        ("GET", "/api/admin/users", None),
        ("POST", "/api/admin/users", new_user),
        ("PATCH", f"/api/admin/users/{admin.id}", {"disabled": True}),
        ("GET", "/api/admin/organisations", None),
        ("POST", "/api/admin/organisations", {"name": "越权组织"}),
    ]:
        response = httpx.request(method, f"{server.url}{path}", json=body, headers=editor.headers())
        assert response.status_code == 403, (method, path, response.text)
        assert "需要以下角色之一" in response.json()["detail"]
    page = httpx.get(f"{server.url}/admin", headers=editor.cookie())
    assert page.status_code == 403 and "无权访问" in page.text
    assert httpx.get(f"{server.url}/editor", headers=editor.cookie()).status_code == 200
    assert httpx.get(f"{server.url}/api/admin/users", headers=admin.cookie()).status_code == 200


def test_a_partner_cannot_open_the_editor_page(server: LiveServer, partner: Account) -> None:
    page = httpx.get(f"{server.url}/editor", headers=partner.cookie())
    assert page.status_code == 403 and "编辑" in page.text


def test_an_admin_creates_and_disables_users(server: LiveServer) -> None:
    admin = log_in(server, make_account(server, Role.admin))
    org = httpx.post(f"{server.url}/api/admin/organisations", json={"name": f"新渠道-{uuid.uuid4().hex[:6]}"},
                     headers=admin.headers()).json()  # fmt: skip
    email = f"new-{uuid.uuid4().hex[:6]}@example.cn"
    body = {"email": email, "password": PASSWORD, "role": "partner", "org_id": org["id"], "name": "王芳"}
    created = httpx.post(f"{server.url}/api/admin/users", json=body, headers=admin.headers())
    assert created.status_code == 201 and created.json()["org_name"] == org["name"]
    assert "password" not in str(created.json())
    assert httpx.post(f"{server.url}/api/admin/users", json=body, headers=admin.headers()).status_code == 409
    weak = httpx.post(f"{server.url}/api/admin/users", json={**body, "email": "w@example.cn", "password": "short"},
                      headers=admin.headers())  # fmt: skip
    assert weak.status_code == 422

    user = log_in(server, Account(created.json()["id"], email, Role.partner))
    patched = httpx.patch(f"{server.url}/api/admin/users/{user.id}", json={"disabled": True}, headers=admin.headers())
    assert patched.status_code == 200 and patched.json()["disabled"] is True
    assert httpx.get(f"{server.url}/api/me", headers=user.cookie()).status_code == 401
    selfish = httpx.patch(f"{server.url}/api/admin/users/{admin.id}", json={"role": "partner"}, headers=admin.headers())
    assert selfish.status_code == 422
    assert httpx.patch(f"{server.url}/api/admin/users/nope", json={"disabled": True},
                       headers=admin.headers()).status_code == 404  # fmt: skip


def test_logout_ends_the_session(server: LiveServer, partner: Account) -> None:
    assert httpx.post(f"{server.url}/api/auth/logout", headers=partner.headers(csrf=False)).status_code == 403
    out = httpx.post(f"{server.url}/api/auth/logout", headers=partner.headers())
    assert out.status_code == 204 and "top_session" in set_cookies(out)
    assert httpx.get(f"{server.url}/api/me", headers=partner.cookie()).status_code == 401


def test_anonymous_visitors_do_not_see_each_others_conversations(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as first, httpx.Client(base_url=server.url, timeout=60) as second:
        cid = first.post("/api/chat", json=ASK, headers=JSON).json()["conversation_id"]
        assert "top_anon" in first.cookies
        assert cid in {c["id"] for c in first.get("/api/conversations").json()["items"]}
        assert first.get(f"/api/conversations/{cid}").status_code == 200
        assert cid not in {c["id"] for c in second.get("/api/conversations").json()["items"]}
        assert second.get(f"/api/conversations/{cid}").status_code == 404
        forged = first.cookies["top_anon"].rsplit(".", 1)[0] + ".0000"
        third = httpx.get(f"{server.url}/api/conversations/{cid}", headers={"Cookie": f"top_anon={forged}"})
        assert third.status_code == 404  # a tampered signature is a new visitor


def test_the_anonymous_cookie_is_set_on_the_event_stream_too(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        with client.stream("POST", "/api/chat", json=ASK) as response:
            cookie = set_cookies(response)["top_anon"].lower()
            response.read()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
        assert client.get("/api/conversations").json()["total"] == 1


def test_pages_redirect_to_login_when_logged_out(server: LiveServer) -> None:
    for path in ("/admin", "/editor"):
        response = httpx.get(f"{server.url}{path}")
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


# -- TOP_REQUIRE_LOGIN=true ------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def locked(starter_container: Any) -> Iterator[LiveServer]:
    settings = starter_container.settings.model_copy(update={"require_login": True})
    with LiveServer(dataclasses.replace(starter_container, settings=settings), _free_port()) as server:
        yield server


def login_form(client: httpx.Client, next_path: str = "/") -> str:
    page = client.get("/login", params={"next": next_path})
    assert page.status_code == 200 and "登录" in page.text and 'name="password"' in page.text
    cookie = set_cookies(page)["top_login_csrf"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match and match.group(1) == page.cookies["top_login_csrf"]
    return match.group(1)


def test_require_login_refuses_anonymous_chat(locked: LiveServer) -> None:
    refused = httpx.post(f"{locked.url}/api/chat", json=ASK, headers=JSON)
    assert refused.status_code == 401 and refused.json() == {"detail": "请先登录"}
    assert httpx.get(f"{locked.url}/api/conversations").status_code == 401
    assert "top_anon" not in set_cookies(refused)


def test_the_login_form_logs_in_and_redirects_to_next(locked: LiveServer) -> None:
    account = make_account(locked, Role.partner)
    with httpx.Client(base_url=locked.url) as client:
        token = login_form(client, "/#/c/abc")
        form = {"email": account.email, "password": PASSWORD, "csrf_token": token, "next": "/#/c/abc"}
        cookie = {"Cookie": f"top_login_csrf={token}"}
        response = client.post("/login", data=form, headers=cookie)
        assert response.status_code == 303 and response.headers["location"] == "/#/c/abc"
        session = set_cookies(response)["top_session"]
        assert all(flag in session.lower() for flag in ("httponly", "secure", "samesite=lax", "path=/"))
    account.session = response.cookies["top_session"]
    account.csrf = httpx.get(f"{locked.url}/api/me", headers=account.cookie()).json()["csrf_token"]
    assert ask(locked, account.headers()).status_code == 200


@pytest.mark.parametrize("evil", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_the_login_form_only_redirects_within_the_site(locked: LiveServer, evil: str) -> None:
    account = make_account(locked, Role.partner)
    with httpx.Client(base_url=locked.url) as client:
        token = login_form(client)
        form = {"email": account.email, "password": PASSWORD, "csrf_token": token, "next": evil}
        response = client.post("/login", data=form, headers={"Cookie": f"top_login_csrf={token}"})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_the_login_form_refuses_wrong_passwords_and_missing_csrf(locked: LiveServer) -> None:
    account = make_account(locked, Role.partner)
    with httpx.Client(base_url=locked.url) as client:
        token = login_form(client)
        wrong = {"email": account.email, "password": "wrong-password", "csrf_token": token, "next": "/"}
        response = client.post("/login", data=wrong, headers={"Cookie": f"top_login_csrf={token}"})
        assert response.status_code == 400 and "登录失败" in response.text and "top_session" not in set_cookies(response)
        unknown = {**wrong, "email": "ghost@example.cn"}
        other = client.post("/login", data=unknown, headers={"Cookie": f"top_login_csrf={token}"})
        assert other.status_code == 400 and "登录失败" in other.text
        forged = {**wrong, "password": PASSWORD, "csrf_token": "forged"}
        response = client.post("/login", data=forged, headers={"Cookie": f"top_login_csrf={token}"})
        assert response.status_code == 403 and "top_session" not in set_cookies(response)


def test_the_logout_form_needs_the_session_csrf_token(locked: LiveServer) -> None:
    account = log_in(locked, make_account(locked, Role.partner))
    form_headers = {**account.cookie(), "Content-Type": "application/x-www-form-urlencoded"}
    assert httpx.post(f"{locked.url}/logout", content="csrf_token=forged", headers=form_headers).status_code == 403
    out = httpx.post(f"{locked.url}/logout", content=f"csrf_token={account.csrf}", headers=form_headers)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert httpx.get(f"{locked.url}/api/me", headers=account.cookie()).status_code == 401


def test_require_login_makes_the_openai_endpoint_need_an_api_key(locked: LiveServer) -> None:
    import openai

    anonymous = openai.OpenAI(base_url=f"{locked.url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="API Key"):
        anonymous.models.list()
    account = log_in(locked, make_account(locked, Role.partner))
    key = httpx.post(f"{locked.url}/api/api-keys", json={"name": "门户插件"}, headers=account.headers()).json()["key"]
    client = openai.OpenAI(base_url=f"{locked.url}/v1", api_key=key, max_retries=0)
    reply = client.chat.completions.create(model="top-advisor", messages=[{"role": "user", "content": "网络日志要保存多久？"}])
    assert "[1]" in (reply.choices[0].message.content or "")
