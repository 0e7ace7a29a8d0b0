"""Value types shared by the retrieval layer: chunks, hits and search filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES, Kind


@dataclass(frozen=True, slots=True)
class Chunk:
    """One retrievable, citable passage of a document."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    locator: str  # article ("第二十一条") or section heading: what a citation points at
    heading: str  # full heading path, " > " joined
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def index_text(self) -> str:
        """What is embedded and keyword-indexed: context first, then the passage."""
        title = str(self.metadata.get("title", ""))
        # The H1 usually repeats the title; embedding cost grows with every token.
        parts = [title] + [h for h in self.heading.split(" > ") if h and h != title]
        context = " ".join(p for p in parts if p)
        if self.locator and self.locator not in context:
            context = f"{context} {self.locator}".strip()
        return f"{context}\n{self.text}" if context else self.text


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result: the chunk, its fused score and how each retriever ranked it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        meta = self.chunk.metadata
        return {
            "doc_id": self.chunk.doc_id,
            "chunk_id": self.chunk.chunk_id,
            "title": meta.get("title", ""),
            "kind": meta.get("kind", ""),
            "locator": self.chunk.locator,
            "source": {
                "issuer": meta.get("issuer", ""),
                "document_number": meta.get("document_number", ""),
                "articles": self.chunk.locator if self.chunk.locator.startswith("第") else "",
                "url": meta.get("url", ""),
                "effective_date": meta.get("effective_date", ""),
            },
            "text": self.chunk.text,
            "score": round(self.score, 6),
        }


_ALLOWED: dict[str, tuple[tuple[str, ...], str]] = {
    "industries": (INDUSTRY_CODES, "industry"),
    "needs": (NEED_CATEGORIES, "need category"),
    "kinds": (tuple(k.value for k in Kind), "kind"),
}


class SearchFilters(BaseModel):
    """Metadata filters; each list is OR within itself, AND across fields."""

    industries: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)

    @field_validator("industries", "needs", "kinds")
    @classmethod
    def _known_codes(cls, value: list[str], info: ValidationInfo) -> list[str]:
        allowed, label = _ALLOWED[info.field_name or ""]
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValueError(f"unknown {label} {unknown[0]!r}; expected one of {', '.join(allowed)}")
        return value

    @property
    def empty(self) -> bool:
        return not (self.industries or self.needs or self.kinds or self.doc_ids)
