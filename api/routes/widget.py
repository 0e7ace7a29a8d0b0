"""The embeddable widget, public side: `/widget.js`, the `/embed/{key}` page and its chat API.

Who may use a key is decided on every request:
- `/embed/{key}` is served only for an enabled key, as a frame (`Sec-Fetch-Dest`, where browsers send
  it), to an embedding page (from `Referer`, else the `origin` the loader passes) among the key's allowed
  origins, with `Content-Security-Policy: frame-ancestors <allowed origins>` so browsers refuse to show
  it inside any other site. The page gets a short-lived embed session token bound to (key, origin,
  visitor); the visitor id is kept in a signed, partitioned cookie (`top_widget_visitor`). A refused
  embedding page gets a readable page naming its origin and where to add it (the origin is remembered
  for the key's owner, accounts/refusals.py). The key's owner may preview it on our own
  `/widgets/{key}/preview` page whatever its list says.
- `POST /api/widget/{key}/chat`: api/widget_service.py decides (origins, identity, quotas); this route
  reads the request, calls it once and renders SSE or JSON, with the caller's CORS headers.
Origin checks stop other websites' visitors' browsers, not scripts that forge headers; the quotas
(per visitor, per client address, a share kept for known visitors) and `require_identity` (a token
only the partner's backend can sign) limit what a script can do.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from accounts.identity import mint_embed_token
from accounts.quotas import Quotas
from accounts.refusals import RefusedOrigins
from accounts.tables import Role
from accounts.widgets import WidgetKey, WidgetStore, normalise_origin, origin_allowed, origin_hint
from api.auth import CurrentUser, OptionalUserDep, sign, unsign
from api.deps import ContainerDep, client_address, wants_json
from api.sse import sse_event
from api.streaming import iterate_closing
from api.widget_service import (
    WidgetCaller,
    WidgetChatRequest,
    WidgetChatService,
    WidgetTurn,
    refusal,
    same_origin,
)

__all__ = ["VISITOR_COOKIE", "WidgetServices", "WidgetsDep", "may_manage", "router"]

router = APIRouter(tags=["widget"])

STATIC = Path(__file__).resolve().parent.parent / "static"
EMBED_HEADER = "X-Embed-Token"
VISITOR_COOKIE = "top_widget_visitor"
VISITOR_PREFIX = "wv:"
VISITOR_MAX_AGE = 365 * 24 * 3600
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PLACEHOLDER = re.compile(r"\{\{(title|config)\}\}")


@dataclass(frozen=True)
class WidgetServices:
    store: WidgetStore
    quotas: Quotas
    refusals: RefusedOrigins


def get_widget_services(container: ContainerDep) -> WidgetServices:
    """The container's widget store and quota counter (built once with the rest), and the refused origins."""
    return WidgetServices(container.widgets, container.quotas, RefusedOrigins(container.widgets.engine))


WidgetsDep = Annotated[WidgetServices, Depends(get_widget_services)]


def get_widget_chat(container: ContainerDep) -> WidgetChatService:
    return WidgetChatService(store=container.widgets, quotas=container.quotas, chat=container.chat, profiler=container.profiler,
                             refusals=RefusedOrigins(container.widgets.engine))  # fmt: skip


WidgetChatDep = Annotated[WidgetChatService, Depends(get_widget_chat)]


# -- widget.js --------------------------------------------------------------------------------------
@router.get("/widget.js", include_in_schema=False)
def widget_js() -> Response:
    """The loader partners paste: cached for a day by browsers and CDNs, loadable from any site."""
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=86400, stale-while-revalidate=604800",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )


# -- /embed/{key} -----------------------------------------------------------------------------------
def frame_ancestors(widget: WidgetKey | None) -> str:
    origins = " ".join(widget.allowed_origins) if widget else ""
    return "frame-ancestors " + (origins or "'none'")


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
        return normalise_origin(f"{parts.scheme}://{parts.netloc}", wildcard=False)
    except ValueError:
        return None


def _refused_page(message: str, *, ancestors: str, fix: str = "") -> HTMLResponse:
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>无法加载对话</title>'
        '<link rel="stylesheet" href="/static/style.css"><link rel="stylesheet" href="/static/embed.css"></head>'
        f'<body class="refused"><main><h1>无法加载对话</h1><p>{html.escape(message)}</p>{fix}</main></body></html>'
    )
    return HTMLResponse(body, status_code=403, headers={**_page_headers(ancestors)})


def may_manage(user: CurrentUser | None, widget: WidgetKey) -> bool:
    """Whether the signed-in user manages this key: an administrator, or a partner of its organisation."""
    return user is not None and (user.role == Role.admin or (user.role == Role.partner and user.org_id == widget.public.org_id))


def _not_allowed_page(request: Request, widget: WidgetKey, parent: str) -> HTMLResponse:
    """The origin the embed saw, where to add it, and what it resembles on the list. Shown in any frame
    (it holds nothing to protect), so the portal's owner reads it where the chat should have been."""
    page = f"{str(request.base_url).rstrip('/')}/widgets"
    hint = origin_hint(parent, widget.allowed_origins)
    fix = (
        f'<p>网站管理员：请登录渠道参谋，在<a href="/widgets" target="_blank" rel="noopener">网站小组件</a>'
        f"页面（{html.escape(page)}）编辑这个小组件，把 <code>{html.escape(parent)}</code> 加入“允许嵌入的网站来源”。</p>"
        + (f'<p class="hint">{html.escape(hint)}</p>' if hint else "")
    )
    return _refused_page(f"网站 {parent} 不在此小组件允许嵌入的网站来源中。", ancestors="frame-ancestors *", fix=fix)


