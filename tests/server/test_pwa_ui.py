"""The chat page as an installable app, in headless Chromium on a 390 px phone: the service worker (/sw.js) caches the
shell and removes old caches, the page offline shows the user's last brief from its own storage (gone after logout),
the install hint, and the message in messaging apps' built-in browsers. Plus the worker's shell list against the
modules the page imports (no browser)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import LiveServer
from test_login_ui import log_in, make_user
from test_phone_ui import phone_page
from test_ui import CUSTOMER, ask

from accounts.tables import Role
from api.routes.pwa import SHELL, STATIC, worker_source

CACHES = """async () => {
  const out = {};
  for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname);
  return out;
}"""
STORED = "() => Object.keys(localStorage).filter(k => k.startsWith('top-last-brief:'))"
WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
          "MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN")  # fmt: skip
DINGTALK = ("Mozilla/5.0 (Linux; U; Android 13; zh-CN; V2185A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
            "Chrome/100.0.4896.58 Mobile Safari/537.36 AliApp(DingTalk/7.5.0) com.alibaba.android.rimet/34")  # fmt: skip
QQ = ("Mozilla/5.0 (Linux; Android 13; PGT-AN10) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0 "
      "Mobile Safari/537.36 V1_AND_SQ_8.9.80_4614_YYB_D QQ/8.9.80.12440 NetType/WIFI")  # fmt: skip
IOS_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
              "Mobile/15E148 Safari/604.1")  # fmt: skip


def test_the_shell_holds_every_module_the_chat_page_loads() -> None:
    seen: set[str] = set()
    todo = [f"/static/{m}" for m in re.findall(r'src="/static/([\w./-]+\.js)"', (STATIC / "index.html").read_text())]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if path.startswith("/static/"):
            text = (STATIC / path.removeprefix("/static/")).read_text(encoding="utf-8")
            todo += [p if p.startswith("/") else f"/static/{Path(p).name}" for p in re.findall(r'from "([^"]+\.js)"', text)]
    assert seen <= set(SHELL), seen - set(SHELL)
    assert {"/", "/static/style.css", "/static/manifest.webmanifest"} <= set(SHELL)
    source = worker_source()
    assert "__VERSION__" not in source and '"/static/app.js"' in source and re.search(r'const VERSION = "[0-9a-f]{16}"', source)


def test_offline_the_page_shows_the_last_brief_of_the_logged_in_user(browser: Any, live_server: LiveServer) -> None:
    page = phone_page(browser, live_server)
    worker = page.request.get("/sw.js")
    assert worker.ok and worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/" and worker.headers["cache-control"] == "no-cache"
    page.goto("/login")
    page.evaluate("async () => (await caches.open('top-shell-old')).put('/', new Response('old shell'))")
    log_in(page, make_user(live_server, Role.partner, "离线用户"))
    page.wait_for_url(f"{live_server.url}/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cached = page.evaluate(CACHES)
    assert list(cached) != ["top-shell-old"] and "top-shell-old" not in cached, "the old cache was removed on activate"
    (shell,) = cached.values()
    assert set(shell) == set(SHELL)

    ask(page, CUSTOMER)
    assert len(page.evaluate(STORED)) == 1
    cached = page.evaluate(CACHES)
    assert not [p for paths in cached.values() for p in paths if p.startswith("/api/")], "no API response in the cache"

    page.context.set_offline(True)
    page.reload()
    banner = page.locator("#offline-banner")
    assert banner.inner_text().startswith("离线：显示上次的简报")
    assert page.evaluate("navigator.serviceWorker.controller !== null"), "the worker served the page"
    reply = page.locator(".msg-assistant")
    assert reply.count() == 1 and CUSTOMER in reply.locator(".md h2").inner_text()
    assert page.locator(".msg-user").inner_text() == CUSTOMER and reply.locator(".profile-card").count() == 1
    reply.locator("a.cite").first.click()  # the sources came along
    assert page.locator("#source-panel .passage").inner_text().strip()

    page.context.set_offline(False)
    page.reload()
    assert page.locator("#offline-banner").count() == 0
    page.locator("#logout").click()
    page.wait_for_url("**/login")
    assert page.evaluate(STORED) == [], "logging out removes the offline copy"
    assert page.errors == []
    page.context.close()


def test_install_hint_where_the_browser_offers_it_and_on_ios(browser: Any, live_server: LiveServer) -> None:
    page = phone_page(browser, live_server)
    page.goto("/")
    assert page.locator("#pwa-hint").is_hidden()
    page.evaluate("""() => { const e = new Event('beforeinstallprompt', { cancelable: true });
      e.prompt = async () => { window.__prompted = true; }; window.dispatchEvent(e); }""")
    button = page.locator("#install-app")
    assert button.inner_text() == "添加到主屏幕"
    button.click()
    assert page.evaluate("window.__prompted") is True and page.locator("#pwa-hint").is_hidden()
    page.context.close()

    page = phone_page(browser, live_server, user_agent=IOS_SAFARI)
    page.goto("/")
    hint = page.locator("#pwa-hint")
    assert "“分享”" in hint.inner_text() and "添加到主屏幕" in hint.inner_text()
    hint.locator(".pwa-close").click()
    page.reload()
    assert hint.is_hidden(), "closed once, not shown again"
    page.context.close()


def test_messaging_apps_say_install_and_offline_are_unavailable(browser: Any, live_server: LiveServer) -> None:
    for agent, app in ((WECHAT, "微信"), (DINGTALK, "钉钉"), (QQ, "QQ")):
        page = phone_page(browser, live_server, user_agent=agent)
        page.goto("/")
        hint = page.locator("#pwa-hint")
        assert f"在{app}内置浏览器中无法添加到主屏幕，也不能离线使用" in hint.inner_text()
        assert "在浏览器中打开" in hint.inner_text()
        page.wait_for_timeout(200)
        assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
        assert page.errors == []
        page.context.close()
