"""Retrieval quality and latency on STARD (real lay legal questions, gold statute articles).

Each of the 133 laws becomes one corpus document and goes through the
product's own chunker and indexer; a hit counts for the article named by its
document title and locator. The stock LangChain pipeline (Chroma dense +
BM25Retriever with default preprocessing, fused by EnsembleRetriever) runs on
the same chunks, the same embeddings and the same questions in the same run.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import SHARED, Quality, evaluate, stack
from corpus.validate import load_corpus
from retrieval import tokenize
from retrieval.chunking import chunk_document
from retrieval.langchain import LangChainEmbedder, TopAdvisorRetriever

STARD = SHARED / "data" / "stard"


def write_laws(target: Path) -> int:
    """One Markdown document per law, articles in order; returns the article count."""
    by_law: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (STARD / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            by_law[row["law"]].append(row)
    for i, (law, rows) in enumerate(by_law.items()):
        body = "\n\n".join(f"{r['article']} {r['text']}" for r in rows)
        title = law.replace('"', "'")
        (target / f"stard-{i:03d}.md").write_text(
            "---\n"
            f"id: stard-{i:03d}\n"
            f'title: "{title}"\n'
            "kind: regulation\nindustries: [all]\nneed_categories: [business]\n"
            "source:\n  issuer: STARD benchmark\n"
            "effective_date: 2020-01-01\nversion: '1'\nstatus: published\n"
            "---\n\n"
            f"# {law}\n\n{body}\n",
            encoding="utf-8",
        )
    return sum(len(v) for v in by_law.values())


def load_queries() -> list[tuple[str, set[str]]]:
    with (STARD / "queries.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [(r["query"], set(r["gold"])) for r in rows]


def _key(metadata: dict[str, Any]) -> str:
    return f"{metadata['title']}#{metadata['locator']}"


def run() -> dict[str, Any]:
    if not (STARD / "corpus.jsonl").exists():
        return {"skipped": f"{STARD} not found"}
    queries = load_queries()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="stard-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        articles = write_laws(corpus_dir)
        container = stack(Path(tmp) / "var")
        container.embedder.warm_up()
        report = container.indexer.ingest(corpus_dir)
        assert not report.problems, report.problems[:3]
        results["ingest"] = {
            "documents": len(report.added),
            "articles": articles,
            "chunks": report.chunks_written,
            "seconds": report.seconds,
            "chunks_per_s": report.chunks_per_second,
        }
        retriever = container.retriever
        kw, vs = container.keyword_index, container.vector_store

        def hydrate(ids: list[str]) -> list[str]:
            chunks = kw.get(ids)
            return [f"{chunks[c].metadata['title']}#{chunks[c].locator}" for c in ids if c in chunks]

        def dense(q: str) -> list[str]:
            return hydrate([c for c, _ in vs.search(container.embedder.embed([q])[0], k=20)])

        def words(q: str) -> list[str]:
            return hydrate([c for c, _ in kw.search("words", tokenize.unique(tokenize.words(q)), k=20)])

        lc_retriever = TopAdvisorRetriever(hybrid=retriever, k=20)

        def hybrid(q: str) -> list[str]:
            return [_key(d.metadata) for d in lc_retriever.invoke(q)]

        stock = _stock_pipeline(container, corpus_dir)

        def stock_rank(q: str) -> list[str]:
            return [_key(d.metadata) for d in stock["ensemble"].invoke(q)]

        def stock_bm25(q: str) -> list[str]:
            return [_key(d.metadata) for d in stock["bm25"].invoke(q)]

        methods = {
            "stock LangChain: Chroma + default BM25Retriever in EnsembleRetriever": stock_rank,
            "stock BM25Retriever alone (whitespace split)": stock_bm25,
            "dense only (Chroma + USE)": dense,
            "BM25 only (FTS5 over jieba words)": words,
            "ToP hybrid (words + bigrams + dense, score fusion)": hybrid,
        }
        quality: dict[str, Quality] = {}
        for name, fn in methods.items():
            quality[name] = evaluate(queries, fn)
        results["quality"] = {k: vars(v) for k, v in quality.items()}
        # The fusion weights were chosen on STARD: halves show they are not fitted to a few queries.
        results["halves"] = {
            "even qids": vars(evaluate(queries[0::2], hybrid)),
            "odd qids": vars(evaluate(queries[1::2], hybrid)),
        }
        container.close()
    return results


def _stock_pipeline(container: Any, corpus_dir: Path) -> dict[str, Any]:
    """What a LangChain user assembles: the same chunks and embeddings, stock components.

    The stock collection holds texts and metadata the way langchain-chroma
    writes them; its vectors are copied from ours, so both pipelines rank
    with identical embeddings and the comparison isolates the retrieval logic.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langchain_chroma import Chroma
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever

    chunks = [c for d in load_corpus(corpus_dir).documents for c in chunk_document(d)]
    texts = [c.index_text for c in chunks]
    metadatas = [{"title": c.metadata["title"], "locator": c.locator} for c in chunks]
    bm25 = BM25Retriever.from_texts(texts, metadatas=metadatas, k=20)

    ours = container.vector_store.collection
    client = container.vector_store.client
    stock = client.get_or_create_collection("stock_langchain", embedding_function=None)
    ids = [c.chunk_id for c in chunks]
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        got = ours.get(ids=part, include=["embeddings"])
        vectors = dict(zip(got["ids"], got["embeddings"]))
        stock.upsert(
            ids=part,
            embeddings=[vectors[i] for i in part],
            documents=texts[start : start + 1000],
            metadatas=metadatas[start : start + 1000],
        )
    chroma = Chroma(client=client, collection_name="stock_langchain", embedding_function=LangChainEmbedder(container.embedder))
    dense = chroma.as_retriever(search_kwargs={"k": 20})
    ensemble = EnsembleRetriever(retrievers=[bm25, dense], weights=[0.5, 0.5])
    return {"bm25": bm25, "dense": dense, "ensemble": ensemble}
