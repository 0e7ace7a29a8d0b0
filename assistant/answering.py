"""Answers to factual questions, answer first; and comparisons of two things, side by side.

A question's type (a duration, a frequency, an amount, an obligation, an article …) decides which
sentence leads: sentences are ranked by whether they state that kind of answer, then by how much of
the question they share, so "网络安全事件要在多长时间内报告？" opens with the sentence that says
"最迟不超过1小时", not with the one that merely repeats the question's words.

    kind = question_type("重要数据处理者多久做一次风险评估？")   # "frequency"
    ranked = rank_sentences(question, hits, scope)              # [(score, type_score, Claim)], best first
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.models import Claim
from assistant.outline import Section
from assistant.passages import sentences, terms
from assistant.scope import Scope
from retrieval.models import Chunk, Hit

__all__ = [
    "AnswerConfig",
    "QuestionType",
    "RankedSentence",
    "answer_sections",
    "compare_sections",
    "compare_sides",
    "coverage",
    "mentions",
    "query_terms",
    "question_type",
    "rank_sentences",
    "topic_text",
]  # fmt: skip

QuestionType = Literal[
    "frequency", "duration", "date", "amount", "article", "who", "levels", "obligation", "definition", "scope", "general"
]

_N = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半百千]+)"
# (type, how a question asks it); the first match wins, so "多久做一次" is a frequency before it is a duration.
QUESTION_TYPES: tuple[tuple[QuestionType, re.Pattern[str]], ...] = (
    ("frequency", re.compile(
        r"多久.{0,6}一次|多长时间.{0,6}一次|每隔多久|多久(?:测评|评估|审计|检查|复测|开展|做)|频率|频次|几年一次|一年几次|"
        r"每年.{0,4}几次|多少次|(?:测评|评估|审计|检查|演练)周期|周期是多久|how often|how frequently", re.I)),
    ("duration", re.compile(
        r"(?:时间|时限|期限|周期|时长|目标)[^，。？?]{0,4}(?:是多少|多少|多长)|多长时间|多久|多长|几天|几个?小时|几个?月|几年|多少天|多少个?小时|多少个?月|多少年|时限|期限|时效|多快|"
        r"how long|within how|deadline", re.I)),
    ("date", re.compile(r"什么时候(?:起?施行|实施|生效|发布|开始|起)|何时(?:施行|实施|生效|发布)|哪年|哪一年|几月几日|哪天|when (?:did|does|was)", re.I)),
    ("amount", re.compile(r"多少钱|罚款多少|罚多少|多少万|金额|多少元|比例|占比|百分之|罚款|罚则|处罚|how much|fine|penalt", re.I)),
    ("article", re.compile(
        r"哪一条|哪条|第几条|哪个条款|什么条款|依据是什么|依据哪|法律依据|哪部法|什么法律|哪个法规|哪项规定|哪个标准|什么标准|"
        r"which article|which law|legal basis", re.I)),
    ("who", re.compile(r"谁|哪个部门|哪些部门|由谁|向谁|主管部门|监管部门|哪个机构|哪些机构负责|\bwho\b|which (?:department|authority)", re.I)),
    ("levels", re.compile(r"几级|分几级|哪几级|几类|多少级|几个等级|哪些级别|分为哪|分几类|几个级别|how many (?:levels|classes)", re.I)),
    ("obligation", re.compile(
        r"是否|要不要|需不需要|必须.*吗|能不能|可不可以|可以.*吗|需要.*吗|要.*吗|吗[？?]?$|是不是|有没有必要|"
        r"do (?:i|we|they) need|must|required|mandatory", re.I)),
    ("definition", re.compile(r"是什么|什么是|指什么|何为|含义|定义|what is|what does", re.I)),
    ("scope", re.compile(r"哪些(?:单位|系统|情形|机构|企业|数据|情况)|适用于|什么情况下|哪些情况|范围", re.I)),
)
# How a sentence states each kind of answer: (pattern, strength 0..1), strongest first.
ANSWER_SIGNS: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    "frequency": (
        (re.compile(r"每(?:年度|半年|季度|个?月|周|" + _N + r"年)|一年一次|至少.{0,6}一次|每年"), 1.0),
        (re.compile(r"定期|年度"), 0.5),
    ),
    "duration": (
        (re.compile(r"(?:最迟|不超过|不少于|至少|以内|之内|内|前)[^，。；]{0,12}" + _N + r"\s*(?:个)?(?:小时|分钟|天|日|个?工作日|周|个?月|年)"
                    r"|" + _N + r"\s*(?:个)?(?:小时|分钟|天|日|个?工作日|周|个?月|年)(?:内|以内|之内|以上|后)"), 1.0),
        (re.compile(_N + r"\s*(?:个)?(?:小时|分钟|天|日|个?工作日|周|个?月|年)"), 0.7),
        (re.compile(r"立即|第一时间|及时|限期"), 0.4),
    ),
    "amount": (
        (re.compile(_N + r"\s*(?:万|亿)?元|\d+(?:\.\d+)?\s*%|百分之" + _N + r"|" + _N + r"倍"), 1.0),
        (re.compile(r"罚款|罚金|没收"), 0.5),
    ),
    "date": ((re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?(?:起)?(?:施行|实施|生效|公布|发布|印发)|(?:施行|实施|生效)[^，。]{0,4}\d{4}年"), 1.0),
             (re.compile(r"\d{4}年"), 0.4)),
    "article": ((re.compile(r"第[一二三四五六七八九十百零〇\d]+条"), 1.0), (re.compile(r"《[^》]+》"), 0.5)),
    "who": ((re.compile(r"(?:向|由|报|报告|报送|到|在)[^，。；]{0,14}(?:部门|机关|网信|公安|委员会|主管|局|机构)"), 1.0),
            (re.compile(r"部门|机关|网信|公安|主管"), 0.5)),
    "levels": ((re.compile(r"分为[^。；]{0,30}(?:级|类)|[一二三四五六七八九\d]\s*个?(?:级|等级|类)"), 1.0),),
    "obligation": ((re.compile(r"应当|应|必须|须|不得|禁止|无需|不需要|要求|可以|有权|方可"), 0.4),),
    "definition": ((re.compile(r"是指|指的是|简称|即|是.{2,24}的(?:统称|制度|要求|体系|活动)"), 0.8),),
    "scope": ((re.compile(r"适用于|包括|范围|情形|以下|凡是"), 0.6),),
}
TYPE_WEIGHT = 1.5
RANK_PENALTY = 0.02
# Words every question uses; they say nothing about what it is about.
ASKING_WORDS = frozenset(
    "什么 哪些 哪个 如何 怎么 怎样 是否 多少 多久 多长 时间 多长时间 一次 几 吗 呢 要 在 内 有 做 的 了 是 需要 要求 规定 方案 客户 "
    "适合 推荐 单位 公司 情况 问题 介绍 一下 相关 主要 具体 哪里 谁 可以 能 应该 应当 必须 请问 请 我们 他们 它 这个 那个 一般 通常".split()
)
# "本指南介绍……": a document describing itself answers nothing; a disclaimer neither.
_ABOUT_THE_DOCUMENT = re.compile(r"^(?:本(?:文|问答|案例|指南|画像|篇|节|部分|材料)|示例案例|示意案例)")


def question_type(question: str) -> QuestionType:
    for kind, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return "general"


def answer_strength(sentence: str, kind: QuestionType) -> float:
    """How clearly a sentence states the kind of answer the question asks for (0..1)."""
    for pattern, strength in ANSWER_SIGNS.get(kind, ()):
        if pattern.search(sentence):
            return strength
    return 0.0


_ASKING = re.compile(
    r"[？?。！!，,]|是什么|是啥|指什么|请问|麻烦问一下|一般|大概|大约|通常|具体|到底|呢|吗|么|是否|是不是|要不要|需不需要|有没有|可不可以|能不能|"
    r"多长时间|多久|多长|多少|几(?:个|次|年|天|级|类|条)?|什么时候|何时|哪一条|哪条|第几条|哪个|哪些|哪几|什么|怎么|如何|怎样|为什么|"
    r"(?:做|开展|进行|搞|来)?一次",
    re.I,
)


def topic_text(question: str) -> str:
    """The question without its asking words: what it is about ("密评多久做一次？" → "密评 做一次")."""
    topic = " ".join(_ASKING.sub(" ", question).split())
    return topic if len(topic.replace(" ", "")) >= 2 else question


def query_terms(question: str) -> set[str]:
    return {t for t in terms(topic_text(question)) if t not in ASKING_WORDS and (len(t) >= 2 or t.isdigit())}


Weigh = Callable[[str], float]


def weighted_share(wanted: set[str], text: str, weigh: Weigh) -> float:
    """Share of the question's words found in `text` (as substrings: segmentation differs between a
    question and a passage), each word counted by how rare it is in the corpus."""
    total = sum(weigh(t) for t in wanted)
    if not total:
        return 0.0
    text = text.lower()  # the words are lower-cased ("gb/t")
    return sum(weigh(t) for t in wanted if t in text) / total


@dataclass(frozen=True)
class RankedSentence:
    score: float
    strength: float  # how clearly it states the asked kind of answer
    claim: Claim
    rank: int  # of its passage among the hits


def _searchable(chunk: Chunk) -> str:
    return f"{chunk.metadata.get('title', '')} {chunk.heading} {chunk.text}"


def rank_sentences(
    question: str, hits: list[Hit], scope: Scope, *, kind: QuestionType | None = None, weigh: Weigh | None = None
) -> list[RankedSentence]:
    """Every usable sentence of the hits, best answer first: what it states (the asked kind of answer),
    how much of the question it shares (with the sentence before it), and how much its passage does."""
    kind = kind or question_type(question)
    weigh = weigh or (lambda _term: 1.0)
    wanted = query_terms(question)
    ranked: list[RankedSentence] = []
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        if not scope.fits(chunk):
            continue
        context = weighted_share(wanted, _searchable(chunk), weigh)
        previous = ""
        for sentence in sentences(chunk.text):
            before, previous = previous, sentence
            if _ABOUT_THE_DOCUMENT.match(sentence) or sentence.endswith(("？", "?")) or not scope.fits_text(sentence):
                continue
            own = weighted_share(wanted, sentence, weigh)
            local = weighted_share(wanted, before + sentence, weigh)
            if own == 0 and context < 0.5:
                continue
            strength = answer_strength(sentence, kind)
            topical = 0.5 * own + 0.25 * local + 0.25 * context
            score = topical + TYPE_WEIGHT * strength * min(1.0, 0.5 + topical) - RANK_PENALTY * rank
            ranked.append(RankedSentence(score, strength, Claim(text=sentence, chunk_id=chunk.chunk_id), rank))
    ranked.sort(key=lambda r: -r.score)
    return ranked


# -- comparisons ----------------------------------------------------------------------------------------
_GENERIC_PREFIX = re.compile(r"^(?:网络安全等级保护|等级保护|等保)")


def compare_sides(first: str, second: str) -> tuple[str, str]:
    """Both sides spelled out: ("等保二级", "三级") → ("等保二级", "等保三级")."""
    if len(second) < len(first) and first[-1:] == second[-1:]:
        second = first[: len(first) - len(second)] + second
    elif len(first) < len(second) and first[-1:] == second[-1:]:
        first = second[: len(second) - len(first)] + first
    return first, second


def mentions(sentence: str, side: str) -> bool:
    """Whether a sentence is about one side ("等保三级" is also "第三级" and "三级")."""
    if side in sentence:
        return True
    core = _GENERIC_PREFIX.sub("", side)
    if core != side and len(core) >= 2:
        if re.fullmatch(r"[一二三四五]级", core):
            return ("第" + core) in sentence or re.search(rf"(?<![一二三四五第]){core}(?!医院|甲|乙)", sentence) is not None
        return core in sentence
    return False


# -- gathering --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerConfig:
    hits: int = 10
    sentences: int = 5
    per_passage: int = 2
    min_coverage: float = 0.66  # share of the question's terms the passages must contain
    direct_strength: float = 0.7  # a sentence this clear about the asked kind of answer is the direct answer
    per_side: int = 3


def coverage(question: str, hits: list[Hit], weigh: Weigh | None = None) -> float:
    """Share of the question's words that the passages contain at all, rare words counting for more
    ("火星基地" missing outweighs "采购标准" found)."""
    wanted = query_terms(question)
    if not wanted or not hits:
        return 0.0
    return weighted_share(wanted, "\n".join(_searchable(h.chunk) for h in hits), weigh or (lambda _term: 1.0))


def answer_sections(
    question: str, hits: list[Hit], scope: Scope, config: AnswerConfig, weigh: Weigh | None = None
) -> list[Section]:
    """The answer's outline: the sentence that answers first (as a direct answer when it clearly does), then support."""
    if coverage(question, hits, weigh) < config.min_coverage:
        return []
    kind = question_type(question)
    picked: list[RankedSentence] = []
    per_chunk: dict[str, int] = {}
    for ranked in rank_sentences(question, hits, scope, kind=kind, weigh=weigh):
        chunk_id = ranked.claim.chunk_id
        if per_chunk.get(chunk_id, 0) >= config.per_passage or any(p.claim.text == ranked.claim.text for p in picked):
            continue
        per_chunk[chunk_id] = per_chunk.get(chunk_id, 0) + 1
        picked.append(ranked)
        if len(picked) >= config.sentences:
            break
    if not picked:
        return []
    direct = kind != "general" and picked[0].strength >= config.direct_strength
    return [Section(claims=[p.claim for p in picked], layout="direct" if direct else "bullets")]


def compare_sections(
    sides: tuple[str, str], question: str, hits: list[Hit], scope: Scope, config: AnswerConfig, weigh: Weigh | None = None
) -> list[Section]:
    """One section per side (sentences about it), then sentences about both."""
    first, second = compare_sides(*sides)
    ranked = rank_sentences(question, hits, scope, kind="general", weigh=weigh)
    own: dict[str, list[Claim]] = {first: [], second: []}
    both: list[Claim] = []
    seen: set[str] = set()
    for item in ranked:
        text = item.claim.text
        if text in seen:
            continue
        about = [side for side in (first, second) if mentions(text, side)]
        if len(about) == 2 and len(both) < config.per_side:
            both.append(item.claim)
        elif len(about) == 1 and len(own[about[0]]) < config.per_side:
            own[about[0]].append(item.claim)
        else:
            continue
        seen.add(text)
    if not (both or own[first] or own[second]):
        return []
    sections = [Section(heading=side, claims=own[side]) for side in (first, second) if own[side]]
    if both:
        sections.append(Section(heading=f"{first}与{second}对比", claims=both))
    return sections
