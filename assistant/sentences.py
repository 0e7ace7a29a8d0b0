"""Cutting Markdown-ish Chinese text into sentences, verbatim, and a token stream into complete sentences.

    split_sentences("第一句。第二句[1]。\n")   # two text segments; "".join(s.text ...) gives the text back
    cutter = SentenceCutter(); cutter.feed(tokens) ...; cutter.flush()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["MARKER", "Segment", "SegmentKind", "SentenceCutter", "parse_markers", "split_sentences"]

SegmentKind = Literal["heading", "text", "table", "blank"]

MARKER = re.compile(r"[\[［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]］]")
_MARKER_PREFIX = re.compile(r"[\[［][\d,，、 ]*")  # a marker still being streamed
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)\"']*(?:[ \t]*" + MARKER.pattern + r")*")
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+")
_BOLD_LINE = re.compile(r"^[ \t]*\*\*[^*\n]+\*\*[:：]?[ \t]*$")
_LEAD = re.compile(  # indentation, quote marks, a list bullet, a bold label such as **为什么**：
    r"^[ \t]*(?:>[ \t]*)*"
    r"(?:[-*+•·][ \t]+|\d{1,2}[.)][ \t]+|\d{1,2}、|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}、)?"
    r"(?:\*\*[^*\n]{1,24}\*\*(?:[（(][^）)\n]{1,12}[）)])?[:：][ \t]*)?"
)
_TABLE = re.compile(r"^[ \t]*\|")


@dataclass(frozen=True)
class Segment:
    """One sentence (or a heading / table row / blank line) with the text around it, verbatim.

    `"".join(s.text for s in split_sentences(t)) == t` always holds.
    """

    lead: str  # line prefix: heading marks, list bullet, indentation (shared by the line's sentences)
    body: str  # the sentence itself, trailing [n] markers included
    tail: str  # whitespace after it; ends with "\n" when the sentence ends its line
    kind: SegmentKind
    first: bool = True  # first sentence of its line (the one that carries `lead`)
    level: int = 0  # heading level: 1-6 for `#`, 7 for a bold-only line

    @property
    def text(self) -> str:
        return (self.lead if self.first else "") + self.body + self.tail

    @property
    def ends_line(self) -> bool:
        return self.tail.endswith("\n")


def _split_line(line: str) -> list[Segment]:
    content = line.rstrip("\r\n")
    newline = line[len(content) :]
    stripped = content.rstrip()
    trailing = content[len(stripped) :] + newline
    if not stripped.strip():
        return [Segment("", "", line, "blank")]
    if heading := _HEADING.match(stripped):
        return [Segment(heading.group(0), stripped[heading.end() :], trailing, "heading", level=len(heading.group(1)))]
    if _BOLD_LINE.match(stripped):
        return [Segment("", stripped, trailing, "heading", level=7)]
    if _TABLE.match(stripped):
        return [Segment("", stripped, trailing, "table")]
    lead = _LEAD.match(stripped).group(0)  # type: ignore[union-attr]  # always matches
    rest = stripped[len(lead) :]
    if not rest:
        return [Segment("", "", line, "blank")]
    pieces: list[tuple[str, str]] = []
    start = 0
    for end in _SENTENCE_END.finditer(rest):
        stop = end.end()
        gap = len(rest[stop:]) - len(rest[stop:].lstrip(" \t\u3000"))
        pieces.append((rest[start:stop], rest[stop : stop + gap]))
        start = stop + gap
    if start < len(rest):
        pieces.append((rest[start:], ""))
    last, spacing = pieces[-1]
    pieces[-1] = (last, spacing + trailing)
    return [Segment(lead, body, tail, "text", first=i == 0) for i, (body, tail) in enumerate(pieces)]


def split_sentences(text: str) -> list[Segment]:
    """Cut Markdown-ish Chinese text into sentences after 。！？!? and at line ends.

    Trailing `[n]` markers (and closing quotes) stay with their sentence; a heading,
    a bold-only line or a table row is one segment; list bullets go to `lead`.
    """
    return [segment for line in text.splitlines(keepends=True) for segment in _split_line(line)]


def parse_markers(text: str) -> tuple[int, ...]:
    """Source numbers cited in `text`, in order, without repeats: `[1][2]`, `[1,2]`, `[1、2]`."""
    numbers = (int(n) for match in MARKER.finditer(text) for n in re.split(r"\s*[,，、]\s*", match.group(1)))
    return tuple(dict.fromkeys(numbers))


class SentenceCutter:
    """Cuts a token stream into complete `Segment`s; `feed` chunks, then `flush` once."""

    def __init__(self) -> None:
        self._buffer = ""  # from the start of the current line
        self._done = 0  # segments of the current line already handed out

    def feed(self, text: str) -> list[Segment]:
        self._buffer += text
        return self._take(final=False)

    def flush(self) -> list[Segment]:
        return self._take(final=True)

    def _take(self, *, final: bool) -> list[Segment]:
        segments = split_sentences(self._buffer)
        out: list[Segment] = []
        skip = self._done  # only the first line of the buffer has segments handed out earlier
        in_line = position = line_start = 0
        for i, segment in enumerate(segments):
            if i and segment.first:
                in_line = skip = 0
            nxt = segments[i + 1] if i + 1 < len(segments) else None
            # a finished sentence may still get trailing markers: wait for a character that is not one
            complete = final or segment.ends_line or (nxt is not None and not _MARKER_PREFIX.fullmatch(nxt.body))
            if not complete:
                break
            if in_line >= skip:
                out.append(segment)
            in_line += 1
            position += len(segment.text)
            if segment.ends_line:
                line_start, in_line = position, 0
        self._buffer = "" if final else self._buffer[line_start:]
        self._done = 0 if final else in_line
        return out
