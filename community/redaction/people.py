"""Person names: a surname plus context, never a guess from the characters alone.

Evidence, any of:
- a title after the surname or full name: 张主任, 李工, 王总, 周志强工程师, 李建国总经理;
- a role before a full name: 联系人：王小明, 科长张伟, 信息科李娜, 由赵磊负责;
- jieba tags a surname-led word as a person (nr) and it is three characters, or two with context;
- a pinyin name in Latin letters: Zhang Wei, Wei Zhang, Mr. Wang.
Once a full name is found, its other mentions are found too, with or without context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import rjieba

from community.redaction.lexicon import (
    COMPOUND_SURNAMES,
    DOMAIN_WORDS,
    FUNCTION_CHARS,
    GIVEN_CHARS,
    KEEP_ORGS,
    NOT_GIVEN,
    PERSON_AFTER,
    ROLE_BEFORE,
    SINGLE_CHAR_TITLES,
    SURNAMES,
    TITLES,
)
from community.redaction.models import FindingKind as K
from community.redaction.spans import PRIORITY, Candidate, Context, common_word, ordinary_word

__all__ = ["detect_people"]

_HANZI = re.compile(r"[\u4e00-\u9fff]")
_BOUNDARY = set("，,。.；;：:、！!？?（）()「」『』“”\"'《》 \n\t|-/")
# jieba sometimes tags these as names; they are words.
NOT_NAMES = frozenset("高新 方案 安全 安装 万元 金额 和平 江湖 平安 明确 成本 成功 时间 关键 向上 司法 宁可 华为 齐全 严格 常规 "
                      "安全法 安全性 师生 信息 包括 于是 万台 方面 高级 高效 高危 单独 单点 石油 金融 黄金 程序 孙子 龙头".split())


PINYIN_SURNAMES = (
    "Zhang Wang Li Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Han "
    "Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Su Wei Lv Lyu Ding Ren Shen Yao Lu Cui "
    "Zhong Tan Fan Jin Shi Liao Jia Xia Fu Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan Duan Lei Hou Long Tao Mao Hao "
    "Gong Shao Wan Qian Kong Chang Wen Kang Niu Ge Xing Qi Yi Qiao Pang Ni Zhuang Nie Ouyang"
).split()
_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uai|iao|ian|uan|van|ai|ei|ao|ou|an|en|in|un|"
    r"vn|ia|ie|iu|ua|uo|ui|ue|ve|er|a|o|e|i|u|v)"
)
_PINYIN_GIVEN = rf"[A-Z]{_SYLLABLE}(?:-?{_SYLLABLE})?"
_PS = "|".join(PINYIN_SURNAMES)
# English given names partners use with a Chinese surname (Tony Zhang); a short list, not a dictionary.
_ENGLISH = (
    "Tony|Jack|Kevin|David|Michael|Peter|Eric|Jason|Frank|Steven|Vincent|Leo|Allen|Andy|Alex|Bob|Ben|James|John|Tom|"
    "Jerry|Sam|Simon|Ken|Terry|Ray|Roy|Ryan|Henry|Lucas|William|Jimmy|Bruce|Charles|Daniel|Edward|George|Jeff|Mark|"
    "Lily|Lucy|Amy|Anna|Cindy|Coco|Grace|Helen|Irene|Jenny|Joyce|Judy|Linda|Lisa|Maggie|Mary|Nancy|Nina|Sally|Sophia|"
    "Stella|Tina|Vivian|Wendy|Emily|Emma|Angela|Alice|Cathy|Cherry|Echo|Eva|Fiona|Ivy|Jessica|Kelly|Rose|Ruby|Sunny"
)
PINYIN_NAME = re.compile(
    rf"(?<![A-Za-z])(?:(?P<s1>{_PS}) (?P<g1>{_PINYIN_GIVEN})|(?P<g2>{_PINYIN_GIVEN}|{_ENGLISH}) (?P<s2>{_PS}))(?![A-Za-z])"
)
TITLED_LATIN = re.compile(rf"(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.? (?P<s>{_PS}|[A-Z][a-z]+)(?![A-Za-z])")


def _surname_at(f: str, i: int) -> str | None:
    if f[i : i + 2] in COMPOUND_SURNAMES:
        return f[i : i + 2]
    return f[i] if f[i] in SURNAMES else None


def _title_at(f: str, i: int) -> str | None:
    for title in TITLES:
        if f.startswith(title, i):
            return title
    return None


def _given_ok(given: str) -> bool:
    return all(_HANZI.match(c) and c not in NOT_GIVEN for c in given)


def _boundary_after(f: str, j: int) -> bool:
    return j >= len(f) or f[j] in _BOUNDARY or f.startswith(PERSON_AFTER, j) or _title_at(f, j) is not None


MULTI_ROLES = tuple(r for r in ROLE_BEFORE if len(r) >= 2)


def _role_before(f: str, i: int) -> bool:
    if f[:i].rstrip(" ").endswith((":", "：", "|")):
        return True
    k = i
    while k > 0 and f[k - 1] in " :：":
        k -= 1
    return k == 0 or f[:k].endswith(ROLE_BEFORE)


def _punct_before(f: str, i: int) -> bool:
    return i == 0 or f[i - 1] in _BOUNDARY


def _word_start_ok(ctx: Context, i: int) -> bool:
    """The surname must open a word: not 全 in 安全, not 单 in 单位 (unless a name follows 由, 和, 科长 …)."""
    if ctx.starts_token(i) or ctx.folded[:i].rstrip(" :：").endswith(MULTI_ROLES):
        return True
    if _role_before(ctx.folded, i) and ctx.ends_token(i):
        return True  # 信息科|李娜, not 处于|信创
    return i > 0 and ctx.folded[i - 1] in FUNCTION_CHARS


def _blocked_by_word(ctx: Context, i: int, s_end: int, name_end: int) -> bool:
    """A dictionary word that is not a name opens at the surname and runs past it: 常务, 党委, 方案."""
    if not ctx.starts_token(i):
        return False
    tok = ctx.tokens[ctx.token_at[i]]
    if tok.word in NOT_NAMES:
        return True
    if tok.tag.startswith("nr") or tok.end == name_end:
        return False
    return tok.end > s_end


def _jieba_says_name(ctx: Context, i: int, end: int) -> bool:
    """jieba's words fall exactly on the name and one of them is tagged a person (欧阳/ns 娜娜/nrt)."""
    if not (ctx.starts_token(i) and ctx.ends_token(end)) or ctx.folded[i:end] in NOT_NAMES:
        return False
    return any(t.tag.startswith("nr") for t in ctx.tokens[ctx.token_at[i] : ctx.token_at[end - 1] + 1])


