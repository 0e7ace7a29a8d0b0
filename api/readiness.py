"""Readiness: may this process take traffic? (`/readyz`; liveness, `/healthz`, checks nothing.)

Ready when every check passes: the application database answers, the keyword index holds passages (it
is loaded and not empty), and the vector store (embedded Chroma or the Chroma server) answers with
passages too. A failing check names itself and why, so a load balancer's log or `curl` says what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from api.container import Container

__all__ = ["Readiness", "readiness"]

log = logging.getLogger("api.readiness")


@dataclass
class Readiness:
    chunks: int = 0
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or the reason it failed

    @property
    def ready(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    @property
    def reason(self) -> str:
        return "；".join(f"{name}: {why}" for name, why in self.checks.items() if why != "ok")

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"ready": self.ready, "chunks": self.chunks, "checks": self.checks}
        return body | ({} if self.ready else {"reason": self.reason})


def _check(result: Readiness, name: str, probe: Callable[[], str]) -> None:
    try:
        result.checks[name] = probe()
    except Exception as exc:  # the reason goes to the caller; the traceback to the log
        log.warning("readiness check %s failed: %s", name, exc)
        result.checks[name] = f"不可用（{type(exc).__name__}）"


def readiness(container: Container) -> Readiness:
    result = Readiness()

    def database() -> str:
        with container.registry.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok"

    def keyword_index() -> str:
        result.chunks = container.keyword_index.count()
        return "ok" if result.chunks > 0 else "索引为空或未加载（运行 top-advisor corpus ingest）"

    def vectors() -> str:
        return "ok" if container.vector_store.count() > 0 else "向量库为空（运行 top-advisor corpus ingest）"

    _check(result, "database", database)
    _check(result, "keyword_index", keyword_index)
    _check(result, "vector_store", vectors)
    return result
