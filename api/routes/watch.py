"""The watchlist (`/api/watchlist`), what is new for watched customers (`/api/updates`) and the `/updates` page.

Partners (and admins) only; everything is scoped to the caller's organisation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import FileResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from accounts.tables import Role
from api.auth import OptionalUserDep, PartnerDep
from api.deps import ContainerDep, require_json
from api.routes.pages import guard
from community.watch import WatchedCustomer
from corpus.text import CheckedInput

router = APIRouter(prefix="/api", tags=["watchlist"])
pages = APIRouter(include_in_schema=False)

PAGE = Path(__file__).resolve().parent.parent / "static" / "updates.html"


class WatchRequest(CheckedInput):
    customer: str = Field(..., min_length=1, max_length=200, description="客户名称", examples=["佛山市第一人民医院"])
    industry: str | None = Field(None, max_length=32, description="行业代码（可选，覆盖推断结果）")
    region: str | None = Field(None, max_length=40, description="所在省市（可选，覆盖推断结果）")


@router.post("/watchlist", status_code=201, dependencies=[Depends(require_json)])
async def watch(body: WatchRequest, user: PartnerDep, container: ContainerDep, response: Response) -> WatchedCustomer:
    """Follow a customer: its industry, segment and province are read off the name (the customer directory
    first), as in a brief; `industry`/`region` override. Following a name twice returns the entry (200)."""

    def add() -> tuple[WatchedCustomer, bool]:
        profile = container.profiler.profile(body.customer, industry_hint=body.industry, region_hint=body.region, ask_remote=False)
        return container.insights.watch.add(org_id=user.org_id, user_id=user.id, name=body.customer, profile=profile)

    entry, created = await run_in_threadpool(add)
    if not created:
        response.status_code = 200
    return entry


@router.get("/watchlist")
def watchlist(user: PartnerDep, container: ContainerDep) -> dict[str, list[WatchedCustomer]]:
    """Your organisation's watched customers."""
    return {"items": container.insights.watch.list(user.org_id)}


@router.delete("/watchlist/{watch_id}", status_code=204)
def unwatch(watch_id: str, user: PartnerDep, container: ContainerDep) -> Response:
    container.insights.watch.remove(org_id=user.org_id, watch_id=watch_id)
    return Response(status_code=204)


@router.get("/updates")
def updates(
    user: PartnerDep,
    container: ContainerDep,
    since: Annotated[dt.datetime | None, Query(description="ISO time; default: your last visit (or 30 days)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict[str, Any]:
    """Documents published or changed since your last visit that matter to a watched customer, newest first,
    each with why: `{items: [{customer, doc_id, title, why, published_at, …}]}`."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return container.insights.updates.updates(org_id=user.org_id, user_id=user.id, since=since, limit=limit)


@router.get("/updates/count")
def updates_count(user: PartnerDep, container: ContainerDep) -> dict[str, int]:
    """How many updates are unread (the in-app badge)."""
    return {"unseen": container.insights.updates.unseen(org_id=user.org_id, user_id=user.id)}


@router.post("/updates/seen")
def updates_seen(user: PartnerDep, container: ContainerDep) -> dict[str, str]:
    """Mark everything so far as read."""
    return {"seen_at": container.insights.watch.mark_seen(user_id=user.id, org_id=user.org_id).isoformat()}


@pages.get("/updates")
def updates_page(user: OptionalUserDep) -> Response:
    if (refused := guard(user, "/updates", Role.partner)) is not None:
        return refused
    return FileResponse(PAGE, media_type="text/html", headers={"Cache-Control": "no-store"})