def _page_headers(ancestors: str) -> dict[str, str]:
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; {ancestors}"
    )
    return {"Content-Security-Policy": csp, "Cache-Control": "no-store", "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff"}  # fmt: skip


def _visitor_cookie(request: Request, secret: bytes) -> str | None:
    """The visitor id of this browser's signed `top_widget_visitor` cookie, if it has a valid one."""
    signed = request.cookies.get(VISITOR_COOKIE, "")
    value = unsign(secret, signed) if signed else None
    return value.removeprefix(VISITOR_PREFIX) if value and value.startswith(VISITOR_PREFIX) else None


@router.get("/embed/{key_id}", include_in_schema=False)
async def embed(
    key_id: str, request: Request, widgets: WidgetsDep, service: WidgetChatDep, container: ContainerDep, user: OptionalUserDep
) -> Response:
    widget = await run_in_threadpool(widgets.store.resolve, key_id)
    reason = refusal(widget)
    if reason or widget is None:
        # Unknown and disabled keys: a readable message wherever it is shown (nothing to protect).
        return _refused_page(reason or "", ancestors="frame-ancestors *")
    ancestors = frame_ancestors(widget)
    if request.headers.get("sec-fetch-dest", "iframe") != "iframe":  # opened as a page, not framed by widget.js
        return _refused_page("这个对话窗口只能嵌入在已授权的网站中使用", ancestors=ancestors)
    parent = _origin_of(request.headers.get("referer")) or _origin_of(request.query_params.get("origin"))
    if parent is None:
        return _refused_page("无法确定嵌入页面的来源：请用 widget.js 嵌入这个对话窗口", ancestors=ancestors)
    # The key's owner previews it on our own /widgets/{key}/preview page, whatever the list says.
    preview = same_origin(parent, _hosts(request)) and may_manage(user, widget)
    if not origin_allowed(parent, widget.allowed_origins) and not preview:
        await run_in_threadpool(widgets.refusals.record, widget.id, parent)
        return _not_allowed_page(request, widget, parent)
    if preview:
        ancestors = "frame-ancestors 'self'"
    known = _visitor_cookie(request, container.secret_key)
    visitor = await run_in_threadpool(service.issue_visitor, widget, known, client_address(request))
    look = widget.public
    colour = request.query_params.get("colour", "")
    config = {
        "key": widget.id,
        "title": look.title,
        "greeting": look.greeting,
        "colour": colour if _COLOUR.fullmatch(colour) else look.colour,
        "showSources": look.show_sources,
        "parentOrigin": parent,
        "embedToken": mint_embed_token(
            key_id=widget.id, parent_origin=parent, widget_secret=widget.secret, visitor=visitor, preview=preview
        ),
    }
    # JSON inside <script type="application/json">: `<` escaped so nothing can close the element.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    values = {"title": html.escape(look.title), "config": data}
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1)], (STATIC / "embed.html").read_text(encoding="utf-8"))
    response = HTMLResponse(page, headers=_page_headers(ancestors))
    if visitor and visitor != known:
        # A third-party cookie inside the partner's page: SameSite=None (so Secure), partitioned per top site.
        response.set_cookie(VISITOR_COOKIE, sign(container.secret_key, VISITOR_PREFIX + visitor), max_age=VISITOR_MAX_AGE,
                            path="/embed/", httponly=True, secure=True, samesite="none")  # fmt: skip
        # `Partitioned` (CHIPS) by hand: Starlette adds it only on Python ≥ 3.14.
        name, value = response.raw_headers[-1]
        response.raw_headers[-1] = (name, value + b"; Partitioned")
    return response


# -- POST /api/widget/{key}/chat ----------------------------------------------------------------------
def _hosts(request: Request) -> set[str]:
    """This server as the browser sees it: Host, and behind a proxy X-Forwarded-Host."""
    return {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "").split(",")[0].strip()}


def caller(request: Request) -> WidgetCaller:
    origin = request.headers.get("origin")
    return WidgetCaller(
        origin=origin, same_origin=same_origin(origin, _hosts(request)), embed_token=request.headers.get(EMBED_HEADER),
        address=client_address(request), content_type=request.headers.get("content-type", ""),
    )  # fmt: skip


@router.options("/api/widget/{key_id}/chat", include_in_schema=False)
async def chat_preflight(key_id: str, request: Request, service: WidgetChatDep) -> Response:
    widget = await run_in_threadpool(service.store.resolve, key_id)
    cors, _ = await run_in_threadpool(service.admit, widget, caller(request))  # a refusal is recorded
    return Response(status_code=204, headers={
        **cors, "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600"})  # fmt: skip


@router.post(
    "/api/widget/{key_id}/chat",
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}, 401: {}, 403: {}, 404: {}, 429: {}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": WidgetChatRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}},
)
async def widget_chat(key_id: str, request: Request, service: WidgetChatDep) -> Any:
    """Chat through a widget key: the same events as `/api/chat` (sources empty and `[n]` markers
    removed when the key hides sources). See README, "Embed in your portal"."""
    turn = await run_in_threadpool(service.open_turn, key_id, caller(request), await request.body())
    if wants_json(request):
        await run_in_threadpool(list, turn.events)
        return Response(json.dumps(turn.as_json(), ensure_ascii=False), media_type="application/json", headers=turn.cors)
    cpu_bound = service.chat.computes  # see api/streaming.py
    return EventSourceResponse(_stream(turn, cpu_bound), ping=15, headers={"X-Accel-Buffering": "no", **turn.cors})


async def _stream(turn: WidgetTurn, cpu_bound: bool) -> AsyncIterator[Any]:
    async for event in iterate_closing(turn.events, cpu_bound=cpu_bound, first_on_loop=True):
        yield sse_event(event, turn.turn)
