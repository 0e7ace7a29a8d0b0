"""Organisation names other than the customer's: found by their head word (公司, 医院, 银行, 大学, 局 …),
extended left over the words of the name, and kept only when something in front makes them
specific (a place, a 字号): 三甲医院 and 一家安全公司 are not names, 温州市第二人民医院 is.

Security vendors and regulators (lexicon.KEEP_ORGS) are kept as written, and so are government
bodies named only by place and function (杭州市公安局): the place is generalised by places.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import rjieba

from community.redaction.lexicon import GENERIC_MODIFIERS, GIVEN_CHARS, KEEP_ORGS
from community.redaction.models import FindingKind as K
from community.redaction.places import is_place
from community.redaction.spans import Candidate, Context, Token, ordinary_word

__all__ = ["detect_orgs", "is_kept_org", "org_type"]

# Head words, longest first, with the type word a placeholder uses (某医院A, 某公司B).
HEADS: dict[str, str] = {}
for _type, _words in {
    "公司": "股份有限公司 有限责任公司 集团有限公司 有限公司 分公司 子公司 总公司 公司 集团 企业 工厂 厂 商行 Co.,Ltd. Ltd",
    "医院": "医院 中医院 人民医院 卫生院 保健院 妇幼保健院 门诊部 诊所 医疗集团 医学中心 院区",
    "银行": "银行 分行 支行 总行 信用社 信用联社 农商行 城商行 村镇银行 营业部",
    "高校": "大学 学院 职业技术学院 高等专科学校 医学院",
    "学校": "中学 小学 学校 幼儿园 附中 附小 一中 二中 三中 实验学校 职高 中专 技校",
    "机构": "研究院 研究所 设计院 研究中心 事务所 合作社 协会 学会 商会 基金会 联合会 实验室 中心 站 所 馆 社 台 报社 "
    "电视台 出版社 酒店 宾馆 商场 超市 机场 码头 电厂 证券 保险 期货 信托 基金",
    "单位": "人民政府 政府 委员会 管委会 人民法院 法院 人民检察院 检察院 办事处 街道办 公安局 分局 局 厅 委 办 处 署 "
    "支队 总队 大队 派出所 监狱",
}.items():
    for _w in _words.split():
        HEADS[_w] = _type
_HEAD_WORDS = sorted(HEADS, key=len, reverse=True)
_HEAD_RE = re.compile("|".join(re.escape(w) for w in _HEAD_WORDS))
LEGAL_FORMS = frozenset("股份有限公司 有限责任公司 集团有限公司 有限公司 Co.,Ltd. Ltd".split())
# Heads too common in ordinary words to stand without a place or a long specific name in front.
WEAK_HEADS = frozenset("中心 站 所 馆 社 台 局 厅 委 办 处 署 厂 企业 支队 总队 大队 营业部 院区 基金 证券 保险 期货 信托".split())
# Heads of government bodies: with only a place in front they name a public authority, not a customer.
GOV_HEADS = frozenset("人民政府 政府 委员会 管委会 人民法院 法院 人民检察院 检察院 公安局 分局 局 厅 委 办 署 支队 总队 大队 派出所".split())
TRADE_WORDS = ("科技", "软件", "电子", "数码", "信息")
# 信息 ends too many ordinary phrases (面单信息, 患者信息): before it only a two-character 字号 of name-like characters.
BRAND_CHARS = GIVEN_CHARS | set("数智云联网创讯达通捷盾擎芯码策图维度链信汇鼎拓锐沐辰")

# Words that end an organisation name on its left: the sentence's verbs, prepositions and the like.
VERB_STOP = frozenset(
    (
        "为 是 有 给 在 帮 帮助 协助 服务 完成 中标 签约 拜访 联系 对接 部署 交付 采购 实施 负责 参与 推荐 介绍 包括 涉及 选择 "
        "选用 采用 使用 替换 竞争 对标 合作 联合 配合 支持 进入 来自 属于 称为 叫 成为 拿下 输给 击败 报备 投标 入围 落地 上线 "
        "通过 承建 承接 提供 获得 开展 组织 召开 邀请 要求 发布 印发 下发 牵头 主导 推进 上报 提交 报送 对比 比较 参考 借鉴 学习 "
        "考察 调研 走访 访问 见 找 找到 接触 认识 搞定 跟进 跟踪 跟 把 被 让 向 将 从 到 由 经 经过 通知 告知 表示 认为 希望 "
        "需要 想 要 能 会 可以 应该 必须 发现 看到 了解 知道 遇到 处理 整改 加固 检查 测评 评估 审计 巡检 核查 和 与 及 或 "
        "对 于 以 并 也 都 还 又 即 就 等 了 的 地 得 着 过 之 其 该 此 这 那 及其 以及 或者 还是 同时 另外 此外 后来 最终 "
        "首先 其次 然后 今年 去年 明年 当年 今天 昨天 目前 现在 已经 曾经 正在 客户 用户 甲方 乙方 业主 我们 我方 我司 他们 "
        "对方 项目 方案 系统 平台 招标 投标方 竞标 报价 预算 合同 公告 名单 清单 集成商 厂商 供应商 代理商 经销商 渠道 友商 "
        "已 正在 曾 再 很 更 最 才 只 仅 均 皆 全部 主要 尤其 特别 说 讲 问 看 听 去 来 通报 约谈 点名 批评 表扬 一批 一些 多个"
    ).split()
)
# Words that, with places, make up a public authority's name: 杭州市公安局网安支队, 浙江省大数据发展管理局.
AUTHORITY_WORDS = frozenset(
    "公安 公安局 公安厅 分局 网安 网信 网信办 经侦 治安 刑侦 交警 消防 应急 应急管理 大数据 数据 政务 政务服务 行政 审批 "
    "管理 管理局 发展 监督 执法 卫健 卫健委 卫生健康 教育 教育局 教育厅 财政 税务 市场 市场监管 人社 医保 审计 交通 "
    "交通运输 住建 工信 经信 发改 发展改革 网络安全 信息化 委员会 人民 人民政府 政府 办公室 办公厅 保密 密码 国资 通信 "
    "通信管理局 能源 统计 海关 边检 金融 监管 监管局 总局 中心 支队 总队 大队".split()
)
STOP_TAGS = ("p", "c", "u", "r", "y", "e", "o")  # punctuation (x, w) is caught by its characters


def is_kept_org(name: str) -> bool:
    """A security vendor or a regulator, or a body whose name opens with one (中国人民银行杭州中心支行)."""
    bare = re.sub(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司)$", "", name)
    return name in KEEP_ORGS or bare in KEEP_ORGS or any(name.startswith(k) for k in KEEP_ORGS if len(k) >= 3)


_FORMS = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|\(集团\)|（集团）)$")


def org_type(name: str) -> str:
    """The type word of a placeholder: 公司, 医院, 银行, 高校, 学校, 单位 or 机构 (临江农村商业银行股份有限公司 → 银行)."""
    bare = _FORMS.sub("", name)
    if bare != name:
        for head in _HEAD_WORDS:
            if bare.endswith(head) and HEADS[head] != "机构":
                return HEADS[head]
        return "公司"
    for head in _HEAD_WORDS:
        if name.endswith(head):
            return HEADS[head]
    for head in _HEAD_WORDS:
        if head in name:
            return HEADS[head]
    return "机构"


# Single characters that end a name on its left even when jieba glues them to the next one (由县医院, 可借助).
_FUNCTION_CHARS = set("由可于使或对为在是的了和与及把被让给向从到以将而并也都就还又再很更最其该此这那各每如若年月日")


def _stops(tok: Token) -> bool:
    if tok.word in VERB_STOP or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", tok.word):
        return True
    if tok.word in ("(", ")", "（", "）", "·", "&"):
        return False
    if re.fullmatch(r"第.+[条款项章节]|.*规定", tok.word):
        return True  # 第七条规定中国证券业协会: the article, not the name
    if tok.word[0] in _FUNCTION_CHARS or tok.word.startswith("某") or any(c in "是的了" for c in tok.word):
        return True  # jieba glues 是 to the word before it (运维是): no name contains it
    if len(tok.word) == 1:  # a 字号 jieba split into characters (毅|正|科技): only function words stop it
        return tok.tag in STOP_TAGS or tok.tag.startswith("u")
    if tok.tag in STOP_TAGS or tok.tag.startswith("u"):
        return True
    # A real verb, adverb or time word ends the name (另有, 这是, 目前); an unknown 字号 jieba guessed a verb (联纳) does not.
    return tok.tag.startswith(("v", "d", "f", "t")) and tok.tag != "vn" and ordinary_word(tok.word)


NOT_ORGS = frozenset("中小学 中小学校 手机银行 网上银行 网银 电子银行 直销银行 数据银行 数据中心 运营中心 指挥中心 灾备中心 呼叫中心 客服中心".split())


def _join_single_chars(words: list[str]) -> list[str]:
    """格|沐 → 格沐: a 字号 jieba split into characters is one word; a lone character (在华|子公司, 加|工厂) is none."""
    out: list[str] = []
    joining = False
    for w in words:
        single = len(w) == 1 and bool(re.fullmatch(r"[\u4e00-\u9fff]", w))
        if single and joining:
            out[-1] += w
        else:
            out.append(w)
        joining = single or (joining and single)
    return out


def _proper(word: str) -> bool:
    """Could name one organisation: not an ordinary word, and unknown to jieba or known as a proper noun."""
    if ordinary_word(word):
        return False
    if not rjieba.has_word(word):
        return True
    return rjieba.tag(word, False)[0][1].startswith(("nr", "nz", "nt", "ns", "j"))


def _generic(word: str) -> bool:
    return word in GENERIC_MODIFIERS or bool(re.fullmatch(r"[0-9一二三四五六七八九十百几多两数]+[家个所座批些类种级位名]?", word))


def _extend_left(ctx: Context, head_start: int) -> int:
    """Where the name ending in the head word at `head_start` begins."""
    i = ctx.token_at[head_start]
    start = ctx.tokens[i].start
    taken = 0
    while i > 0 and taken < 10:
        prev = ctx.tokens[i - 1]
        glued = len(prev.word) > 1 and prev.word[0] in _FUNCTION_CHARS and not rjieba.has_word(prev.word)
        if glued and not _stops(Token(prev.word[1:], "x", 0, 0)):
            return prev.start + 1  # 是|泽云: jieba glued the verb to the 字号
        if _stops(prev) or start - prev.start > 30:
            break
        i -= 1
        start = prev.start
        taken += 1
    return start


def _specific(ctx: Context, start: int, head_start: int, head: str) -> int | None:
    """The start after dropping generic words in front, or None when nothing specific is left."""
    toks = list(ctx.tokens[ctx.token_at[start] : ctx.token_at[head_start] + 1])
    while toks and toks[0].end <= head_start and _generic(toks[0].word):
        toks.pop(0)
    # A verb in front (这是一家…, 另有郑州市…) opens the sentence, not the name, unless it is all the name has.
    while toks and toks[0].end <= head_start and toks[0].tag.startswith("v") and not toks[0].tag.startswith("vn"):
        rest = [t for t in toks[1:] if t.end <= head_start]
        if head in LEGAL_FORMS and not any(is_place(t.word) or not _generic(t.word) for t in rest):
            break
        toks.pop(0)
        while toks and toks[0].end <= head_start and _generic(toks[0].word):
            toks.pop(0)
    if not toks:
        return None
    start = max(toks[0].start, start)
    front = [t for t in toks if t.end <= head_start]
    if front and front[0].start < start:  # the name starts inside jieba's word (在华|子公司 → 华)
        first = front[0]
        front[0] = Token(ctx.folded[start : first.end], first.tag, start, first.end)
    # The head's own token may carry specific characters (临江大学/nt, 临江农商银行/nt).
    own = ctx.tokens[ctx.token_at[head_start]]
    own_front = ctx.folded[max(own.start, start) : head_start]
    words = [t.word for t in front] + ([own_front] if own_front else [])
    # Specific: a place, a word jieba does not know as a frequent common word (明远, 华睿), or a name tag.
    legal = head in LEGAL_FORMS  # 致远网络科技有限公司: with a legal form any non-generic word is a 字号
    words = [w for w in _join_single_chars(words) if len(w) >= 2 or not re.fullmatch(r"[\u4e00-\u9fff]", w)]
    named = own.tag == "nt" and bool(own_front) and not _generic(own_front)  # 清华大学: jieba knows the organisation
    specific = [w for w in words if not _generic(w) and (legal or named or is_place(w) or _proper(w))]
    if not specific:
        return None
    authority = all(is_place(w) or _generic(w) or w in AUTHORITY_WORDS for w in words)
    if authority and (head in GOV_HEADS or head == "中心"):
        return None  # 杭州市公安局网安支队: a public authority; places.py generalises the place
    if head in WEAK_HEADS and not any(is_place(w) for w in words):
        brandish = [t for t in front if t.tag in ("nr", "nrt", "nrfg", "nz", "nt", "j") and not _generic(t.word)]
        if not brandish and sum(len(w) for w in specific) < 6:
            return None
    return start


def _suffix_names(ctx: Context, kept: list[tuple[int, int]]) -> Iterator[Candidate]:
    f = ctx.folded
    for m in _HEAD_RE.finditer(f):
        head = m.group()
        end = m.end()
        # 医院 inside 医院信息科 still ends a name; 公司 inside 公司化 does not.
        if end < len(f) and not ctx.ends_token(end) and f[end] not in _EDGE and not f.startswith(("信息", "科", "部", "处"), end):
            continue  # 分行 in 细分行业, 公司 in 公司化: the head must end a word
        own = ctx.tokens[ctx.token_at[m.start()]]
        if len(head) == 1 and own.word == head and own.tag == "q":
            continue  # 台 in 上百台: a measure word
        if len(head) == 1 and own.word != head and (own.tag != "nt" or ordinary_word(own.word)):
            continue  # 署 in 部署, 所 in 公共场所, 厂 in 加工厂: a word, not a head
        left = _extend_left(ctx, m.start())
        start = _specific(ctx, left, m.start(), head) if left < m.start() else None
        if start is None:
            continue
        name = f[start:end]
        if name in NOT_ORGS or (name.endswith(tuple(NOT_ORGS)) and not any(is_place(t.word) for t in ctx.tokens[ctx.token_at[start] : ctx.token_at[end - 1]])):
            continue
        if is_kept_org(name):
            kept.append((start, end))
        else:
            yield Candidate(start, end, K.org, key=name, hint=HEADS[head])


# Characters that do not occur in a 字号 but start or end the words before a trade word (讲关键信息, 把园区网络).
_NOT_BRAND = set("的了和与及或在是把被让给跟向对从到为以于而但并且别只也都就还又再很更最讲说走看做用开关录配个些这那其该各每某我你他她它们有无不没要会能")
_EDGE = set("，,。.；;：:、|（(）)“”\"'「」《》 \n-–—·•*#")


def _trade_names(ctx: Context, kept: list[tuple[int, int]]) -> Iterator[Candidate]:
    """Short company names: a 字号 of two or three characters right after a boundary, then a trade word
    that ends the word there (；昊辰信息也来竞标, ，泓数信息（负责软件）, 明远科技报价更低)."""
    f = ctx.folded
    for m in re.finditer("|".join(TRADE_WORDS), f):
        if not ctx.ends_token(m.end()) and m.end() < len(f) and f[m.end()] not in _EDGE:
            continue
        if f.startswith(("科", "部", "处", "室", "化", "中心", "安全", "系统", "平台", "技术"), m.end()):
            continue  # 信息科, 信息中心: a department or a domain word, not a company
        for size in (2, 3):
            start = m.start() - size
            brand = f[start : m.start()]
            if start < 0 or not re.fullmatch(r"[\u4e00-\u9fff]+", brand):
                continue
            before = f[:start]
            opens = start == 0 or f[start - 1] in _EDGE or before.endswith(tuple(VERB_STOP))
            if not opens or (not ctx.starts_token(start) and f[start - 1] not in _EDGE):
                continue
            if _generic(brand) or is_place(brand) or brand in VERB_STOP or any(c in _NOT_BRAND for c in brand):
                continue
            if m.group() == "信息" and (size != 2 or any(c not in BRAND_CHARS for c in brand)):
                continue
            if ordinary_word(brand) or (rjieba.has_word(brand) and not rjieba.tag(brand, False)[0][1].startswith(("nr", "nz", "nt", "j"))):
                continue  # a dictionary word (园区, 录音, 配套) is not a 字号
            name = brand + m.group()
            if any(s <= start and m.end() <= e for s, e in kept) or is_kept_org(name) or is_kept_org(brand):
                continue
            yield Candidate(start, m.end(), K.org, key=name, hint="公司", priority=68)
            break


LATIN_ORG = re.compile(
    r"(?<![A-Za-z])(?:[A-Z][A-Za-z&'-]*\.? ){1,5}(?:Co\., ?Ltd\.?|Co\. Ltd\.?|Ltd\.?|Limited|Inc\.?|Corp\.?|Corporation|LLC|"
    r"Group|Bank|Hospital|University|College|Institute)(?![A-Za-z])"
)


def _latin_names(ctx: Context) -> Iterator[Candidate]:
    for m in LATIN_ORG.finditer(ctx.folded):
        name = m.group()
        if not any(k in name for k in KEEP_ORGS if k.isascii() and len(k) > 2):
            yield Candidate(m.start(), m.end(), K.org, key=name.lower(), hint="公司")


def _merge(cands: list[Candidate]) -> list[Candidate]:
    """Overlapping or touching names are one name (临江农商银行 + 城东支行)."""
    cands.sort(key=lambda c: (c.start, -c.end))
    out: list[Candidate] = []
    for c in cands:
        if out and c.start <= out[-1].end:
            last = out[-1]
            if c.end > last.end:
                last.end = c.end
                last.hint = c.hint
        else:
            out.append(c)
    return out


def detect_orgs(ctx: Context) -> list[Candidate]:
    kept: list[tuple[int, int]] = []
    suffixed = list(_suffix_names(ctx, kept))
    found = _merge(suffixed + list(_trade_names(ctx, kept)))
    for c in found:
        c.key = ctx.folded[c.start : c.end]
    return found + list(_latin_names(ctx))
