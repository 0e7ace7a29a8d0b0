"""Stage 1 of a turn: what the partner wants, read from the message and the conversation so far.

No LLM and no retrieval: rules over the message (assistant/intent_words.py), the conversation's customer,
the customer it asked about, and one corpus signal (does the corpus know these words as a topic?).

    router = IntentRouter(known_topic=vocabulary.known)
    router.route(UserMessage("制造业"), ConversationState(pending=unknown_profile)).intent  # "clarify"

Intents: greeting, thanks (a short reply, no profile); customer (a name to brief); clarify (industry,
region, segment or size of the current customer, merged into it: never a new name); focus (the needs of
the current customer in named categories); recommend (vendor-neutral options); cases; budget (budget and
timeline); draft (email, agenda, proposal outline); compare (A vs B); question (anything else).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from assistant import intent_words as W
from assistant.gazetteer import default_gazetteer
from assistant.message import UserMessage
from assistant.models import Profile
from assistant.name_rules import match_words

Intent = Literal[
    "greeting", "thanks", "customer", "clarify", "focus", "recommend", "cases", "budget", "draft", "compare", "question"
]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]
DraftKind = Literal["email", "agenda", "outline"]
ORGANISATION_TIER = 3  # name_rules: words that say what kind of organisation it is

__all__ = ["INTENTS", "Clarification", "ConversationState", "DraftKind", "Intent", "IntentRouter", "Route"]


class ConversationState(BaseModel):
    """What a conversation knows before the next message: its customer, and one it asked about."""

    customer: Profile | None = None  # a known customer: what "他们" refers to
    pending: Profile | None = None  # a name the last reply could not place (asked for its industry)

    @property
    def target(self) -> Profile | None:
        """The customer a clarification is about: the one asked about, else the current one."""
        return self.pending or self.customer


@dataclass(frozen=True)
class Clarification:
    """What a user told about the customer (codes and the place text as typed)."""

    industry: str | None = None
    region: str | None = None
    segment: str | None = None
    size: str | None = None
    other: str | None = None  # a sector we have no code for ("建筑业"): asked again, with the choices

    @property
    def empty(self) -> bool:
        return not (self.industry or self.region or self.segment or self.size or self.other)


@dataclass(frozen=True)
class Route:
    intent: Intent
    message: UserMessage
    name: str | None = None  # an organisation the message names (to profile; becomes the customer)
    clarification: Clarification | None = None
    focus: tuple[str, ...] = ()  # need categories the message names
    topic: str = ""  # the message without asking words: what to search for
    draft: DraftKind | None = None
    sides: tuple[str, str] | None = None  # compare: the two things compared
    industries: frozenset[str] = field(default_factory=frozenset)  # industries the message names by a type word


def normalise(message: str) -> str:
    return unicodedata.normalize("NFKC", message).strip()


def is_question(text: str) -> bool:
    return bool(W.QUESTION.search(text)) or len(text) > 40


def contains(text: str, word: str) -> bool:
    """`word` in `text`, case-insensitive; a latin word only as a whole word ("IT" is not in "security")."""
    if word.isascii():
        return re.search(rf"(?<![a-z]){re.escape(word.lower())}(?![a-z])", text.lower()) is not None
    return word in text


def focus_categories(text: str) -> tuple[str, ...]:
    return tuple(c for c, words in W.CATEGORY_WORDS.items() if any(contains(text, w) for w in words))


def mentioned_industries(text: str) -> frozenset[str]:
    """Industries a message names by an organisation word (医院, 银行, 学校 …)."""
    return frozenset(m.rule.industry for m in match_words(text) if m.rule.tier == ORGANISATION_TIER)


def _social(text: str) -> Intent | None:
    pieces = [p for p in W.SOCIAL_FILLERS.split(text.lower()) if p]
    if not pieces:
        return "thanks" if text.strip() else None  # only emoji or punctuation: 👍, 🙏, "……"
    if sum(len(p) for p in pieces) > 16:
        return None
    pieces = [re.sub(r"^(?:请问|问一下|我想问)", "", p) or p for p in pieces]
    pieces = [p for p in pieces if p not in W.NEUTRAL_WORDS] or pieces
    kinds = [_social_kind(p) for p in pieces]
    if None in kinds:
        return None
    return "thanks" if "thanks" in kinds else "greeting"


def _social_kind(piece: str) -> Intent | None:
    bare = piece.rstrip(W.SOCIAL_PARTICLES)
    if bare != piece and bare and (kind := _social_kind(bare)) is not None:
        return kind
    if piece in W.THANKS:
        return "thanks"
    if piece in W.GREETINGS:
        return "greeting"
    if piece.isascii() and len(piece) >= 4:  # typos of hello / thanks
        for word in W.THANKS | W.GREETINGS:
            if word.isascii() and len(word) >= 4 and _close(piece, word):
                return "thanks" if word in W.THANKS else "greeting"
    for word in W.THANKS:  # 谢谢啦啦, 好的好的
        if not word.isascii() and len(word) >= 2 and piece.replace(word, "") == "":
            return "thanks"
    return None


def _close(a: str, b: str) -> bool:
    """Optimal-string-alignment distance of at most one edit (a transposition counts as one)."""
    if abs(len(a) - len(b)) > 1:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1] <= 1


class IntentRouter:
    """`route(message, state)`: the intent and its slots. `known_topic(text)` says whether the corpus
    treats the words as a topic (so "零信任" is a question and "北辰云帆" a name to profile)."""

    def __init__(self, known_topic: Callable[[str], bool] | None = None) -> None:
        self.known_topic = known_topic or (lambda _text: False)
        self.gazetteer = default_gazetteer()

    def route(self, message: UserMessage, state: ConversationState) -> Route:
        text = normalise(message)
        base: dict[str, Any] = {"message": message, "focus": focus_categories(text), "industries": mentioned_industries(text)}
        if (social := _social(text)) is not None:
            return Route(social, **base)
        chosen = self._chosen_candidate(text, state)
        if chosen is not None:
            return Route("customer", name=chosen, **base)
        name = self.organisation_in(text)
        topic = _topic(text)
        if (kind := self._draft_kind(text)) is not None:
            return Route("draft", name=name, draft=kind, topic=topic, **base)
        if (sides := self._sides(text)) is not None:
            return Route("compare", sides=sides, topic=topic, **base)
        if W.CASES.search(text):
            return Route("cases", name=name, topic=topic, **base)
        if W.RECOMMEND.search(text) and not _asks_what_to_pitch(text):
            return Route("recommend", name=name, topic=topic, **base)
        if (W.BUDGET.search(text) or W.TIMELINE.search(text)) and not W.FACT_VERBS.search(text):
            return Route("budget", name=name, topic=topic, **base)
        target = state.target
        if target is not None and (clarification := self.clarification(text, state)) is not None:
            return Route("clarify", clarification=clarification, **base)
        if name is not None and (name == text or self._asks_about(text, name)):
            return Route("customer", name=name, **base)
        if state.customer is not None and self._is_follow_up(text, base["industries"], state.customer):
            return Route("focus", topic=topic, **base)
        if not is_question(text) and self._looks_like_name(text):
            return Route("customer", name=self._name_core(text), **base)
        return Route("question", name=name, topic=topic, **base)

    # -- names ------------------------------------------------------------------------------------
    def organisation_in(self, text: str) -> str | None:
        """The organisation a message names ("帮我给临江县人民医院写邮件" → 临江县人民医院), if any."""
        core = self._name_core(text)
        if core and self._is_organisation(core):
            return core
        for match in sorted(match_words(text), key=lambda m: -m.end):
            if match.rule.tier != ORGANISATION_TIER:
                continue
            clause = re.split(r"[，,。；;：:！!？?\s（）()“”\"、]", text[: match.start])[-1]
            for start in [0, *(m.end() for m in W.NAME_STARTS.finditer(clause))]:
                head = clause[start:]
                if W.NOT_A_NAME_START.match(head) and not self.gazetteer.find(head[:4]):
                    continue
                candidate = head + text[match.start : match.end]
                if self._is_organisation(candidate):
                    return candidate
                break
        return None

    def _is_organisation(self, name: str) -> bool:
        """A proper name of an organisation, not a kind of one ("三级医院", "城商行", "医院") nor a phrase."""
        if len(name) < 3 or len(name) > 60 or is_question(name):
            return False
        words = [m for m in match_words(name) if m.rule.tier == ORGANISATION_TIER]
        if not words:
            stem = W.ORG_TAIL.sub("", name)
            kind = _industry_in(stem) is not None and len(stem) <= 4  # "互联网公司", "软件公司": a kind, not a name
            return bool(W.ORG_TAIL.search(name)) and len(name) >= 4 and not W.NAME_STARTS.search(name) and not kind
        head = max(words, key=lambda m: m.end)
        if not W.ORG_REST.fullmatch(name[head.end :]):
            return False  # "…医院写一封邮件": the name ended before
        prefix = name[: head.start]
        if W.GENERIC_PREFIX.fullmatch(prefix):
            return False
        place = self.gazetteer.find(prefix)
        outside = prefix
        for surface, _full in place.spans if place is not None else ():
            outside = outside.replace(surface, "□")
        if W.NAME_STARTS.search(outside):
            return False  # "等保三级对医院": a phrase around a kind of organisation
        return place is not None or len(prefix) >= 2

    @staticmethod
    def _name_core(text: str) -> str:
        core, before = text, None
        while core != before:  # "再看看…", "那帮我分析一下…": leads stack
            before, core = core, W.NAME_LEAD.sub("", core).strip(" ：:，,")
        return W.NAME_TAIL.sub("", core).strip(" ：:，,")

    def _asks_about(self, text: str, name: str) -> bool:
        """"临江县人民医院的需求？", "帮我分析一下临江县人民医院": a brief is what is asked for."""
        return self._name_core(text) == name

    def _looks_like_name(self, text: str) -> bool:
        """A short phrase the corpus does not know as a topic: most likely a customer name to profile."""
        core = self._name_core(text)
        if not core or len(core) > 30:
            return False
        if W.ORG_TAIL.search(core) or any(m.rule.tier == ORGANISATION_TIER for m in match_words(core)):
            return True
        if self.known_topic(core):
            return False  # "数据库审计", "零信任": a topic of the corpus
        return True

    @staticmethod
    def _chosen_candidate(text: str, state: ConversationState) -> str | None:
        pending = state.pending
        if pending is None or not pending.candidates:
            return None
        for candidate in pending.candidates:
            if text in (candidate.name, candidate.label):
                return candidate.name
        return None

    # -- slots -------------------------------------------------------------------------------------
    @staticmethod
    def _draft_kind(text: str) -> DraftKind | None:
        for kind, pattern in W.DRAFT_KINDS:
            if pattern.search(text) and (W.DRAFT_VERB.search(text) or re.search(r"怎么写|如何写|怎样写", text)):
                return kind  # type: ignore[return-value]
        return None

    @staticmethod
    def _sides(text: str) -> tuple[str, str] | None:
        mark = W.COMPARE_MARK.search(text)
        if mark is None:
            return None
        before = text[: mark.start()]
        before = re.sub(r"^(?:请问|请|帮我|麻烦)?(?:说说|讲讲|比较一下|对比一下|比较|对比|compare)?", "", before, flags=re.I)
        before = re.sub(r"(?:之间|两者|二者|的|有|是|都)+$", "", before).strip(" ，,")
        parts = [p.strip() for p in W.COMPARE_JOIN.split(before) if p and p.strip()]
        if len(parts) < 2:  # "X vs Y", "X对比Y", "difference between X and Y"
            after = re.sub(r"^\s*between\s+", "", text[mark.end():], flags=re.I)
            after = re.sub(r"(?:有什么|有何|的)?(?:区别|不同|差异)?[？?。!！\s]*$", "", after)
            joined = f"{before} {mark.group(0)} {after}" if re.match(r"vs|versus|对比|比较|相比", mark.group(0), re.I) else after
            parts = [p.strip(" ，,") for p in W.COMPARE_JOIN.split(joined) if p and p.strip(" ，,") and not W.COMPARE_MARK.fullmatch(p.strip())]
        if len(parts) < 2:
            return None
        first, second = parts[-2], parts[-1]
        if not first or not second or first == second:
            return None
        return first, second

    def clarification(self, text: str, state: ConversationState) -> Clarification | None:
        """What the message tells about the target customer, when telling is what it does."""
        if is_question(text) and state.pending is None:
            return None
        industry = _industry_in(text)
        segment = _segment_in(text)
        size_match = W.SIZE.search(text)
        size = size_match.group(0).strip() if size_match else None
        region = self._region_in(text)
        other = None
        if industry is None and state.pending is not None and (sector := _SECTOR.fullmatch(text.strip(" 。."))):
            other = sector.group(0)
        found = Clarification(industry=industry, region=region, segment=segment, size=size, other=other)
        if found.empty:
            return None
        short = len(text) <= 12
        describes = bool(W.DESCRIBES.search(text))
        if not (short or describes or state.pending is not None):
            return None
        target = state.target
        if self._is_organisation(self._name_core(text)):
            return None  # another organisation's name: a new customer, not a detail of this one
        if target is not None and state.pending is None and not describes and not short:
            return None
        return found

    def _region_in(self, text: str) -> str | None:
        match = self.gazetteer.find(text, relaxed=True)
        if match is None or not match.spans:
            return None
        return match.spans[-1][0]

    def _is_follow_up(self, text: str, industries: frozenset[str], customer: Profile) -> bool:
        """"那他们的数据安全呢？", "IT需求呢", "有什么需求": the customer's needs, not a question about a topic."""
        if industries and customer.industry not in industries:
            return False  # "医院的数据安全要求？" asked while talking about a bank
        asks = bool(W.ASKS_FOR_NEEDS.search(text) or W.FOLLOW_UP.search(text))
        if focus_categories(text):
            return asks or (len(text) <= 8 and not is_question(text))
        return bool(W.ASKS_FOR_NEEDS.search(text)) and len(text) <= 24 and not _about_a_topic(text)


