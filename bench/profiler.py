"""Profiler accuracy and latency: the organisation dev set and our own lists.

    python -m bench profiler

- the dev set (../shared/data/orgs/orgs_dev.csv), read here only (the product never sees it): accuracy overall
  and per industry, the confidently-wrong rate (a wrong industry, not `unknown`), the share of names each
  source decided, latency, a 13×14 confusion matrix;
- bench/data/orgs_brands.csv, our own list of brands, short names, legal names, subsidiaries, branches and special-treatment stock names that
  are not in the dev set (same measures);
- bench/data/orgs_places.csv, our own company names opening with a city or county: is the province right;
- the knowledge base's size on disk, load time and resident memory (in a fresh process).
"""

from __future__ import annotations

import csv
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.common import SHARED, percentile

DEV = SHARED / "data" / "orgs" / "orgs_dev.csv"
OWN = Path(__file__).with_name("data")


def load_dev() -> list[tuple[str, str]]:
    with DEV.open(encoding="utf-8-sig", newline="") as handle:
        return [(row["name"], row["industry"]) for row in csv.DictReader(handle) if row.get("name")]


def load_own(name: str, column: str = "industry") -> list[tuple[str, str]]:
    with (OWN / name).open(encoding="utf-8", newline="") as handle:
        return [(row["name"], row[column]) for row in csv.DictReader(handle) if row.get("name")]


def evaluate(profiler: Any, rows: list[tuple[str, str]]) -> dict[str, Any]:
    from assistant.models import UNKNOWN
    from corpus.document import INDUSTRY_CODES

    for name, _ in rows[:20]:  # warm caches
        profiler.profile(name)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    latencies: list[float] = []
    decided_by: Counter[str] = Counter()
    for name, gold in rows:
        started = time.perf_counter()
        profile = profiler.profile(name)
        latencies.append((time.perf_counter() - started) * 1000)
        predicted = profile.industry
        confusion[gold][predicted] += 1
        decided_by[next((e.source for e in reversed(profile.evidence) if e.field == "industry"
                         and e.value == predicted), "none") if predicted != UNKNOWN else "unknown"] += 1
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
        "wrong_rate": (len(rows) - correct - unknown) / len(rows),
        "accuracy_when_known": correct / max(1, len(rows) - unknown),
        "decided_by": {k: v / len(rows) for k, v in decided_by.most_common()},
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


def provinces(profiler: Any, rows: list[tuple[str, str]]) -> dict[str, Any]:
    right = sum(1 for name, province in rows if profiler.profile(name).region.province == province)
    return {"n": len(rows), "accuracy": right / len(rows)}


_FOOTPRINT = """
import gc, json, os, time
def rss_mb():  # resident memory now (not the peak): /proc/self/statm, in pages
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
import assistant.profiler  # the profiler's own imports, so only the knowledge base is counted below
from assistant.gazetteer import default_gazetteer
default_gazetteer()
gc.collect()
base = rss_mb()
started = time.perf_counter()
from assistant.orgs import default_knowledge
kb = default_knowledge()
seconds = time.perf_counter() - started
gc.collect()
print(json.dumps({"load_s": seconds, "rss_mb": rss_mb() - base, "entities": len(kb.entities),
                  "keys": len(kb._index.keys)}))
"""


def footprint() -> dict[str, Any]:
    """Size on disk of assistant/orgs (code and data) and, in a fresh process, load time and memory added."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    size = sum(f.stat().st_size for f in (root / "assistant" / "orgs").rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    out = subprocess.run([sys.executable, "-c", _FOOTPRINT], capture_output=True, text=True, check=True, cwd=root)
    return {"disk_mb": size / 1e6, **json.loads(out.stdout)}


def run() -> dict[str, Any]:
    from assistant.profiler import Profiler, corpus_issuers
    from corpus import STARTER_DIR

    profiler = Profiler(regulators=corpus_issuers(STARTER_DIR))
    result: dict[str, Any] = {
        "own_brands": evaluate(profiler, load_own("orgs_brands.csv")),
        "own_places": provinces(profiler, load_own("orgs_places.csv", "province")),
        "knowledge_base": footprint(),
    }
    if not DEV.exists():
        result["skipped"] = f"{DEV} is absent"
        return result
    rows = load_dev()
    result["rules"] = evaluate(profiler, rows)
    without = Profiler(regulators=corpus_issuers(STARTER_DIR), knowledge=False)
    result["without_knowledge"] = {k: v for k, v in evaluate(without, rows).items() if k in ("accuracy", "unknown_rate", "wrong_rate")}
    result["embedding_fallback"] = embedding_fallback(profiler, rows, STARTER_DIR)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=1))
