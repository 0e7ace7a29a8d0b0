"""Reading an enterprise's legal name: place + 字号 (brand) + trade words + 组织形式, brackets and branches.

    中国联合网络通信有限公司杭州市分公司  → base 中国联合网络通信有限公司, branch 杭州市分公司
    腾讯科技(深圳)有限公司               → stem 腾讯科技, bracket place 深圳
    北京快手科技有限公司                 → stem 北京快手科技, core 快手科技 (place 北京 peeled off)

`key()` is the form every table and every input is matched on. `is_trade()` says whether a text is made of
trade words and place names only, which is what may follow a brand in a legal name (快手 + 科技, 国网 +
浙江省电力): a brand is never read out of a name whose remainder is anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.gazetteer import Gazetteer
from assistant.name_rules import LEXICON, NameReading, name_key

__all__ = ["FORMS", "LegalName", "adjacent", "is_trade", "key", "parse", "st_abbreviations", "st_residue", "strip_decorations"]

# 组织形式, longest first; stripped from the end of a name, repeatedly.
FORMS = (
    "集团股份有限公司", "集团有限责任公司", "股份合作公司", "集团有限公司", "股份有限公司", "有限责任公司", "控股有限公司",
    "有限公司", "股份公司", "集团公司", "合伙企业", "总公司", "公司", "集团", "控股", "股份", "总厂", "有限",
)  # fmt: skip
_BRACKET_FORMS = ("集团", "控股", "有限合伙", "普通合伙", "特殊普通合伙", "股份", "中国", "香港", "国际")
# A unit of an organisation: the part after the parent's name (…公司杭州市分公司, …银行西湖支行).
_BRANCH = re.compile(
    r"^(?P<base>.+?(?:有限责任公司|股份有限公司|有限公司|公司|集团|银行))"
    r"(?P<unit>.+?(?:分公司|子公司|分行|支行|营业部|办事处|分部|分店|分中心|代表处|服务部|经营部|营业所|分院|分局|分厂))$"
)
_BRACKETS = re.compile(r"\(([^()]*)\)")
_DECORATION_HEAD = re.compile(r"^(?:\*?S?\*?ST|XD|XR|DR|N(?=[\u4e00-\u9fff]))", re.I)  # keys are lower-cased
_ST_HEAD = re.compile(r"^\*?s?\*?st(?P<residue>[\u4e00-\u9fff]{2})[ab]?$")  # on a key: *st鹭汀, st鹭汀a
_DECORATION_TAIL = re.compile(r"(?<=[\u4e00-\u9fff])(?:[AB]|-[A-Z]{1,3})$", re.I)

# Words that may follow a brand besides the sector lexicon: generic trade words of enterprise names.
GENERIC_TRADE = (
    "科技 技术 信息 信息技术 网络 网络技术 网络科技 电子 电子商务 商务 实业 投资 发展 控股 集团 股份 企业 国际 中国 贸易 "
    "商贸 文化 管理 咨询 服务 工程 建设 建筑 环境 生物 健康 智能 数字 软件 系统 计算机 计算机系统 通讯 设备 用品 创新 "
    "创意 设计 研究 研究院 研发 销售 营销 终端 产品 集成 生活 世纪 时代 中心 总部 分部 数码 视界 在线 传媒 音乐 视频 "
    "娱乐 影业 游戏 广告 出行 旅行 旅游 金服 支付 财富 资本 保险 人寿 财险 证券 汽车 动力 能源 新能源 电力 半导体 智造 "
    "制造 工业 重工 机械 机器人 云 云计算 人工智能 大数据 物联 互联 互联网 移动 通信 宽带 卫星 快递 物流 速递 供应链 置业 "
    "地产 物业 商业 商管 乳业 食品 饮料 酒业 啤酒 医药 药业 制药 医疗 器械 光电 光学 精密 新材料 材料 化工 化学 体育 服饰 "
    "服装 鞋业 家居 电器 家电 厨具 卫浴 照明 餐饮 酒店 咖啡 茶饮 零售 超市 百货 连锁 便利店 商城 电商 教育 培训 学校 "
    "职业 企业管理 运营 外卖 生鲜 农业 牧业 养殖 种业 水产 食品科技 有限 总厂 工厂 厂 店 行 馆 部 局 院 所 站 第一 第二 第三 "
    "安全 产业 实业发展 贸易发展 进出口 国际贸易 工业区 工业园 产业园 科技园"
).split()


# Sectors whose trade words sit in each other's legal names (a battery maker's 新能源科技, a pig farmer's 食品, a
# camera maker's 数字技术, a video platform's 传媒): such a word describes a known brand's business loosely and
# never outweighs what is known about the brand. An organisation word (银行, 医院) always does.
ADJACENT = frozenset(
    frozenset(pair) for pair in (("manufacturing", "internet"), ("manufacturing", "telecom"), ("internet", "telecom"),
                                 ("manufacturing", "energy"), ("manufacturing", "agriculture"), ("internet", "media"))
)  # fmt: skip


def adjacent(reading: NameReading, industry: str) -> bool:
    """Whether the trade word that decides `reading` belongs to a sector neighbouring `industry`."""
    head = reading.head
    return head is not None and head.rule.tier < 3 and frozenset((reading.industry, industry)) in ADJACENT


@lru_cache(maxsize=1)
def trade_words() -> frozenset[str]:
    words = {w.rstrip("$") for tiers in LEXICON.values() for ws in tiers.values() for w in ws.split()}
    return frozenset(words | set(GENERIC_TRADE))


@lru_cache(maxsize=1)
def _longest_trade_word() -> int:
    return max(len(w) for w in trade_words())


def key(raw: str) -> str:
    """The matching key: NFKC, no spaces (name_key), ASCII lower-cased."""
    return name_key(raw).lower()


def strip_decorations(text: str) -> str:
    """Stock-list decorations: *ST/ST/XD… in front, a share class (…A, …B) or -W/-SW/-US behind."""
    text = _DECORATION_HEAD.sub("", text)
    stripped = _DECORATION_TAIL.sub("", text)
    return stripped if len(stripped) >= 2 else text


def st_residue(text: str) -> str | None:
    """The two characters after a special-treatment prefix (*st鹭汀 → 鹭汀), on a key; None for any other name."""
    match = _ST_HEAD.match(text)
    return match["residue"] if match else None


def st_abbreviations(short: str, place_first: bool, neutral_tail: bool = False) -> list[tuple[str, int]]:
    """What *ST/ST would cut a listed short name down to, with a tier: 2 for the usual conventions, 1 for the rarer.

    The exchanges cap a short name at four characters, so the prefix leaves two of its own. Among the A-share
    companies listed.tsv records under both an ST name and a plain one, the 字号 (the first two characters)
    is kept most of the time (…股份 → *ST…, 三字名 → its first two); the last two are kept when the first
    two are a place (临江鹭汀 → *ST鹭汀). Rarer, and so only a fallback: the last two otherwise, first and last
    (西宁特钢 → *ST西钢, 东方鸣 → *ST东鸣), first and third, second and third. `place_first`: whether the
    first two characters are a place name; `neutral_tail`: whether the name ends with a word that says nothing
    (股份, 集团): then only its 字号 is kept.
    """
    if not re.fullmatch(r"[\u4e00-\u9fff]{3,4}", short):
        return []
    if neutral_tail:
        return [(short[:2], 2)]
    if len(short) == 3:
        pairs = [(short[:2], 2), (short[1:], 1), (short[0] + short[2], 1)]
    else:
        pairs = [(short[:2], 2), (short[2:], 2 if place_first else 1), (short[0] + short[3], 1),
                 (short[0] + short[2], 1), (short[1:3], 1)]  # fmt: skip
    best: dict[str, int] = {}
    for text, tier in pairs:
        best[text] = max(tier, best.get(text, 0))
    return list(best.items())


def strip_forms(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for form in FORMS:
            if text.endswith(form) and len(text) - len(form) >= 2:
                text, changed = text[: -len(form)], True
                break
    return text


def is_trade(text: str, gazetteer: Gazetteer) -> bool:
    """Whether `text` segments wholly into trade words, place names, ordinals and digits (empty text is)."""
    words = trade_words()
    longest = _longest_trade_word()

    @cache
    def fits(i: int) -> bool:
        if i == len(text):
            return True
        for n in range(min(longest + 4, len(text) - i), 0, -1):
            piece = text[i : i + n]
            known = piece in words or piece in gazetteer.full or piece in gazetteer.province_short \
                or piece in gazetteer.short or re.fullmatch(r"[0-9a-z]+|第[一二三四五六七八九十]+", piece)
            if known and fits(i + n):
                return True
        return False

    return fits(0)


@dataclass(frozen=True)
class LegalName:
    """The parts of one name; every field is a matching key (see `key`)."""

    full: str
    base: str  # without the branch unit
    unit: str  # 杭州市分公司, or ""
    stem: str  # base without brackets and 组织形式
    core: str  # stem without the places that open it
    opening: str  # those places (浙江省杭州市, 北京)
    bracket_places: tuple[str, ...]  # places written in brackets: 腾讯科技(深圳)有限公司 → 深圳

    def variants(self) -> list[str]:
        """Distinct keys to try, most specific first."""
        out: list[str] = []
        for text in (self.full, self.base, strip_decorations(self.base), self.stem, self.core):
            if text and text not in out:
                out.append(text)
        return out


def parse(raw: str, gazetteer: Gazetteer) -> LegalName:
    full = key(raw)
    branch = _BRANCH.match(full)
    base, unit = (branch["base"], branch["unit"]) if branch else (full, "")
    places: list[str] = []

    def bracket(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner and _is_place(inner, gazetteer):
            places.append(inner)
            return ""
        return "" if inner in _BRACKET_FORMS or not inner else match.group(0)

    unbracketed = _BRACKETS.sub(bracket, base)
    stem = strip_forms(strip_decorations(unbracketed))
    stem = _BRACKETS.sub("", stem) or stem  # what is left in brackets is a note (哔哩哔哩(B站))
    opening = gazetteer.leading(stem)
    core = stem[len(opening):] if len(stem) - len(opening) >= 2 else stem
    return LegalName(full, base, unit, stem, core, opening if core != stem else "", tuple(places))


def _is_place(text: str, gazetteer: Gazetteer) -> bool:
    match = gazetteer.find(text, relaxed=True)
    return match is not None and "".join(s for s, _ in match.spans) == text
