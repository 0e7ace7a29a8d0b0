"""Ingest the starter corpus from scratch: throughput on our own documents."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.common import evaluate, stack
from corpus import STARTER_DIR


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="starter-") as tmp:
        container = stack(Path(tmp) / "var")
        container.embedder.warm_up()
        report = container.indexer.ingest(STARTER_DIR)
        again = container.indexer.ingest(STARTER_DIR)
        queries = [(q, {"-"}) for q in ("医院 等保三级 要求", "城商行 数据分类分级", "学校 上网行为管理 实名", "密评改造")]
        latency = evaluate(queries * 25, lambda q: [h.chunk.chunk_id for h in container.retriever.search(q, k=10)])
        container.close()
    return {
        "documents": len(report.added),
        "chunks": report.chunks_written,
        "seconds": report.seconds,
        "chunks_per_s": report.chunks_per_second,
        "reingest_unchanged_seconds": again.seconds,
        "search_p50_ms": latency.p50_ms,
        "search_p95_ms": latency.p95_ms,
    }
