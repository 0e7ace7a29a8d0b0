"""Quasi-identifiers, generalised rather than removed (GB/T 37964 generalisation):

- money: 128.5万元, ¥1,280,000, 一百二十万, 1.2亿 → a band (100–300万元);
- dates: 2023年3月15日, 2023-03-15, 2023年3月, 3月15日 → a quarter (2023年第一季度);
- headcounts and bed counts: 员工1200人, 在校生3.2万人, 编制床位1500张 → a range (1000–3000人).

A number counts as money only with a currency word or sign around it (元, ¥, 预算, 合同额 …),
so 300万条数据 stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from community.redaction.models import FindingKind as K
from community.redaction.spans import Candidate, Context
from corpus.numerals import CN_DIGITS, cn_int

__all__ = ["amount_band", "count_band", "detect_quasi", "parse_number"]

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?: \d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)"


def parse_number(text: str) -> float | None:
    """'1,280,000' → 1280000; '3.2' → 3.2; '一百二十' → 120; '十五' → 15."""
    text = text.replace(",", "").replace(" ", "")
    try:
        return float(text)
    except ValueError:
        pass
    if "点" in text:
        whole, frac = text.split("点", 1)
        head = parse_number(whole) if whole else 0.0
        if head is None or any(c not in CN_DIGITS for c in frac):
            return None
        return head + float("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    value = cn_int(text)
    return None if value is None else float(value)


# -- money ------------------------------------------------------------------------------------------

MONEY_BANDS = (  # (upper bound in 元, label); the last band is open
    (100_000, "10万元以下"), (500_000, "10–50万元"), (1_000_000, "50–100万元"), (3_000_000, "100–300万元"),
    (5_000_000, "300–500万元"), (10_000_000, "500–1000万元"), (30_000_000, "1000–3000万元"),
    (100_000_000, "3000万–1亿元"), (500_000_000, "1–5亿元"), (float("inf"), "5亿元以上"),
)  # fmt: skip


def amount_band(yuan: float) -> str:
    return next(label for upper, label in MONEY_BANDS if yuan < upper)


_SCALE = {"": 1, "元": 1, "块": 1, "千": 1e3, "千元": 1e3, "k": 1e3, "K": 1e3, "万": 1e4, "万元": 1e4, "w": 1e4, "W": 1e4,
          "百万": 1e6, "百万元": 1e6, "千万": 1e7, "千万元": 1e7, "亿": 1e8, "亿元": 1e8, "M": 1e6}  # fmt: skip
_APPROX = r"(?:约|近|超过|超|逾|将近|大约|接近|不到|不足|共计|合计|总计|累计)?"
MONEY = re.compile(
    rf"(?P<pre>(?:¥|RMB|CNY|人民币)\s?)?{_APPROX}(?<![\d.,])(?P<n1>{_NUMBER})(?:\s?(?:-|~|至|到)\s?(?P<n2>{_NUMBER}))?"
    r"(?:余|多)?\s?(?P<unit>百万元|千万元|万元|亿元|千元|百万|千万|万|亿|元|块|[kKwWM](?![A-Za-z]))?(?P<tail>余|多)?(?P<yuan>元|人民币)?"
)
MONEY_CUE = re.compile(
    r"(?:预算|金额|合同额|合同金额|合同价|报价|投资|费用|花费|总价|中标价|中标金额|采购额|采购金额|标的|成交价|成交额|造价|"
    r"价格|价款|回款|单价|年费|服务费|维保费|首付|尾款|下单额|订单额|销售额|营收|收入|产值|拨款|资金|经费|补贴|罚款|罚没|"
    r"赔偿|损失|价值|返点|返利|合计|共计|总计|总额|合同|签约|中标|budget|Budget|BUDGET|price|Price|cost|Cost|deal|Deal)[^。；;\n]{0,8}$"
)
# Nouns that make a bare 300万 a count, not money, when they come shortly before it.
COUNTED = re.compile(r"用户|条|人口|人次|访问|终端|设备|台|次|行|字|页|个|户|会员|粉丝|下载|请求|日志|数据量|记录")
NOT_MONEY_AFTER = re.compile(r"\s?(?:条|人|台|次|个|张|份|户|行|字|GB|TB|PB|G\b|T\b|小时|分钟|天|家|所|座|名|位|套|件|笔|页|张|篇|万次|倍|%|％)")


def _money(ctx: Context) -> Iterator[Candidate]:
    f = ctx.folded
    for m in MONEY.finditer(f):
        unit, pre, yuan = m.group("unit") or "", m.group("pre"), m.group("yuan")
        if m.start("n1") > 0 and (f[m.start("n1") - 1].isdigit() or f[m.start("n1") - 1] in ".-/"):
            continue
        currency = bool(pre) or bool(yuan) or unit.endswith("元") or unit == "块"
        cued = bool(MONEY_CUE.search(f[max(0, m.start("n1") - 16) : m.start("n1")]))
        clause_end = m.end() >= len(f) or f[m.end()] in "。，,；;！!\n)）"
        if not currency and not (unit and (cued or (clause_end and not COUNTED.search(f[max(0, m.start() - 30) : m.start()])))):
            continue
        if NOT_MONEY_AFTER.match(f, m.end()) or (not unit and not pre and not yuan):
            continue
        low = parse_number(m.group("n1"))
        high = parse_number(m.group("n2")) if m.group("n2") else None
        if low is None:
            continue
        scale = _SCALE.get(unit, 1)
        a, b = amount_band(low * scale), amount_band((high or low) * scale)
        label = a if a == b else _join_bands(a, b)
        yield Candidate(m.start(), m.end(), K.amount, key=m.group(), replacement=label)


def _join_bands(a: str, b: str) -> str:
    left = a.split("–")[0].removesuffix("以下")
    right = b.split("–")[-1]
    return f"{left}–{right}" if "以下" not in a else f"{b.split('–')[-1]}以下"


# -- dates ------------------------------------------------------------------------------------------

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
_MONTH = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
DATES = [
    re.compile(rf"(?P<y>(?:19|20)\d{{2}})\s?年\s?{_MONTH}\s?月(?:\s?(?P<d>[0-3]?\d|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s?[日号])?"),
    re.compile(r"(?<![0-9])(?P<y>(?:19|20)\d{2})(?P<sep>[-/.])(?P<m>1[0-2]|0?[1-9])(?P=sep)(?P<d>[0-3]?\d)(?![0-9])"),
    re.compile(r"(?<![0-9])(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>[0-2]\d|3[01])(?![0-9])"),
    re.compile(r"(?<![0-9.])(?P<y>(?:19|20)\d{2})[-/.](?P<m>1[0-2]|0?[1-9])(?![0-9./]|\s?(?:万|元|%|亿))"),
    re.compile(rf"(?<![0-9年])(?<!第){_MONTH}\s?月(?:份|\s?(?P<d>[0-3]?\d|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s?[日号])"),
    re.compile(rf"(?<![0-9年个])(?<!第){_MONTH}\s?月(?P<d>[0-3]?\d)\s?[日号]"),
    re.compile(rf"(?<=今年|明年|去年|前年|后年|当年|同年|次年|年初|年底){_MONTH}\s?月(?!份|[0-9])"),
]


def _month(value: str) -> int | None:
    n = parse_number(value)
    return int(n) if n is not None and 1 <= n <= 12 else None


def _dates(ctx: Context) -> Iterator[Candidate]:
    f = ctx.folded
    for pattern in DATES:
        for m in pattern.finditer(f):
            month = _month(m.group("m"))
            if month is None:
                continue
            year = m.groupdict().get("y")
            quarter = QUARTERS[(month - 1) // 3]
            yield Candidate(m.start(), m.end(), K.date, key=m.group(), replacement=f"{year}年{quarter}" if year else quarter)


# -- sizes --------------------------------------------------------------------------------------------

PEOPLE_BOUNDS = (100, 500, 1000, 3000, 5000, 10_000, 30_000, 50_000)
BED_BOUNDS = (100, 300, 500, 1000, 2000, 3000)


def _wan(n: int) -> str:
    return f"{n // 10_000}万" if n >= 10_000 and n % 10_000 == 0 else str(n)


def count_band(n: float, kind: K, unit: str = "") -> str:
    """1200 → '1000–3000人'; 50 → '100人以下'; 3.2万 → '3–5万人'. `unit` defaults to 人 or 张."""
    unit = unit or ("张" if kind is K.beds else "人")
    bounds = BED_BOUNDS if kind is K.beds else PEOPLE_BOUNDS
    if n < bounds[0]:
        return f"{bounds[0]}{unit}以下"
    if n >= bounds[-1]:
        return f"{_wan(bounds[-1])}{unit}以上"
    lo, hi = next((lo, hi) for lo, hi in pairwise(bounds) if lo <= n < hi)
    if lo >= 10_000:
        return f"{lo // 10_000}–{_wan(hi)}{unit}"
    return f"{lo}–{_wan(hi)}{unit}"


_PEOPLE = r"(?:员工|职工|在职员工|正式员工|在编人员|在编|编制|医护人员|医务人员|医护|教职工|教职员工|师生|学生|在校生|在校学生|人员|干部职工|警力|员工总数|人数|规模|用户|客户|会员)"
_QTY = rf"(?P<n>{_NUMBER})\s?(?P<wan>万)?(?P<more>余|多)?"
SIZES: list[tuple[K, re.Pattern[str]]] = [
    (K.beds, re.compile(rf"(?:床位|床位数|编制床位|开放床位|实际开放床位|核定床位)(?:数)?(?:约|近|超过|达|有|为|共)?\s?[:：|]?\s?{_QTY}\s?(?P<unit>张|床)?")),
    (K.beds, re.compile(rf"{_QTY}\s?(?P<unit>张|个)\s?(?:编制|开放|核定)?床位")),
    (K.headcount, re.compile(rf"{_PEOPLE}(?:总数|数量|规模)?(?:约|近|超过|超|达|有|为|共|逾|将近)?\s?[:：|]?\s?(?:约|近|超过|超|达|逾|将近)?{_QTY}\s?(?P<unit>人|名)")),
    (K.headcount, re.compile(rf"{_QTY}\s?(?P<unit>人|名)(?:左右)?的?(?:{_PEOPLE}|规模|团队|职工队伍)")),
]


def _sizes(ctx: Context) -> Iterator[Candidate]:
    f = ctx.folded
    for kind, pattern in SIZES:
        for m in pattern.finditer(f):
            n = parse_number(m.group("n"))
            if n is None or (m.start("n") > 0 and f[m.start("n") - 1].isdigit()):
                continue
            if m.group("wan"):
                n *= 10_000
            unit = m.group("unit") or ""
            end = m.end("unit") if unit else max(m.end("n"), m.end("wan") if m.group("wan") else 0, m.end("more") if m.group("more") else 0)
            label = count_band(n, kind, unit if unit in "人名张床" else "张")
            if not unit:
                label = label.replace("人", "").replace("张", "") if kind is K.headcount else label
            yield Candidate(m.start("n"), end, kind, key=m.group(), replacement=label)


def detect_quasi(ctx: Context) -> list[Candidate]:
    return list(_money(ctx)) + list(_dates(ctx)) + list(_sizes(ctx))
