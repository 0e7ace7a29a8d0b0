"""The web chat UI in a real headless Chromium against the live server (starter corpus, composer writer).

Needs Debian's /usr/bin/chromium and a Chinese font (`scripts/ensure-browser.sh` installs both); without them
these tests fail with a message saying so. Playwright drives that browser; `playwright install` is never used.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
CUSTOMER = "佛山市第一人民医院"
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
REPLY_DONE = """n => {
  const replies = document.querySelectorAll('.msg-assistant');
  return replies.length > n && !replies[n].hasAttribute('aria-busy');
}"""


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
    """A fresh context per test (no shared clipboard, storage or routes); fails on any JavaScript error."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN",
        reduced_motion="reduce", accept_downloads=True,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD_CHAT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto("/")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@dataclass
class Exchange:
    events: list[tuple[str, dict[str, Any]]]
    request: dict[str, Any]

    def data(self, event: str) -> dict[str, Any]:
        return next(data for name, data in self.events if name == event)


def parse_sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
        if data:
            events.append((name, json.loads(data)))
    return events


def ask(page, text: str) -> Exchange:  # type: ignore[no-untyped-def]
    """Types `text`, presses Enter and waits until the reply is finished; returns what went over the wire."""
    before = page.locator(".msg-assistant").count()
    sent = page.evaluate("window.__chat.length")
    page.fill("#input", text)
    page.press("#input", "Enter")
    page.wait_for_function(REPLY_DONE, arg=before)
    page.wait_for_function("n => window.__chat.length > n && window.__chat[n].done", arg=sent)
    record = page.evaluate("n => window.__chat[n]", sent)
    return Exchange(parse_sse(record["body"]), json.loads(record["request"]))


def headings(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in reply.locator(".md").locator("h2, h3, h4").all_inner_texts()]


