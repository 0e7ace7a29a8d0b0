"""`/api/rankings` (JSON and CSV), the map and trend views of a need, and the `/rankings` page.

Every reader must be signed in; what is served is the newest precomputed release (see community/rankings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response, StreamingResponse

from accounts.tables import Role
from api.auth import OptionalUserDep, UserDep
from api.deps import ContainerDep
from api.routes.pages import guard

router = APIRouter(prefix="/api", tags=["rankings"])
pages = APIRouter(include_in_schema=False)

PAGE = Path(__file__).resolve().parent.parent / "static" / "rankings.html"
Window = Literal["7d", "30d", "quarter"]
Kind = Literal["top", "rising"]
Text = Annotated[str, Query(max_length=40)]


@router.get("/rankings")
def rankings(
    _: UserDep,
    container: ContainerDep,
    industry: Text = "",
    province: Text = "",
    window: Window = "30d",
    kind: Kind = "top",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """One ranked list: needs of customers in `industry` (code; empty: all) × `province` (empty: 全国), by the
    number of distinct partner organisations, cells under k suppressed. Ranks and a band, never counts."""
    return container.insights.rankings.cells(window=window, kind=kind, industry=industry, province=province, limit=limit)


@router.get("/rankings.csv", response_class=StreamingResponse)
def rankings_csv(
    _: UserDep,
    container: ContainerDep,
    industry: Text = "",
    province: Text = "",
    window: Window | None = None,
    kind: Kind | None = None,
) -> Response:
    """The newest release's published cells as CSV (filters as `/api/rankings`; unset: every list)."""
    lines = container.insights.rankings.csv_lines(window=window, kind=kind, industry=industry or None, province=province or None)
    first = next(lines)  # validates the filters before the 200 goes out
    body = iter([first, *lines])
    return StreamingResponse(body, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="rankings.csv"'})  # fmt: skip


@router.get("/rankings/options")
def ranking_options(_: UserDep, container: ContainerDep) -> dict[str, Any]:
    """Filter choices of the newest release, the needs with their titles, and the release itself."""
    return container.insights.rankings.options()


@router.get("/rankings/map")
def ranking_map(
    _: UserDep,
    container: ContainerDep,
    need: Annotated[str, Query(min_length=1, max_length=80)],
    industry: Text = "",
    window: Window = "30d",
    kind: Kind = "top",
) -> dict[str, Any]:
    """The rank of one need in each province's list (absent where the need is not published there)."""
    return container.insights.rankings.map(window=window, kind=kind, industry=industry, need=need)


@router.get("/rankings/trend")
def ranking_trend(
    _: UserDep,
    container: ContainerDep,
    industry: Text = "",
    province: Text = "",
    need: Annotated[list[str] | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    """Weekly rank of needs over the last 13 weeks (default: this list's top 5 of 30 days); null = not published."""
    return container.insights.rankings.trend(industry=industry, province=province, needs=need)


@pages.get("/rankings")
def rankings_page(user: OptionalUserDep) -> Response:
    if (refused := guard(user, "/rankings", *Role)) is not None:
        return refused
    return FileResponse(PAGE, media_type="text/html", headers={"Cache-Control": "no-store"})
