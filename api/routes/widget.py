"""The embeddable widget, public side: `/widget.js`, the `/embed/{key}` page and its chat API.

Who may use a key is decided here, on every request:
- `/embed/{key}` is served only for an enabled key, as a frame (`Sec-Fetch-Dest`, where browsers send
  it), to an embedding page (from `Referer`, else the `origin` the loader passes) among the key's allowed
  origins, with `Content-Security-Policy: frame-ancestors <allowed origins>` so browsers refuse to show
  it inside any other site. The page gets a short-lived embed session token bound to (key, origin).
- `POST /api/widget/{key}/chat` accepts an `Origin` that is an allowed origin (the partner's page
  calling directly; CORS headers for it alone), or our own origin with a valid embed session token
  (the iframe). Anything else is a 403 with a message. Quotas → 429 with `Retry-After`.
Origin checks stop other websites' visitors' browsers, not scripts that forge headers; quotas and
`require_identity` (a token only the partner's backend can sign) limit what a script can do.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import Field, ValidationError
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from accounts.identity import EndUser, IdentityError, mint_embed_token, read_embed_token, verify_identity
from accounts.quotas import DAY, MINUTE, QuotaCounter, QuotaExceeded
from accounts.refusals import RefusedOrigins
from accounts.tables import Role
from accounts.widgets import WidgetKey, WidgetStore, normalise_origin, origin_allowed, origin_hint
from api.auth import CurrentUser, OptionalUserDep
from api.deps import ChatDep, ContainerDep, wants_json
from api.routes.chat import ChatRequest
from api.routes.chat import _sse as sse_event
from api.streaming import iterate_closing
from assistant.chat import ChatTurn
from assistant.conversations import ConversationNotFound
from assistant.events import DeltaEvent, DoneEvent, ErrorEvent, SourcesEvent

__all__ = ["WidgetChatRequest", "WidgetServices", "WidgetsDep", "router", "visible_events"]

router = APIRouter(tags=["widget"])

STATIC = Path(__file__).resolve().parent.parent / "static"
EMBED_HEADER = "X-Embed-Token"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_MARKER = re.compile(r"\[\d{1,4}\]")
_PARTIAL_MARKER = re.compile(r"\[\d{0,4}$")
_PLACEHOLDER = re.compile(r"\{\{(title|config)\}\}")


@dataclass(frozen=True)
class WidgetServices:
    store: WidgetStore
    quotas: QuotaCounter
    refusals: RefusedOrigins


def get_widget_services(container: ContainerDep) -> WidgetServices:
    """The container's widget store and quota counter (built once with the rest)."""
    return WidgetServices(container.widgets, container.quotas, RefusedOrigins(container.widgets.engine))


WidgetsDep = Annotated[WidgetServices, Depends(get_widget_services)]


class WidgetChatRequest(ChatRequest):
    identity_token: str | None = Field(None, max_length=4096, description="伙伴后端签发的身份令牌（HS256 JWT）")
    visitor_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{8,64}$", description="匿名访客标识（浏览器本地生成），用于每人每天的配额"
    )


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


def refusal(widget: WidgetKey | None) -> str | None:
    """Why the key cannot serve anyone (None when it can)."""
    if widget is None:
        return "小组件密钥无效：请检查嵌入代码中的 data-widget"
    if not widget.public.enabled:
        return "此小组件已停用"
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


@router.get("/embed/{key_id}", include_in_schema=False)
async def embed(key_id: str, request: Request, widgets: WidgetsDep, user: OptionalUserDep) -> Response:
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
    preview = _same_origin(request, parent) and may_manage(user, widget)
    if not origin_allowed(parent, widget.allowed_origins) and not preview:
        await run_in_threadpool(widgets.refusals.record, widget.id, parent)
        return _not_allowed_page(request, widget, parent)
    if preview:
        ancestors = "frame-ancestors 'self'"
    look = widget.public
    colour = request.query_params.get("colour", "")
    config = {
        "key": widget.id,
        "title": look.title,
        "greeting": look.greeting,
        "colour": colour if _COLOUR.match(colour) else look.colour,
        "showSources": look.show_sources,
        "parentOrigin": parent,
        "embedToken": mint_embed_token(key_id=widget.id, parent_origin=parent, widget_secret=widget.secret, preview=preview),
    }
    # JSON inside <script type="application/json">: `<` escaped so nothing can close the element.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    values = {"title": html.escape(look.title), "config": data}
    page = _PLACEHOLDER.sub(lambda m: values[m.group(1)], (STATIC / "embed.html").read_text(encoding="utf-8"))
    return HTMLResponse(page, headers=_page_headers(ancestors))


