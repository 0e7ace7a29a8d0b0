"""Headless Chromium for the UI tests (registered in tests/conftest.py through `pytest_plugins`).

Needs Debian's /usr/bin/chromium and a Chinese font (`scripts/ensure-browser.sh` installs both); without them
the UI tests fail with a message saying so. Playwright drives that browser; `playwright install` is never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Records each /api/chat exchange in the page (request body and raw event stream) without changing it:
# DevTools may not keep the body of a streamed response, so the test reads a tee of the stream instead.
RECORD_CHAT = """(() => {
  const fetch = window.fetch.bind(window);
  window.__chat = [];
  window.fetch = async (url, options = {}) => {
    const response = await fetch(url, options);
    if (!String(url).endsWith('/api/chat') || !response.body) return response;
    const record = { request: options.body, body: '', done: false };
    window.__chat.push(record);
    const [mine, theirs] = response.body.tee();
    (async () => {
      const reader = theirs.getReader(), decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        record.body += decoder.decode(value, { stream: true });
      }
      record.done = true;
    })();
    return new Response(mine, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
})();"""


# Every Content-Security-Policy violation in any frame of a context becomes a console error starting
# "CSP violation": the pages would break silently otherwise (a blocked script just does not run).
CSP_WATCH = """document.addEventListener('securitypolicyviolation', (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${document.location.pathname}`
    + ` (${e.sourceFile || ''}:${e.lineNumber || 0})`);
});"""


def watch_csp(context: Any, sink: list[str]) -> list[str]:
    """Collect the context's CSP violations into `sink` (tests fail on them like on JavaScript errors)."""
    context.add_init_script(CSP_WATCH)
    context.on("console", lambda message: sink.append(message.text) if message.text.startswith("CSP violation") else None)
    return sink


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser.sh (apt-get install chromium fonts-wqy-microhei)",
                    pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -c requirements.lock -e '.[dev]'", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A fresh context per test (no shared clipboard, storage or routes); fails on any JavaScript error or
    Content-Security-Policy violation."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN",
        reduced_motion="reduce", accept_downloads=True,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD_CHAT)
    errors: list[str] = watch_csp(context, [])
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto("/")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
