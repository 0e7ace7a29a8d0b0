"""Needs planning: from a customer profile to ranked, grounded needs in four categories.

The corpus is structured (see docs/corpus-format.md): an industry profile per
industry with one section per need category, solution guides with fixed
sections (合规依据, 可选产品与厂商 …), cases and regulation digests. The
planner reads those sections; it never writes a sentence of its own. Every
`Claim` is a whole sentence of the passage it names.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from assistant.models import CategoryPlan, Claim, Need, NeedsPlan, Profile
from assistant.passages import bullets, has_article, overlap, section, sentences, terms
from corpus.document import NEED_CATEGORIES
from corpus.neutrality import vendor_names
from retrieval.hybrid import HybridRetriever
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.models import Chunk, SearchFilters

# Section names of the starter corpus format (docs/corpus-format.md).
PROFILE_SECTIONS = {"it": "IT需求", "network_security": "网络安全需求", "data_security": "数据安全需求", "business": "业务发展需求"}
DRIVERS_SECTION = "监管驱动"
QUESTIONS_SECTION = "拜访时值得问的问题"
SOLUTION_WHY = "合规依据"
SOLUTION_PROBLEM = "解决什么问题"
SOLUTION_PRACTICE = ("核心能力", "部署方式与选型要点")
SOLUTION_OPTIONS = "可选产品与厂商"
CASE_SECTIONS = ("方案要点", "成效")

_LAW_ARTICLE = re.compile(r"《([^》]+)》(?:（[^）]*）)?(第[一二三四五六七八九十百零〇]+条)")


@dataclass(frozen=True)
class PlannerConfig:
    needs_per_category: int = 3
    industry_boost: float = 0.25  # solution written for this industry, not for all
    mention_boost: float = 0.2  # the industry profile names the solution in this category
    max_drivers: int = 4
    cache_size: int = 256  # (industry, segment) pairs; a few dozen occur in practice
    min_case_overlap: float = 0.6  # share of the need's title terms a case sentence must contain
    max_questions: int = 6


@dataclass
class PlanResult:
    plan: NeedsPlan
    chunks: dict[str, Chunk] = field(default_factory=dict)  # every chunk a claim cites


class Planner:
    def __init__(
        self, keyword_index: SqliteKeywordIndex, retriever: HybridRetriever, config: PlannerConfig | None = None
    ) -> None:
        self.keyword_index = keyword_index
        self.retriever = retriever
        self.config = config or PlannerConfig()
        self._cache: OrderedDict[tuple[str, str | None], tuple[int, PlanResult]] = OrderedDict()
        self._lock = threading.Lock()

    # -- public -------------------------------------------------------------------
    def plan(self, profile: Profile) -> PlanResult:
        """The needs plan for a profile. Plans depend only on industry and segment (and the
        corpus), so they are cached per (industry, segment) until the index changes."""
        if not profile.known:
            return PlanResult(NeedsPlan(profile=profile))
        key = (profile.industry, profile.segment)
        generation = self.keyword_index.generation()
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
        cited: dict[str, Chunk] = {}
        profile_sections = self._industry_sections(industry)
        for chunk in profile_sections.values():
            cited[chunk.chunk_id] = chunk

        drivers = self._drivers(profile_sections.get(DRIVERS_SECTION), cited)
        questions_chunk = profile_sections.get(QUESTIONS_SECTION)
        question_pool = (
            [Claim(text=q, chunk_id=questions_chunk.chunk_id) for q in bullets(questions_chunk.text)] if questions_chunk else []
        )
        cases = self.keyword_index.browse(SearchFilters(kinds=["case"], industries=[industry]))
        categories = []
        for category in NEED_CATEGORIES:
            overview_chunk = profile_sections.get(PROFILE_SECTIONS[category])
            overview = [Claim(text=s, chunk_id=overview_chunk.chunk_id) for s in sentences(overview_chunk.text)[:2]] if overview_chunk else []
            needs = self._needs(profile, category, overview_chunk, cases, question_pool, cited)
            categories.append(CategoryPlan(category=category, overview=overview, needs=needs))
        plan = NeedsPlan(
            profile=profile, categories=categories, drivers=drivers, questions=question_pool[: self.config.max_questions]
        )
        used = {cid for c in plan.claims() for cid in (c.chunk_id, *c.also)}
        return PlanResult(plan=plan, chunks={cid: ch for cid, ch in cited.items() if cid in used})

    # -- industry profile -----------------------------------------------------------
    def _industry_sections(self, industry: str) -> dict[str, Chunk]:
        chunks = self.keyword_index.browse(SearchFilters(kinds=["industry_profile"], industries=[industry]))
        # Prefer the profile written for this industry over any written for all.
        own = [c for c in chunks if industry in str(c.metadata.get("industries", "")).split(",")]
        found: dict[str, Chunk] = {}
        for chunk in own or chunks:
            name = section(chunk)
            if name and name not in found:
                found[name] = chunk
        return found

    def _drivers(self, chunk: Chunk | None, cited: dict[str, Chunk]) -> list[Claim]:
        if chunk is None:
            return []
        claims = []
        for sentence in sentences(chunk.text):
            if not has_article(sentence) and "《" not in sentence:
                continue
            claims.append(Claim(text=sentence, chunk_id=chunk.chunk_id, also=self._article_sources(sentence, cited)))
            if len(claims) >= self.config.max_drivers:
                break
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
        for chunk in self.keyword_index.browse(SearchFilters(kinds=["regulation"]), heading_contains=law):
            if article in chunk.locator or article in section(chunk):
                return chunk
            if best is None and article in chunk.text:
                best = chunk
        return best

    # -- needs ----------------------------------------------------------------------
    def _needs(
        self,
        profile: Profile,
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
            doc_score[hit.chunk.doc_id] = max(doc_score[hit.chunk.doc_id], hit.score)
        if not doc_score:
            return []
        solutions = self.keyword_index.browse(SearchFilters(doc_ids=list(doc_score)))
        by_doc: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in solutions:
            by_doc[chunk.doc_id].append(chunk)
        scored = []
        for doc_id, chunks in by_doc.items():
            meta = chunks[0].metadata
            score = doc_score[doc_id]
            if industry in str(meta.get("industries", "")).split(","):
                score += self.config.industry_boost
            score += self.config.mention_boost * _mention_weight(_short_title(str(meta.get("title", ""))), overview)
            scored.append((score, doc_id))
        scored.sort(reverse=True)
        needs = []
        for rank, (score, doc_id) in enumerate(scored[: self.config.needs_per_category]):
            needs.append(self._need(category, rank, score, by_doc[doc_id], cases, question_pool, cited))
        return needs

    def _need(
        self,
        category: str,
        rank: int,
        score: float,
        chunks: list[Chunk],
        cases: list[Chunk],
        question_pool: list[Claim],
        cited: dict[str, Chunk],
    ) -> Need:
        meta = chunks[0].metadata
        title = _short_title(str(meta.get("title", "")))
        sections = {section(c): c for c in chunks}
        why: list[Claim] = []
        if (problem := sections.get(SOLUTION_PROBLEM)) is not None:
            why += [Claim(text=s, chunk_id=problem.chunk_id) for s in sentences(problem.text)[:1]]
        if (basis := sections.get(SOLUTION_WHY)) is not None:
            why += [Claim(text=s, chunk_id=basis.chunk_id) for s in sentences(basis.text) if has_article(s)][:1]
        practices: list[Claim] = []
        for name in SOLUTION_PRACTICE:
            if (practice := sections.get(name)) is not None:
                practices += [Claim(text=s, chunk_id=practice.chunk_id) for s in sentences(practice.text)[:1]]
        options: list[Claim] = []
        vendors: list[str] = []
        if (listing := sections.get(SOLUTION_OPTIONS)) is not None:
            for s in sentences(listing.text)[:2]:
                options.append(Claim(text=s, chunk_id=listing.chunk_id))
                vendors += vendor_names(s)
        single_vendor = _single_vendor(chunks)
        case_claims = self._cases(title, category, cases, cited)
        for claim in why + practices + options:
            cited.setdefault(claim.chunk_id, next(c for c in chunks if c.chunk_id == claim.chunk_id))
        title_terms = terms(title)
        questions = [q for q in question_pool if title_terms and overlap(title_terms, q.text) >= 0.34][:1]
        priority = 1 if rank == 0 or score >= 1.0 else (2 if rank == 1 else 3)
        return Need(
            category=category,  # type: ignore[arg-type]
            title=title,
            priority=priority,
            score=round(score, 4),
            why=why,
            practices=practices,
            options=options,
            vendors=list(dict.fromkeys(vendors)),
            single_vendor=single_vendor,
            cases=case_claims,
            questions=questions,
            doc_ids=list(dict.fromkeys([chunks[0].doc_id] + [cited_doc(c, cited) for c in case_claims])),
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


def _mention_weight(title: str, overview: Chunk | None) -> float:
    """1.0 when the industry profile names this solution first in the category, less when later, 0 if never."""
    if overview is None:
        return 0.0
    text = overview.text
    positions = [text.find(t) for t in terms(title) if len(t) >= 2 and text.find(t) >= 0]
    if not positions:
        return 0.0
    return 1.0 - min(positions) / max(len(text), 1)


def _short_title(title: str) -> str:
    return re.sub(r"(方案指南|指南|方案)$", "", title).strip() or title


def _single_vendor(chunks: list[Chunk]) -> str | None:
    vendors = {str(c.metadata.get("vendor") or "") for c in chunks}
    return vendors.pop() if len(vendors) == 1 and "" not in vendors else None


def cited_doc(claim: Claim, cited: dict[str, Chunk]) -> str:
    return cited[claim.chunk_id].doc_id
