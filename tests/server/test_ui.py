"""The web chat UI in a real headless Chromium against the live server (starter corpus, composer writer).

The browser and the `page` fixture (a fresh context on the chat page, recording each /api/chat exchange) come
from tests/ui_browser.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import parse_sse

ARTIFACTS = Path(__file__).parent / "artifacts"
CUSTOMER = "佛山市第一人民医院"
REPLY_DONE = """n => {
  const replies = document.querySelectorAll('.msg-assistant');
  return replies.length > n && !replies[n].hasAttribute('aria-busy');
}"""


@dataclass
class Exchange:
    events: list[tuple[str, dict[str, Any]]]
    request: dict[str, Any]

    def data(self, event: str) -> dict[str, Any]:
        return next(data for name, data in self.events if name == event)


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
    page.get_by_role("button", name="嘉兴银行", exact=True).click()
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


def _assert_brief_markdown(text: str, *, listed: str = "\n- [1] 《") -> None:
    assert f"# {CUSTOMER}" in text and "## 监管驱动" in text
    assert "[1]" in text and "## 来源" in text and listed in text
    assert "<a " not in text  # Markdown, not the rendered HTML


def test_export_downloads_markdown_with_sources(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, CUSTOMER)
    with page.expect_download() as info:
        page.locator('.msg-assistant [data-action="export-md"]').click()
    download = info.value
    assert download.suggested_filename.endswith(".md") and CUSTOMER in download.suggested_filename
    _assert_brief_markdown(Path(download.path()).read_text(encoding="utf-8"), listed="\n  - [1] ")


def test_copy_puts_markdown_on_the_clipboard(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, CUSTOMER)
    page.locator('.msg-assistant [data-action="copy"]').click()
    page.wait_for_function("() => document.querySelector('.action-status').textContent.includes('已复制')")
    _assert_brief_markdown(page.evaluate("navigator.clipboard.readText()"))


# -- input, errors, stop --------------------------------------------------------------------------------