def conversation(page, cid: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The stored conversation, fetched with the page's cookies (conversations are private to their owner)."""
    response = page.request.get(f"/api/conversations/{cid}", timeout=10_000)
    assert response.ok, response.text()
    return response.json()


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


# -- asking --------------------------------------------------------------------------------------------
def test_customer_name_streams_profile_card_and_cited_brief(page) -> None:  # type: ignore[no-untyped-def]
    exchange = ask(page, CUSTOMER)
    names = [name for name, _ in exchange.events]
    assert names[0] == "meta" and names[-1] == "done" and "profile" in names and "delta" in names
    reply = page.locator(".msg-assistant").last
    card = reply.locator(".profile-card")
    assert "医疗卫生" in card.inner_text() and CUSTOMER in card.inner_text()
    card.locator(".evidence summary").click()
    assert card.locator(".evidence li").count() == len(exchange.data("profile")["evidence"])
    titles = headings(reply)
    assert CUSTOMER in titles[0]
    for section in ("监管驱动", "网络安全", "数据安全"):
        assert section in titles
    sources = {s["n"]: s for s in exchange.data("sources")["sources"]}
    cites = reply.locator(".md a.cite")
    assert cites.count() > 10
    for n in cites.evaluate_all("links => links.map(a => Number(a.dataset.n))"):
        assert n in sources

    cite = cites.nth(3)
    n = int(cite.get_attribute("data-n"))
    cite.click()
    panel = page.locator("#source-panel")
    assert panel.is_visible()
    assert panel.locator("#source-title").inner_text() == sources[n]["title"]
    assert panel.locator(".passage").inner_text().strip() == sources[n]["text"].strip()
    assert page.evaluate("document.activeElement.id") == "close-source"
    page.keyboard.press("Escape")
    assert panel.is_hidden()


def test_follow_up_stays_on_the_customer_in_the_same_conversation(page) -> None:  # type: ignore[no-untyped-def]
    first = ask(page, CUSTOMER)
    follow = ask(page, "那他们的数据安全呢？")
    cid = first.data("meta")["conversation_id"]
    assert first.request["conversation_id"] is None
    assert follow.request["conversation_id"] == cid
    assert follow.data("done")["conversation_id"] == cid
    reply = page.locator(".msg-assistant").nth(1)
    titles = headings(reply)
    assert CUSTOMER in titles[0] and "数据安全" in titles
    assert page.locator(".msg-user").all_inner_texts() == [CUSTOMER, "那他们的数据安全呢？"]


def test_question_outside_the_corpus_says_not_found(page) -> None:  # type: ignore[no-untyped-def]
    exchange = ask(page, "火星基地的氦三采购标准是什么？")
    assert exchange.data("done")["mode"] == "not_found"
    reply = page.locator(".msg-assistant").last
    assert "知识库中没有找到" in reply.inner_text()
    assert reply.get_attribute("data-mode") == "not_found"


def test_starter_prompt_asks_it(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="宁波银行", exact=True).click()
    page.wait_for_function(REPLY_DONE, arg=0)
    assert "金融" in page.locator(".profile-card").inner_text()
    assert page.locator("#welcome").is_hidden()


# -- history, feedback, copy, export ---------------------------------------------------------------------
def test_history_lists_the_conversation_and_reloading_restores_it(page, live_server) -> None:  # type: ignore[no-untyped-def]
    cid = ask(page, CUSTOMER).data("meta")["conversation_id"]
    ask(page, "那他们的数据安全呢？")
    page.goto("/")
    assert page.locator("#welcome").is_visible()
    entry = page.locator(f'#history .history-open[data-id="{cid}"]')
    assert CUSTOMER in entry.inner_text()
    entry.click()
    page.wait_for_selector(".msg-assistant >> nth=1")
    assert page.locator(".msg-user").all_inner_texts() == [CUSTOMER, "那他们的数据安全呢？"]
    assert CUSTOMER in headings(page.locator(".msg-assistant").first)[0]
    assert page.locator(".msg-assistant .profile-card").first.is_visible()
    assert entry.get_attribute("aria-current") == "true"
    assert cid in page.evaluate("location.hash")

    page.reload()  # the address keeps the conversation
    page.wait_for_selector(".msg-assistant >> nth=1")
    page.locator(".msg-assistant").first.locator("a.cite").first.click()
    assert page.locator("#source-panel").is_visible()


def test_delete_removes_the_conversation(page, live_server) -> None:  # type: ignore[no-untyped-def]
    cid = ask(page, CUSTOMER).data("meta")["conversation_id"]
    page.wait_for_selector(f'#history .history-open[data-id="{cid}"]')
    delete = page.locator(f'#history li:has([data-id="{cid}"]) .history-delete')
    delete.click()
    assert "确认删除" in delete.inner_text()  # two steps: no accidental deletes
    delete.click()
    page.wait_for_selector(f'#history .history-open[data-id="{cid}"]', state="detached")
    assert page.locator("#welcome").is_visible() and page.locator(".msg").count() == 0
    assert page.request.get(f"/api/conversations/{cid}").status == 404


def test_feedback_is_recorded(page, live_server) -> None:  # type: ignore[no-untyped-def]
    exchange = ask(page, CUSTOMER)
    cid, mid = exchange.data("meta")["conversation_id"], exchange.data("done")["message_id"]
    reply = page.locator(".msg-assistant").last
    reply.locator('[data-action="up"]').click()
    page.wait_for_function("() => document.querySelector('.action-status').textContent.includes('已记录')")
    assert reply.locator('[data-action="up"]').get_attribute("aria-pressed") == "true"
    message = next(m for m in conversation(page, cid)["messages"] if m["id"] == mid)
    assert message["feedback"]["rating"] == "up"

    reply.locator('[data-action="down"]').click()
    comment = reply.locator(".feedback-comment textarea")
    comment.fill("缺少数据出境的内容")
    reply.locator(".feedback-comment button").click()
    page.wait_for_function("() => document.querySelector('.action-status').textContent.includes('意见')")
    message = next(m for m in conversation(page, cid)["messages"] if m["id"] == mid)
    assert message["feedback"] == {"rating": "down", "comment": "缺少数据出境的内容"}


def _assert_brief_markdown(text: str) -> None:
    assert f"# {CUSTOMER}" in text and "## 监管驱动" in text
    assert "[1]" in text and "## 来源" in text and "\n- [1] 《" in text
    assert "<a " not in text  # Markdown, not the rendered HTML


def test_export_downloads_markdown_with_sources(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, CUSTOMER)
    with page.expect_download() as info:
        page.locator('.msg-assistant [data-action="export"]').click()
    download = info.value
    assert download.suggested_filename.endswith(".md") and CUSTOMER in download.suggested_filename
    _assert_brief_markdown(Path(download.path()).read_text(encoding="utf-8"))


def test_copy_puts_markdown_on_the_clipboard(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, CUSTOMER)
    page.locator('.msg-assistant [data-action="copy"]').click()
    page.wait_for_function("() => document.querySelector('.action-status').textContent.includes('已复制')")
    _assert_brief_markdown(page.evaluate("navigator.clipboard.readText()"))


# -- input, errors, stop --------------------------------------------------------------------------------
def test_empty_input_is_not_sent_and_shift_enter_is_a_newline(page) -> None:  # type: ignore[no-untyped-def]
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/api/chat") else None)
    page.press("#input", "Enter")
    page.fill("#input", "   \n ")
    page.press("#input", "Enter")
    assert page.locator("#send").is_disabled()
    page.fill("#input", "第一行")
    page.press("#input", "Shift+Enter")
    page.keyboard.type("第二行")
    assert page.input_value("#input") == "第一行\n第二行"
    assert page.locator("#counter").inner_text() == "7/2000"
    page.fill("#input", "长" * 2000)
    assert page.locator("#counter").inner_text() == "2000/2000"
    assert page.get_attribute("#input", "maxlength") == "2000"
    page.wait_for_timeout(200)
    assert sent == [] and page.locator(".msg").count() == 0


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        ({"status": 422, "json": {"detail": ["message 长度须为 1–2000 个字符"]}}, "输入不符合要求"),
        ({"status": 503, "json": {"detail": "not ready"}}, "服务暂时不可用"),
        (None, "网络连接失败"),
    ],
)
def test_request_errors_are_friendly_and_keep_the_input(page, reply, shown) -> None:  # type: ignore[no-untyped-def]
    page.route("**/api/chat", lambda route: route.fulfill(**reply) if reply else route.abort("failed"))
    page.fill("#input", CUSTOMER)
    page.press("#input", "Enter")
    error = page.locator("#form-error")
    error.wait_for()
    assert shown in error.inner_text()
    assert page.input_value("#input") == CUSTOMER
    assert page.locator(".msg").count() == 0 and page.locator("#send").is_visible()


