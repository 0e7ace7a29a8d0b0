"""Structure-aware chunking for Chinese documents.

Boundaries, strongest first: Markdown headings, statute articles (第X条), then
sentence ends (。！？；). Each article stays one citable chunk unless it is
too long. Chunk ids hash the content, so re-ingesting unchanged text yields
the same ids and a changed passage gets a new one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpus.document import Document, Industry, NeedCategory
from corpus.numerals import CN_NUMERALS
from retrieval.models import Chunk

ARTICLE_RE = re.compile(rf"^(第[{CN_NUMERALS}]+条(?:之[{CN_NUMERALS}]+)?)(?:[\s\u3000]+|$)")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# Sentence ends first; commas only when a single sentence is longer than a chunk.
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]


@dataclass(frozen=True)
class ChunkingConfig:
    max_chars: int = 480
    min_chars: int = 60  # shorter section pieces are merged with their neighbour


@dataclass
class _Unit:
    heading_path: tuple[str, ...]
    locator: str
    is_article: bool
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(line for line in self.lines if line.strip()).strip()


def _article_of(text: str) -> str | None:
    match = ARTICLE_RE.match(text.strip())
    return match.group(1) if match else None


def _units(body: str) -> list[_Unit]:
    """Split a Markdown body into sections and, inside them, articles."""
    units: list[_Unit] = []
    path: list[tuple[int, str]] = []
    current = _Unit((), "", False, [])

    def flush() -> None:
        nonlocal current
        if current.text:
            units.append(current)

    for raw in body.split("\n"):
        line = raw.rstrip()
        heading = HEADING_RE.match(line)
        if heading:
            flush()
            level, title = len(heading.group(1)), heading.group(2).strip()
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            titles = tuple(t for _, t in path)
            article = _article_of(title)
            current = _Unit(titles, article or title, article is not None, [])
            continue
        article = _article_of(line)
        if article and not (current.is_article and not current.text and current.locator == article):
            flush()
            current = _Unit(current.heading_path, article, True, [line.strip()])
            continue
        current.lines.append(line)
    flush()
    return units


def _merge_small(units: list[_Unit], min_chars: int) -> list[_Unit]:
    """Merge short non-article pieces into the next piece of the same section."""
    merged: list[_Unit] = []
    for unit in units:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and not prev.is_article
            and not unit.is_article
            and prev.heading_path == unit.heading_path
            and len(prev.text) < min_chars
        ):
            prev.lines.extend(unit.lines)
            continue
        merged.append(unit)
    return merged


def _splitter(config: ChunkingConfig) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        chunk_size=config.max_chars,
        chunk_overlap=0,
        keep_separator="end",
        strip_whitespace=True,
    )


def chunk_id_for(doc_id: str, locator: str, text: str) -> str:
    digest = hashlib.sha256(f"{doc_id}\x00{locator}\x00{text}".encode()).hexdigest()
    return f"{doc_id}:{digest[:16]}"


def chunk_metadata(document: Document) -> dict[str, object]:
    """Flat, filterable metadata copied onto every chunk of a document."""
    meta = document.meta
    flat: dict[str, object] = {
        "doc_id": meta.id,
        "title": meta.title,
        "kind": meta.kind.value,
        "status": meta.status.value,
        "version": meta.version,
        "issuer": meta.source.issuer,
        "document_number": meta.source.document_number or "",
        "url": meta.source.url or "",
        "effective_date": meta.effective_date.isoformat(),
        "vendor": meta.vendor or "",
        "illustrative": meta.illustrative,
        "industries": ",".join(i.value for i in meta.industries),
        "need_categories": ",".join(n.value for n in meta.need_categories),
        "regions": ",".join(meta.regions),
        "contributor": meta.contributor.handle if meta.contributor else "",  # a partner-shared case's handle
    }
    # Chroma metadata holds scalars, so multi-valued fields also become flags.
    # Every flag is written, True or False: Chroma's upsert merges metadata
    # keys, so a flag left out would keep its old value after an edit.
    for industry in Industry:
        flat[f"ind_{industry.value}"] = industry in meta.industries
    for need in NeedCategory:
        flat[f"need_{need.value}"] = need in meta.need_categories
    return flat


def chunk_document(document: Document, config: ChunkingConfig | None = None) -> list[Chunk]:
    """Cut a document into citable chunks with stable, content-derived ids."""
    config = config or ChunkingConfig()
    splitter = _splitter(config)
    metadata = chunk_metadata(document)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for unit in _merge_small(_units(document.body), config.min_chars):
        text = unit.text
        pieces = [text] if len(text) <= config.max_chars else splitter.split_text(text)
        heading = " > ".join(unit.heading_path)
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            chunk_id = chunk_id_for(document.id, unit.locator, piece)
            if chunk_id in seen:  # the same passage twice in one document: keep ids unique
                chunk_id = f"{chunk_id}-{len(chunks)}"
            seen.add(chunk_id)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id,
                    doc_id=document.id,
                    ordinal=len(chunks),
                    text=piece,
                    locator=unit.locator,
                    heading=heading,
                    metadata=metadata,
                )
            )
    return chunks