# What a person, not a thing, does right after being named (with punctuation before the name).
STRONG_AFTER = tuple(
    "说 称 负责 牵头 表示 介绍 提出 认为 指出 带队 拍板 签字 确认 审批 主导 坦言 透露 回忆 反馈 建议 要求 答应 同意 "
    "的身份证 的手机 的电话 的邮箱 的微信 的车 本人 老师 同志".split()
)
_ITEM_EDGE = set("、，,|;；:：\n/")


STRONG_ROLES = TITLES + tuple(
    "负责人 对接人 联系人 经办人 签字人 法定代表人 老板 采购 接口人 书记员 审计员 科员 研究员 业务员 技术员 操作员 安全员 "
    "联络员 项目经理 客户经理 销售经理 CIO CTO CISO CEO 人是 人为 我方 对方".split()
)


@lru_cache(maxsize=8192)
def _dictionary_word(word: str) -> bool:
    """jieba knows the word and not as a person's name (楼宇, 顾客, 官网)."""
    if not rjieba.has_word(word):
        return False
    tags = rjieba.tag(word, False)
    return len(tags) == 1 and not tags[0][1].startswith("nr")


def _nr_token(ctx: Context, i: int, end: int) -> bool:
    """jieba has one person-tagged word exactly here (张敏 in 张敏一起来了)."""
    if not ctx.starts_token(i) or end > len(ctx.folded):
        return False
    tok = ctx.tokens[ctx.token_at[i]]
    return tok.end == end and tok.tag.startswith("nr")


