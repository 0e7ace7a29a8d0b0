"""The chat on a 390 px phone in headless Chromium (a touch context): 44 px citation and source targets that keep the
line spacing, one page scroll with long source lists behind a toggle, the profile card once per customer, and a
screenshot that shows Chinese. The service worker, offline page and install hints are in test_pwa_ui.py.
"""

from __future__ import annotations

from typing import Any

from conftest import LiveServer
from test_ui import ARTIFACTS, CUSTOMER, ask
from test_ui_edges import glyphs_differ, screenshot_ink
from ui_browser import RECORD_CHAT, watch_csp

PHONE = {"width": 390, "height": 844}
TARGET = 44

# Per element holding [n] markers: the distance between its successive lines of text (the markers left out), and
# the computed line height; a marker that pushed its line apart would make one distance larger.
LINE_GAPS = """root => [...root.querySelectorAll('.md p, .md li')].filter(e => e.querySelector('a.cite')).map(e => {
  const tops = [];
  const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT,
    { acceptNode: n => n.parentElement.closest('a.cite') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) if (r.height) tops.push(Math.round(r.top));
  }
  const lines = [...new Set(tops)].sort((a, b) => a - b);
  return { lineHeight: parseFloat(getComputedStyle(e).lineHeight), gaps: lines.slice(1).map((t, i) => t - lines[i]) };
})"""

# Each visible marker's box, and whether a tap at its centre reaches it (nothing on top of it).
CITE_BOXES = """reply => [...reply.querySelectorAll('.md a.cite')].filter(a => a.getClientRects().length).map(a => {
  a.scrollIntoView({ block: 'center' });
  const r = a.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { w: r.width, h: r.height, hit: hit !== null && hit.closest('a.cite') === a };
})"""

NESTED_SCROLLERS = """() => [...document.querySelectorAll('#messages *')].filter(e => {
  const y = getComputedStyle(e).overflowY;
  return (y === 'auto' || y === 'scroll') && e.scrollHeight > e.clientHeight + 1;
}).map(e => e.className || e.tagName)"""


def phone_page(browser: Any, server: LiveServer, **options: Any) -> Any:
    """A touch phone context (390 × 844) on the chat page; `page.errors` collects JavaScript errors and CSP violations."""
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True,
                                  reduced_motion="reduce", **options)  # fmt: skip
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD_CHAT)
    page = context.new_page()
    page.errors = watch_csp(context, [])
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def assert_lines_evenly_spaced(reply: Any) -> None:
    blocks = reply.evaluate(LINE_GAPS)
    assert len(blocks) > 3
    for block in blocks:
        for gap in block["gaps"]:
            assert abs(gap - block["lineHeight"]) <= 2, block


def test_citations_and_source_links_are_44px_targets_and_the_page_has_one_scroll(browser: Any, live_server: LiveServer) -> None:
    page = phone_page(browser, live_server)
    page.goto("/")
    cid = ask(page, CUSTOMER).data("meta")["conversation_id"]
    reply = page.locator(".msg-assistant").first

    cites = reply.evaluate(CITE_BOXES)
    assert len(cites) > 10
    small = [c for c in cites if c["w"] < TARGET or c["h"] < TARGET]
    assert not small, f"{len(small)} of {len(cites)} [n] markers are smaller than {TARGET}×{TARGET}: {small[:3]}"
    assert all(c["hit"] for c in cites), "a tap at a marker's centre reaches it"
    assert_lines_evenly_spaced(reply)  # the bigger targets do not push the lines apart

    # the sources: part of the page, the first five documents shown, the rest behind one toggle
    assert page.evaluate(NESTED_SCROLLERS) == []
    sources = reply.locator(".source-list")
    documents = sources.locator(".source-doc").count()
    assert documents > 5, "the starter brief cites more than five documents"
    assert sources.locator(".source-doc:visible").count() == 5
    toggle = sources.locator(".source-more")
    assert toggle.inner_text() == f"展开全部 {documents} 条来源" and toggle.get_attribute("aria-expanded") == "false"
    assert (toggle.bounding_box() or {})["height"] >= TARGET
    toggle.click()
    assert sources.locator(".source-doc:visible").count() == documents and toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate(NESTED_SCROLLERS) == []
    for link in sources.locator(".source-ref").all():
        box = link.bounding_box()
        assert box is not None and box["width"] >= TARGET and box["height"] >= TARGET, box
    sources.locator(".source-ref").last.click()
    assert page.locator("#source-panel").is_visible()
    close = page.locator("#close-source").bounding_box()
    assert close is not None and close["width"] >= TARGET and close["height"] >= TARGET
    page.locator("#close-source").click()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    assert page.errors == []

    # a desktop (mouse, 1280 px) keeps small superscript markers, with the same line spacing
    desktop = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    desktop.add_cookies(page.context.cookies())  # the same visitor: the conversation is theirs
    page.context.close()
    wide = desktop.new_page()
    wide.goto(f"/#/c/{cid}")
    reply = wide.locator(".msg-assistant").first
    reply.locator(".source-list").wait_for()
    assert max(c["h"] for c in reply.evaluate(CITE_BOXES)) < 24
    assert_lines_evenly_spaced(reply)
    desktop.close()


def test_the_profile_card_is_shown_once_per_customer(browser: Any, live_server: LiveServer) -> None:
    page = phone_page(browser, live_server)
    page.goto("/")
    ask(page, CUSTOMER)
    ask(page, "那他们的数据安全呢？")
    replies = page.locator(".msg-assistant")
    assert replies.nth(0).locator(".profile-card").count() == 1
    follow = replies.nth(1)
    assert follow.locator(".profile-card").count() == 0, "the follow-up does not repeat the card"
    ref = follow.locator(".profile-ref")
    assert "客户画像同上" in ref.inner_text() and CUSTOMER in ref.inner_text()
    assert (ref.locator("button").bounding_box() or {})["height"] >= TARGET
    ref.locator("button").click()
    page.wait_for_function("""() => { const r = document.querySelector('.profile-card').getBoundingClientRect();
      const m = document.getElementById('messages').getBoundingClientRect(); return r.top >= m.top - 1 && r.top < m.bottom; }""")

    ask(page, "嘉兴银行")  # another customer: a card of its own
    assert replies.nth(2).locator(".profile-card .profile-name").inner_text() == "嘉兴银行"
    page.reload()  # the stored conversation renders the same way
    page.wait_for_selector(".msg-assistant >> nth=2")
    assert page.locator(".profile-card").count() == 2 and page.locator(".profile-ref").count() == 1
    assert page.locator(".msg-assistant").nth(1).locator(".profile-ref").count() == 1

    # the phone screenshot shows Chinese (fonts-wqy-microhei), not boxes
    page.evaluate("document.getElementById('messages').scrollTop = 0")
    ARTIFACTS.mkdir(exist_ok=True)
    stats = screenshot_ink(page, page.screenshot(path=str(ARTIFACTS / "phone-brief.png")))
    assert stats["colours"] > 50 and stats["ink"] > 0.02, stats
    glyphs = glyphs_differ(page)
    assert glyphs["inkA"] > 50 and glyphs["inkB"] > 50 and not glyphs["same"], glyphs
    assert page.errors == []
    page.context.close()
