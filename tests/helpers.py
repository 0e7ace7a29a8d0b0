"""Test helpers: write corpus documents and build the retrieval components by hand.

`make_stack` uses the production wiring (`retrieval.stack.open_stack`, as
`api.container.build_container` does) with an already loaded embedder and a Chroma client, so the model is loaded
once per test session and each test can pick its own Chroma mode/collection.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import yaml

from corpus.document import Document
from corpus.validate import parse_text
from retrieval.embeddings import Embedder
from retrieval.stack import RetrievalStack, open_stack
from retrieval.vector_store import COLLECTION

DEFAULT_BODY = """# 示例文档

本文档用于测试：说明网络安全等级保护的基本要求，适用于渠道伙伴了解客户需求。

## 基本要求

网络运营者应当落实安全管理制度，部署防火墙与日志审计设备，并按规定留存网络日志，定期开展安全测评。
"""


def front_matter(
    doc_id: str,
    *,
    title: str | None = None,
    kind: str = "faq",
    industries: list[str] | None = None,
    need_categories: list[str] | None = None,
    status: str = "published",
    version: str = "1",
    effective_date: str = "2025-01-01",
    issuer: str = "渠道参谋编辑部",
    **extra: Any,
) -> dict[str, Any]:
    """Front matter fields as a dict (valid by default); `extra` adds or overrides fields."""
    fields: dict[str, Any] = {
        "id": doc_id,
        "title": title or f"测试文档 {doc_id}",
        "kind": kind,
        "industries": industries or ["all"],
        "need_categories": need_categories or ["network_security"],
        "source": {"issuer": issuer},
        "effective_date": dt.date.fromisoformat(effective_date),
        "version": version,
        "status": status,
    }
    fields.update(extra)
    return fields


def document_text(doc_id: str, body: str = DEFAULT_BODY, **fields: Any) -> str:
    header = yaml.safe_dump(front_matter(doc_id, **fields), allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n\n{body.strip()}\n"


def write_doc(directory: Path, doc_id: str, body: str = DEFAULT_BODY, *, filename: str | None = None, **fields: Any) -> Path:
    """Write one corpus document (front matter from keyword args + body) and return its path."""
    path = directory / (filename or f"{doc_id}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document_text(doc_id, body, **fields), encoding="utf-8")
    return path


def make_document(doc_id: str = "doc-test", body: str = DEFAULT_BODY, **fields: Any) -> Document:
    """A parsed Document built through the real parser (fails loudly if invalid)."""
    document, problems = parse_text(document_text(doc_id, body, **fields), f"{doc_id}.md")
    assert not problems, [str(p) for p in problems]
    assert document is not None
    return document


def unique_collection() -> str:
    """A Chroma collection name no other test uses (tests share one Chroma server)."""
    return f"t_{uuid.uuid4().hex[:24]}"


class Stack(RetrievalStack):
    """The production wiring (`retrieval.stack.open_stack`) plus id views for assertions."""

    def registry_chunk_ids(self) -> set[str]:
        return self.registry.indexed_chunk_ids()

    def keyword_ids(self, doc_id: str | None = None) -> set[str]:
        return self.keyword_index.chunk_ids(doc_id)

    def vector_ids(self, doc_id: str | None = None) -> set[str]:
        return self.vector_store.chunk_ids(doc_id)


def make_stack(data_dir: Path, embedder: Embedder, chroma_client: Any, collection: str = COLLECTION,
               database_url: str | None = None) -> Stack:  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    stack = open_stack(
        database_url=database_url or f"sqlite:///{(data_dir / 'top.db').as_posix()}",
        keyword_index_path=data_dir / "keyword.sqlite3",
        chroma_client=chroma_client,
        embedder=embedder,
        collection=collection,
    )
    return Stack(**{f: getattr(stack, f) for f in RetrievalStack.__dataclass_fields__})


def make_profiler(stack: RetrievalStack):  # type: ignore[no-untyped-def]
    """The profiler as the container builds it: directory in the stack's database, starter-corpus regulators."""
    from assistant.directory import CustomerDirectory, migrate_directory
    from assistant.profiler import Profiler, corpus_issuers
    from corpus import STARTER_DIR

    migrate_directory(stack.registry.engine)
    return Profiler(directory=CustomerDirectory(stack.registry.engine), regulators=corpus_issuers(STARTER_DIR))


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """(event name, JSON data) for each event of a text/event-stream body."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
        if data:
            events.append((name, json.loads(data)))
    return events
