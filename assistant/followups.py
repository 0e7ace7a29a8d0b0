"""Follow-ups about the conversation's customer: vendor-neutral options, cases, budget and timeline.

Each gathers cited sentences into sections; the composer (or an LLM writer) only arranges them.

- recommend: the selection criteria of the best-matching solution guides and their vendor lists, at
  least two options "排名不分先后", never one winner (a one-vendor list says so);
- cases: published cases of the customer's industry and segment (another segment's cases are left
  out), or an honest "暂无";
- budget: figures (amounts, shares) and timing (budget cycle, procurement) only as the corpus states
  them, else a plain "the corpus has none".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from assistant.answering import query_terms
from assistant.models import INDUSTRY_LABELS, Claim, Profile
from assistant.outline import Section
from assistant.passages import overlap, section, sentences
from assistant.planner import SOLUTION_OPTIONS, Retriever, vendor_names
from assistant.scope import SEGMENT_TERMS, Scope
from retrieval.models import Chunk, SearchFilters

__all__ = ["Gathered", "budget", "cases", "recommend"]

CRITERIA_SECTIONS = ("部署方式与选型要点", "核心能力")
CASE_PARTS = (("客户背景", "背景"), ("方案要点", "方案"), ("成效", "成效"))
MAX_CASES = 3
MAX_GUIDES = 2
NEUTRAL = "渠道参谋保持厂商中立：以下厂商排名不分先后，清单并不完整，请按选型要点比较至少两家的方案。"
ONE_VENDOR = "知识库只列出了一家厂商的方案，不代表行业通行做法，请另行比较其他厂商。"
_MONEY = re.compile(r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两百千]+)\s*(?:万|亿)?元|\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十\d]+")
_TIMING = re.compile(r"季度|上半年|下半年|年初|年底|年末|[一二三四五六七八九十\d]+\s*个?月|周期|批复|编制|申报|立项|招标|采购")
_BUDGET_WORDS = re.compile(r"预算|费用|投入|成本|价格|报价|资金|经费|万元|元")


@dataclass(frozen=True)
class Gathered:
    """Sections of cited claims and the chunks they cite."""

    sections: list[Section]
    chunks: dict[str, Chunk]

    @property
    def empty(self) -> bool:
        return not any(s.claims for s in self.sections)


def _filters(profile: Profile | None, **extra: list[str]) -> SearchFilters:
    industries = [profile.industry] if profile is not None and profile.known else []
    return SearchFilters(industries=industries, **extra)


def _customer_words(profile: Profile | None) -> str:
    if profile is None or not profile.known:
        return ""
    return " ".join(p for p in (INDUSTRY_LABELS[profile.industry], profile.segment or "") if p)


# -- recommend -----------------------------------------------------------------------------------------
def recommend(retriever: Retriever, topic: str, profile: Profile | None) -> Gathered:
    """Selection criteria and vendor lists of the solution guides that best match the topic."""
    scope = Scope.of(profile)
    hits = retriever.search(topic, k=20, filters=_filters(profile, kinds=["solution"]))
    wanted = query_terms(topic)
    ranked = list(dict.fromkeys(h.chunk.doc_id for h in hits if scope.fits(h.chunk)))
    titles = {h.chunk.doc_id: f"{h.chunk.metadata.get('title', '')} {h.chunk.text}" for h in hits}
    # The best guide, and a second one only when it is about the topic as much.
    guides = ranked[:1] + [d for d in ranked[1:MAX_GUIDES] if overlap(wanted, titles[d]) >= overlap(wanted, titles[ranked[0]])]
    if not guides:
        return Gathered([], {})
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in retriever.browse(SearchFilters(doc_ids=guides)):
        by_doc[chunk.doc_id].append(chunk)
    sections: list[Section] = []
    chunks: dict[str, Chunk] = {}
    for doc_id in guides:
        parts = {section(c): c for c in by_doc[doc_id]}
        title = str(by_doc[doc_id][0].metadata.get("title", doc_id))
        criteria: list[Claim] = []
        for name in CRITERIA_SECTIONS:
            if (part := parts.get(name)) is not None:
                ranked = sorted(sentences(part.text), key=lambda s: -overlap(wanted, s))
                criteria += [Claim(text=s, chunk_id=part.chunk_id) for s in ranked[:2] if scope.fits_text(s)]
                chunks[part.chunk_id] = part
        options: list[Claim] = []
        vendors: list[str] = []
        if (listing := parts.get(SOLUTION_OPTIONS)) is not None:
            for sentence in sentences(listing.text):
                if found := vendor_names(sentence):
                    options.append(Claim(text=sentence, chunk_id=listing.chunk_id))
                    vendors += found
            chunks[listing.chunk_id] = listing
        if not (criteria or options):
            continue
        sections.append(Section(heading=f"{_short(title)}：选型要点", claims=criteria[:3]))
        if options:
            lead = NEUTRAL if len(set(vendors)) >= 2 else ONE_VENDOR
            sections.append(Section(heading="可选厂商（排名不分先后）", level=3, lead=lead, claims=options[:2]))
    return Gathered(sections, chunks)


def _short(title: str) -> str:
    return re.sub(r"(方案指南|指南)$", "", title).strip() or title


# -- cases ----------------------------------------------------------------------------------------------
def cases(retriever: Retriever, topic: str, profile: Profile | None, focus: tuple[str, ...] = ()) -> Gathered:
    """Up to three published cases for the customer's industry (its segment first), each: background, approach, result."""
    scope = Scope.of(profile)
    if profile is not None and profile.known:
        found = [c for c in retriever.browse(_filters(profile, kinds=["case"], needs=list(focus))) if scope.fits(c)]
        found = [c for c in found if profile.industry in str(c.metadata.get("industries", "")).split(",")]
    else:
        hits = retriever.search(topic, k=20, filters=SearchFilters(kinds=["case"]))
        found = [h.chunk for h in hits if scope.fits(h.chunk)]
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in found:
        by_doc[chunk.doc_id].append(chunk)
    segment_words = SEGMENT_TERMS.get(scope.segment or "", ())
    wanted = query_terms(topic)

    def rank(doc_id: str) -> tuple[float, ...]:
        text = " ".join(c.text for c in by_doc[doc_id]) + str(by_doc[doc_id][0].metadata.get("title", ""))
        return (-any(w in text for w in segment_words), -overlap(wanted, text))

    sections: list[Section] = []
    chunks: dict[str, Chunk] = {}
    for doc_id in sorted(by_doc, key=rank)[:MAX_CASES]:
        parts = {section(c): c for c in by_doc[doc_id]}
        claims: list[Claim] = []
        labels: list[str] = []
        for names in CASE_PARTS:
            part = next((parts[n] for n in names if n in parts), None)
            if part is None:
                continue
            usable = [s for s in sentences(part.text) if "厂商" not in s and scope.fits_text(s)]
            if usable:
                claims.append(Claim(text=usable[0], chunk_id=part.chunk_id))
                labels.append(names[0])
                chunks[part.chunk_id] = part
        if claims:
            meta = by_doc[doc_id][0].metadata
            title = str(meta.get("title", doc_id)) + ("（示意案例，已匿名）" if meta.get("illustrative") else "")
            sections.append(Section(heading=title, level=3, claims=claims, labels=labels))
    return Gathered(sections, chunks)


