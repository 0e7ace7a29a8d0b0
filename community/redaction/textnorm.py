"""Fold a text for matching without moving any character: offsets into the fold are offsets into
the original.

- full-width digits, letters and punctuation → ASCII (１３８ → 138, ＡＢ → AB, ＠ → @);
- the ideographic space and other odd spaces → " ";
- traditional characters → simplified (張 → 张, 醫院 → 医院) through OpenCC's one-to-one table.

Characters whose NFKC form is longer than one character (㎡, ①…) stay as they are.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["fold", "to_simplified_char"]

_T2S_FILE = Path(__file__).with_name("t2s.txt")
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u200a\u202f\u205f"
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\uff0d": "-"}


@lru_cache(maxsize=1)
def _t2s() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _T2S_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            source, target = line.split("\t")
            table[source] = target
    return table


def to_simplified_char(ch: str) -> str:
    return _t2s().get(ch, ch)


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    if ch in _SPACES:
        return " "
    if ch in _DASHES:
        return _DASHES[ch]
    if ch == "\uff0c":  # ， stays: folded to "," it would read as a thousands separator (003，3980万元)
        return ch
    if "\uff01" <= ch <= "\uff5e" or ch == "\uffe5":
        folded = unicodedata.normalize("NFKC", ch)
        return folded if len(folded) == 1 else ch
    return _t2s().get(ch, ch)


def fold(text: str) -> str:
    """The matching form of `text`, exactly as long as `text`."""
    return "".join(_fold_char(ch) for ch in text)
