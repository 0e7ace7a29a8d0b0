"""Briefs and answers with the composer: latency, and whether every citation holds.

Names: a few of our own plus, when ../shared is present, a stratified sample of
the organisation dev set (read here at bench time only). Questions: our own.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.citations import check_citations
from assistant.events import DeltaEvent
from bench.common import SHARED, percentile, stack
from corpus import STARTER_DIR

OWN_NAMES = [
    "临江市第一人民医院", "青禾农村商业银行", "东陵市教育局", "南岭大学", "北川县人民政府",
    "华岳电力股份有限公司", "海门港集团", "云岫证券股份有限公司", "西岭市疾病预防控制中心", "明川第二中学",
]
QUESTIONS = [
    "等保三级对医院有什么要求？", "城商行的数据分类分级应该参照什么标准？", "密评是什么，哪些系统需要做？",
    "网络日志要保存多久？", "数据出境安全评估适用于哪些情形？", "学校上网行为管理为什么要实名？",
    "电力监控系统安全防护的总体原则是什么？", "勒索病毒防护有哪些最佳实践？",
    "草莓大棚的滴灌系统怎么设计？", "足球比赛的越位规则是什么？",
]
PER_INDUSTRY = 10


def _dev_names() -> list[str]:
    path = SHARED / "data" / "orgs" / "orgs_dev.csv"
    if not path.exists():
        return []
    by_industry: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_industry.setdefault(row["industry"], []).append(row["name"])
    rng = random.Random(7)
    return [n for names in by_industry.values() for n in rng.sample(names, min(PER_INDUSTRY, len(names)))]


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        container = stack(Path(tmp) / "var")
        container.indexer.ingest(STARTER_DIR)
        advisor = container.advisor
        advisor.warm_up()
        messages = OWN_NAMES + _dev_names() + QUESTIONS
        timings: dict[str, list[tuple[float, float]]] = {}
        modes: Counter[str] = Counter()
        markers = resolved = cited = supported = uncited = 0
        for message in messages:
            started = time.perf_counter()
            first: float | None = None
            text = ""
            sources: list = []  # type: ignore[type-arg]
            mode = ""
            for event in advisor.stream(message):
                first = first or time.perf_counter()
                if isinstance(event, DeltaEvent):
                    text = event.text if event.replace else text + event.text
                elif event.type == "sources":
                    sources = event.sources
                elif event.type == "done":
                    mode = event.mode
            total = time.perf_counter()
            modes[mode] += 1
            timings.setdefault(mode, []).append(((first - started) * 1000, (total - started) * 1000))  # type: ignore[operator]
            report = check_citations(text, sources)
            markers += report.markers
            resolved += sum(len(s.resolved) for s in report.sentences)
            cited += report.cited
            supported += report.supported
            uncited += report.uncited_factual
        container.close()
    by_mode = {
        mode: {
            "count": len(values),
            "first_event_p50_ms": percentile([f for f, _ in values], 50),
            "first_event_p95_ms": percentile([f for f, _ in values], 95),
            "full_p50_ms": percentile([t for _, t in values], 50),
            "full_p95_ms": percentile([t for _, t in values], 95),
        }
        for mode, values in sorted(timings.items())
    }
    return {
        "messages": len(messages),
        "modes": dict(modes),
        "by_mode": by_mode,
        "markers": markers,
        "resolved_share": resolved / markers if markers else 1.0,
        "cited_sentences": cited,
        "supported_share": supported / cited if cited else 1.0,
        "uncited_factual": uncited,
    }
