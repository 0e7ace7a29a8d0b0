"""Liveness, readiness, metrics and the raw search endpoint.

`/metrics` (Prometheus text) is answered to a caller on the loopback address (a scraper or `curl` on the
same host), to a bearer of TOP_METRICS_TOKEN (a scraper elsewhere), or to an admin; anyone else gets 403.
deploy/nginx.conf does not forward it at all.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from accounts.tables import Role
from api.auth import OptionalUserDep
from api.deps import ContainerDep, client_address
from api.metrics import CONTENT_TYPE, render
from api.readiness import readiness
from assistant.sanitize import strip_html
from corpus.text import CheckedText
from retrieval.models import SearchFilters

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["health"], responses={503: {"description": "未就绪：reason 说明哪项检查失败"}})
def readyz(container: ContainerDep) -> JSONResponse:
    """200 when the database, the keyword index and the vector store answer (and hold passages), else 503
    with `checks` and a `reason`."""
    result = readiness(container)
    return JSONResponse(status_code=200 if result.ready else 503, content=result.as_json())


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _metrics_token(request: Request, container: ContainerDep) -> bool:
    expected = container.settings.metrics_token
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return expected is not None and scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), expected.get_secret_value().encode())  # fmt: skip


@router.get("/metrics", tags=["health"], include_in_schema=False)
def metrics(request: Request, container: ContainerDep, user: OptionalUserDep) -> Response:
    allowed = _loopback(client_address(request)) or _metrics_token(request, container)
    if not allowed and (user is None or user.role != Role.admin):
        raise HTTPException(403, "/metrics 仅对本机、持有 TOP_METRICS_TOKEN 的抓取器或管理员开放")
    return Response(render(container), media_type=CONTENT_TYPE)


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
