"""Security headers on every page and the request id on every response (issue 11, item 6; the error layer).

Every HTML page carries a strict Content-Security-Policy (no inline script, `frame-ancestors 'none'`),
`X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and a `Referrer-Policy`; `/embed/{key}` keeps
its own policy naming the partner's sites. An unexpected exception is a 500 whose body names only the
request id, which the log line carries too. The browser side (no CSP violation anywhere): test_csp_ui.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest
from conftest import LiveServer
from fastapi.testclient import TestClient
from test_auth_api import Account, log_in, make_account

from accounts.tables import Role

PORTAL = "https://portal.example.com"


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


class Scripts(HTMLParser):
    """Inline scripts and inline event handlers in a page: what a strict CSP would block."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src") and named.get("type") != "application/json":
            self.inline.append("<script> without src")
        self.inline += [f"{tag} {name}=" for name, _ in attrs if name.startswith("on")]
        self.inline += [f"{tag} style=" for name, _ in attrs if name == "style"]
        self.inline += [f"{tag} {name}=javascript:" for name, value in attrs if (value or "").strip().lower().startswith("javascript:")]


def assert_strict_page(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html"), response.headers
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    found = Scripts()
    found.feed(response.text)
    assert found.inline == [], found.inline


@pytest.fixture(scope="module")
def accounts(live_server: LiveServer) -> dict[Role, Account]:
    return {role: log_in(live_server, make_account(live_server, role)) for role in Role}


PAGES = [
    ("/", None), ("/login", None), ("/login?next=/editor", None), ("/static/index.html", None),
    ("/editor", Role.editor), ("/editor", Role.partner), ("/admin", Role.admin), ("/admin", Role.editor),
    ("/widgets", Role.partner), ("/widgets", Role.admin),
]  # fmt: skip


@pytest.mark.parametrize(("path", "role"), PAGES, ids=[f"{p} as {r.value if r else 'anonymous'}" for p, r in PAGES])
def test_every_page_has_a_strict_policy_and_no_inline_script(live_server: LiveServer, accounts, path: str, role: Role | None) -> None:  # type: ignore[no-untyped-def]
    headers = accounts[role].cookie() if role else {}
    response = httpx.get(f"{live_server.url}{path}", headers=headers)
    assert response.status_code in (200, 403), response.text[:300]
    assert_strict_page(response)


def test_the_editor_page_static_copy_and_error_pages_are_covered_too(live_server: LiveServer) -> None:
    for path in ("/static/editor.html", "/static/embed.html"):
        assert_strict_page(httpx.get(f"{live_server.url}{path}"))


def test_the_embed_page_keeps_its_own_frame_ancestors(live_server: LiveServer, accounts) -> None:  # type: ignore[no-untyped-def]
    key = httpx.post(f"{live_server.url}/api/widget-keys", json={"allowed_origins": [PORTAL]},
                     headers=accounts[Role.partner].headers()).json()["id"]  # fmt: skip
    page = httpx.get(f"{live_server.url}/embed/{key}", headers={"Referer": f"{PORTAL}/", "Sec-Fetch-Dest": "iframe"})
    assert page.status_code == 200
    policy = directives(page.headers["content-security-policy"])
    assert policy["frame-ancestors"] == f"frame-ancestors {PORTAL}" and policy["script-src"] == "script-src 'self'"
    assert "x-frame-options" not in page.headers  # DENY would override the partner's permission in old browsers
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"]
    refused = httpx.get(f"{live_server.url}/embed/wk_{'0' * 20}")
    assert refused.status_code == 403 and "script-src 'self'" in refused.headers["content-security-policy"]


def test_the_api_docs_page_admits_only_its_cdn_and_its_own_inline_script(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/docs")
    policy = directives(page.headers["content-security-policy"])
    assert re.fullmatch(r"script-src 'self' https://cdn\.jsdelivr\.net 'sha256-[A-Za-z0-9+/=]+'", policy["script-src"])
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and page.headers["x-frame-options"] == "DENY"


def test_json_replies_carry_a_request_id_and_nosniff(live_server: LiveServer) -> None:
    reply = httpx.get(f"{live_server.url}/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["x-request-id"])
    assert reply.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in reply.headers
    mine = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "proxy-4f2a9c01"})
    assert mine.headers["x-request-id"] == "proxy-4f2a9c01"  # a proxy's id is kept for correlation
    odd = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])  # anything else is replaced
    refused = httpx.get(f"{live_server.url}/api/me")
    assert refused.status_code == 401 and refused.headers["x-request-id"]


def test_an_unexpected_exception_is_a_500_naming_only_the_request_id(starter_container, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    app = create_app(container=starter_container)

    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/v1/boom", boom)
    with TestClient(app) as client:
        reply = client.get("/api/boom")
        openai_reply = client.get("/v1/boom")
    assert reply.status_code == 500
    request_id = reply.headers["x-request-id"]
    assert reply.json() == {"detail": f"服务器内部错误，请稍后重试；如需报告，请提供请求编号 {request_id}", "request_id": request_id}
    assert "hunter2" not in reply.text and "RuntimeError" not in reply.text
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert openai_reply.status_code == 500 and openai_reply.json()["error"]["type"] == "server_error"
    assert openai_reply.json()["error"]["code"] == openai_reply.headers["x-request-id"] and "hunter2" not in openai_reply.text
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info and "hunter2" in str(logged[0].exc_info[1])
