"""Reading corpus passages: sentences, sections and term overlap.

The planner and the composer only ever quote whole sentences of a passage,
so every sentence they emit is supported by the passage it cites.
"""

from __future__ import annotations

import re

from retrieval import tokenize
from retrieval.models import Chunk

# A sentence ends at 。！？ (or ；) and any closing quote/bracket right after it.
_SENTENCE = re.compile(r"[^。！？；!?\n]+(?:[。！？；!?]+[”’」』）)]*|$)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.、)])\s+")
_QUOTE = re.compile(r"^\s*>\s*")
MIN_SENTENCE_CHARS = 8


def sentences(text: str) -> list[str]:
    """Whole sentences of a passage, list bullets and quote marks removed."""
    found: list[str] = []
    for line in text.splitlines():
        line = _QUOTE.sub("", _BULLET.sub("", line)).strip()
        if not line or line.startswith("#"):
            continue
        for match in _SENTENCE.finditer(line):
            sentence = match.group(0).strip()
            if len(sentence) >= MIN_SENTENCE_CHARS:
                found.append(_end_with_stop(sentence))
    return found


def _end_with_stop(sentence: str) -> str:
    # A sentence cut at ；or ending a list line gets a full stop so the brief reads well.
    if sentence.endswith(("；", ";")):
        return sentence[:-1] + "。"
    if sentence[-1] not in "。！？!?”’」』）)：:":
        return sentence + "。"
    return sentence


def bullets(text: str) -> list[str]:
    """The items of a Markdown list inside a passage."""
    return [_BULLET.sub("", line).strip() for line in text.splitlines() if _BULLET.match(line)]


def section(chunk: Chunk) -> str:
    """The section a chunk belongs to: its innermost heading below the title."""
    parts = [p for p in chunk.heading.split(" > ") if p]
    return parts[-1] if len(parts) > 1 else ""


def terms(text: str) -> set[str]:
    return set(tokenize.words(text))


def overlap(query_terms: set[str], text: str) -> float:
    """Share of the query's terms that occur in the text (0..1)."""
    if not query_terms:
        return 0.0
    found = terms(text)
    return len(query_terms & found) / len(query_terms)


def has_article(sentence: str) -> bool:
    return bool(re.search(r"第[一二三四五六七八九十百零〇\d]+条", sentence))
