"""The reply's Markdown as a list of blocks, for the Word and PDF renderers (the subset our writers emit)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_LABEL = re.compile(r"^\*\*([^*]{1,40})\*\*[：:]?\s*(.*)$")


@dataclass(frozen=True)
class Block:
    kind: Literal["heading", "bullet", "paragraph", "quote"]
    text: str
    level: int = 0  # heading level, or bullet depth
    label: str | None = None  # a bold label opening the block ("为什么")


def _plain(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).replace("`", "")


def _labelled(kind, text: str, level: int = 0) -> Block:  # type: ignore[no-untyped-def]
    match = _LABEL.match(text)
    if match:
        return Block(kind, _plain(match.group(2)), level, match.group(1).rstrip("：:"))
    return Block(kind, _plain(text), level)


def blocks(markdown: str) -> list[Block]:
    found: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            found.append(_labelled("paragraph", "".join(paragraph)))
            paragraph.clear()

    for line in markdown.splitlines():
        if not line.strip():
            flush()
        elif match := _HEADING.match(line):
            flush()
            found.append(Block("heading", _plain(match.group(2)), len(match.group(1))))
        elif match := _BULLET.match(line):
            flush()
            found.append(_labelled("bullet", match.group(2), 1 + len(match.group(1)) // 2))
        elif match := _ORDERED.match(line):
            flush()
            found.append(_labelled("bullet", match.group(1), 1))
        elif match := _QUOTE.match(line):
            flush()
            found.append(Block("quote", _plain(match.group(1))))
        else:
            paragraph.append(line.strip())
    flush()
    return found
