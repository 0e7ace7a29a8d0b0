"""Front-matter suggestions for an imported text: plain functions, each returning a value and why.

Every function takes the converted Markdown (and the title where it matters) and returns
`(value, reasons)`; the reasons are short Chinese sentences shown to the editor beside the
pre-filled form, so a wrong guess is easy to spot and fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cache

from corpus import named_bodies
from corpus.industries import INDUSTRIES
from corpus.labels import INDUSTRY_LABELS, KIND_LABELS, NEED_LABELS, OWN_ISSUER, PROVINCES
from corpus.numerals import CN_NUMERALS, cn_int

__all__ = [
    "KIND_FOLDERS",
    "KIND_PREFIXES",
    "OWN_ISSUER",
    "suggest_articles",
    "suggest_document_number",
    "suggest_effective_date",
    "suggest_id",
    "suggest_industries",
    "suggest_issuer",
    "suggest_kind",
    "suggest_needs",
    "suggest_regions",
    "suggest_title",
]

Suggestion = tuple[object, list[str]]

ARTICLE_LINE = re.compile(rf"^(?:#+\s*)?(第[{CN_NUMERALS}]+条(?:之[{CN_NUMERALS}]+)?)(?:[\s\u3000]|$)", re.M)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
STANDARD_NUMBER = re.compile(r"\b((?:GB|JR|YD|WS|GA|JGJ|SJ|DL|NB|HJ|DB\d{2})(?:/[TZ])?)\s*(\d+(?:\.\d+)*)\s*[-—–]\s*(\d{4})\b")
KIND_PREFIXES = {"regulation": "reg", "standard": "std", "solution": "sol", "case": "case", "faq": "faq",
                 "industry_profile": "ind"}  # fmt: skip
KIND_FOLDERS = {"regulation": "regulations", "standard": "standards", "solution": "solutions", "case": "cases",
                "faq": "faq", "industry_profile": "industries"}  # fmt: skip
LAW_TITLE = re.compile(r"(法|条例|办法|规定|细则|决定|规则)(（[^）]*）|\([^)]*\))?\s*$")

INDUSTRY_KEYWORDS: dict[str, tuple[str, ...]] = {i.code: i.document_words for i in INDUSTRIES}  # corpus/industries.py
NEED_KEYWORDS: dict[str, tuple[str, ...]] = {
    "network_security": ("等保", "等级保护", "网络安全", "防火墙", "入侵", "漏洞", "勒索", "态势感知", "终端安全"),
    "data_security": ("数据安全", "个人信息", "分类分级", "数据出境", "脱敏", "加密", "防泄漏", "数据库审计", "重要数据"),
    "it": ("云计算", "云平台", "上云", "私有云", "机房", "网络建设", "数据中心", "信创", "服务器", "协同办公"),
    "business": ("数字化转型", "业务发展", "业务创新", "智慧", "数字化"),
}
# The bodies an imported text may name as its issuer: every issuer of the corpus (corpus/named_bodies.py),
# and these, which issue what the corpus digests without being the issuer of one of its documents (yet).
OTHER_ISSUERS = (
    "全国人民代表大会常务委员会", "全国人民代表大会", "国务院办公厅", "国务院", "国家互联网信息办公室",
    "中央网络安全和信息化委员会办公室", "国家密码管理局", "国家标准化管理委员会", "国家保密局", "国家电网有限公司",
)  # fmt: skip
# Usual short forms. Each stands for the one known issuer whose name holds its characters in the same order
# (国家网信办 → 国家互联网信息办公室); a short form that fits none of them, or several, is not used.
ABBREVIATIONS = ("全国人大常委会", "国家网信办", "工信部", "证监会", "国家金融监管总局", "国家卫健委", "国家卫生健康委",
                 "国家发改委", "国家市场监管总局")  # fmt: skip
# A national organ not known by name, taken as written: 国家…局, 中国…委员会, or a ministry (…部) that opens a
# decree or a notice (…部令第1号, …部关于).
NATIONAL_ORGAN = re.compile(
    r"(?:国家|中国)[\u4e00-\u9fff]{2,12}?(?:总局|局|委员会|署)|(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,9}部(?=令|关于|办公厅)"
)
# The State Council's document-number codes; a ministry's (工信部网安, 金规 …) come from the corpus's regulations.
STATE_COUNCIL_CODES = {"国办发": "国务院办公厅", "国办函": "国务院办公厅", "国发": "国务院", "国函": "国务院"}
PRESIDENTIAL_DECREE = re.compile(rf"(?:中华人民共和国)?(?:国务院令|国令|主席令)第[0-9{CN_NUMERALS}]+号")
BRACKETED_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}[〔\[［]\d{4}[〕\]］]\d+号")
EFFECTIVE = (
    re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起\s*(?:施行|实施|生效)"),
    re.compile(r"(\d{4})[-.年](\d{1,2})[-.月](\d{1,2})日?\s*(?:起)?(?:施行|实施)"),
    re.compile(r"自\s*([二〇零一三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日\s*起\s*(?:施行|实施)"),
)
PUBLISHED = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[^。\n]{0,30}?(?:发布|公布)")
DATE_LINE = re.compile(r"^[\s\u3000]*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[\s\u3000]*$", re.M)  # a notice's closing date
HEAD_CHARS = 1500  # issuers and document numbers are looked for near the start only
_PROVINCE_NAMES = "|".join(sorted(PROVINCES, key=len, reverse=True))
# X省人民政府, 广东省通信管理局, 上海市网信办; 浙江省第十三届人民代表大会常务委员会 (the session's name)
LOCAL_BODY = re.compile(
    rf"({_PROVINCE_NAMES})(人民代表大会常务委员会|人民代表大会|人民政府办公厅|人民政府|网信办|"
    rf"[\u4e00-\u9fff]{{2,10}}?(?:厅|局|委员会|办公室))"
)
LOCAL_CONGRESS = re.compile(rf"({_PROVINCE_NAMES})第[{CN_NUMERALS}]+届(人民代表大会常务委员会|人民代表大会)")
OFFICIAL_TITLE = re.compile(r"(法|条例|办法|规定|细则|决定|规则|通知|意见|公告|决议|批复)$")


@dataclass(frozen=True)
class _Issuers:
    """What recognises an issuer, from the corpus and the tables above (built once, on first use)."""

    names: tuple[str, ...]  # longest first, so 国务院办公厅 wins over 国务院 at the same place
    aliases: dict[str, str]  # short form → full name
    standards: dict[str, str]  # standard number prefix → issuer
    numbers: dict[str, str]  # document number agency code → issuer
    decree: re.Pattern[str]  # …令第N号, by a known issuer or national organ


def _expands(short: str, full: str) -> bool:
    rest = iter(full)
    return short != full and all(char in rest for char in short)


@cache
def _issuers() -> _Issuers:
    documents = named_bodies.documents()
    known = named_bodies.issuers(documents) | set(OTHER_ISSUERS)
    aliases = {}
    for short in ABBREVIATIONS:
        fits = [full for full in known if _expands(short, full)]
        if len(fits) == 1:
            aliases[short] = fits[0]
    names = tuple(sorted(known - set(aliases), key=len, reverse=True))  # a short form an issuer field used is read as one
    decree = re.compile(rf"(?:{'|'.join([*names, *aliases, NATIONAL_ORGAN.pattern])})令(?:[〔\[［(（]\d{{4}}[〕\]］)）])?第\d+号")
    numbers = {**named_bodies.number_issuers(documents), **STATE_COUNCIL_CODES}
    return _Issuers(names, aliases, named_bodies.standard_issuers(documents), numbers, decree)


def _plain(markdown: str) -> str:
    return re.sub(r"^#{1,6}\s+", "", markdown, flags=re.M)


def suggest_title(markdown: str, hint: str | None = None) -> Suggestion:
    """The first heading, else the file's own title (PDF/DOCX metadata, HTML <title>), else the first line."""
    heading = HEADING.search(markdown)
    if heading:
        return heading.group(1).strip()[:200], ["取自第一个标题"]
    if hint and hint.strip():
        return hint.strip()[:200], ["取自文件自带的标题信息"]
    first = next((line.strip() for line in markdown.split("\n") if line.strip()), "")
    title = re.split(r"[。！？]", first)[0][:80] or "未命名文档"
    return title, ["取自正文第一行"]