# -- POST /api/widget/{key}/chat ----------------------------------------------------------------------
def _cors(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Expose-Headers": "Retry-After"}


def _same_origin(request: Request, origin: str | None) -> bool:
    """Whether `Origin` is this server as the browser sees it (behind a proxy: `X-Forwarded-Host`)."""
    if not origin:
        return False
    netloc = urlsplit(origin).netloc.lower()
    hosts = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "").split(",")[0].strip()}
    return bool(netloc) and netloc in {h.lower() for h in hosts if h}


def admit(request: Request, widget: WidgetKey | None, refusals: RefusedOrigins | None = None) -> dict[str, str]:
    """Who is calling: 403 unless the key serves and the caller's origin may use it. Returns the CORS
    headers every reply to this caller must carry; a refused origin is remembered for the key's owner."""
    reason = refusal(widget)
    if reason or widget is None:
        raise HTTPException(403, reason)
    origin = request.headers.get("origin")
    if _same_origin(request, origin):
        token = request.headers.get(EMBED_HEADER, "")
        if not token:
            raise HTTPException(403, "缺少嵌入会话：请通过 widget.js 嵌入的对话窗口提问")
        try:
            session = read_embed_token(token, key_id=widget.id, widget_secret=widget.secret)
        except IdentityError as exc:
            raise HTTPException(403, str(exc)) from None
        if not origin_allowed(session.parent_origin, widget.allowed_origins) and not session.preview:
            raise HTTPException(403, f"网站 {session.parent_origin} 未被授权使用此小组件")
        return {}
    if origin_allowed(origin, widget.allowed_origins):
        return _cors(str(origin))
    if not origin:
        raise HTTPException(403, "缺少 Origin：小组件接口只接受来自已授权网站的浏览器请求")
    if origin == "null":  # a sandboxed frame or a local file: no site to add
        raise HTTPException(403, "来源 null（沙箱页面或本地文件）未被授权使用此小组件：请从已授权的网站页面提问")
    if refusals is not None:
        refusals.record(widget.id, origin)
    hint = origin_hint(origin, widget.allowed_origins)
    raise HTTPException(403, f"来源 {origin} 未被授权使用此小组件：请在渠道参谋的“网站小组件”页面把它加入允许嵌入的网站来源"
                        + (f"（{hint}）" if hint else ""))  # fmt: skip


@router.options("/api/widget/{key_id}/chat", include_in_schema=False)
async def chat_preflight(key_id: str, request: Request, widgets: WidgetsDep) -> Response:
    widget = await run_in_threadpool(widgets.store.resolve, key_id)
    cors = await run_in_threadpool(admit, request, widget, widgets.refusals)
    return Response(status_code=204, headers={
        **cors, "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600"})  # fmt: skip


def end_user_id(request: Request, body: WidgetChatRequest, user: EndUser | None) -> str:
    """Who the quota and the conversations belong to: the signed `sub`, else the browser's visitor id,
    else the client address."""
    if user is not None:
        who = f"sub:{user.sub}"
    elif body.visitor_id:
        who = f"visitor:{body.visitor_id}"
    else:
        who = f"ip:{request.client.host if request.client else 'unknown'}"
    return hashlib.sha256(who.encode()).hexdigest()[:32]


def _quota_message(exc: QuotaExceeded) -> str:
    if exc.scope == "user_day":
        return f"今天的提问次数已用完（每人每天 {exc.limit} 次），请明天再来。"
    return f"提问的人太多了，请 {exc.retry_after} 秒后再试。"


def _parse(raw: bytes) -> WidgetChatRequest:
    try:
        return WidgetChatRequest.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            messages.append(f"{where}: {message}" if where else message)
        raise HTTPException(422, messages) from None


