"""Stage 3 of a brief: from a customer profile to ranked, grounded needs in four categories.

The corpus is structured (see docs/corpus-format.md): an industry profile per industry with one
section per need category, solution guides with fixed sections (合规依据, 可选产品与厂商 …), cases
and regulation digests. The planner reads those sections; it never writes a sentence of its own.
Every `Claim` is a whole sentence of the passage it names.

Ranking within a category: what the industry profile names first, what is written for this industry
(not for all), for this segment and for this province come first; a generic guide leads only when
nothing specific applies. Text about another segment of the industry is left out, and a province's
own rules (documents with `regions`) join the drivers of customers in that province only.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from assistant.models import CategoryPlan, Claim, Need, NeedsPlan, Profile
from assistant.name_rules import match_words
from assistant.passages import bullets, has_article, overlap, section, sentences, terms
from assistant.scope import SEGMENT_TERMS, Scope
from corpus.document import NEED_CATEGORIES, PARTNER_LABEL
from corpus.neutrality import vendor_names
from retrieval.models import Chunk, Hit, SearchFilters

__all__ = ["PlanResult", "Planner", "PlannerConfig", "Retriever", "vendor_names"]

# Section names of the starter corpus format (docs/corpus-format.md).
PROFILE_SECTIONS = {"it": "IT需求", "network_security": "网络安全需求", "data_security": "数据安全需求", "business": "业务发展需求"}
DRIVERS_SECTION = "监管驱动"
QUESTIONS_SECTION = "拜访时值得问的问题"
SOLUTION_WHY = "合规依据"
SOLUTION_PROBLEM = "解决什么问题"
SOLUTION_PRACTICE = ("核心能力", "部署方式与选型要点")
SOLUTION_OPTIONS = "可选产品与厂商"
CASE_SECTIONS = ("方案要点", "成效")
RULE_KINDS = ["regulation", "standard"]

_LAW_ARTICLE = re.compile(r"《([^》]+)》(?:（[^）]*）)?(第[一二三四五六七八九十百零〇]+条)")
_OBLIGATION = re.compile(r"应当|必须|须|要求|不得|规定")
# Words in many guides' titles that say nothing about which one the industry profile names.
_GENERIC_TITLE_TERMS = frozenset(
    "网络 安全 网络安全 数据 数据安全 建设 平台 管理 系统 方案 合规 防护 业务 数字 数字化 转型 行业 要点 治理 服务 "
    "产品 能力 信息 信息化 技术 中心 保护 应用 IT 基础 设施 基础设施 服务器 终端".split()
)


class Retriever(Protocol):
    """What the assistant needs of the retrieval layer (retrieval.hybrid.HybridRetriever)."""

    def search(self, query: str, *, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]: ...
    def browse(self, filters: SearchFilters, *, heading_contains: str | None = None) -> list[Chunk]: ...
    @property
    def generation(self) -> int: ...


@dataclass(frozen=True)
class PlannerConfig:
    needs_per_category: int = 3
    retrieval_weight: float = 0.6  # the best passage's score, relative to the category's best
    industry_boost: float = 0.8  # a guide written for this industry alone (less when written for several)
    mention_boost: float = 0.8  # the industry profile names the solution in this category (first named: full)
    segment_boost: float = 0.3  # the guide speaks of the customer's segment
    local_boost: float = 0.5  # a guide limited to the customer's province
    max_drivers: int = 4
    max_local_rules: int = 2
    cache_size: int = 256  # (industry, segment, place) keys; a few hundred occur in practice
    min_case_overlap: float = 0.6  # share of the need's title terms a case sentence must contain
    max_questions: int = 5
    max_practice_chars: int = 140


@dataclass
class PlanResult:
    plan: NeedsPlan
    chunks: dict[str, Chunk] = field(default_factory=dict)  # every chunk a claim cites


class Planner:
    def __init__(self, retriever: Retriever, config: PlannerConfig | None = None) -> None:
        self.retriever = retriever
        self.config = config or PlannerConfig()
        self._cache: OrderedDict[tuple[str, ...], tuple[int, PlanResult]] = OrderedDict()
        self._lock = threading.Lock()

    # -- public -------------------------------------------------------------------
    def plan(self, profile: Profile) -> PlanResult:
        """The needs plan for a profile. Plans depend only on industry, segment and place (and the
        corpus), so they are cached per such key until the index changes."""
        if not profile.known:
            return PlanResult(NeedsPlan(profile=profile))
        key = (profile.industry, profile.segment or "", profile.region.province or "", profile.region.city or "")
        generation = self.retriever.generation
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == generation:
                self._cache.move_to_end(key)
                result = cached[1]
                return PlanResult(plan=result.plan.model_copy(update={"profile": profile}), chunks=result.chunks)
        result = self._plan(profile)
        with self._lock:
            self._cache[key] = (generation, result)
            while len(self._cache) > self.config.cache_size:
                self._cache.popitem(last=False)
        return result

    def _plan(self, profile: Profile) -> PlanResult:
        industry = profile.industry
        scope = Scope.of(profile)
        cited: dict[str, Chunk] = {}
        profile_sections = self._industry_sections(industry)
        for chunk in profile_sections.values():
            cited[chunk.chunk_id] = chunk

        drivers = self._local_rules(scope, cited) + self._drivers(profile_sections.get(DRIVERS_SECTION), scope, cited)
        questions_chunk = profile_sections.get(QUESTIONS_SECTION)
        question_pool = [
            Claim(text=q, chunk_id=questions_chunk.chunk_id) for q in bullets(questions_chunk.text) if scope.fits_text(q)
        ] if questions_chunk else []
        cases = [c for c in self.retriever.browse(SearchFilters(kinds=["case"], industries=[industry])) if scope.fits(c)]
        categories = []
        used_questions: set[str] = set()
        for category in NEED_CATEGORIES:
            overview_chunk = profile_sections.get(PROFILE_SECTIONS[category])
            overview = [
                Claim(text=s, chunk_id=overview_chunk.chunk_id) for s in sentences(overview_chunk.text) if scope.fits_text(s)
            ][:1] if overview_chunk else []
            needs = self._needs(profile, scope, category, overview_chunk, cases, question_pool, cited)
            used_questions.update(q.text for n in needs for q in n.questions)
            categories.append(CategoryPlan(category=category, overview=overview, needs=needs))
        remaining = [q for q in question_pool if q.text not in used_questions][: self.config.max_questions]
        plan = NeedsPlan(profile=profile, categories=categories, drivers=drivers[: self.config.max_drivers], questions=remaining)
        used = {cid for c in plan.claims() for cid in (c.chunk_id, *c.also)}
        return PlanResult(plan=plan, chunks={cid: ch for cid, ch in cited.items() if cid in used})

    # -- industry profile and rules ---------------------------------------------------------
    def _industry_sections(self, industry: str) -> dict[str, Chunk]:
        chunks = self.retriever.browse(SearchFilters(kinds=["industry_profile"], industries=[industry]))
        # Prefer the profile written for this industry over any written for all.
        own = [c for c in chunks if industry in str(c.metadata.get("industries", "")).split(",")]
        found: dict[str, Chunk] = {}
        for chunk in own or chunks:
            name = section(chunk)
            if name and name not in found:
                found[name] = chunk
        return found

    def _drivers(self, chunk: Chunk | None, scope: Scope, cited: dict[str, Chunk]) -> list[Claim]:
        if chunk is None:
            return []
        claims = []
        for sentence in sentences(chunk.text):
            if (not has_article(sentence) and "《" not in sentence) or not scope.fits_text(sentence):
                continue
            claims.append(Claim(text=sentence, chunk_id=chunk.chunk_id, also=self._article_sources(sentence, cited)))
        return claims

    def _local_rules(self, scope: Scope, cited: dict[str, Chunk]) -> list[Claim]:
        """The province's own rules for this industry: the sentence of each that best states an obligation."""
        if scope.province is None:
            return []
        industries = [scope.industry] if scope.industry else []
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in self.retriever.browse(SearchFilters(kinds=RULE_KINDS, industries=industries)):
            if scope.local(chunk):
                by_doc[chunk.doc_id].append(chunk)
        claims: list[Claim] = []
        for chunks in list(by_doc.values())[: self.config.max_local_rules]:
            best: tuple[float, str, Chunk] | None = None
            for chunk in chunks:
                for sentence in sentences(chunk.text):
                    if not scope.fits_text(sentence):
                        continue
                    score = 1.0 * bool(_OBLIGATION.search(sentence)) + 0.5 * has_article(sentence) + 0.3 * ("《" in sentence)
                    if best is None or score > best[0]:
                        best = (score, sentence, chunk)
            if best is not None:
                cited[best[2].chunk_id] = best[2]
                claims.append(Claim(text=best[1], chunk_id=best[2].chunk_id))
        return claims

    def _article_sources(self, sentence: str, cited: dict[str, Chunk]) -> list[str]:
        """Chunks of the regulation digests holding the articles a sentence names."""
        found: list[str] = []
        for law, article in _LAW_ARTICLE.findall(sentence):
            chunk = self._article_chunk(law, article)
            if chunk is not None and chunk.chunk_id not in found:
                cited[chunk.chunk_id] = chunk
                found.append(chunk.chunk_id)
        return found[:2]

    def _article_chunk(self, law: str, article: str) -> Chunk | None:
        best: Chunk | None = None
        for chunk in self.retriever.browse(SearchFilters(kinds=["regulation"]), heading_contains=law):
            if article in chunk.locator or article in section(chunk):
                return chunk
            if best is None and article in chunk.text:
                best = chunk
        return best

    # -- needs ----------------------------------------------------------------------
    def _needs(
        self,
        profile: Profile,
        scope: Scope,
        category: str,
        overview: Chunk | None,
        cases: list[Chunk],
        question_pool: list[Claim],
        cited: dict[str, Chunk],
    ) -> list[Need]:
        industry = profile.industry
        query = " ".join(p for p in (profile.segment or "", overview.text if overview else "") if p) or category
        hits = self.retriever.search(
            query, k=40, filters=SearchFilters(kinds=["solution"], industries=[industry], needs=[category])
        )
        doc_score: dict[str, float] = defaultdict(float)
        for hit in hits:
            if scope.fits(hit.chunk):
                doc_score[hit.chunk.doc_id] = max(doc_score[hit.chunk.doc_id], hit.score)
        if not doc_score:
            return []
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in self.retriever.browse(SearchFilters(doc_ids=list(doc_score))):
            by_doc[chunk.doc_id].append(chunk)
        mentions = _mention_order({d: _short_title(str(c[0].metadata.get("title", ""))) for d, c in by_doc.items()}, overview)
        segment_words = SEGMENT_TERMS.get(scope.segment or "", ())
        scored = []
        best = max(doc_score.values()) or 1.0
        for doc_id, chunks in by_doc.items():
            meta = chunks[0].metadata
            score = self.config.retrieval_weight * doc_score[doc_id] / best + self.config.mention_boost * mentions.get(doc_id, 0.0)
            listed = str(meta.get("industries", "")).split(",")
            if industry in listed:  # written for a few industries weighs more than for many
                score += self.config.industry_boost / len(listed) ** 0.5
            if segment_words and any(w in c.text or w in str(meta.get("title", "")) for c in chunks for w in segment_words):
                score += self.config.segment_boost
            if scope.local(chunks[0]):
                score += self.config.local_boost
            scored.append((score, doc_id))
        scored.sort(reverse=True)
        top = scored[0][0]
        needs = []
        for rank, (score, doc_id) in enumerate(scored[: self.config.needs_per_category]):
            priority = max(1, min(3, rank + 1) - (1 if rank and score >= 0.95 * top else 0))
            needs.append(self._need(category, priority, score, by_doc[doc_id], scope, cases, question_pool, cited))
        return needs

    def _need(
        self,
        category: str,
        priority: int,
        score: float,
        chunks: list[Chunk],
        scope: Scope,
        cases: list[Chunk],
        question_pool: list[Claim],
        cited: dict[str, Chunk],
    ) -> Need:
        meta = chunks[0].metadata
        title = _short_title(str(meta.get("title", "")))
        sections = {section(c): c for c in chunks}

        def first(name: str, keep=lambda s: True) -> list[Claim]:  # type: ignore[no-untyped-def]
            chunk = sections.get(name)
            if chunk is None:
                return []
            found = [s for s in sentences(chunk.text) if keep(s) and scope.fits_text(s)]
            return [Claim(text=found[0], chunk_id=chunk.chunk_id)] if found else []

        why = first(SOLUTION_WHY, has_article) + first(SOLUTION_PROBLEM)
        short = lambda s: len(s) <= self.config.max_practice_chars  # noqa: E731 - a long list reads as a wall
        practices = next((claims for name in SOLUTION_PRACTICE if (claims := first(name, short))), [])
        options = first(SOLUTION_OPTIONS, lambda s: bool(vendor_names(s))) or first(SOLUTION_OPTIONS)
        vendors = [v for claim in options for v in vendor_names(claim.text)]
        case_claims = self._cases(title, category, cases, cited)
        for claim in why + practices + options:
            cited.setdefault(claim.chunk_id, next(c for c in chunks if c.chunk_id == claim.chunk_id))
        title_terms = terms(title)
        questions = [q for q in question_pool if title_terms and overlap(title_terms, q.text) >= 0.34][:1]
        return Need(
            category=category,  # type: ignore[arg-type]
            title=title,
            priority=priority,
            score=round(score, 4),
            why=why,
            practices=practices,
            options=options,
            vendors=list(dict.fromkeys(vendors)),
            single_vendor=_single_vendor(chunks),
            cases=case_claims,
            cases_label=_cases_label([cited[c.chunk_id] for c in case_claims]),
            questions=questions,
            doc_ids=list(dict.fromkeys([chunks[0].doc_id] + [cited[c.chunk_id].doc_id for c in case_claims])),
        )

    def _cases(self, title: str, category: str, cases: list[Chunk], cited: dict[str, Chunk]) -> list[Claim]:
        """The sentence of a case (same industry and category) that best matches the need, if any does."""
        title_terms = {t for t in terms(title) if len(t) >= 2}
        best: tuple[float, str, Chunk] | None = None
        for chunk in cases:
            if section(chunk) not in CASE_SECTIONS or category not in str(chunk.metadata.get("need_categories", "")):
                continue
            for sentence in sentences(chunk.text):
                if "厂商" in sentence:  # the vendor list of a case is not the case
                    continue
                score = overlap(title_terms, sentence)
                if best is None or score > best[0]:
                    best = (score, sentence, chunk)
        if best is None or best[0] < self.config.min_case_overlap:
            return []
        cited[best[2].chunk_id] = best[2]
        return [Claim(text=best[1], chunk_id=best[2].chunk_id)]