def suggest_articles(markdown: str, limit: int = 20) -> Suggestion:
    found = list(dict.fromkeys(ARTICLE_LINE.findall(markdown)))
    if not found:
        return [], ["未发现“第X条”结构"]
    more = f"（共 {len(found)} 条，列出前 {limit} 条）" if len(found) > limit else f"（共 {len(found)} 条）"
    return found[:limit], [f"按行首的“第X条”提取{more}"]


def suggest_kind(title: str, markdown: str) -> Suggestion:
    head = _plain(markdown)[:600]
    standard = STANDARD_NUMBER.search(title) or STANDARD_NUMBER.search(head)
    if standard:
        return "standard", [f"标题或开头含标准编号 {standard.group(0)}"]
    articles = len(ARTICLE_LINE.findall(markdown))
    law = LAW_TITLE.search(title)
    if articles >= 3 and law:
        return "regulation", [f"正文有 {articles} 个“第X条”，标题以“{law.group(1)}”结尾"]
    for word, kind in (("案例", "case"), ("常见问题", "faq"), ("问答", "faq"), ("FAQ", "faq"), ("方案", "solution")):
        if word in title:
            return kind, [f"标题含“{word}”"]
    if "行业" in title and re.search(r"画像|概况|概览|分析", title):
        return "industry_profile", [f"标题是{KIND_LABELS['industry_profile']}"]
    if articles >= 3:
        return "regulation", [f"正文有 {articles} 个“第X条”（标题不像法规名称，请确认）"]
    return "solution", [f"未发现法规、标准、案例或问答的特征，默认为{KIND_LABELS['solution']}"]