def test_error_event_is_shown_in_the_reply_and_keeps_the_input(page) -> None:  # type: ignore[no-untyped-def]
    body = sse("meta", {"conversation_id": "c1", "message_id": "m1"}) + sse("sources", {"sources": []})
    body += sse("delta", {"text": "部分"}) + sse("error", {"message": "撰写器出错", "code": "internal"})
    page.route("**/api/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))
    page.fill("#input", CUSTOMER)
    page.press("#input", "Enter")
    page.wait_for_function(REPLY_DONE, arg=0)
    assert "回答生成失败：撰写器出错" in page.locator(".msg-assistant .error").inner_text()
    assert page.input_value("#input") == CUSTOMER
    assert page.locator(".msg-assistant .actions").count() == 0  # nothing to rate or copy


def test_stop_button_aborts_the_stream(page) -> None:  # type: ignore[no-untyped-def]
    page.route("**/api/chat", lambda route: None)  # never answers
    page.fill("#input", CUSTOMER)
    page.press("#input", "Enter")
    page.locator("#stop").click()
    page.wait_for_function(REPLY_DONE, arg=0)
    assert "已停止生成" in page.locator(".msg-assistant").inner_text()
    assert page.locator("#send").is_visible() and page.locator("#stop").is_hidden()


def test_untrusted_text_is_escaped_and_replace_starts_over(page) -> None:  # type: ignore[no-untyped-def]
    source = {"n": 1, "chunk_id": "c", "doc_id": "d", "title": "示意：某医院<b>案例</b>", "kind": "case", "locator": "背景",
              "issuer": "", "document_number": "", "url": "javascript:alert(1)", "vendor": "某厂商", "illustrative": True,
              "text": "<script>window.__xss = 1</script>原文"}
    text = '# 标题\n\n<img src=x onerror="window.__xss=1">**加粗**句子。[1][9]\n\n> 引用\n- 条目[1]\n'
    body = sse("meta", {"conversation_id": "c1", "message_id": "m1"}) + sse("sources", {"sources": [source]})
    body += sse("delta", {"text": "将被替换"})
    # one event as CRLF with its JSON split over two data: lines
    body += 'event: delta\r\ndata: {"replace": true,\r\ndata: "text": ' + json.dumps(text) + "}\r\n\r\n"
    body += ": a comment\n\n" + sse("done", {"conversation_id": "c1", "message_id": "m1", "mode": "brief", "writer": "composer"})
    page.route("**/api/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))
    page.fill("#input", "测试")
    page.press("#input", "Enter")
    page.wait_for_function(REPLY_DONE, arg=0)
    md = page.locator(".msg-assistant .md")
    assert "将被替换" not in md.inner_text()
    assert md.locator("img, script").count() == 0 and page.evaluate("window.__xss") is None
    assert '<img src=x onerror="window.__xss=1">' in md.inner_text()
    assert md.locator("h2").inner_text() == "标题" and md.locator("strong").inner_text() == "加粗"
    assert md.locator("blockquote").inner_text() == "引用" and md.locator("ul li").count() == 1
    assert md.locator("a.cite").count() == 2 and "[9]" in md.inner_text()  # unknown markers stay text
    md.locator("a.cite").first.click()
    panel = page.locator("#source-panel")
    assert panel.locator("#source-title").inner_text() == "示意：某医院<b>案例</b>"
    assert "示意案例" in panel.inner_text() and "厂商：某厂商" in panel.inner_text()
    assert panel.locator("a[href^='javascript']").count() == 0 and panel.locator("script").count() == 0


def test_sse_parser_handles_any_chunk_boundary(page) -> None:  # type: ignore[no-untyped-def]
    result = page.evaluate("""async () => {
      const { SSEParser } = await import('/static/sse.js');
      const stream = 'event: meta\\r\\ndata: {"a":1}\\r\\n\\r\\n: keep-alive\\n\\nevent: delta\\ndata: {"text":\\ndata:"多行"}\\n\\n'
        + 'event: done\\rdata:{"ok":true}\\r\\r';
      const run = (parts) => { const p = new SSEParser(); return [...parts.flatMap((x) => p.feed(x)), ...p.end()]; };
      const whole = JSON.stringify(run([stream]));
      const bad = [];
      for (let i = 0; i <= stream.length; i++)
        for (let j = i; j <= stream.length; j += 7)
          if (JSON.stringify(run([stream.slice(0, i), stream.slice(i, j), stream.slice(j)])) !== whole) bad.push([i, j]);
      return { whole: JSON.parse(whole), bad };
    }""")
    assert result["bad"] == []
    assert result["whole"] == [
        {"event": "meta", "data": '{"a":1}'},
        {"event": "delta", "data": '{"text":\n"多行"}'},
        {"event": "done", "data": '{"ok":true}'},
    ]


# -- layout, PWA, rendering ----------------------------------------------------------------------------
def test_phone_width_has_no_horizontal_overflow_and_the_drawer_opens(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 375, "height": 812})
    cid = ask(page, CUSTOMER).data("meta")["conversation_id"]
    page.locator(".msg-assistant .evidence summary").click()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    assert page.evaluate("[...document.querySelectorAll('.msg, .md, .profile-card')].every(e => e.scrollWidth <= e.clientWidth + 1)")
    sidebar = page.locator("#sidebar")
    assert not sidebar.is_visible()
    page.locator("#open-sidebar").click()
    page.wait_for_function("() => document.getElementById('sidebar').getBoundingClientRect().left >= 0")
    assert sidebar.is_visible() and page.get_attribute("#open-sidebar", "aria-expanded") == "true"
    assert page.locator(f'#history .history-open[data-id="{cid}"]').is_visible()
    page.locator("#backdrop").click(position={"x": 360, "y": 400})
    page.wait_for_function("() => !document.getElementById('sidebar').classList.contains('open')")
    page.locator(".msg-assistant a.cite").first.click()
    box = page.locator("#source-panel").bounding_box()
    assert box["width"] == 375 and abs(box["y"] + box["height"] - 812) < 1  # a bottom sheet
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_manifest_is_linked_and_valid(page) -> None:  # type: ignore[no-untyped-def]
    assert "width=device-width" in page.get_attribute('meta[name="viewport"]', "content")
    href = page.get_attribute('link[rel="manifest"]', "href")
    manifest = json.loads(page.request.get(href).text())
    assert manifest["name"] == "渠道参谋" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        response = page.request.get(icon["src"])
        assert response.ok and response.headers["content-type"].startswith("image/"), icon
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_screenshot_of_a_brief_is_not_blank_and_shows_chinese(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1100, "height": 1300})
    ask(page, CUSTOMER)
    page.evaluate("document.getElementById('messages').scrollTop = 0")
    ARTIFACTS.mkdir(exist_ok=True)
    png = page.screenshot(path=str(ARTIFACTS / "brief.png"))
    stats = page.evaluate("""async (b64) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const canvas = Object.assign(document.createElement('canvas'), { width: img.width, height: img.height });
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, img.width, img.height).data;
      const colours = new Set();
      let ink = 0, seen = 0;
      for (let i = 0; i < d.length; i += 4 * 5, seen++) {
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        if (d[i] + d[i + 1] + d[i + 2] < 450) ink++;
      }
      return { colours: colours.size, ink: ink / seen };
    }""", base64.b64encode(png).decode())
    assert stats["colours"] > 100 and stats["ink"] > 0.02, stats
    # Missing CJK fonts draw every character as the same box ("tofu"): two different characters must differ.
    glyphs = page.evaluate("""() => {
      const font = '40px ' + getComputedStyle(document.body).fontFamily;
      const draw = (ch) => {
        const canvas = Object.assign(document.createElement('canvas'), { width: 48, height: 48 });
        const g = canvas.getContext('2d');
        g.font = font;
        g.fillText(ch, 4, 40);
        return Array.from(g.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3));
      };
      const a = draw('渠'), b = draw('谋');
      return { inkA: a.filter(Boolean).length, inkB: b.filter(Boolean).length, same: a.every((x, i) => x === b[i]) };
    }""")
    assert glyphs["inkA"] > 50 and glyphs["inkB"] > 50 and not glyphs["same"], glyphs
    assert page.locator(".msg-assistant h2").first.bounding_box()["width"] > 100
