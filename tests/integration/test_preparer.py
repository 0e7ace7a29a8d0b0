"""Embedding in worker processes gives what embedding in-process gives, and the workers stay light."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from helpers import make_document

from retrieval.chunking import chunk_document
from retrieval.embeddings import UseEmbedder
from retrieval.preparer import ChunkPreparer

BODY = "\n\n".join(
    f"## 第{i}节\n\n第{i}条 医疗卫生机构应当每年开展第{i}次网络安全检查，日志留存不少于{i}个月。" for i in range(1, 31)
)


def test_worker_processes_and_in_process_prepare_the_same(embedder) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_document(make_document("faq-preparer", BODY))
    assert len(chunks) >= 20
    local_emb, local_tokens = ChunkPreparer(embedder, workers=1).prepare(chunks)

    pooled = ChunkPreparer(UseEmbedder(threads=1), workers=2)
    pooled.start_pool()
    try:
        assert pooled._pool is not None
        pool_emb, pool_tokens = pooled.prepare(chunks)
    finally:
        pooled.close()
    assert pool_emb.shape == local_emb.shape == (len(chunks), embedder.dim)
    assert np.abs(pool_emb - local_emb).max() < 1e-5  # same vectors, in chunk order
    assert pool_tokens == local_tokens and set(pool_tokens) == {c.chunk_id for c in chunks}


def test_a_worker_imports_neither_chroma_nor_langchain_nor_sqlalchemy() -> None:
    code = (
        "import sys, retrieval.preparer as p; p._worker_init(); p._worker_prepare(['等保三级']);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'chromadb', 'langchain_core', 'sqlalchemy', 'openai'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