def _counts(text: str, table: dict[str, tuple[str, ...]], title: str) -> dict[str, tuple[int, list[str]]]:
    found: dict[str, tuple[int, list[str]]] = {}
    for code, words in table.items():
        total, parts = 0, []
        for word in words:
            n = text.count(word) + 3 * title.count(word)
            if n:
                total += n
                parts.append(f"{word}×{n}")
        if total:
            found[code] = (total, parts)
    return found


def suggest_industries(title: str, markdown: str) -> Suggestion:
    """Industries whose keywords are frequent (≥3 hits and ≥2 per 1,000 characters, or in the title);
    `all` when none stands out or more than three do."""
    text = _plain(markdown)
    per_k = max(len(text), 1) / 1000
    counts = _counts(text, INDUSTRY_KEYWORDS, title)
    chosen = sorted(
        (code for code, (n, _) in counts.items()
         if any(w in title for w in INDUSTRY_KEYWORDS[code]) or (n >= 3 and n / per_k >= 2)),
        key=lambda c: -counts[c][0],
    )  # fmt: skip
    if not chosen:
        seen = "；".join(f"{INDUSTRY_LABELS[c]}：{'、'.join(counts[c][1])}" for c in counts) or "无行业关键词"
        return ["all"], [f"没有突出的行业（{seen}），适用于所有行业"]
    if len(chosen) > 3:
        return ["all"], [f"{len(chosen)} 个行业的关键词都很多，按通用文档处理"]
    return chosen, [f"{INDUSTRY_LABELS[c]}：{'、'.join(counts[c][1])}" for c in chosen]


def suggest_needs(title: str, markdown: str) -> Suggestion:
    counts = _counts(_plain(markdown), NEED_KEYWORDS, title)
    if not counts:
        return ["it"], [f"未发现需求类别关键词，默认为{NEED_LABELS['it']}，请确认"]
    top = max(n for n, _ in counts.values())
    chosen = sorted((c for c, (n, _) in counts.items() if n >= 2 and n >= 0.3 * top), key=lambda c: -counts[c][0])
    chosen = chosen or [max(counts, key=lambda c: counts[c][0])]
    return chosen, [f"{NEED_LABELS[c]}：{'、'.join(counts[c][1])}" for c in chosen]