def _cases_label(chunks: list[Chunk]) -> str:
    """典型案例（伙伴分享） for a case a partner shared, （示意） for the editors' illustrative ones."""
    if any(str(c.metadata.get("issuer", "")).startswith(PARTNER_LABEL) for c in chunks):
        return f"典型案例（{PARTNER_LABEL}）"
    return "典型案例（示意）" if all(c.metadata.get("illustrative") for c in chunks) else "典型案例"


def _mention_order(titles: dict[str, str], overview: Chunk | None) -> dict[str, float]:
    """1.0 for the solution the industry profile names first in this category, less for later ones, 0 if never."""
    if overview is None:
        return {}
    text = overview.text
    positions = {}
    for doc_id, title in titles.items():
        distinctive = [t for t in terms(title) if len(t) >= 2 and t not in _GENERIC_TITLE_TERMS and not _names_a_kind(t)]
        found = [text.find(t) for t in distinctive if text.find(t) >= 0]
        if found:
            positions[doc_id] = min(found)
    ordered = sorted(positions, key=lambda d: positions[d])
    return {doc_id: 1.0 / (1 + 0.5 * i) for i, doc_id in enumerate(ordered)}


def _names_a_kind(term: str) -> bool:
    """医院, 银行, 校园: a word for the customers themselves says nothing about which solution is meant."""
    return any(m.rule.tier == 3 or (m.start == 0 and m.end == len(term)) for m in match_words(term))


def _short_title(title: str) -> str:
    return re.sub(r"(方案指南|指南|方案)$", "", title).strip() or title


def _single_vendor(chunks: list[Chunk]) -> str | None:
    vendors = {str(c.metadata.get("vendor") or "") for c in chunks}
    return vendors.pop() if len(vendors) == 1 and "" not in vendors else None
