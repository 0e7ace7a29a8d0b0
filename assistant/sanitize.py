"""No raw HTML in answers, on any channel: tags and comments are removed, their text kept.

Answers are Markdown. Our web UI escapes everything it renders, but `/v1` clients and partners'
own pages may render Markdown that lets HTML through, and an answer quotes corpus passages (or an
LLM's words) verbatim. So the advisor's text leaves without tags: `<script>alert(1)</script>`
becomes `alert(1)`, `<img src=x onerror=…>` disappears, `a < b` and `<10 人` stay.

    strip_html("见<b>第三条</b><script>x()</script>")   # "见第三条x()"
    without_html(events)                                # the same on a stream of DeltaEvents
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeVar

__all__ = ["HtmlStripper", "strip_html", "without_html"]

# A tag, an HTML comment, a CDATA section or a processing instruction.
MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^<>]*>|<\?.*?\?>", re.S)
# The start of something that may become markup once more text arrives.
_OPEN = re.compile(r"<(?:[A-Za-z/!?][^<>]*)?$")
MAX_PENDING = 500  # a `<` this far back with no `>` is just a less-than sign

E = TypeVar("E")


def strip_html(text: str) -> str:
    previous = None
    while previous != text:  # `<scr<b>ipt>` must not leave a tag behind
        previous, text = text, MARKUP.sub("", text)
    return text


class HtmlStripper:
    """`strip_html` over streamed text, holding back a tag split across pieces."""

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, text: str) -> str:
        text = strip_html(self.pending + text)
        open_tag = _OPEN.search(text)
        if open_tag is None or len(text) - open_tag.start() > MAX_PENDING:
            self.pending = ""
            return text
        self.pending = text[open_tag.start() :]
        return text[: open_tag.start()]

    def flush(self) -> str:
        out, self.pending = self.pending, ""
        return strip_html(out)


def without_html(events: Iterator[E]) -> Iterator[E]:
    """The events unchanged, except the text of DeltaEvents, stripped of HTML (closing this closes `events`)."""
    from assistant.events import DeltaEvent, DoneEvent, ErrorEvent  # events → models → this module: import late

    stripper = HtmlStripper()
    try:
        for event in events:
            if isinstance(event, DeltaEvent):
                if event.replace:
                    stripper = HtmlStripper()
                text = stripper.feed(event.text)
                if text or event.replace:
                    yield DeltaEvent(text=text, replace=event.replace)  # type: ignore[misc]
                continue
            if isinstance(event, DoneEvent | ErrorEvent) and (tail := stripper.flush()):
                yield DeltaEvent(text=tail)  # type: ignore[misc]
            yield event
        if tail := stripper.flush():  # a writer's stream ends without `done` (the advisor adds it)
            yield DeltaEvent(text=tail)  # type: ignore[misc]
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