def _local_body(head: str) -> tuple[int, str, str] | None:
    """The first provincial body named in `head`: (position, as written, the body's name)."""
    found = [(m.start(), m.group(0), m.group(1) + m.group(2)) for m in LOCAL_BODY.finditer(head)]
    found += [(m.start(), m.group(0), m.group(1) + m.group(2)) for m in LOCAL_CONGRESS.finditer(head)]
    return min(found) if found else None


def _province_prefix(title: str) -> str | None:
    """The province a title starts with (浙江省…, 上海市…, 广东…), as its full name."""
    for full, short in PROVINCES.items():
        if title.startswith((full, short)):
            return full
    return None


def looks_official(title: str, kind: str, document_number: str | None = None) -> bool:
    """Whether the text is a government instrument (law, regulation, rule, notice, standard) rather than
    material we write ourselves: such a text never gets our editorial team as its issuer."""
    bare = re.sub(r"[（(][^）)]*[）)]\s*$", "", title.strip())
    return kind in ("regulation", "standard") or bool(document_number) or bool(OFFICIAL_TITLE.search(bare))


def suggest_issuer(markdown: str, title: str = "", kind: str = "", document_number: str | None = None) -> Suggestion:
    """The issuing body named nearest the start; else the body that makes such instruments (a law, a State
    Council or provincial regulation, a standard by its number); else, for a government instrument, None
    (the editor fills it in); else our own editorial team."""
    head = _plain(markdown)[:HEAD_CHARS]
    known = _issuers()
    names = [(head.find(name), name, name) for name in known.names if name in head]
    names += [(head.find(alias), alias, full) for alias, full in known.aliases.items() if alias in head]
    names += [(m.start(), m.group(0), m.group(0)) for m in NATIONAL_ORGAN.finditer(head)]
    local = _local_body(head)
    if local:
        names.append(local)
    if names:
        position, seen, full = min(names, key=lambda n: (n[0], -len(n[1])))
        return full, [f"开头第 {position + 1} 个字处出现“{seen}”"]
    province = _province_prefix(title)
    if kind == "regulation" and re.fullmatch(r"(中华人民共和国)?\S+法", title) and not title.endswith(("办法", "方法")):
        return "全国人民代表大会常务委员会", ["标题是法律名称，法律由全国人大及其常委会制定；请核对"]
    if kind == "regulation" and title.endswith("条例") and province:
        return f"{province}人民代表大会常务委员会", [f"标题是{province}的地方性法规（条例），通常由省级人大常委会制定；请核对"]
    if kind == "regulation" and title.endswith("条例") and not re.match(r"\S{2,3}[省市区]", title):
        return "国务院", ["标题是行政法规（条例）名称，通常由国务院公布；请核对"]
    if province and re.search(r"(办法|规定|细则)$", title):
        return f"{province}人民政府", [f"标题是{province}的政府规章（办法、规定），通常由省级人民政府公布；请核对"]
    number = STANDARD_NUMBER.search(document_number or "") or STANDARD_NUMBER.search(title)
    if number and number.group(1).split("/")[0] in known.standards:
        prefix = number.group(1).split("/")[0]
        return known.standards[prefix], [f"语料库中标准编号前缀 {prefix} 的发布机关；请核对"]
    for abbreviation, body in sorted(known.numbers.items(), key=lambda item: -len(item[0])):
        if document_number and document_number.startswith(abbreviation):
            return body, [f"文号 {document_number} 的机关代字“{abbreviation}”；请核对"]
    if looks_official(title, kind, document_number):
        return None, ["正文开头没有写明发文机关，而这是政府文件（法规、规章、通知或标准）：请按原文填写发文机关"]
    return OWN_ISSUER, [f"开头未出现发文机关，按{OWN_ISSUER}自己撰写的资料处理；如是外部文件，请改为发文机关"]


def suggest_document_number(title: str, markdown: str) -> Suggestion:
    head = title + "\n" + _plain(markdown)[:HEAD_CHARS]
    standard = STANDARD_NUMBER.search(head)
    if standard:
        number = f"{standard.group(1)} {standard.group(2)}-{standard.group(3)}"
        return number, [f"开头出现标准编号 {standard.group(0)}"]
    for pattern in (PRESIDENTIAL_DECREE, _issuers().decree, BRACKETED_NUMBER):  # most specific first
        match = pattern.search(head)
        if match:
            number = re.sub(r"^[^〔\[［]*[年月日]", "", match.group(0))  # 2022年5月6日国办发… → 国办发…
            return number, [f"开头出现文号 {number}"]
    return None, ["开头未出现文号"]


