"""Profiler accuracy and latency on the organisation dev set (../shared/data/orgs/orgs_dev.csv).

    python -m bench profiler

The dev set is read here only; the product never sees it. Per name: industry
right or wrong (unknown counts as wrong), a 13×14 confusion matrix with the
unknown column, and the time of one `Profiler.profile` call.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections import Counter, defaultdict
from typing import Any

from bench.common import SHARED, percentile

DEV = SHARED / "data" / "orgs" / "orgs_dev.csv"


def load_dev() -> list[tuple[str, str]]:
    with DEV.open(encoding="utf-8-sig", newline="") as handle:
        return [(row["name"], row["industry"]) for row in csv.DictReader(handle) if row.get("name")]


def evaluate(profiler: Any, rows: list[tuple[str, str]]) -> dict[str, Any]:
    from assistant.models import UNKNOWN
    from corpus.document import INDUSTRY_CODES

    for name, _ in rows[:20]:  # warm caches
        profiler.profile(name)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    latencies: list[float] = []
    for name, gold in rows:
        started = time.perf_counter()
        predicted = profiler.profile(name).industry
        latencies.append((time.perf_counter() - started) * 1000)
        confusion[gold][predicted] += 1
    per_industry = {}
    for code in INDUSTRY_CODES:
        total = sum(confusion[code].values())
        per_industry[code] = {"n": total, "accuracy": confusion[code][code] / total if total else None}
    correct = sum(confusion[c][c] for c in INDUSTRY_CODES)
    unknown = sum(confusion[c][UNKNOWN] for c in INDUSTRY_CODES)
    return {
        "n": len(rows),
        "accuracy": correct / len(rows),
        "unknown_rate": unknown / len(rows),
        "accuracy_when_known": correct / max(1, len(rows) - unknown),
        "per_industry": per_industry,
        "confusion": {gold: dict(row) for gold, row in confusion.items()},
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 95),
    }


def _prototype_texts(corpus_dir: Any) -> dict[str, list[str]]:
    """Per industry: its corpus profile (title, tags, 典型客户与细分 sentences) and its tier-2/3 lexicon words."""
    import re

    import yaml

    from assistant.name_rules import LEXICON

    texts: dict[str, list[str]] = {}
    for code, tiers in LEXICON.items():
        if code.startswith("_"):
            continue
        doc = (corpus_dir / "industries" / f"ind-{code.replace('_', '-')}.md").read_text(encoding="utf-8")
        _, front, body = doc.split("---", 2)
        meta = yaml.safe_load(front)
        section = body.split("## 典型客户与细分", 1)[-1].split("\n## ", 1)[0]
        sentences = [x.strip() for x in re.split("[。；]", section) if x.strip()]
        words = [w.rstrip("$") for tier, ws in tiers.items() if tier >= 2 for w in ws.split()]
        texts[code] = [meta["title"], *meta.get("tags", []), *sentences, *words]
    return texts


def embedding_fallback(profiler: Any, rows: list[tuple[str, str]], corpus_dir: Any) -> dict[str, Any]:
    """The corpus/embedding fallback, measured on the names the rules leave unknown: USE embeds the
    name and each industry's prototype (centroid of its profile sentences and lexicon words); the
    nearest prototype is the guess. Reported as precision at a margin between the two best."""
    import numpy as np

    from retrieval.embeddings import UseEmbedder

    embedder = UseEmbedder(threads=1)
    texts = _prototype_texts(corpus_dir)
    codes = list(texts)
    centroids = np.stack([embedder.embed(texts[c]).mean(0) for c in codes])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    unknown = [(n, g) for n, g in rows if profiler.profile(n).industry == "unknown"]
    started = time.perf_counter()
    vectors = embedder.embed([n for n, _ in unknown])
    per_name_ms = (time.perf_counter() - started) * 1000 / max(1, len(unknown))
    scores = vectors @ centroids.T
    ordered = np.sort(scores, axis=1)
    margin = ordered[:, -1] - ordered[:, -2]
    right = np.array([codes[i] == g for i, (_, g) in zip(scores.argmax(1), unknown)])
    by_margin = {}
    for threshold in (0.0, 0.05, 0.1):
        chosen = margin >= threshold
        by_margin[f"{threshold:.2f}"] = {
            "coverage": float(chosen.mean()),
            "precision": float(right[chosen].mean()) if chosen.any() else 0.0,
            "overall_accuracy_gain": float(right[chosen].sum()) / len(rows),
        }
    return {"unknown_names": len(unknown), "embed_ms_per_name": per_name_ms, "by_margin": by_margin}


def run() -> dict[str, Any]:
    if not DEV.exists():
        return {"skipped": f"{DEV} is absent"}
    from assistant.profiler import Profiler, corpus_issuers
    from corpus import STARTER_DIR

    rows = load_dev()
    profiler = Profiler(regulators=corpus_issuers(STARTER_DIR))
    result: dict[str, Any] = {"rules": evaluate(profiler, rows)}
    result["embedding_fallback"] = embedding_fallback(profiler, rows, STARTER_DIR)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=1))
