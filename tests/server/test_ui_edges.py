"""The web chat UI in headless Chromium, continued: the edges. Empty input and Shift+Enter, request and stream
errors, the stop button, untrusted text, SSE chunk boundaries, the phone layout, the manifest, and a screenshot.

Helpers come from tests/server/test_ui.py; the browser and `page` from tests/ui_browser.py.
"""

from __future__ import annotations

import base64
import json

import pytest
from test_ui import ARTIFACTS, CUSTOMER, REPLY_DONE, ask, sse


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


SCREENSHOT_INK = """async (b64) => {
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
}"""
# Missing CJK fonts draw every character as the same box ("tofu"): two different characters must differ.
GLYPHS_DIFFER = """() => {
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
}"""


def screenshot_ink(page, png: bytes) -> dict:  # type: ignore[no-untyped-def]
    """How many colours a screenshot has and which share of it is ink (dark pixels)."""
    return page.evaluate(SCREENSHOT_INK, base64.b64encode(png).decode())


def glyphs_differ(page) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate(GLYPHS_DIFFER)


def test_screenshot_of_a_brief_is_not_blank_and_shows_chinese(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1100, "height": 1300})
    ask(page, CUSTOMER)
    page.evaluate("document.getElementById('messages').scrollTop = 0")
    ARTIFACTS.mkdir(exist_ok=True)
    stats = screenshot_ink(page, page.screenshot(path=str(ARTIFACTS / "brief.png")))
    assert stats["colours"] > 100 and stats["ink"] > 0.02, stats
    glyphs = glyphs_differ(page)
    assert glyphs["inkA"] > 50 and glyphs["inkB"] > 50 and not glyphs["same"], glyphs
    assert page.locator(".msg-assistant h2").first.bounding_box()["width"] > 100
