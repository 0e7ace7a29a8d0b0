"""How search latency grows: a synthetic corpus of 100,000 chunks.

Passages are recombined sentences of the starter corpus (realistic Chinese
vocabulary and lengths), grouped into documents with random industries and
need categories, and ingested through the product's indexer. The built
index is cached in bench/.cache, so a rerun only measures queries.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from pathlib import Path
from typing import Any

from bench.common import CACHE, evaluate, percentile, stack
from corpus import INDUSTRY_CODES, NEED_CATEGORIES, STARTER_DIR, load_corpus
from retrieval.models import SearchFilters

CHUNKS = 100_000
PER_DOC = 50
CACHE_VERSION = "v2"  # v2: embeddings from the cached pass with C++ sentencepiece

QUERIES = [
    "医院 等保三级 要求", "城商行数据分类分级怎么做", "学校上网行为管理为什么要实名", "密评是什么 哪些系统要做",
    "勒索病毒防护与备份", "电力监控系统安全防护 横向隔离", "数据出境安全评估 申报条件", "日志留存多久",
    "关键信息基础设施运营者的义务", "零信任远程办公", "工控安全 防护指南", "个人信息保护合规审计 多久一次",
    "政务云 信创替代", "数据库审计 选型", "EDR 终端检测与响应", "态势感知平台建设", "网络准入控制",
    "两地三中心 灾备", "邮件安全网关", "等保测评 费用", "敏感个人信息 单独同意", "重要数据 风险评估",
    "互联网医院 等级保护", "智慧校园 建设要点", "反电信网络诈骗 银行义务",
]


def _sentences() -> list[str]:
    out: list[str] = []
    for document in load_corpus(STARTER_DIR).documents:
        for line in document.body.split("\n"):
            if line.startswith(("#", ">")):
                continue
            out.extend(s for s in re.split(r"(?<=[。！？；])", line) if len(s) >= 12)
    return out


def write_corpus(target: Path, chunks: int = CHUNKS, seed: int = 7) -> None:
    rng = random.Random(seed)
    sentences = _sentences()
    for d in range(chunks // PER_DOC):
        industries = rng.sample(INDUSTRY_CODES, rng.randint(1, 3))
        needs = rng.sample(NEED_CATEGORIES, rng.randint(1, 2))
        sections = []
        for s in range(PER_DOC):
            body = "".join(rng.sample(sentences, rng.randint(2, 4)))[:460]
            sections.append(f"## 第{s + 1}节\n\n{body}")
        (target / f"syn-{d:05d}.md").write_text(
            "---\n"
            f"id: syn-{d:05d}\ntitle: 合成文档{d}\nkind: {rng.choice(['solution', 'case', 'faq', 'regulation'])}\n"
            f"industries: [{', '.join(industries)}]\nneed_categories: [{', '.join(needs)}]\n"
            "source:\n  issuer: 合成数据\neffective_date: 2024-01-01\nversion: '1'\nstatus: published\n"
            "---\n\n" + "\n\n".join(sections) + "\n",
            encoding="utf-8",
        )


def run(chunks: int = CHUNKS) -> dict[str, Any]:
    root = CACHE / f"synthetic-{chunks}-{CACHE_VERSION}"
    meta_file = root / "build.json"
    if not meta_file.exists():
        shutil.rmtree(root, ignore_errors=True)
        (root / "corpus").mkdir(parents=True)
        write_corpus(root / "corpus", chunks)
        container = stack(root / "var")
        report = container.indexer.ingest(root / "corpus")
        build = {"chunks": report.chunks_written, "seconds": report.seconds, "chunks_per_s": report.chunks_per_second}
        container.close()
        meta_file.write_text(json.dumps(build), encoding="utf-8")
    build = json.loads(meta_file.read_text(encoding="utf-8"))
    container = stack(root / "var")
    container.embedder.warm_up()
    retriever = container.retriever
    queries = [(q, {"-"}) for q in QUERIES * 8]
    plain = evaluate(queries, lambda q: [h.chunk.chunk_id for h in retriever.search(q, k=10)])
    filters = SearchFilters(industries=["healthcare"], needs=["data_security"])
    filtered = evaluate(queries, lambda q: [h.chunk.chunk_id for h in retriever.search(q, k=10, filters=filters)])
    # component split, to show where time goes at this size
    timings: dict[str, list[float]] = {"words": [], "grams": [], "dense": []}
    from retrieval import tokenize

    for q in QUERIES:
        for name, fn in (
            ("words", lambda q=q: container.keyword_index.search("words", tokenize.unique(tokenize.words(q)), k=100)),
            ("grams", lambda q=q: container.keyword_index.search("grams", tokenize.unique(tokenize.bigrams(q)), k=100)),
            ("dense", lambda q=q: retriever._dense(q, 100, None)),
        ):
            started = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - started) * 1000)
    container.close()
    return {
        "build": build,
        "index_chunks": chunks,
        "hybrid": {"p50_ms": plain.p50_ms, "p95_ms": plain.p95_ms, "queries": plain.queries},
        "hybrid_filtered": {"p50_ms": filtered.p50_ms, "p95_ms": filtered.p95_ms},
        "components_p50_ms": {k: percentile(v, 50) for k, v in timings.items()},
    }
