"""Prometheus metrics (prometheus-client), served at `/metrics` (api/routes/health.py).

Counted where they happen, in this process:

    top_http_requests_total{method, route, status}   route is the template (`/api/conversations/{conversation_id}`),
    top_http_request_seconds{method, route}          never the raw path; until the response ends (a stream: all of it)
    top_answers_total{mode, writer}                  completed chat turns (api/recording.py)
    top_llm_fallbacks_total                          turns the LLM failed and the composer answered
    top_refusals_total{kind, route}                  429s: kind `login_throttle` (login) or `quota` (everything else)

Read at scrape time from the shared stores, so every worker reports the same:

    top_index_generation, top_index_chunks{store="keyword"|"vector"}, top_index_documents,
    top_ingest_queue{state="draft"|"in_review"}       editorial versions not yet published

With PROMETHEUS_MULTIPROC_DIR set (an empty directory, before the process starts), the counters of every
worker (`serve --workers N`) are written there and summed at each scrape (prometheus-client's multiprocess
mode); without it, this process's own counters are served.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from corpus.tables import DocumentRow, VersionRow

if TYPE_CHECKING:
    from api.container import Container
    from assistant.chat import ChatTurn

__all__ = ["CONTENT_TYPE", "observe_request", "observe_turn", "render"]

log = logging.getLogger("api.metrics")
CONTENT_TYPE = CONTENT_TYPE_LATEST
LOGIN_ROUTES = frozenset({"/api/auth/login", "/login"})
UNMATCHED = "unmatched"  # a path no route serves (404s): one label, however many paths scanners try
QUEUED_STATES = ("draft", "in_review")

# Process-wide by nature: prometheus-client keeps one value per metric and process (or per worker file).
_REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("top_http_requests", "HTTP requests by route template and status", ["method", "route", "status"],
                   registry=_REGISTRY)  # fmt: skip
LATENCY = Histogram("top_http_request_seconds", "HTTP request duration until the response ended", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=_REGISTRY)  # fmt: skip
ANSWERS = Counter("top_answers", "completed chat turns by mode and writer", ["mode", "writer"], registry=_REGISTRY)
FALLBACKS = Counter("top_llm_fallbacks", "turns the LLM failed and the composer answered instead", registry=_REGISTRY)
REFUSALS = Counter("top_refusals", "requests refused with 429 (quota or login throttling)", ["kind", "route"],
                   registry=_REGISTRY)  # fmt: skip


def route_template(scope: Mapping[str, Any]) -> str:
    """The matched route's template (or a mount's prefix), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def observe_request(scope: Mapping[str, Any], status: int, seconds: float) -> str:
    """Count one finished request; returns the route label (the access log uses it too)."""
    route = route_template(scope)
    method = str(scope.get("method", ""))
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    if status == 429:
        REFUSALS.labels("login_throttle" if route in LOGIN_ROUTES else "quota", route).inc()
    return route


def observe_turn(turn: ChatTurn) -> None:
    if turn.done is None:
        return
    ANSWERS.labels(turn.done.mode, turn.done.writer).inc()
    if any(n.code == "llm_fallback" for n in turn.notices):
        FALLBACKS.inc()


class _StoreCollector(Collector):
    """The index and the editorial queue as the shared stores have them, read at scrape time."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def collect(self) -> Iterator[Metric]:
        c = self.container
        generation = GaugeMetricFamily("top_index_generation", "keyword index generation (bumped by every change)")
        chunks = GaugeMetricFamily("top_index_chunks", "indexed passages per store", labels=["store"])
        documents = GaugeMetricFamily("top_index_documents", "documents in the registry")
        queue = GaugeMetricFamily("top_ingest_queue", "editorial versions not yet published", labels=["state"])
        try:
            generation.add_metric([], c.keyword_index.generation())
            chunks.add_metric(["keyword"], c.keyword_index.count())
            chunks.add_metric(["vector"], c.vector_store.count())
            with c.registry.engine.connect() as conn:
                documents.add_metric([], conn.execute(select(func.count()).select_from(DocumentRow)).scalar_one())
                counts = dict(conn.execute(select(VersionRow.state, func.count()).where(
                    VersionRow.state.in_(QUEUED_STATES)).group_by(VersionRow.state)).all())  # fmt: skip
            for state in QUEUED_STATES:
                queue.add_metric([state], counts.get(state, 0))
        except Exception:  # a scrape must not fail because one store is down; /readyz says which
            log.exception("metrics: reading the stores failed")
        yield from (generation, chunks, documents, queue)


def _process_registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return _REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def render(container: Container | None) -> bytes:
    """The text exposition: this process's (or every worker's) counters, plus the stores' gauges."""
    text = generate_latest(_process_registry())
    if container is not None:
        stores = CollectorRegistry(auto_describe=False)
        stores.register(_StoreCollector(container))
        text += generate_latest(stores)
    return text
