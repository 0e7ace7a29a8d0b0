"""Conversation quality: intent routing accuracy and the answer-first rate, on our own labelled sets.

- bench/data/routing.jsonl: {history: [earlier user messages], message, intent}. The history is replayed
  through the same stages as a live conversation (assistant/context.py), then the message is routed.
- bench/data/factual.jsonl: {question, key}: a factual question whose answer the starter corpus holds,
  and the key phrase of that answer (or a list of its spellings: 十万元 / 10万元). A hit: the reply's
  first sentence contains the key phrase.

Both sets were written by us; the product's rules are general (no lookup of these sentences).
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.context import state_from_history
from assistant.events import DeltaEvent
from assistant.message import UserMessage
from bench.common import stack
from corpus import STARTER_DIR

DATA = Path(__file__).resolve().parent / "data"
_MARKERS = re.compile(r"\[\d+\]")


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def first_sentence(text: str) -> str:
    """The first sentence of a reply's text, markup and markers removed."""
    body = "\n".join(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    body = re.sub(r"^\s*(?:[-*]\s+)?(?:\*\*[^*]+\*\*[:：])?", "", body)
    body = _MARKERS.sub("", body.replace("**", ""))
    match = re.match(r"[^。！？!?\n]*[。！？!?]?", body.strip())
    return match.group(0) if match else ""


def routing(advisor: Any, cases: list[dict[str, Any]]) -> dict[str, Any]:
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[dict[str, str]] = []
    for case in cases:
        state = state_from_history([("user", m) for m in case["history"]], advisor)
        got = advisor.route(UserMessage.parse(case["message"]), state).intent
        confusion[(case["intent"], got)] += 1
        if got != case["intent"]:
            misses.append({"message": case["message"], "expected": case["intent"], "got": got})
    correct = sum(n for (want, got), n in confusion.items() if want == got)
    per_intent = {}
    for intent in sorted({want for want, _ in confusion}):
        total = sum(n for (want, _), n in confusion.items() if want == intent)
        per_intent[intent] = {"n": total, "accuracy": confusion[(intent, intent)] / total}
    return {"cases": len(cases), "accuracy": correct / len(cases), "per_intent": per_intent, "misses": misses}


def answer_first(advisor: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    hits = 0
    direct = 0
    misses: list[dict[str, str]] = []
    latencies: list[float] = []
    for item in questions:
        started = time.perf_counter()
        text = "".join(e.text for e in advisor.stream(item["question"]) if isinstance(e, DeltaEvent))
        latencies.append((time.perf_counter() - started) * 1000)
        first = first_sentence(text)
        direct += text.startswith("**直接回答**")
        keys = item["key"] if isinstance(item["key"], list) else [item["key"]]  # the same figure written two ways
        if any(key in first for key in keys):
            hits += 1
        else:
            misses.append({"question": item["question"], "key": item["key"], "first": first[:120]})
    latencies.sort()
    return {
        "questions": len(questions),
        "answer_first_rate": hits / len(questions),
        "direct_answer_share": direct / len(questions),
        "p50_ms": latencies[len(latencies) // 2],
        "misses": misses,
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="conversation-") as tmp:
        container = stack(Path(tmp) / "var")
        try:
            container.indexer.ingest(STARTER_DIR)
            advisor = container.advisor
            advisor.warm_up()
            return {"routing": routing(advisor, load("routing.jsonl")), "answers": answer_first(advisor, load("factual.jsonl"))}
        finally:
            container.close()
