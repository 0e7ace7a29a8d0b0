"""Small things a visitor meets, over real HTTP and in headless Chromium (390 px and desktop): a Chinese 404 page for
browsers (JSON for API clients), a wrong password that keeps the email, chats started before logging in that move to
the account, no 401s in the console of an anonymous visitor, and our own documents' publisher in Chinese."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from conftest import LiveServer
from test_login_ui import PASSWORD, make_user
from ui_browser import watch_csp

from accounts.tables import Role

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def visitor(browser: Any, server: LiveServer, viewport: dict[str, int] = DESKTOP) -> Any:
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport=viewport)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.errors, page.console_errors, page.unauthorised = watch_csp(context, []), [], []  # CSP violations are errors
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: page.unauthorised.append(r.url) if r.status == 401 else None)
    return page


# -- 404 -----------------------------------------------------------------------------------------------------------
def test_unknown_urls_are_a_chinese_page_for_browsers_and_json_for_api_clients(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/no/such/page", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.text and "/no/such/page" in page.text and 'href="/"' in page.text
    assert "<script" not in page.text.split("<body")[1] or "/static/" in page.text
    api = httpx.get(f"{live_server.url}/no/such/page", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert httpx.get(f"{live_server.url}/api/no-such-route", headers=HTML).json() == {"detail": "Not Found"}
    assert httpx.get(f"{live_server.url}/static/no-such.js", headers=HTML).headers["content-type"].startswith("application/json")
    assert httpx.post(f"{live_server.url}/no/such/page", headers=HTML).status_code in (404, 405)
    missing_doc = httpx.get(f"{live_server.url}/documents/no-such-doc", headers=HTML)
    assert missing_doc.status_code == 404 and "没有已发布的文档" in missing_doc.text and "<h2>页面不存在</h2>" in missing_doc.text
    assert httpx.get(f"{live_server.url}/api/documents/no-such-doc").json()["detail"].startswith("没有已发布的文档")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_404_page_fits_and_leads_back(browser: Any, live_server: LiveServer, viewport: dict[str, int]) -> None:
    page = visitor(browser, live_server, viewport)
    response = page.goto("/rankings/typo")
    assert response.status == 404
    assert page.locator("h2").inner_text() == "页面不存在" and page.title().startswith("页面不存在")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="返回对话").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.errors == []
    page.context.close()


# -- login -----------------------------------------------------------------------------------------------------
def test_a_wrong_password_keeps_the_email(browser: Any, live_server: LiveServer) -> None:
    email = make_user(live_server, Role.partner, "吴伙伴")
    page = visitor(browser, live_server, PHONE)
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', "not-the-password")
    page.click('button[type="submit"]')
    page.locator(".form-error").wait_for()
    assert "邮箱或密码错误" in page.locator(".form-error").inner_text()
    assert page.input_value('input[name="email"]') == email  # only the password is typed again
    assert page.evaluate("document.activeElement.name") == "password"
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{live_server.url}/")
    page.goto("/login?next=/rankings")  # logged in: sent on
    page.wait_for_url(f"{live_server.url}/rankings")
    page.context.clear_cookies()
    page.goto("/login")
    assert page.input_value('input[name="email"]') == ""  # a fresh login page shows no one's email
    assert page.errors == []
    page.context.close()


def test_chats_started_before_logging_in_move_to_the_account(browser: Any, live_server: LiveServer) -> None:
    email = make_user(live_server, Role.partner, "郑伙伴")
    page = visitor(browser, live_server)
    page.goto("/")
    with page.expect_response(lambda r: r.url.endswith("/api/chat")):
        page.fill("#input", "等保三级对医院有什么要求？")
        page.press("#input", "Enter")
    page.wait_for_function("() => { const r = document.querySelector('.msg-assistant'); return r && !r.hasAttribute('aria-busy'); }")
    anonymous = next(c for c in page.context.cookies() if c["name"] == "top_anon")
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{live_server.url}/")
    page.locator("#history .history-open").first.wait_for()
    assert "等保三级对医院有什么要求" in page.locator("#history").inner_text()
    assert "top_anon" not in {c["name"] for c in page.context.cookies()}  # spent: a later logout starts afresh
    mine = page.evaluate("async () => (await (await fetch('/api/conversations')).json()).items.map((c) => c.title)")
    assert any("等保三级对医院" in t for t in mine)

    # the same anonymous cookie, replayed by someone else, finds nothing any more
    other = httpx.get(f"{live_server.url}/api/conversations", cookies={"top_anon": anonymous["value"]})
    assert other.status_code == 200 and other.json()["items"] == []
    assert page.errors == []
    page.context.close()


def test_the_json_login_moves_the_visitors_chats_too(live_server: LiveServer) -> None:
    email = make_user(live_server, Role.partner, "冯伙伴")
    with httpx.Client(base_url=live_server.url, timeout=120) as client:
        asked = client.post("/api/chat", json={"message": "数据安全法对银行有哪些要求？"}, headers={"Accept": "application/json"})
        assert asked.status_code == 200 and client.cookies.get("top_anon")
        conversation = asked.json()["conversation_id"]
        logged_in = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert logged_in.status_code == 200
        assert any(h.startswith('top_anon="";') for h in logged_in.headers.get_list("set-cookie"))  # spent
        session = logged_in.cookies["top_session"]  # Secure: httpx keeps it for https only, so it is sent by hand
    listed = httpx.get(f"{live_server.url}/api/conversations", cookies={"top_session": session}).json()["items"]
    assert conversation in {c["id"] for c in listed}


# -- the console of an anonymous visitor ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/rankings", "/no/such/page"])
def test_an_anonymous_visitor_sees_no_401_in_the_console(browser: Any, live_server: LiveServer, path: str) -> None:
    page = visitor(browser, live_server, PHONE)
    seen: list[Any] = []
    page.on("response", lambda r: seen.append(r) if r.url.endswith("/api/session") else None)
    page.goto(path)  # /rankings sends an anonymous visitor to the login page
    page.wait_for_load_state("networkidle")
    if path == "/":
        assert [r.status for r in seen] == [200, 200] and seen[0].json()["user"] is None  # the chat and its nav ask
    assert page.unauthorised == [] and not [e for e in page.console_errors if "401" in e], page.console_errors
    assert page.errors == []
    page.context.close()


def test_the_session_endpoint_names_the_user_or_null(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/api/session").json() == {"user": None, "csrf_token": None}
    assert httpx.get(f"{live_server.url}/api/me").status_code == 401  # unchanged for API clients
    bad_key = httpx.get(f"{live_server.url}/api/session", headers={"Authorization": "Bearer tk_nope_nope"})
    assert bad_key.status_code == 401  # a wrong key is an error, not anonymity


# -- our own publisher ----------------------------------------------------------------------------------------------
def test_our_own_documents_name_their_publisher_in_chinese(live_server: LiveServer) -> None:
    from corpus import STARTER_DIR

    assert not [p.name for p in STARTER_DIR.rglob("*.md") if "ToP Advisor" in p.read_text(encoding="utf-8")]
    guide = httpx.get(f"{live_server.url}/api/documents/ind-healthcare").json()
    assert guide["issuer"] == "渠道参谋编辑部"
    reply = httpx.post(f"{live_server.url}/api/chat", json={"message": "医院等保三级怎么做？"}, headers={"Accept": "application/json"},
                       timeout=120).json()  # fmt: skip
    issuers = {s["issuer"] for s in reply["sources"]}
    assert issuers and not any("Advisor" in i for i in issuers)


# -- one vocabulary --------------------------------------------------------------------------------------------------
def test_the_labels_module_serves_the_same_vocabulary_as_the_api(live_server: LiveServer) -> None:
    served = httpx.get(f"{live_server.url}/labels.js")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/javascript")
    prefix = "export const LABELS = "
    module = next(line for line in served.text.splitlines() if line.startswith(prefix))
    assert json.loads(module.removeprefix(prefix).removesuffix(";")) == httpx.get(f"{live_server.url}/api/labels").json()
    assert json.loads(module.removeprefix(prefix).removesuffix(";"))["kinds"]["solution"] == "方案指南"