@router.post(
    "/api/widget/{key_id}/chat",
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}, 403: {}, 429: {}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": WidgetChatRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}},
)
async def widget_chat(key_id: str, request: Request, chat: ChatDep, container: ContainerDep, widgets: WidgetsDep) -> Any:
    """Chat through a widget key: the same events as `/api/chat` (sources empty and `[n]` markers
    removed when the key hides sources). See README, "Embed in your portal"."""
    widget = await run_in_threadpool(widgets.store.resolve, key_id)
    cors = await run_in_threadpool(admit, request, widget, widgets.refusals)
    assert widget is not None
    try:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise HTTPException(415, f"Content-Type 必须是 application/json（收到：{content_type or '无'}）")
        body = _parse(await request.body())
        user = None
        if body.identity_token:
            try:
                user = verify_identity(body.identity_token, widget.secret)
            except IdentityError as exc:
                raise HTTPException(401, f"身份验证失败：{exc}") from None
        elif widget.public.require_identity:
            raise HTTPException(401, "此小组件需要登录后使用：缺少身份令牌")
        who = end_user_id(request, body, user)
        look = widget.public
        try:
            await run_in_threadpool(widgets.quotas.hit, f"{widget.id}:key", limit=look.quota_per_key_minute,
                                    seconds=MINUTE, scope="key_minute")  # fmt: skip
            await run_in_threadpool(widgets.quotas.hit, f"{widget.id}:user:{who}", limit=look.quota_per_user_day,
                                    seconds=DAY, scope="user_day")  # fmt: skip
        except QuotaExceeded as exc:
            raise HTTPException(429, _quota_message(exc), headers={"Retry-After": str(exc.retry_after)}) from None
        owner = f"widget:{widget.id}:{who}"
        try:
            turn = await run_in_threadpool(chat.start, body.message, conversation_id=body.conversation_id, owner=owner)
        except ConversationNotFound as exc:
            raise HTTPException(404, str(exc)) from None
    except HTTPException as exc:
        exc.headers = {**(exc.headers or {}), **cors}
        raise
    if turn.context is None and user is not None and user.customer:
        # The token's customer scope: what "他们" refers to until the conversation names another customer.
        profile = await run_in_threadpool(container.profiler.profile, user.customer)
        turn.context = profile if profile.known else None
    events = visible_events(chat.events(turn), show_sources=look.show_sources)
    if wants_json(request):
        await run_in_threadpool(list, events)
        reply = turn.as_json()
        if not look.show_sources:
            reply = {**reply, "sources": [], "text": strip_markers(reply["text"])}
        return Response(json.dumps(reply, ensure_ascii=False), media_type="application/json", headers=cors)
    cpu_bound = chat.advisor.writer.name == "composer"  # see api/streaming.py
    return EventSourceResponse(_stream(events, turn, cpu_bound), ping=15, headers={"X-Accel-Buffering": "no", **cors})


async def _stream(events: Iterator[Any], turn: ChatTurn, cpu_bound: bool) -> AsyncIterator[Any]:
    async for event in iterate_closing(events, cpu_bound=cpu_bound):
        yield sse_event(event, turn)


# -- hiding sources ---------------------------------------------------------------------------------
def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


class MarkerStripper:
    """Removes `[n]` markers from streamed text, holding back a marker split across deltas."""

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, text: str) -> str:
        text = strip_markers(self.pending + text)
        partial = _PARTIAL_MARKER.search(text)
        self.pending = partial.group(0) if partial else ""
        return text[: partial.start()] if partial else text

    def flush(self) -> str:
        out, self.pending = self.pending, ""
        return out


def visible_events(events: Iterator[Any], *, show_sources: bool) -> Iterator[Any]:
    """The chat events as a widget shows them: unchanged, or without sources and `[n]` markers.
    Closing this generator closes `events` (the turn is then stored as interrupted)."""
    if show_sources:
        yield from events
        return
    stripper = MarkerStripper()
    try:
        for event in events:
            if isinstance(event, SourcesEvent):
                yield SourcesEvent(sources=[])
            elif isinstance(event, DeltaEvent):
                if event.replace:
                    stripper = MarkerStripper()
                text = stripper.feed(event.text)
                if text or event.replace:
                    yield DeltaEvent(text=text, replace=event.replace)
            else:
                if isinstance(event, DoneEvent | ErrorEvent) and (tail := stripper.flush()):
                    yield DeltaEvent(text=tail)
                yield event
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()

