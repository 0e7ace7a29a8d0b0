"""The conversation in a real headless Chromium (tests/ui_browser.py): clickable choices, a brief that opens
at its start with profile and summary on the first screen, downloads in three formats, print styles."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from test_ui import CUSTOMER, REPLY_DONE, ask

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def in_view(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the element's top is inside the messages viewport."""
    return page.evaluate(
        """s => { const m = document.getElementById('messages').getBoundingClientRect();
                  const r = document.querySelector(s).getBoundingClientRect();
                  return r.top >= m.top - 1 && r.top < m.bottom; }""",
        selector,
    )


def test_choices_are_buttons_and_a_click_continues_the_same_customer(page) -> None:  # type: ignore[no-untyped-def]
    asked = ask(page, "北辰云帆")
    assert asked.data("done")["mode"] == "ask_user"
    buttons = page.locator(".msg-assistant .choice")
    assert buttons.count() == 13 and page.locator(".profile-card.unknown .confidence").inner_text() == "待确认"
    assert "0%" not in page.locator(".profile-card").inner_text() and page.locator(".profile-question").count() == 0
    assert page.locator(".msg-assistant .source-list").count() == 0, "no unrelated sources"
    page.locator(".choice", has_text="制造业").click()
    page.wait_for_function(REPLY_DONE, arg=1)
    assert page.locator(".msg-user .bubble").all_inner_texts() == ["北辰云帆", "制造业"]
    assert page.locator(".choice:disabled").count() == 13, "the question is answered"
    second = page.locator(".msg-assistant").nth(1)
    assert second.locator(".profile-name").inner_text() == "北辰云帆"
    assert second.locator(".md h2").first.inner_text() == "北辰云帆：客户需求简报"


def test_typing_an_answer_instead_of_clicking_works_too_and_choices_survive_a_reload(page) -> None:  # type: ignore[no-untyped-def]
    cid = ask(page, "蓝鲸智联").data("meta")["conversation_id"]
    page.reload()
    page.wait_for_selector(".msg-assistant .choice")
    assert page.locator(".msg-assistant .choice").count() == 13 and cid in page.url
    answered = ask(page, "它是一家保险公司，总部在成都")
    profile = answered.data("profile")
    assert profile["name"] == "蓝鲸智联" and profile["industry"] == "finance" and profile["region"]["city"] == "成都市"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_first_screen_of_a_brief_shows_the_profile_and_the_summary(page, viewport) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(viewport)
    ask(page, "临江市第一人民医院")  # an earlier reply, so the brief does not start at the top anyway
    ask(page, CUSTOMER)
    brief = ".msg-assistant:nth-of-type(4)"
    assert in_view(page, f"{brief} .profile-card"), "the view stays at the start of the new brief"
    summary = page.locator(f"{brief} .md h3", has_text="摘要")
    assert summary.is_visible() and in_view(page, f"{brief} .md.has-summary > h3")
    assert in_view(page, f"{brief} .md.has-summary > h3 + ul > li"), "and its first line"
    if viewport is DESKTOP:
        assert page.evaluate(
            f"""() => {{ const ul = document.querySelector('{brief} .md.has-summary > h3 + ul');
                       const m = document.getElementById('messages').getBoundingClientRect();
                       return ul.getBoundingClientRect().bottom <= m.bottom; }}"""
        ), "the whole summary fits on a desktop's first screen"
    toc = page.locator(f"{brief} .brief-toc a")
    assert toc.count() >= 5 and page.locator(f"{brief} details.brief-section").count() == toc.count()
    assert page.locator(f"{brief} details.brief-need[open]").count() >= 3
    groups = page.locator(f"{brief} .source-doc").count()
    passages = page.locator(f"{brief} .source-doc .source-ref").count()
    assert 0 < groups < passages, "sources are listed per document"
    toc.nth(2).click()
    assert page.locator(f"{brief} details.brief-section").nth(2).get_attribute("open") is not None


def test_exports_download_as_word_pdf_and_markdown(page) -> None:  # type: ignore[no-untyped-def]
    exchange = ask(page, CUSTOMER)
    sources = exchange.data("sources")["sources"]
    for fmt in ("docx", "pdf", "md"):
        with page.expect_download() as info:
            page.locator(f'.msg-assistant [data-action="export-{fmt}"]').click()
        download = info.value
        assert download.suggested_filename.endswith(f".{fmt}") and CUSTOMER in download.suggested_filename
        data = Path(download.path()).read_bytes()
        if fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        elif fmt == "pdf":
            text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
        else:
            text = data.decode("utf-8")
        assert CUSTOMER in text and "摘要" in text
        assert all(f"[{s['n']}]" in text for s in sources)


def test_print_styles_print_the_whole_brief_without_the_sidebar(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, CUSTOMER)
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details:not([open])").count() == 0, "every section opens for printing"
    page.emulate_media(media="print")
    for hidden in ("#sidebar", "#composer", ".topbar", ".msg-footer", ".brief-toc"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.evaluate("getComputedStyle(document.getElementById('messages')).overflowY") == "visible"
    pdf = page.pdf(format="A4")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 3, "the whole brief, not one screen"
    last = re.sub(r"[\s\x00]+", "", pages[-1].extract_text() + pages[-2].extract_text())
    assert "拜访时可以问的问题" in last or "来源" in last
    page.emulate_media(media="screen")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details:not([open])").count() > 0, "closed sections close again"


def test_the_print_button_prints_only_that_reply(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "临江市第一人民医院")
    ask(page, CUSTOMER)
    page.evaluate("() => { window.print = () => { window.__printed = document.body.className; window.dispatchEvent(new Event('afterprint')); }; }")
    page.locator('.msg-assistant:nth-of-type(4) [data-action="print"]').click()
    assert "print-one" in page.evaluate("window.__printed")
    assert not page.evaluate("document.body.classList.contains('print-one')"), "restored after printing"
