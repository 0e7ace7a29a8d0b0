"""Shared helpers for benchmarks: a component stack in a directory, timing, metrics."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from api.container import Container, build_container
from api.settings import Settings

SHARED = Path(os.environ.get("TOP_SHARED") or Path(__file__).resolve().parents[2] / "shared")  # a worktree sets it
DOCS = Path(__file__).resolve().parents[1] / "docs"
CACHE = Path(__file__).resolve().parent / ".cache"


def stack(data_dir: Path) -> Container:
    """The product's own components, as `make run` builds them, under data_dir."""
    return build_container(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Quality:
    recall_at_5: float
    recall_at_20: float
    recall_at_10: float
    mrr_at_10: float
    p50_ms: float
    p95_ms: float
    queries: int


def evaluate(
    queries: Iterable[tuple[str, set[str]]], rank: Callable[[str], list[str]], *, warmup: int = 5
) -> Quality:
    """Recall@k = share of a query's gold items in the top k, averaged; MRR@10 of the first gold item."""
    items = list(queries)
    for text, _ in items[:warmup]:
        rank(text)
    r5 = r10 = r20 = mrr = 0.0
    latencies: list[float] = []
    for text, gold in items:
        started = time.perf_counter()
        ranked = rank(text)
        latencies.append((time.perf_counter() - started) * 1000)
        top = list(dict.fromkeys(ranked))
        r5 += len(gold & set(top[:5])) / len(gold)
        r10 += len(gold & set(top[:10])) / len(gold)
        r20 += len(gold & set(top[:20])) / len(gold)
        for position, item in enumerate(top[:10], 1):
            if item in gold:
                mrr += 1 / position
                break
    n = len(items) or 1
    return Quality(
        recall_at_5=r5 / n,
        recall_at_20=r20 / n,
        recall_at_10=r10 / n,
        mrr_at_10=mrr / n,
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p95_ms=percentile(latencies, 95),
        queries=len(items),
    )
