"""Reading corpus passages: sentences, sections and term overlap.

The planner and the composer only ever quote whole sentences of a passage,
so every sentence they emit is supported by the passage it cites. A sentence
that announces a list ("信创替代方案通常覆盖四个层面。", "有三种常见部署方式：")
is kept together with its items, or not at all: a brief never promises a list
it does not give.

    sentences("有三种部署方式：单品；一体机；云上服务。")  # one sentence, not three
"""

from __future__ import annotations

import re

from retrieval import tokenize
from retrieval.models import Chunk

# A sentence ends at 。！？ and any closing quote/bracket right after it; a line end also ends one.
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[”’」』）)]*|$)")
_CLAUSE = re.compile(r"[^；;]+(?:[；;]|$)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.、)])\s+")
_QUOTE = re.compile(r"^\s*>\s*")
# "覆盖四个层面。", "有三种常见部署方式：", "分五步推进。", "按以下路径报告。": the sentence ends by announcing items.
# Not: "第三级" (an ordinal), "0级至5级" (a range), "C3、C2、C1三类" (items given), "10万元以下罚款" (a bound).
_NUMERAL = re.compile(r"(?<![第至到这那该每\d])(?:[一二三四五六七八九十两几]|\d{1,2})")
_COUNT_TAIL = re.compile(
    r"(?:[一二三四五六七八九十两几]|\d{1,2})(?:个|种|类|项|大|条|步|点|层)?[^，。；、]{0,4}"
    r"(?:方面|层面|部分|环节|阶段|步骤|类别|方式|方向|步|类|种|项|层|点|推进|进行|组成|构成|展开)[：:。]?$"
)
_COUNT_VERB = re.compile(r"(?:包括|分为|覆盖|涵盖|有|分|按|从|由|含)[^，。；、]{0,6}$")
_LIST_TAIL = re.compile(r"(?<![\d一二三四五六七八九十百千万元倍级%])(?:以下|如下)[^，。；、\d]{0,8}[：:。]?$")
_ITEM = re.compile(r"^[^，。：:；]{1,14}[：:]")  # "终端：国产CPU整机……", "第一步定级：……"
MIN_SENTENCE_CHARS = 8
MAX_ITEMS = 8


def _lines(text: str) -> list[tuple[bool, str]]:
    """(is a list item, text) per non-empty line, quote marks and list bullets removed."""
    found = []
    for line in text.splitlines():
        bullet = bool(_BULLET.match(line))
        line = _QUOTE.sub("", _BULLET.sub("", line)).strip()
        if line and not line.startswith("#"):
            found.append((bullet, line))
    return found


def _raw_sentences(line: str) -> list[str]:
    """Sentences of one line; a long sentence is cut at ；, unless a colon opens an enumeration in it."""
    out: list[str] = []
    for match in _SENTENCE.finditer(line):
        sentence = match.group(0).strip()
        if not sentence:
            continue
        head = sentence.split("；", 1)[0].split(";", 1)[0]
        if "：" in head or ":" in head:  # "三种方式：A；B；C。" is one statement
            out.append(sentence)
        else:
            out += [c.strip() for c in _CLAUSE.findall(sentence) if c.strip()]
    return out


def announces_list(sentence: str) -> bool:
    """Whether the sentence ends by announcing items it does not itself give."""
    if _LIST_TAIL.search(sentence):
        return True
    return any(
        _COUNT_TAIL.fullmatch(sentence, number.start()) and _COUNT_VERB.search(sentence[: number.start()])
        for number in _NUMERAL.finditer(sentence)
    )


def sentences(text: str) -> list[str]:
    """Whole sentences of a passage, list bullets and quote marks removed; a list announcer carries its items."""
    units: list[tuple[bool, str]] = []  # (is a list item or an item-like sentence, sentence)
    for bullet, line in _lines(text):
        for sentence in _raw_sentences(line):
            units.append((bullet, sentence))
    found: list[str] = []
    i = 0
    while i < len(units):
        _bullet, sentence = units[i]
        i += 1
        if sentence.endswith(("：", ":")) or announces_list(sentence):
            items: list[str] = []
            while i < len(units) and len(items) < MAX_ITEMS and _is_item(*units[i]):
                items.append(units[i][1].rstrip("。；;"))
                i += 1
            if items:
                found.append(_end_with_stop(sentence.rstrip("：:。") + "：" + "；".join(items)))
                continue
            sentence = _without_announcement(sentence)
            if not sentence:
                continue
        if len(sentence) >= MIN_SENTENCE_CHARS:
            found.append(_end_with_stop(sentence))
    return found


def _is_item(bullet: bool, sentence: str) -> bool:
    """A list bullet, or a "label：…" sentence that is not itself the start of another list."""
    if bullet:
        return True
    label = _ITEM.match(sentence)
    return label is not None and not announces_list(label.group(0))


def _without_announcement(sentence: str) -> str:
    """"事件分为四级，属于较大以上的须按以下路径报告。" → "事件分为四级。"; "" when nothing else is said."""
    body = sentence.rstrip("：:。")
    head, comma, _tail = body.rpartition("，")
    if not comma or len(head) < MIN_SENTENCE_CHARS:
        return ""
    return head + "。"


def _end_with_stop(sentence: str) -> str:
    # A sentence cut at ；or ending a list line gets a full stop so the brief reads well.
    if sentence.endswith(("；", ";", "：", ":", "，", ",")):
        return sentence[:-1] + "。"
    if sentence[-1] not in "。！？!?”’」』）)":
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
