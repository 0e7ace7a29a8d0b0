"""Aliases of the customer's name: what colleagues actually write instead of the legal name.

`propose_aliases("杭州市第一人民医院")` → 杭州市第一人民医院, 杭州第一人民医院, 市第一人民医院, 杭州市一院,
杭州一院, 市一院, 杭州市一医院 … and for companies the name without its form (有限公司), without its
place, and its 字号 (杭州明远信息技术有限公司 → 明远信息技术, 明远科技, 明远).

The organisation knowledge base (assistant/orgs/, being built) knows short names and brands no
rule can derive (美团 for 北京三快在线科技有限公司); it plugs in as an `AliasSource`.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

import rjieba

from assistant.name_rules import match_words
from community.redaction.lexicon import DOMAIN_WORDS
from community.redaction.orgs import AUTHORITY_WORDS
from community.redaction.places import _gaz, is_place
from community.redaction.spans import common_word, ordinary_word
from community.redaction.textnorm import fold

__all__ = ["AliasSource", "propose_aliases"]


@runtime_checkable
class AliasSource(Protocol):
    """Anything that knows more names for an organisation (the org knowledge base, a partner's directory)."""

    def aliases(self, name: str) -> list[str]: ...


FORMS = ("集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "(集团)", "集团", "总公司", "公司")
TRADES = ("系统集成", "信息技术", "信息科技", "网络科技", "数据科技", "数字科技", "智能科技", "电子科技", "软件技术", "科技", "信息", "网络", "软件",
          "技术", "电子", "数据", "智能", "通信", "系统", "实业", "贸易", "发展", "控股", "投资", "咨询", "服务", "工程")  # fmt: skip
NUMERALS = "一二三四五六七八九十"
# Never proposed alone: they name a kind of organisation, not one.
TOO_GENERIC = frozenset(
    "人民医院 中医院 中心医院 医院 银行 大学 学院 政府 人民政府 公司 集团 中心 一院 二院 三院 市政府 省政府 县政府 区政府 "
    "市医院 县医院 省医院 农商行 城商行 信用社 科技 信息 网络 软件 技术 数据 智能 电子 医科大学 师范大学 师大 交大 理工 科大 "
    "妇幼".split()
)


def _place_prefix(name: str) -> tuple[list[str], str]:
    """The leading place names (full or short) and the rest: 浙江省杭州市明远… → ([浙江省, 杭州市], 明远…)."""
    g = _gaz()
    places: list[str] = []
    rest = name
    while True:
        for length in range(min(g.max_len, len(rest) - 1), 1, -1):
            piece = rest[:length]
            if piece in g.full or piece in g.province_short or piece in g.short or piece == "中国":
                places.append(piece)
                rest = rest[length:]
                break
        else:
            return places, rest


def _short_place(place: str) -> str:
    for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "省", "市", "区", "县"):
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place[: -len(suffix)]
    return place


def _level(place: str) -> str:
    if len(place) >= 3 and place[-1] in "省市区县州":
        return place[-1]
    return "省" if place in _gaz().province_short else "市"


# A place-less rest that names only a kind of body (第一人民医院, 银行, 教育局) is not proposed alone.
_GENERIC_REST = re.compile(
    rf"(?:第[{NUMERALS}]+)?(?:人民|中心|中|妇幼保健|儿童|肿瘤|口腔|精神卫生|传染病|眼科|骨科)?(?:医院|保健院)|"
    r"(?:农村商业|城市商业|农村合作|村镇)?银行|农村信用合作联社|(?:人民)?政府|.{0,4}(?:局|委|办|厅|委员会|中心|法院|检察院)|"
    r"(?:第[一二三四五六七八九十]+)?(?:中学|小学|实验学校|职业技术学院|职业学院|大学|学院)"
)
_HEAD_START = ("大学", "师范", "银行", "医科", "理工", "科技大学", "交通大学", "工业大学", "财经", "农业大学")


def _strip_form(name: str) -> str:
    for form in FORMS:
        if name.endswith(form) and len(name) > len(form) + 1:
            return name[: -len(form)]
    return name


def _hospital(place: str, short: str, level: str, rest: str) -> list[str]:
    out: list[str] = []
    m = re.fullmatch(rf"(?:{level})?第([{NUMERALS}]+)人民医院", rest) or re.fullmatch(rf"(?:{level})?第([{NUMERALS}]+)医院", rest)
    if m:
        n = m.group(1)
        out += [f"{short}{n}院", f"{place}{n}院", f"{short}{level}{n}院", f"{level}{n}院", f"{short}{n}医院", f"{level}{n}医院",
                f"{place}{n}医院", f"{short}第{n}人民医院", f"{short}第{n}医院"]
    school = re.fullmatch(rf"(?:{level})?第([{NUMERALS}]+)中学", rest)
    if school:  # 吴忠市第四中学 → 吴忠四中, 市四中
        n = school.group(1)
        out += [f"{short}{n}中", f"{place}{n}中", f"{level}{n}中", f"{short}第{n}中学"]
    for head, shorts in (("人民医院", ("人医", "人民医院")), ("中医院", ("中医院",)), ("中心医院", ("中心医院",)),
                         ("妇幼保健院", ("妇幼", "妇幼保健院")), ("儿童医院", ("儿童医院",)), ("肿瘤医院", ("肿瘤医院",))):
        if rest in (head, level + head):
            out += [f"{short}{s}" for s in shorts] + [f"{level}{s}" for s in shorts] + [f"{place}{s}" for s in shorts]
    return out


def _university(name: str) -> list[str]:
    out: list[str] = []
    m = re.fullmatch(r"(.+?)(大学)(?:医学院)?附属第([一二三四五六七八九])医院", name)
    if m:
        stem = _short_place(m.group(1))
        n = m.group(3)
        out += [f"{stem[0]}大{n}院", f"{stem}大学附{n}院", f"{stem}大学附属第{n}医院", f"{stem[0]}{n}", f"附{n}院"]
        return out
    rest = name
    for long, short in (("职业技术学院", "职院"), ("职业学院", "职院"), ("师范大学", "师大"), ("交通大学", "交大"), ("理工大学", "理工"), ("科技大学", "科大"), ("医科大学", "医大"),
                        ("工业大学", "工大"), ("财经大学", "财大"), ("农业大学", "农大"), ("师范学院", "师院"), ("大学", "大")):
        if rest.endswith(long):
            stem = _short_place(rest[: -len(long)])
            if len(stem) >= 2:
                out += [stem + short, stem[0] + short] if short != "大" else [stem + "大学", stem[0] + "大"]
                if long == "大学" and stem not in _gaz().province_short and stem not in _gaz().short:
                    out.append(stem)  # 复旦, 清华
            break
    return out


def _bank(short: str, rest: str) -> list[str]:
    out: list[str] = []
    for long, shorts in (("农村商业银行", ("农商行", "农商银行")), ("农村信用合作联社", ("农信社", "信用联社")), ("城市商业银行", ("城商行",))):
        if rest.endswith(long):
            out += [short + s for s in shorts if short]
    m = re.fullmatch(r"(?:中国)?(.{2,4})银行", rest)
    if m and not short and not re.search("农村|城市|商业|合作|村镇", rest):
        out += [m.group(1) + "银行", m.group(1)[0] + "行"]
    if rest == "银行" and short:
        out += [short[0] + "行", short + "银行"]
    return out


def _public_body(rest: str) -> bool:
    """大数据发展管理局, 人民政府办公室: the name of a kind of public body, the same in every city."""
    if not rest.endswith(("局", "委", "办", "厅", "中心", "委员会", "办公室", "政府")):
        return False
    words = rjieba.cut(rest, False)
    return all(len(w) == 1 or w in AUTHORITY_WORDS or w in DOMAIN_WORDS or common_word(w) for w in words)


def _brands(rest_core: str, company: bool, places: list[str], generic_rest: bool) -> list[str]:
    """The 字号 and its short forms: 明远信息技术 → 明远, 明远信息, 明远公司; 华泰绿能电力设备 → 华泰绿能, 华泰."""
    if generic_rest:
        return []
    cuts = [len(rest_core) - len(t) for t in TRADES if rest_core.endswith(t)][:1]
    cuts += [w.start for w in match_words(rest_core) if w.rule.tier >= 1 and w.start >= 2]
    out: list[str] = []
    for cut in sorted(set(cuts), reverse=True):
        brand, trade = rest_core[:cut], rest_core[cut:]
        if len(brand) < 2 or brand == rest_core or is_place(brand) or ordinary_word(brand):
            continue
        out.append(brand)
        if company:
            out += [brand + "公司", brand + "集团", brand + trade[:2]] + ([brand + "科技"] if "科技" in trade else [])
        if places:
            out.append(_short_place(places[-1]) + brand)
    return out


def propose_aliases(name: str, *, sources: tuple[AliasSource, ...] = ()) -> list[str]:
    """The name and the aliases it implies, longest first; generic words are never proposed."""
    full = "".join(fold(name).split())
    if not full:
        return []
    out: list[str] = [full]
    no_bracket = re.sub(r"\([^)]*\)", "", full)
    core = _strip_form(no_bracket)
    out += [no_bracket, core]
    places, rest = _place_prefix(no_bracket)
    if places and rest.startswith(_HEAD_START):  # 浙江大学, 嘉兴银行: the place is part of the name
        rest = places.pop() + rest
    rest_core = _strip_form(rest)
    generic_rest = bool(_GENERIC_REST.fullmatch(rest_core)) or _public_body(rest_core)
    if places and len(rest_core) >= 2:
        place, short, level = places[-1], _short_place(places[-1]), _level(places[-1])
        out += [place + rest_core, short + rest, short + rest_core]
        if not generic_rest:
            out += [rest, rest_core]
        elif len(rest_core) >= 3:
            out.append(level + rest_core)  # 市第一人民医院, 省人民医院, 区教育局
        out += _hospital(place, short, level, rest_core)
        out += _bank(short, rest_core)
    out += _university(no_bracket)
    if not places:
        out += _bank("", rest_core)
    out += _brands(rest_core, no_bracket != core, places, generic_rest)
    out += [a.replace("人民政府", "政府") for a in out if a.endswith("人民政府")]
    for source in sources:
        out += [fold(a) for a in source.aliases(name)]
    seen: dict[str, None] = {}
    for alias in out:
        alias = alias.strip()
        if alias != full and (common_word(alias) or alias in TOO_GENERIC or alias in DOMAIN_WORDS or _GENERIC_REST.fullmatch(alias)):
            continue  # 商行 (from 商丘银行), 人民医院: words, not this customer
        if len(alias) >= 2 and alias not in seen:
            seen[alias] = None
    return sorted(seen, key=len, reverse=True)
