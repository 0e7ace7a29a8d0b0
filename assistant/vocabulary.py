"""The corpus's topics: words of its document titles and section headings, for the intent router.

A short message made of these words ("零信任", "数据库审计") is a topic to look up; one that is not
("北辰云帆") is most likely a customer name to profile. Body text is left out on purpose: vendor lists
name companies that partners also sell *to*. Rebuilt when the index changes.
"""

from __future__ import annotations

import threading

from assistant.planner import Retriever
from retrieval import tokenize
from retrieval.models import SearchFilters

__all__ = ["CorpusVocabulary"]

KNOWN_SHARE = 0.6  # share of a message's words the titles and headings must contain


class CorpusVocabulary:
    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self._words: frozenset[str] = frozenset()
        self._generation: int | None = None
        self._lock = threading.Lock()

    def words(self) -> frozenset[str]:
        generation = self.retriever.generation
        with self._lock:
            if generation != self._generation:
                seen: set[str] = set()
                for chunk in self.retriever.browse(SearchFilters()):
                    seen.update(tokenize.words(f"{chunk.metadata.get('title', '')} {chunk.heading}"))
                self._words, self._generation = frozenset(w for w in seen if len(w) >= 2), generation
            return self._words

    def known(self, text: str) -> bool:
        """Whether the corpus has documents or sections about these words."""
        wanted = [w for w in tokenize.words(text) if len(w) >= 2]
        if not wanted:
            return False
        vocabulary = self.words()
        return sum(w in vocabulary for w in wanted) / len(wanted) >= KNOWN_SHARE