_SECTOR = re.compile(r"[\u4e00-\u9fff]{1,6}(?:业|行业|领域)")


def _asks_what_to_pitch(text: str) -> bool:
    """"适合推荐什么方案", "推什么": the customer's needs, not a vendor."""
    return bool(re.search(r"推荐什么(?:方案|需求)|推什么|适合推|卖什么", text)) and not re.search(
        r"厂|品牌|供应商|哪家|哪款|产品|vendor|brand", text, re.I
    )


def _about_a_topic(text: str) -> bool:
    return bool(re.search(r"等保|密评|信创|零信任|日志|审计|备份|加密|脱敏|出境|测评", text))


def _topic(text: str) -> str:
    """The message without asking and polite words: what retrieval should look for."""
    topic = re.sub(r"^(?:请问|请|麻烦|帮我|帮忙|能否|可以|那|那么|另外|还有)+", "", text)
    topic = re.sub(r"[？?。！!~～]+$", "", topic)
    return topic.strip() or text


def _industry_in(text: str) -> str | None:
    """The industry the message describes the customer as (the last one not negated: "不是医院，是学校")."""
    found: list[tuple[int, str]] = []
    for industry, words in W.INDUSTRY_WORDS.items():
        for word in words:
            pattern = rf"(?<![a-z]){re.escape(word.lower())}(?![a-z])" if word.isascii() else re.escape(word)
            for hit in re.finditer(pattern, text.lower()):
                if not W.NEGATED.search(text[: hit.start()]):
                    found.append((hit.end(), industry))
    for match in match_words(text):
        if match.rule.tier == ORGANISATION_TIER and not W.NEGATED.search(text[: match.start]):
            found.append((match.end, match.rule.industry))
    if not found and len(text) <= 6:  # one mistyped character: 制照业
        for industry, words in W.INDUSTRY_WORDS.items():
            for word in words:
                if len(word) == len(text) >= 3 and sum(a != b for a, b in zip(word, text)) == 1:
                    return industry
    return max(found)[1] if found else None


def _segment_in(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for segment, words in W.SEGMENT_WORDS.items():
        for word in words:
            if contains(text, word) and (best is None or len(word) > best[0]):
                best = (len(word), segment)
    return best[1] if best else None
