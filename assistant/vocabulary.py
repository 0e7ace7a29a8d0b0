"""What the corpus talks about: its topics (for the intent router) and how rare each word is (for ranking).

- topics: words of document titles and section headings. A short message made of these ("零信任",
  "数据库审计") is a topic to look up; one that is not ("北辰云帆") is most likely a customer name.
  Body text is left out on purpose: vendor lists name companies that partners also sell *to*.
- weights: inverse document frequency of every word over the published passages, so "初步审查"
  counts for more than "网络安全" when deciding which sentence answers a question.

Rebuilt when the index changes (the retriever's generation).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass, field

from assistant.planner import Retriever
from retrieval import tokenize
from retrieval.models import SearchFilters

__all__ = ["CorpusVocabulary", "TermWeights"]

KNOWN_SHARE = 0.6  # share of a message's words the titles and headings must contain


@dataclass(frozen=True)
class TermWeights:
    idf: dict[str, float] = field(default_factory=dict)
    unseen: float = 1.0  # weight of a word the corpus does not have (rare by definition)

    def __call__(self, term: str) -> float:
        return self.idf.get(term, self.unseen)


class CorpusVocabulary:
    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self._topics: frozenset[str] = frozenset()
        self._weights = TermWeights()
        self._generation: int | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        generation = self.retriever.generation
        with self._lock:
            if generation == self._generation:
                return
            topics: set[str] = set()
            df: Counter[str] = Counter()
            chunks = self.retriever.browse(SearchFilters())
            for chunk in chunks:
                topics.update(tokenize.words(f"{chunk.metadata.get('title', '')} {chunk.heading}"))
                df.update(set(tokenize.words(chunk.text)))
            n = max(len(chunks), 1)
            idf = {term: math.log((n + 1) / (count + 1)) + 1.0 for term, count in df.items()}
            self._topics = frozenset(w for w in topics if len(w) >= 2)
            self._weights = TermWeights(idf, math.log(n + 1) + 1.0)
            self._generation = generation

    def words(self) -> frozenset[str]:
        self._refresh()
        return self._topics

    def weights(self) -> TermWeights:
        self._refresh()
        return self._weights

    def known(self, text: str) -> bool:
        """Whether the corpus has documents or sections about these words."""
        wanted = [w for w in tokenize.words(text) if len(w) >= 2]
        if not wanted:
            return False
        vocabulary = self.words()
        return sum(w in vocabulary for w in wanted) / len(wanted) >= KNOWN_SHARE
