"""Workers sharing one embedded Chroma directory: each keeps its HNSW graph in memory and does not see another
process's writes until it reopens the client, which `ChromaVectorStore.follow` does when the index generation
moved (retrieval/vector_store.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from retrieval.vector_store import ChromaConfig, ChromaVectorStore, make_chroma_client

OTHER_WORKER = """
import sys, numpy as np
from retrieval.embeddings import UseEmbedder
from retrieval.models import Chunk
from retrieval.vector_store import ChromaConfig, ChromaVectorStore, make_chroma_client
store = ChromaVectorStore(make_chroma_client(ChromaConfig(mode="persistent", path=sys.argv[1])), UseEmbedder())
vector = np.load(sys.argv[2])
store.upsert([Chunk(sys.argv[3], sys.argv[3].split(":")[0], 0, "另一个工作进程写入的段落", "", "", {"status": "published"})],
             vector[None, :])
"""


def other_worker_writes(path: str, vector: np.ndarray, chunk_id: str, tmp_path: Path) -> None:
    np.save(tmp_path / "vector.npy", vector)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "ANONYMIZED_TELEMETRY": "False"}
    subprocess.run([sys.executable, "-c", OTHER_WORKER, path, str(tmp_path / "vector.npy"), chunk_id], env=env, check=True)


def test_a_worker_sees_another_workers_vectors_once_the_generation_moved(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    config = ChromaConfig(mode="persistent", path=str(tmp_path / "chroma"))
    near, far = embedder.embed(["数据库审计日志保存六个月", "今天天气很好适合出游"])
    other_worker_writes(str(config.path), far, "doc-a:1", tmp_path)
    store = ChromaVectorStore(make_chroma_client(config), embedder, reopen=lambda: make_chroma_client(config, fresh=True))
    store.follow(7)
    assert [cid for cid, _ in store.search(near, k=2)] == ["doc-a:1"]
    other_worker_writes(str(config.path), near, "doc-b:1", tmp_path)

    assert [cid for cid, _ in store.search(near, k=2)] == ["doc-a:1"]  # the graph in memory predates the write
    store.follow(7)  # the same generation: nothing reopened
    assert [cid for cid, _ in store.search(near, k=2)] == ["doc-a:1"]
    store.follow(8)
    assert [cid for cid, _ in store.search(near, k=2)] == ["doc-b:1", "doc-a:1"]
