"""The widget in headless Chromium: a third-party page on another local origin embeds it with the snippet.

Origins: the live server is http://127.0.0.1:<port>; `portal` serves the partner's page from a second port (an
allowed origin) and `stranger` the same page from a third port (not allowed). Needs /usr/bin/chromium, as test_ui.py.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from playwright.sync_api import expect
from ui_browser import watch_csp

from accounts.tables import Role
from accounts.widgets import WidgetKeyCreate, WidgetStore

ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "s3cure-enough-passphrase"
QUESTION = "等保三级对医院有什么要求？"


@dataclass
class ThirdParty:
    """A plain HTTP server for the partner's page (its own origin); `html` is what `/` returns."""

    port: int
    html: str = "<!doctype html><title>门户</title>"
    seen: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _serve() -> Iterator[ThirdParty]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    site = ThirdParty(port)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            site.seen.append(self.path)
            body = site.html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def portal() -> Iterator[ThirdParty]:
    yield from _serve()


@pytest.fixture(scope="module")
def stranger() -> Iterator[ThirdParty]:
    yield from _serve()


@pytest.fixture
def context(browser, live_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", reduced_motion="reduce")
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    tab = context.new_page()
    tab.console: list[str] = []  # type: ignore[misc]
    tab.errors: list[str] = watch_csp(context, [])  # type: ignore[misc]  # CSP violations count as errors too
    tab.on("console", lambda message: tab.console.append(message.text))
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    yield tab
    assert not tab.errors, f"JavaScript errors: {tab.errors}"


def new_key(live_server, *origins: str, **settings: Any) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(key id, secret) of a fresh key of a fresh partner organisation."""
    accounts = live_server.container.accounts
    tag = uuid.uuid4().hex[:10]
    org = accounts.create_organisation(name=f"门户伙伴-{tag}")
    user = accounts.create_user(email=f"{tag}@example.com", password=PASSWORD, role=Role.partner, org_id=org.id)
    created = WidgetStore(accounts.engine).create(
        org_id=org.id, user_id=user.id, data=WidgetKeyCreate(allowed_origins=list(origins), **settings)
    )
    return created.id, created.secret


def snippet(live_server, key: str, extra: str = "") -> str:  # type: ignore[no-untyped-def]
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某某科技客户门户</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>客户门户</h1>'
            f'<script src="{live_server.url}/widget.js" data-widget="{key}" {extra} async></script></body></html>')  # fmt: skip


def open_widget(page) -> Any:  # type: ignore[no-untyped-def]
    page.locator("[data-top-advisor] .launcher").click()
    frame = page.frame_locator("[data-top-advisor] iframe")
    frame.locator("#greeting:not(:empty)").wait_for()  # embed.js has run (the input is in the HTML before it)
    return frame


def ask(frame, text: str = QUESTION) -> None:  # type: ignore[no-untyped-def]
    before = frame.locator(".msg-assistant").count()
    frame.locator("#input").fill(text)
    frame.locator("#input").press("Enter")
    frame.locator(f".msg-assistant >> nth={before}").wait_for()
    frame.locator(f".msg-assistant:not([aria-busy]) >> nth={before}").wait_for()


def test_visitor_on_an_allowed_site_chats_with_citations(page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    key, secret = new_key(live_server, portal.origin, title="某某科技·安全顾问", greeting="您好，我是安全顾问。")
    portal.html = snippet(live_server, key, 'data-label="在线咨询" data-colour="#aa3300"')
    page.goto(portal.origin)
    assert page.locator("[data-top-advisor] .launcher").inner_text() == "在线咨询"
    frame = open_widget(page)
    assert frame.locator("#embed-title").inner_text() == "某某科技·安全顾问"
    expect(frame.locator("#greeting")).to_have_text("您好，我是安全顾问。")  # set by embed.js once it has run
    ask(frame)
    reply = frame.locator(".msg-assistant").last
    cites = reply.locator("a.cite")
    assert cites.count() >= 2 and reply.locator(".source-list").count() == 1
    cites.first.click()
    panel = frame.locator("#source-panel")
    panel.wait_for()
    assert panel.locator(".passage").inner_text().strip()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))
    html = page.content() + page.frames[1].content()
    assert secret not in html
    frame.locator("#close-widget").click()  # the close button inside the frame closes the panel outside it
    page.wait_for_function("() => document.querySelector('[data-top-advisor]').shadowRoot.querySelector('.panel').hidden")


def test_phone_width_opens_full_screen(page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    key, _ = new_key(live_server, portal.origin)
    portal.html = snippet(live_server, key)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(portal.origin)
    frame = open_widget(page)
    box = page.locator("[data-top-advisor] .panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 740)
    assert not page.locator("[data-top-advisor] .launcher").is_visible()
    assert frame.locator("#send").is_visible()
    assert frame.locator("html").evaluate("e => e.scrollWidth") <= 375
    ask(frame)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))


def test_the_same_snippet_on_another_site_is_refused(page, live_server, portal, stranger) -> None:  # type: ignore[no-untyped-def]
    key, _ = new_key(live_server, portal.origin)
    stranger.html = snippet(live_server, key)
    page.goto(stranger.origin)
    with page.expect_response(lambda r: "/embed/" in r.url) as embedded:
        page.locator("[data-top-advisor] .launcher").click()
    assert embedded.value.status == 403
    # instead of the chat, a readable refusal naming the site it saw and where to allow it; no chat, no session
    refusal = page.frame_locator("[data-top-advisor] iframe").locator("main")
    refusal.get_by_text(f"网站 {stranger.origin} 不在此小组件允许嵌入的网站来源中").wait_for()
    assert f"{live_server.url}/widgets" in refusal.inner_text()
    assert "端口不同也是不同的来源" in refusal.inner_text()  # same host, another port: said so
    for frame in page.frames[1:]:
        assert frame.evaluate("!document.getElementById('input') && !document.getElementById('widget-config')")
    url = f"{live_server.url}/api/widget/{key}/chat"
    call = """async ([url, mode]) => {
      try {
        const r = await fetch(url, { method: 'POST', mode, headers: { 'Content-Type': 'text/plain' }, body: '{"message": "你好"}' });
        return r.type + ' ' + r.status;
      } catch (err) { return 'blocked'; }
    }"""
    assert page.evaluate(call, [url, "cors"]) == "blocked"  # no CORS headers for a stranger: unreadable
    with page.expect_response(url) as direct:
        assert page.evaluate(call, [url, "no-cors"]) == "opaque 0"
    assert direct.value.status == 403  # and refused by the server


def test_quota_exhaustion_shows_a_friendly_message(page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    key, _ = new_key(live_server, portal.origin, quota_per_user_day=1)
    portal.html = snippet(live_server, key)
    page.goto(portal.origin)
    frame = open_widget(page)
    ask(frame)
    frame.locator("#input").fill("那数据安全呢？")
    frame.locator("#input").press("Enter")
    error = frame.locator("#form-error")
    error.wait_for()
    assert "今天的提问次数已用完" in error.inner_text() and "明天" in error.inner_text()
    assert frame.locator("#input").input_value() == "那数据安全呢？"  # kept for later
    assert frame.locator(".msg-assistant").count() == 1


def test_forged_identity_is_refused_and_a_signed_one_works(page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    key, secret = new_key(live_server, portal.origin, require_identity=True)
    forged = jwt.encode({"sub": "alice", "exp": int(time.time()) + 600}, "wsk_" + "f" * 43, algorithm="HS256")
    portal.html = snippet(live_server, key, f'data-identity-token="{forged}"')
    page.goto(portal.origin)
    frame = open_widget(page)
    frame.locator("#input").fill(QUESTION)
    frame.locator("#input").press("Enter")
    error = frame.locator("#form-error")
    error.wait_for()
    assert "身份验证失败" in error.inner_text() and "签名无效" in error.inner_text()
    expired = jwt.encode({"sub": "alice", "exp": int(time.time()) - 300}, secret, algorithm="HS256")
    page.evaluate("token => window.TopAdvisor.identify(token)", expired)
    frame.locator("#send").click()
    frame.locator("#form-error:has-text('已过期')").wait_for()
    valid = jwt.encode({"sub": "alice", "exp": int(time.time()) + 600}, secret, algorithm="HS256")
    page.evaluate("token => window.TopAdvisor.identify(token)", valid)
    frame.locator("#send").click()
    frame.locator(".msg-assistant:not([aria-busy])").wait_for()
    assert frame.locator(".msg-assistant a.cite").count() > 0 and frame.locator("#form-error").is_hidden()


def test_partner_creates_a_key_and_its_snippet_works_on_the_portal(context, page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    accounts = live_server.container.accounts
    tag = uuid.uuid4().hex[:10]
    org = accounts.create_organisation(name=f"某某科技-{tag}")
    accounts.create_user(email=f"{tag}@example.com", password=PASSWORD, role=Role.partner, org_id=org.id)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/widgets")
    assert "/login" in page.url  # not logged in: the login page, then back here
    page.fill('input[name="email"]', f"{tag}@example.com")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{live_server.url}/widgets")
    page.click("#new-widget")
    page.fill("#field-title", "某某科技在线顾问")
    page.fill("#field-allowed_origins", portal.origin)
    page.click("#widget-form button[type=submit]")
    secret = page.locator("#secret-box .secret-value").inner_text()
    assert secret.startswith("wsk_")
    page.click('#secret-box [data-copy="snippet"]')
    page.wait_for_function("() => document.querySelector('#secret-box [data-copy=snippet]').textContent === '已复制'")
    pasted = page.evaluate("navigator.clipboard.readText()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widgets-page.png"), full_page=True)
    assert pasted.startswith(f'<script src="{live_server.url}/widget.js" data-widget="wk_')
    page.click("#secret-box .primary")
    item = page.locator(".widget-item")
    assert item.count() == 1 and portal.origin in item.inner_text()
    page.reload()
    page.locator(".widget-item").wait_for()
    assert secret not in page.content()
    page.click('.widget-item [data-action="edit"]')
    page.fill("#field-greeting", "欢迎咨询某某科技！")
    page.click("#widget-form button[type=submit]")
    page.locator("#widgets-status:has-text('已保存')").wait_for()

    portal.html = f"<!doctype html><meta charset=utf-8><title>门户</title><h1>门户</h1>{pasted}"
    visitor = context.new_page()
    visitor.goto(portal.origin)
    frame = open_widget(visitor)
    assert frame.locator("#embed-title").inner_text() == "某某科技在线顾问"
    expect(frame.locator("#greeting")).to_have_text("欢迎咨询某某科技！")
    ask(frame)
    assert frame.locator(".msg-assistant a.cite").count() > 0
    assert secret not in visitor.content() and secret not in visitor.frames[1].content()


def partner_login(context, live_server, *origins: str) -> tuple[Any, str]:  # type: ignore[no-untyped-def]
    """A partner of a fresh organisation, logged in on /widgets, with a key allowing `origins`."""
    key, _ = new_key(live_server, *origins)
    org_id = live_server.container.widgets.get(key, org_id=None).org_id
    email = next(u.email for u in live_server.container.accounts.list_users() if u.org_id == org_id)
    tab = context.new_page()
    tab.errors = watch_csp(context, [])  # CSP violations count as errors too
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.goto(f"{live_server.url}/widgets")
    tab.fill('input[name="email"]', email)
    tab.fill('input[name="password"]', PASSWORD)
    tab.click('button[type="submit"]')
    tab.wait_for_url(f"{live_server.url}/widgets")
    tab.locator(f'.widget-item[data-id="{key}"]').wait_for()
    return tab, key


def test_localhost_is_not_127_0_0_1_the_embed_says_so_and_the_owner_allows_it_in_one_click(context, page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    written = f"http://localhost:{portal.port}"  # what the partner typed; the portal is opened as 127.0.0.1
    owner, key = partner_login(context, live_server, written)
    portal.html = snippet(live_server, key)
    page.goto(portal.origin)
    page.locator("[data-top-advisor] .launcher").click()
    refusal = page.frame_locator("[data-top-advisor] iframe").locator("main")
    refusal.get_by_text(f"网站 {portal.origin} 不在此小组件允许嵌入的网站来源中").wait_for()
    text = refusal.inner_text()
    assert f"已授权的是 {written}" in text and "localhost、127.0.0.1" in text and "网站小组件" in text

    owner.reload()
    refused = owner.locator(f'.widget-item[data-id="{key}"] .refused-box')
    refused.get_by_text(portal.origin).wait_for()
    assert "1 次" in refused.inner_text()
    with owner.expect_response(lambda r: r.request.method == "PATCH") as allowed:
        refused.locator(f'[data-allow="{portal.origin}"]').click()
    assert allowed.value.status == 200
    owner.locator("#widgets-status:has-text('已把')").wait_for()  # said once the list shows the change
    item = owner.locator(f'.widget-item[data-id="{key}"]')
    assert portal.origin in item.locator(".widget-facts").inner_text() and item.locator(".refused-box").count() == 0

    page.reload()
    ask(open_widget(page))  # the same portal now chats
    assert owner.errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_widget_form_errors_sit_under_their_field_in_chinese(context, live_server, width) -> None:  # type: ignore[no-untyped-def]
    owner, _ = partner_login(context, live_server, "https://portal.example.com")
    owner.set_viewport_size({"width": width, "height": 844})
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    owner.click("#new-widget")
    owner.fill("#field-allowed_origins", "portal.example.com\nhttps://shop.example.com/index.html")
    owner.fill("#field-quota_per_user_day", "0")
    requests: list[str] = []
    owner.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    owner.click("#widget-form button[type=submit]")
    origins_error = owner.locator("#error-allowed_origins")
    origins_error.get_by_text("不是网址：portal.example.com").wait_for()
    assert owner.locator("#field-allowed_origins").get_attribute("aria-invalid") == "true"
    assert "1 到 100000" in owner.locator("#error-quota_per_user_day").inner_text()
    assert owner.evaluate("document.activeElement.id") == "field-allowed_origins"  # focused, in view
    assert owner.locator("#field-allowed_origins").is_visible() and requests == []

    # what only the server knows, under the same field: a wildcard must leave a registrable domain
    owner.fill("#field-allowed_origins", "https://*.com")
    owner.fill("#field-quota_per_user_day", "50")
    with owner.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/widget-keys")) as sent:
        owner.click("#widget-form button[type=submit]")
    assert sent.value.status == 422
    origins_error.get_by_text("通配符只能用在最左边一级").wait_for()
    assert "allowed_origins" not in origins_error.inner_text() and owner.locator("#widgets-status").is_hidden()
    assert owner.locator("#error-quota_per_user_day").is_hidden()
    owner.fill("#field-allowed_origins", "https://*.example.com")
    owner.click("#widget-form button[type=submit]")
    owner.locator("#secret-box").wait_for()
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert owner.errors == []


def test_preview_opens_the_real_widget_on_our_own_page_for_its_owner_only(browser, context, live_server) -> None:  # type: ignore[no-untyped-def]
    owner, key = partner_login(context, live_server, "https://portal.example.com")
    preview_link = owner.locator(f'.widget-item[data-id="{key}"] [data-action="preview"]')
    with context.expect_page() as opened:
        preview_link.click()
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.url == f"{live_server.url}/widgets/{key}/preview"
    assert "预览" in preview.locator("h2").inner_text() and "https://portal.example.com" in preview.inner_text("main")
    frame = preview.frame_locator("[data-top-advisor] iframe")
    frame.locator("#input").wait_for()  # opened by itself
    ask(frame)
    assert frame.locator(".msg-assistant a.cite").count() > 0

    # a stranger (not logged in) gets the login page; another partner does not see the key at all
    elsewhere = browser.new_context(locale="zh-CN")
    stranger = elsewhere.new_page()
    stranger.goto(f"{live_server.url}/widgets/{key}/preview")
    assert "/login" in stranger.url
    other, _ = partner_login(elsewhere, live_server, "https://other.example.com")
    missing = other.goto(f"{live_server.url}/widgets/{key}/preview")
    assert missing.status == 404 and "没有这个小组件" in other.inner_text("main")
    embed = other.request.get(f"{live_server.url}/embed/{key}", headers={"Referer": f"{live_server.url}/widgets/{key}/preview"})
    assert embed.status == 403  # our own origin is a preview only for the key's owner
    elsewhere.close()


def test_the_menu_and_the_page_call_it_by_the_same_name(context, live_server) -> None:  # type: ignore[no-untyped-def]
    owner, _ = partner_login(context, live_server, "https://portal.example.com")
    heading = owner.locator("#widgets-app h2").inner_text()
    assert heading == "网站小组件" and owner.title().startswith(heading)
    owner.goto(f"{live_server.url}/")
    link = owner.locator('a[href="/widgets"]')
    link.first.wait_for(state="attached")
    assert link.first.text_content() == heading


def test_the_widget_offers_choices_and_a_click_continues_the_same_customer(page, live_server, portal) -> None:  # type: ignore[no-untyped-def]
    key, _ = new_key(live_server, portal.origin)
    portal.html = snippet(live_server, key)
    page.goto(portal.origin)
    frame = open_widget(page)
    ask(frame, "北辰云帆")
    buttons = frame.locator(".msg-assistant .choice")
    assert buttons.count() == 13 and "0%" not in frame.locator(".profile-card").inner_text()
    buttons.filter(has_text="制造业").click()
    frame.locator(".msg-assistant:not([aria-busy]) >> nth=1").wait_for()
    second = frame.locator(".msg-assistant").nth(1)
    assert second.locator(".profile-name").inner_text() == "北辰云帆"
    assert second.locator(".md h2").first.inner_text() == "北辰云帆：客户需求简报"
    assert frame.locator(".choice:disabled").count() == 13