def _standalone(f: str, i: int, end: int) -> bool:
    """A list item or table cell that is just a surname and a given name: | 包强溪 |, 唐生洋、崔燕春."""
    k = i
    while k > 0 and f[k - 1] == " ":
        k -= 1
    j = end
    while j < len(f) and f[j] == " ":
        j += 1
    return (k == 0 or f[k - 1] in _ITEM_EDGE or f[k - 1] in "(（" or f[:k].endswith(("我方", "对方", "参会", "参会人"))) and (
        j >= len(f) or f[j] in _ITEM_EDGE or f[j] in "(（。.等"
    )


def _full_name(ctx: Context, i: int, surname: str, g: int) -> Candidate | None:
    """The surname at `i` with `g` given-name characters, when the context says it is a person."""
    f = ctx.folded
    s_end = i + len(surname)
    end = s_end + g
    given, name = f[s_end:end], f[i:end]
    if end > len(f) or not _given_ok(given) or name in NOT_NAMES or name in DOMAIN_WORDS or name in KEEP_ORGS:
        return None
    if g == 3 and (_title_at(f, end) is None or any(c not in GIVEN_CHARS for c in given) or ordinary_word(name)):
        return None  # four characters only before a title (艾合买提工程师)
    if common_word(name, 1000):
        return None  # 常务副院长, 党委书记
    title = _title_at(f, end)
    titled = title is not None and not (title in SINGLE_CHAR_TITLES and g == 2) and (
        ctx.ends_token(end + len(title)) or _boundary_after(f, end + len(title))
    )  # not 向有关|主管部门
    standalone = _standalone(f, i, end)
    if not (titled or standalone) and _blocked_by_word(ctx, i, s_end, end):
        return None  # 包括美创: jieba reads a word that runs past the surname
    own_title = _title_at(f, s_end)
    if own_title and len(own_title) >= g:
        return None  # 赵医生, 周书记: a surname and a title, read by _surname_and_title
    strong_role = i > 0 and f[:i].rstrip(" :：").endswith(STRONG_ROLES)
    punct_after = end >= len(f) or f[end] in _BOUNDARY
    said = _punct_before(f, i) and any(  # ，曾凡负责技术 / （内部）辛林的身份证, not 。向客户说明
        f.startswith(w, end) and (ctx.ends_token(end + len(w)) or _boundary_after(f, end + len(w))) for w in STRONG_AFTER
    )
    if (common_word(name) or ordinary_word(name)) and not (strong_role and punct_after):
        return None  # 主任连夜找到, 卫生健康主管部门: words; 项目经理齐国，: a name
    if titled or (strong_role and (_boundary_after(f, end) or ctx.ends_token(end))) or said:
        return Candidate(i, end, K.person, key=name, hint=surname)
    # Weak evidence: jieba's person tag, a list item or table cell, punctuation or a role word around it.
    if any(c not in GIVEN_CHARS for c in given) or _dictionary_word(name) or rjieba.suggest_freq(name) >= 100:
        return None  # 楼宇, 高峰: jieba may tag them as names, but they are frequent words
    framed = (_punct_before(f, i) or _role_before(f, i)) and _boundary_after(f, end)
    jieba_name = _jieba_says_name(ctx, i, end) and (g == 2 or _boundary_after(f, end))
    if standalone or framed or jieba_name:
        return Candidate(i, end, K.person, key=name, hint=surname, priority=PRIORITY[K.person] - 1)
    return None


def _surname_and_title(ctx: Context, i: int, surname: str) -> Candidate | None:
    """张主任, 李工, 王总: the surname is the person's only trace."""
    f = ctx.folded
    s_end = i + len(surname)
    title = _title_at(f, s_end)
    if not title:
        return None
    after = s_end + len(title)
    if f[i:after] in NOT_NAMES or common_word(f[i:after]) or (surname == "高" and title == "工"):
        return None
    if ctx.ends_token(after) or _boundary_after(f, after):  # not 向主管部门报告
        return Candidate(i, s_end, K.person, key=surname, hint=surname)
    return None


def _chinese_names(ctx: Context) -> Iterator[Candidate]:
    f = ctx.folded
    i = 0
    while i < len(f):
        surname = _surname_at(f, i)
        found = None
        if surname is not None and _word_start_ok(ctx, i):
            s_end = i + len(surname)
            # One or two given characters; jieba's reading decides between 邢家|去 and 邢家宏.
            order: tuple[int, ...] = (1, 2) if _nr_token(ctx, i, s_end + 1) and not _nr_token(ctx, i, s_end + 2) else (2, 1)
            if len(surname) == 1 and _title_at(f, s_end + 3):
                order = (3, *order)
            found = next((c for g in order if (c := _full_name(ctx, i, surname, g))), None) or _surname_and_title(ctx, i, surname)
        if found is not None:
            yield found
            i = found.end
        else:
            i += 1


