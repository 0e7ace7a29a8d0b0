"""The engine's working types: a `Context` over one text and the `Candidate` spans detectors propose.

Detectors read `ctx.folded` (same length as the original, see textnorm) and return candidates;
the engine picks non-overlapping ones by priority and length, then names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import rjieba

from community.redaction.models import FindingKind
from community.redaction.textnorm import fold

__all__ = ["PRIORITY", "Candidate", "Context", "Token", "common_word", "ordinary_word"]


@lru_cache(maxsize=16384)
def common_word(word: str, min_freq: int = 50) -> bool:
    """A frequent word of jieba's dictionary that is not a person's name: 常务, 安全, 方案, 配套 (not 常远, 明远)."""
    if len(word) < 2 or not rjieba.has_word(word):
        return False
    tags = rjieba.tag(word, False)
    return len(tags) == 1 and not tags[0][1].startswith("nr") and rjieba.suggest_freq(word) >= min_freq


@lru_cache(maxsize=16384)
def ordinary_word(word: str, min_freq: int = 200) -> bool:
    """A frequent word, or one made of frequent words (在线教育 = 在线 + 教育): nothing in it names anyone."""
    if common_word(word, min_freq):
        return True
    parts = {p for p in rjieba.cut_for_search(word, False) if 2 <= len(p) < len(word)}
    pos = 0
    while pos < len(word):  # tile the word with its frequent sub-words, longest first
        step = next((p for p in sorted(parts, key=len, reverse=True) if word.startswith(p, pos) and common_word(p, min_freq)), None)
        if step is None:
            return False
        pos += len(step)
    return True

# Higher wins an overlap; equal priorities prefer the longer span.
PRIORITY: dict[FindingKind, int] = {
    FindingKind.manual: 100,
    FindingKind.email: 95,
    FindingKind.domain: 92,
    FindingKind.id_card: 90,
    FindingKind.credit_code: 90,
    FindingKind.bank_card: 88,
    FindingKind.phone: 87,
    FindingKind.customer: 85,
    FindingKind.ip: 84,
    FindingKind.project_no: 83,
    FindingKind.plate: 82,
    FindingKind.org: 70,
    FindingKind.address: 65,
    FindingKind.person: 60,
    FindingKind.amount: 40,
    FindingKind.date: 40,
    FindingKind.headcount: 40,
    FindingKind.beds: 40,
    FindingKind.place: 30,
}


@dataclass(frozen=True)
class Token:
    word: str
    tag: str
    start: int
    end: int


@dataclass
class Candidate:
    start: int
    end: int
    kind: FindingKind
    key: str = ""  # what makes two mentions the same entity (digits of a phone, a person's name …)
    replacement: str | None = None  # fixed by the detector (generalised values), else named by the engine
    hint: str = ""  # what the engine needs to name it: a surname, an organisation type
    priority: int = field(default=-1)

    def __post_init__(self) -> None:
        if self.priority < 0:
            self.priority = PRIORITY[self.kind]

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


class Context:
    """One text under redaction. Tokens (jieba words with part-of-speech tags) are computed once, lazily."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)

    @cached_property
    def tokens(self) -> list[Token]:
        out: list[Token] = []
        pos = 0
        for word, tag in rjieba.tag(self.folded, True):
            out.append(Token(word, tag, pos, pos + len(word)))
            pos += len(word)
        return out

    @cached_property
    def token_at(self) -> list[int]:
        """Index of the token covering each character."""
        index = [0] * (len(self.folded) + 1)
        for i, tok in enumerate(self.tokens):
            for p in range(tok.start, tok.end):
                index[p] = i
        index[len(self.folded)] = len(self.tokens)
        return index

    def starts_token(self, pos: int) -> bool:
        return pos == 0 or (0 < pos < len(self.folded) and self.tokens[self.token_at[pos]].start == pos)

    def ends_token(self, pos: int) -> bool:
        if pos >= len(self.folded):
            return pos == len(self.folded)
        return pos > 0 and self.tokens[self.token_at[pos - 1]].end == pos
