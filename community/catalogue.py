"""What the corpus holds, as the community features need it: needs (solution guides), cases, and every
published document's metadata (industries, regions, need categories, version).

Read from the keyword index's published chunks (the retrieval layer's own store of metadata) and cached until
the index generation changes. A *need* is a solution guide: its id names the need in activity events and
rankings, its short title is what a partner reads, and it links to the guide and to published cases.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from assistant.passages import overlap, terms
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.models import SearchFilters

__all__ = ["DocInfo", "NeedCatalogue", "short_title"]

CASES_PER_NEED = 3


def short_title(title: str) -> str:
    """`数据库审计方案指南` → `数据库审计`: the need, not the document."""
    return re.sub(r"(方案指南|指南|方案)$", "", title).strip() or title


def _split(value: object) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


@dataclass
class DocInfo:
    id: str
    title: str
    kind: str
    industries: list[str]
    need_categories: list[str]
    regions: list[str]
    version: str = ""
    effective_date: str = ""
    issuer: str = ""
    illustrative: bool = False
    text: str = ""  # headings and text of the first chunks, for matching a case to a segment
    cases: list[str] = field(default_factory=list)  # for a solution: ids of related published cases

    @property
    def need_title(self) -> str:
        return short_title(self.title)

    def covers(self, industry: str) -> bool:
        return "all" in self.industries or industry in self.industries


class NeedCatalogue:
    """Published documents by id; solution guides as needs, each with its related cases."""

    def __init__(self, keyword_index: SqliteKeywordIndex) -> None:
        self.keyword_index = keyword_index
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._docs: dict[str, DocInfo] = {}

    # -- reading -----------------------------------------------------------------------------
    def documents(self) -> dict[str, DocInfo]:
        generation = self.keyword_index.generation()
        with self._lock:
            if generation != self._generation:
                self._docs = self._load()
                self._generation = generation
            return self._docs

    def get(self, doc_id: str) -> DocInfo | None:
        return self.documents().get(doc_id)

    def needs(self) -> list[DocInfo]:
        return sorted((d for d in self.documents().values() if d.kind == "solution"), key=lambda d: d.id)

    def needs_by_industry(self, industries: list[str]) -> dict[str, list[str]]:
        return {i: [n.id for n in self.needs() if n.covers(i)] for i in industries}

    def topics_of(self) -> dict[str, list[str]]:
        return {n.id: n.need_categories for n in self.needs()}

    def needs_and_topics(self, doc_ids: list[str]) -> tuple[list[str], list[str]]:
        """The needs (solution guides) among cited documents, and the need categories of all of them."""
        docs = self.documents()
        cited = [docs[d] for d in dict.fromkeys(doc_ids) if d in docs]
        needs = [d.id for d in cited if d.kind == "solution"]
        topics = list(dict.fromkeys(c for d in cited for c in d.need_categories))
        return needs, topics

    # -- building ----------------------------------------------------------------------------
    def _load(self) -> dict[str, DocInfo]:
        docs: dict[str, DocInfo] = {}
        texts: dict[str, list[str]] = defaultdict(list)
        for chunk in self.keyword_index.browse(SearchFilters()):
            meta = chunk.metadata
            if chunk.doc_id not in docs:
                docs[chunk.doc_id] = DocInfo(
                    id=chunk.doc_id, title=str(meta.get("title", "")), kind=str(meta.get("kind", "")),
                    industries=_split(meta.get("industries")), need_categories=_split(meta.get("need_categories")),
                    regions=_split(meta.get("regions")), version=str(meta.get("version", "")),
                    effective_date=str(meta.get("effective_date", "")), issuer=str(meta.get("issuer", "")),
                    illustrative=bool(meta.get("illustrative")),
                )  # fmt: skip
            if len(texts[chunk.doc_id]) < 4:
                texts[chunk.doc_id].append(f"{chunk.heading}\n{chunk.text}")
        for doc_id, parts in texts.items():
            docs[doc_id].text = "\n".join(parts)[:4000]
        cases = [d for d in docs.values() if d.kind == "case"]
        for need in (d for d in docs.values() if d.kind == "solution"):
            need.cases = _related_cases(need, cases)
        return docs


def _related_cases(need: DocInfo, cases: list[DocInfo]) -> list[str]:
    """Cases of a shared need category and industry that talk about the need, best first."""
    words = {t for t in terms(need.need_title) if len(t) >= 2}
    scored = []
    for case in cases:
        if not set(case.need_categories) & set(need.need_categories):
            continue
        if "all" not in need.industries and not set(case.industries) & set(need.industries) and "all" not in case.industries:
            continue
        score = overlap(words, f"{case.title}\n{case.text}") if words else 0.0
        if score > 0:
            scored.append((-score, case.id))
    return [case_id for _score, case_id in sorted(scored)[:CASES_PER_NEED]]