def _latin_names(f: str) -> Iterator[Candidate]:
    for m in PINYIN_NAME.finditer(f):
        surname = m.group("s1") or m.group("s2")
        yield Candidate(m.start(), m.end(), K.person, key=m.group().lower(), hint=surname)
    for m in TITLED_LATIN.finditer(f):
        yield Candidate(m.start("s"), m.end("s"), K.person, key=m.group("s").lower(), hint=m.group("s"))


def _more_mentions(f: str, found: list[Candidate]) -> Iterator[Candidate]:
    """Every other mention of a full name already found, with or without context."""
    taken = [(c.start, c.end) for c in found]
    strong = [c for c in found if c.priority == PRIORITY[K.person]]  # weak readings are not spread
    for name in {c.key: c for c in strong if c.end - c.start >= 2 and c.key == f[c.start : c.end]}.values():
        for m in re.finditer(re.escape(name.key), f):
            if not any(s <= m.start() < e for s, e in taken):
                yield Candidate(m.start(), m.end(), K.person, key=name.key, hint=name.hint)


# Characters of Uyghur, Kazakh, Mongolian and Tibetan names written in Han characters (帕提古丽, 艾合买提, 巴特尔).
TRANSLIT_CHARS = frozenset(
    "阿艾爱安巴拜白邦贝别波布才措达旦迪丁都多额尔法甫噶嘎格根古哈罕汗合赫胡吉加江杰金卡坎克库拉来兰勒里力丽琳罗玛"
    "买麦曼米木穆那纳娜尼努帕排普其齐热日萨赛桑色沙尚苏索塔太提图吐托瓦万旺乌西希夏孜扎增卓措次仁央宗拉姆吾买哲"
)
def _transliterated(ctx: Context) -> Iterator[Candidate]:
    """A run of three to six transliteration characters before a title or what a person does: 帕提古丽负责采购."""
    f = ctx.folded
    for start in range(len(f)):
        if (start > 0 and not (f[start - 1] in _BOUNDARY or _role_before(f, start))) or f[start] not in TRANSLIT_CHARS:
            continue
        end = start
        while end < len(f) and end - start < 9 and (
            f[end] in TRANSLIT_CHARS or (f[end] in "·•." and end + 1 < len(f) and f[end + 1] in TRANSLIT_CHARS and end > start)
        ):
            end += 1
        for stop in range(end, start + 2, -1):
            name = f[start:stop]
            title = _title_at(f, stop)
            cued = title or f.startswith(STRONG_AFTER, stop) or (_role_before(f, start) and _boundary_after(f, stop))
            if cued and f[stop - 1] not in "·•." and not ordinary_word(name) and not _dictionary_word(name):
                yield Candidate(start, stop, K.person, key=name, hint="")
                break


_SPACED_CUE = re.compile(r"(?:联系人|负责人|对接人|经办人|姓名|联络人|签字人)\s?[:：]?\s?")


def _spaced_names(ctx: Context) -> Iterator[Candidate]:
    """Names typed with spaces between the characters after a form label: 联系人 蔺 晓 峰."""
    f = ctx.folded
    for m in _SPACED_CUE.finditer(f):
        i = m.end()
        surname = _surname_at(f, i)
        if surname is None:
            continue
        spaced = re.match(r"[\u4e00-\u9fff]{1,2}(?: [\u4e00-\u9fff]){1,2}(?![\u4e00-\u9fff])", f[i:])
        if spaced and " " in spaced.group() and all(c in GIVEN_CHARS or c == " " for c in spaced.group()[len(surname):]):
            key = spaced.group().replace(" ", "")
            yield Candidate(i, i + len(spaced.group()), K.person, key=key, hint=surname)


def detect_people(ctx: Context) -> list[Candidate]:
    found = list(_chinese_names(ctx)) + list(_latin_names(ctx.folded)) + list(_spaced_names(ctx)) + list(_transliterated(ctx))
    return found + list(_more_mentions(ctx.folded, found))