def _cn_number(text: str) -> int:
    value = cn_int(text)
    if value is None:
        raise ValueError(f"not a Chinese numeral: {text}")
    return value


def _date(y: str, m: str, d: str) -> dt.date:
    if y.isdigit():
        return dt.date(int(y), int(m), int(d))
    return dt.date(_cn_number(y), _cn_number(m), _cn_number(d))


def suggest_effective_date(markdown: str) -> Suggestion:
    """The date the text says it takes effect (自…起施行), its publication date when it takes effect on
    publication (自发布之日起施行), else the date it was issued (a notice's closing date, 发布/印发/通过),
    flagged for checking; None when the text gives no date at all (never today's date)."""
    text = _plain(markdown)
    if re.search(r"自(?:发布|公布|印发)之日起(?:施行|实施|生效)", text):
        published = PUBLISHED.search(text[:HEAD_CHARS]) or PUBLISHED.search(text)
        if published:
            y, m, d = (int(g) for g in published.groups())
            return dt.date(y, m, d), [f"自发布之日起施行；正文写明“{published.group(0)}”"]
    for pattern in EFFECTIVE:
        for match in pattern.finditer(text):
            try:
                return _date(*match.groups()), [f"正文写明“{match.group(0)}”"]
            except (ValueError, KeyError):
                continue
    for pattern, what in ((PUBLISHED, "发布日期"), (DATE_LINE, "落款日期")):
        matches = list(pattern.finditer(text))
        for match in matches[::-1] if pattern is DATE_LINE else matches:
            try:
                issued = _date(*match.groups())
            except (ValueError, KeyError):
                continue
            return issued, [f"正文没有写明施行日期，暂用{what}“{match.group(0).strip()}”；请按原文核对"]
    return None, ["正文没有写明施行日期或发布日期：请按原文填写"]


def suggest_regions(title: str, markdown: str, issuer: str | None = None) -> Suggestion:
    """The province a text applies to: named at the start of its title, by its issuing body, or named
    near the start of a text that speaks of 本省/本市/本自治区. Empty (nationwide) otherwise."""
    province = _province_prefix(title)
    if province:
        return [province], [f"标题以“{province}”开头：只适用于该省级地区；全国适用请清空"]
    if issuer:
        body = next((full for full in PROVINCES if issuer.startswith(full)), None)
        if body:
            return [body], [f"发文机关是{issuer}：只适用于该省级地区；全国适用请清空"]
    text = _plain(markdown)
    local = re.search(r"本(?:省|市|自治区)", text)
    if local:
        head = text[:HEAD_CHARS]
        named = [full for full, short in PROVINCES.items() if short in head]
        if len(named) == 1:
            return named, [f"正文提到“{local.group(0)}”，开头出现{PROVINCES[named[0]]}：只适用于该省级地区；请核对"]
    return [], ["没有发现只适用于某个省份的迹象，按全国适用处理"]


def suggest_id(kind: str, title: str, document_number: str | None = None, effective: dt.date | None = None) -> Suggestion:
    """`<kind prefix>-<8 hex of title and date>`; a standard number becomes readable (std-gb-t-22239-2019).
    Re-importing the same document yields the same id, so it is refused rather than duplicated."""
    prefix = KIND_PREFIXES.get(kind, "doc")
    if kind == "standard" and document_number and STANDARD_NUMBER.search(document_number):
        slug = re.sub(r"[^a-z0-9]+", "-", document_number.lower()).strip("-")
        return f"{prefix}-{slug}"[:80], [f"由标准编号 {document_number} 生成"]
    digest = hashlib.sha256(f"{title}\x00{effective or ''}".encode()).hexdigest()[:8]
    label = KIND_LABELS.get(kind, kind)
    return f"{prefix}-{digest}", [f"{prefix}- 前缀对应类型“{label}”，后接标题{'与施行日期' if effective else ''}的短哈希；可改为有意义的英文短名"]