# -- budget and timeline --------------------------------------------------------------------------------
def budget(retriever: Retriever, topic: str, profile: Profile | None) -> tuple[Gathered, Gathered]:
    """(figures, timing): sentences stating amounts or shares, and sentences on budget cycles and procurement."""
    scope = Scope.of(profile)
    query = f"{topic} 预算 费用 {_customer_words(profile)}".strip()
    hits = retriever.search(query, k=24, filters=_filters(profile))
    if profile is not None and profile.known:
        hits = [h for h in hits if h.chunk.metadata.get("kind") != "industry_profile" or profile.industry in str(
            h.chunk.metadata.get("industries", ""))]
    wanted = query_terms(topic) | {"预算"}
    money: list[tuple[float, Claim, Chunk]] = []
    timing: list[tuple[float, Claim, Chunk]] = []
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        if not scope.fits(chunk):
            continue
        for sentence in sentences(chunk.text):
            if sentence.endswith(("？", "?")) or not scope.fits_text(sentence):
                continue
            score = overlap(wanted, sentence) - 0.02 * rank
            claim = Claim(text=sentence, chunk_id=chunk.chunk_id)
            if _MONEY.search(sentence) and _BUDGET_WORDS.search(sentence):
                money.append((score, claim, chunk))
            elif _TIMING.search(sentence) and _BUDGET_WORDS.search(sentence):
                timing.append((score, claim, chunk))
    return _top(money, 3), _top(timing, 3)


def _top(scored: list[tuple[float, Claim, Chunk]], n: int) -> Gathered:
    scored.sort(key=lambda item: -item[0])
    picked: list[tuple[Claim, Chunk]] = []
    for _score, claim, chunk in scored:
        if all(claim.text != c.text for c, _ in picked):
            picked.append((claim, chunk))
        if len(picked) >= n:
            break
    return Gathered([Section(claims=[c for c, _ in picked])] if picked else [], {ch.chunk_id: ch for _, ch in picked})
