"""Street addresses below city level: roads and numbers, buildings and parks, towns and villages.

杭州市西湖区文三路90号东部软件园5号楼 → the place run is generalised by places.py (浙江省), the rest
is one address finding ([地址]). A road word alone is not an address (思路, 链路, 线路): it needs a
house number after it, or jieba reading it as a proper name, or a district right before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from community.redaction.lexicon import GENERIC_MODIFIERS
from community.redaction.models import FindingKind as K
from community.redaction.places import is_place
from community.redaction.spans import Candidate, Context, ordinary_word

__all__ = ["detect_addresses"]

_NUM = r"[0-9一二三四五六七八九十百零〇]+"
ROAD = re.compile(r"(?:大道|大街|路|街(?!道)|巷|弄|胡同)")
HOUSE = re.compile(rf"(?:(?:[东西南北中]段|[东西南北]延伸段)?{_NUM}(?:-{_NUM})?(?:号院|号|弄))")
UNITS = re.compile(rf"(?:[ ]?(?:[A-Za-z]|{_NUM})+(?:号楼|幢|栋|座|单元|层|楼|室|号|区|期|号门))+")
BUILDING = re.compile(
    r"(?:大厦|大楼|广场|园区|产业园|软件园|科技园|工业园|创业园|孵化园|写字楼|小区|花园|公寓|商务楼|商务中心|科创园|创新园|"
    r"产业基地|智谷|金融港|创意园|办公楼|综合楼|门诊楼|住院楼|科研楼|行政楼)"
)
BUILDING_WORDS = ("园", "大厦", "大楼", "广场", "中心", "苑", "城", "座", "楼", "港", "谷", "基地")
NAMED_BUILDING = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:" + "|".join(BUILDING_WORDS) + ")")
TOWN = re.compile(r"(?:街道|镇|乡|村|社区|开发区|高新区|新区|工业区|保税区)")
_GENERIC_BUILDING = frozenset(
    "智慧 工业 产业 科技 软件 数据 云 创新 创业 商业 金融 物流 信息 安全 医疗 教育 办公 行政 综合 新 老 该 本 此 这 某 "
    "农村 乡村 城镇 城乡 美丽 数字 智能 文化 生态 特色 城市 社区 示范 试点 长租 政企 老旧 高端 共享 人才".split()
)
_ORG_HEADS = ("公司", "集团", "医院", "银行", "大学", "学院", "学校", "中学", "小学", "政府", "委员会", "研究院", "研究所")
_STOP_WORDS = frozenset("位于 地处 坐落 坐落于 地址 搬迁 搬到 迁至 迁到 设在 设于 在 于 到 至 从 是 为 和 与 及 的 处".split())


def _left_name(ctx: Context, end: int, max_chars: int = 8) -> int:
    """Start of the proper name ending at `end`, over at most `max_chars` characters of words."""
    i = ctx.token_at[end - 1] if end > 0 else 0
    start = ctx.tokens[i].start
    while i > 0:
        prev = ctx.tokens[i - 1]
        if (
            prev.word in _STOP_WORDS
            or prev.word.endswith(_ORG_HEADS)
            or is_place(prev.word)
            or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", prev.word)
            or prev.tag.startswith(("p", "c", "u", "r", "d", "v", "x"))
            or end - prev.start > max_chars
        ):
            break
        i -= 1
        start = prev.start
    return start


def _specific(words: str) -> bool:
    """A proper name in front of 大厦/园区/街道: not generic words (智慧园区, 中小企业和产业园, 进出小区)."""
    if not words or words in _GENERIC_BUILDING or words in GENERIC_MODIFIERS or words.startswith("某"):
        return False
    if any(c in "和与及、，,或的在" for c in words):
        return False
    return not ordinary_word(words)


def _roads(ctx: Context) -> Iterator[Candidate]:
    f = ctx.folded
    for m in ROAD.finditer(f):
        if m.start() == 0:
            continue
        house = HOUSE.match(f, m.end())
        tok = ctx.tokens[ctx.token_at[m.start()]]
        named = tok.end == m.end() and tok.tag in ("ns", "nz", "nt") and len(tok.word) >= 3
        start = _left_name(ctx, m.start())
        after_place = start > 0 and is_place(ctx.tokens[ctx.token_at[start - 1]].word)
        if start >= m.start() or not (house or named or after_place):
            continue
        if (not house and not _specific(f[start : m.start()])) or f[start:].startswith("某"):
            continue
        end = house.end() if house else m.end()
        building = NAMED_BUILDING.match(f, end) if house else None  # …998号海创园18幢
        if building and (UNITS.match(f, building.end()) or building.group().endswith(BUILDING_WORDS)):
            end = building.end()
        units = UNITS.match(f, end)
        yield Candidate(start, units.end() if units else end, K.address, key=f[start:end])


def _buildings(ctx: Context) -> Iterator[Candidate]:
    f = ctx.folded
    for pattern in (BUILDING, TOWN):
        for m in pattern.finditer(f):
            if m.end() < len(f) and not ctx.ends_token(m.end()) and pattern is TOWN:
                continue
            start = _left_name(ctx, m.start(), max_chars=6)
            front = f[start : m.start()]
            if start >= m.start() or not _specific(front) or len(front) < 2:
                continue
            tok = ctx.tokens[ctx.token_at[start]]
            if pattern is TOWN and m.group() not in ("街道", "镇") and tok.tag not in ("ns", "nz", "nr", "nrt", "nt", "j") and not is_place(front):
                continue
            units = UNITS.match(f, m.end())
            yield Candidate(start, units.end() if units else m.end(), K.address, key=f[start : m.end()])


def _units(ctx: Context, taken: list[Candidate]) -> Iterator[Candidate]:
    """Floor and room numbers right after an address (…东部软件园 5号楼3层): part of it."""
    for c in taken:
        m = UNITS.match(ctx.folded, c.end)
        if m:
            c.end = m.end()
    return iter(())


def detect_addresses(ctx: Context) -> list[Candidate]:
    found = sorted(list(_roads(ctx)) + list(_buildings(ctx)), key=lambda c: (c.start, -c.end))
    merged: list[Candidate] = []
    for c in found:  # 文三路90号 + 东部软件园: one address
        if merged and c.start <= merged[-1].end + 1:
            merged[-1].end = max(merged[-1].end, c.end)
        else:
            merged.append(c)
    list(_units(ctx, merged))
    for c in merged:
        c.key = ctx.folded[c.start : c.end]
    return merged
