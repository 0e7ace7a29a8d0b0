"""Liveness, readiness and the raw search endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse

from api.auth import OptionalUserDep
from api.deps import ContainerDep
from assistant.sanitize import strip_html
from corpus.text import CheckedText
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


@router.get("/api/search", tags=["search"], responses={401: {"description": "TOP_REQUIRE_LOGIN=true 时需要登录"}})
def search(
    container: ContainerDep,
    user: OptionalUserDep,
    q: Annotated[CheckedText, Query(min_length=1, max_length=2000)],
    k: Annotated[int, Query(ge=1, le=100)] = 8,
    industry: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query list
    need: Annotated[list[str], Query()] = [],  # noqa: B006
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
) -> list[dict[str, object]]:
    """The published passages that best match `q` (hybrid retrieval), with their metadata. Like the chat,
    anonymous only when TOP_REQUIRE_LOGIN is false."""
    if user is None and container.settings.require_login:
        raise HTTPException(401, "请先登录")
    filters = SearchFilters(industries=industry, needs=need, kinds=kind)
    hits = [h.as_dict() for h in container.retriever.search(q, k=k, filters=filters)]
    return [{**hit, "title": strip_html(str(hit["title"])), "text": strip_html(str(hit["text"]))} for hit in hits]
