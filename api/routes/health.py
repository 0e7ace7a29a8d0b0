"""Liveness, readiness and the raw search endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.deps import ContainerDep
from retrieval.models import SearchFilters

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["health"])
def readyz(container: ContainerDep) -> JSONResponse:
    chunks = container.keyword_index.count()
    ready = chunks > 0
    return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, "chunks": chunks})


@router.get("/api/search", tags=["search"])
def search(
    container: ContainerDep,
    q: Annotated[str, Query(min_length=1, max_length=2000)],
    k: Annotated[int, Query(ge=1, le=100)] = 8,
    industry: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query list
    need: Annotated[list[str], Query()] = [],  # noqa: B006
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
) -> list[dict[str, object]]:
    filters = SearchFilters(industries=industry, needs=need, kinds=kind)
    return [h.as_dict() for h in container.retriever.search(q, k=k, filters=filters)]
