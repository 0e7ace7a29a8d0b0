"""The widget's chat, behind its route: who may use a key, who the visitor is, quotas, the turn.

    turn = service.open_turn(key_id, caller, raw_body)   # WidgetRefused (403/401/415/422/429) otherwise
    turn.events / turn.as_json()                          # what the visitor sees (sources hidden if so set)

Visitors, from most to least trusted:
- identified: a `sub` in an identity token signed by the partner's backend with the key's secret;
- embedded: a visitor id that `/embed/{key}` bound to its page (a signed cookie, carried inside the
  embed session token so it works where browsers drop third-party cookies). `/embed` issues new ids
  at most `VISITORS_PER_ADDRESS_HOUR` times an hour per client address, so a script cannot mint one
  per question;
- anonymous: anyone else (a direct API call from an allowed origin): the client address. The body's
  `visitor_id` only keeps such a caller's conversations apart; it never names a quota.

Quotas (fixed windows in the shared database), checked in this order so that a refused request does
not spend the budgets shared with others:
1. per visitor per day (`quota_per_user_day`);
2. per client address per minute, for all but identified visitors (`ADDRESS_SHARE` of the key's
   minute budget), so one script from one address cannot drain the key;
3. anonymous visitors together per minute: the key's budget less `KNOWN_SHARE`, a share kept for
   identified and embedded visitors;
4. the key per minute (`quota_per_key_minute`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError

from accounts.identity import EmbedSession, IdentityError, read_embed_token, verify_identity
from accounts.quotas import DAY, MINUTE, QuotaExceeded, Quotas
from accounts.refusals import RefusedOrigins
from accounts.widgets import WidgetKey, WidgetStore, origin_allowed, origin_hint
from api.errors import Refused, validation_messages
from api.routes.chat import ChatRequest
from assistant.chat import ChatService, ChatTurn
from assistant.conversations import ConversationNotFound
from assistant.events import DeltaEvent, DoneEvent, ErrorEvent, SourcesEvent
from assistant.message import UserMessage
from assistant.models import Profile
from assistant.profiler import ProfileInputError, Profiler

__all__ = [
    "ADDRESS_SHARE",
    "KNOWN_SHARE",
    "VISITORS_PER_ADDRESS_HOUR",
    "MarkerStripper",
    "Visitor",
    "WidgetCaller",
    "WidgetChatRequest",
    "WidgetChatService",
    "WidgetRefused",
    "WidgetTurn",
    "refusal",
    "strip_markers",
    "visible_events",
]

ADDRESS_SHARE = 0.25  # of the key's minute budget, per client address (identified visitors exempt)
KNOWN_SHARE = 0.25  # of the key's minute budget, kept for identified and embedded visitors
VISITORS_PER_ADDRESS_HOUR = 30  # new visitor ids `/embed` issues per client address and key
HOUR = 3600
_MARKER = re.compile(r"\[\d{1,4}\]")
_PARTIAL_MARKER = re.compile(r"\[\d{0,4}$")


class WidgetChatRequest(ChatRequest):
    identity_token: str | None = Field(None, max_length=4096, description="伙伴后端签发的身份令牌（HS256 JWT）")
    visitor_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="访客自己生成的标识：只用于区分直接调用接口的匿名访客的对话，不决定配额",
    )  # fmt: skip


class WidgetRefused(Refused):
    """A refusal for the widget's caller (api/errors.py renders it, CORS headers included)."""


@dataclass(frozen=True)
class WidgetCaller:
    """What the route read from the request."""

    origin: str | None  # the Origin header
    same_origin: bool  # Origin is this server: the iframe /embed served
    embed_token: str | None  # X-Embed-Token
    address: str  # the client address
    content_type: str = "application/json"


@dataclass(frozen=True)
class Visitor:
    kind: Literal["identified", "embedded", "anonymous"]
    quota_id: str  # whose daily quota: sub, visitor id or address (hashed)
    owner_id: str  # whose conversations (hashed)
    customer: str | None = None  # an identity token's customer claim


@dataclass
class WidgetTurn:
    turn: ChatTurn
    events: Iterator[Any]
    show_sources: bool
    cors: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The whole reply, after `events` has been run to its end."""
        reply = self.turn.as_json()
        if not self.show_sources:
            reply = {**reply, "sources": [], "text": strip_markers(reply["text"])}
        return reply


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def refusal(widget: WidgetKey | None) -> str | None:
    """Why the key cannot serve anyone (None when it can)."""
    if widget is None:
        return "小组件密钥无效：请检查嵌入代码中的 data-widget"
    if not widget.public.enabled:
        return "此小组件已停用"
    return None


def _cors(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Expose-Headers": "Retry-After"}


def _quota_message(exc: QuotaExceeded) -> str:
    if exc.scope == "user_day":
        return f"今天的提问次数已用完（每人每天 {exc.limit} 次），请明天再来。"
    if exc.scope == "address_minute":
        return f"你所在网络的提问太频繁了，请 {exc.retry_after} 秒后再试。"
    return f"提问的人太多了，请 {exc.retry_after} 秒后再试。"


class WidgetChatService:
    def __init__(
        self, *, store: WidgetStore, quotas: Quotas, chat: ChatService, profiler: Profiler,
        refusals: RefusedOrigins | None = None,
    ) -> None:  # fmt: skip
        self.store, self.quotas, self.chat, self.profiler = store, quotas, chat, profiler
        self.refusals = refusals  # origins refused, remembered for the key's owner (None: not remembered)

    # -- who is calling ------------------------------------------------------------------------
    def admit(self, widget: WidgetKey | None, caller: WidgetCaller) -> tuple[dict[str, str], EmbedSession | None]:
        """403 unless the key serves and the caller's origin may use it. Returns the CORS headers
        every reply to this caller must carry, and the iframe's embed session. A refused origin is
        remembered for the key's owner, and the refusal says where to add it and what it resembles."""
        reason = refusal(widget)
        if reason or widget is None:
            raise WidgetRefused(403, reason or "")
        if caller.same_origin:
            if not caller.embed_token:
                raise WidgetRefused(403, "缺少嵌入会话：请通过 widget.js 嵌入的对话窗口提问")
            try:
                session = read_embed_token(caller.embed_token, key_id=widget.id, widget_secret=widget.secret)
            except IdentityError as exc:
                raise WidgetRefused(403, str(exc)) from None
            if not origin_allowed(session.parent_origin, widget.allowed_origins) and not session.preview:
                raise WidgetRefused(403, f"网站 {session.parent_origin} 未被授权使用此小组件")
            return {}, session
        if origin_allowed(caller.origin, widget.allowed_origins):
            return _cors(str(caller.origin)), None
        if not caller.origin:
            raise WidgetRefused(403, "缺少 Origin：小组件接口只接受来自已授权网站的浏览器请求")
        if caller.origin == "null":  # a sandboxed frame or a local file: no site to add
            raise WidgetRefused(403, "来源 null（沙箱页面或本地文件）未被授权使用此小组件：请从已授权的网站页面提问")
        if self.refusals is not None:
            self.refusals.record(widget.id, caller.origin)
        hint = origin_hint(caller.origin, widget.allowed_origins)
        raise WidgetRefused(403, f"来源 {caller.origin} 未被授权使用此小组件：请在渠道参谋的“网站小组件”页面把它加入允许嵌入的网站来源"
                            + (f"（{hint}）" if hint else ""))  # fmt: skip

    def visitor(self, widget: WidgetKey, body: WidgetChatRequest, session: EmbedSession | None, address: str) -> Visitor:
        """Who asks (see the module docstring); 401 for a bad identity token or a missing required one."""
        if body.identity_token:
            try:
                user = verify_identity(body.identity_token, widget.secret)
            except IdentityError as exc:
                raise WidgetRefused(401, f"身份验证失败：{exc}") from None
            who = _hash(f"sub:{user.sub}")
            return Visitor("identified", who, who, customer=user.customer)
        if widget.public.require_identity:
            raise WidgetRefused(401, "此小组件需要登录后使用：缺少身份令牌")
        if session is not None and session.visitor:
            who = _hash(f"visitor:{session.visitor}")
            return Visitor("embedded", who, who)
        return Visitor("anonymous", _hash(f"ip:{address}"), _hash(f"ip:{address}:{body.visitor_id or ''}"))

    # -- quotas ---------------------------------------------------------------------------------
    def count(self, widget: WidgetKey, visitor: Visitor, address: str) -> None:
        """Count this question against every quota that applies; QuotaExceeded at the first one over."""
        look, key = widget.public, widget.id
        minute = look.quota_per_key_minute
        hits = [(f"{key}:user:{visitor.quota_id}", look.quota_per_user_day, DAY, "user_day")]
        if visitor.kind != "identified":
            hits.append((f"{key}:address:{_hash(address)}", max(1, math.ceil(minute * ADDRESS_SHARE)), MINUTE, "address_minute"))
        if visitor.kind == "anonymous":
            hits.append((f"{key}:anonymous", max(1, minute - math.ceil(minute * KNOWN_SHARE)), MINUTE, "key_minute"))
        hits.append((f"{key}:key", minute, MINUTE, "key_minute"))
        for name, limit, seconds, scope in hits:
            self.quotas.hit(name, limit=limit, seconds=seconds, scope=scope)

    def issue_visitor(self, widget: WidgetKey, known: str | None, address: str) -> str | None:
        """The visitor id for a page `/embed` serves: the one its cookie names, else a new one, unless
        this address had `VISITORS_PER_ADDRESS_HOUR` new ones this hour (then None: an anonymous visitor)."""
        if known:
            return known
        try:
            self.quotas.hit(f"{widget.id}:issued:{_hash(address)}", limit=VISITORS_PER_ADDRESS_HOUR, seconds=HOUR, scope="issue")
        except QuotaExceeded:
            return None
        return secrets.token_urlsafe(18)

    # -- the turn -------------------------------------------------------------------------------
    def open_turn(self, key_id: str, caller: WidgetCaller, raw_body: bytes) -> WidgetTurn:
        """Admit, parse, identify, count, start the turn. WidgetRefused carries the CORS headers of an
        admitted caller, so its browser can read the refusal."""
        widget = self.store.resolve(key_id)
        cors, session = self.admit(widget, caller)
        assert widget is not None
        try:
            if caller.content_type.split(";")[0].strip().lower() != "application/json":
                raise WidgetRefused(415, f"Content-Type 必须是 application/json（收到：{caller.content_type or '无'}）")
            body = _parse(raw_body)
            visitor = self.visitor(widget, body, session, caller.address)
            try:
                self.count(widget, visitor, caller.address)
            except QuotaExceeded as exc:
                raise WidgetRefused(429, _quota_message(exc), headers={"Retry-After": str(exc.retry_after)}) from None
            turn = self.chat.start(UserMessage.parse(body.message), conversation_id=body.conversation_id, owner=f"widget:{widget.id}:{visitor.owner_id}")
        except WidgetRefused as exc:
            exc.headers = {**exc.headers, **cors}
            raise
        except ConversationNotFound as exc:  # another visitor's or an unknown conversation
            raise WidgetRefused(404, str(exc), headers=cors) from None
        if turn.state.customer is None and visitor.customer:
            turn.state = turn.state.model_copy(update={"customer": self._customer(visitor.customer)})
        show = widget.public.show_sources
        return WidgetTurn(turn=turn, events=visible_events(self.chat.events(turn), show_sources=show), show_sources=show, cors=cors)

    def _customer(self, name: str) -> Profile | None:
        """The token's customer: what "他们" refers to until the conversation names another customer."""
        try:
            profile = self.profiler.profile(name)
        except ProfileInputError:
            return None
        return profile if profile.known else None


def _parse(raw: bytes) -> WidgetChatRequest:
    """Parsed as FastAPI parses the other routes' bodies (Python's json), so the text checks are the same."""
    try:
        return WidgetChatRequest.model_validate(json.loads(raw or b"{}"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WidgetRefused(422, [f"请求体不是合法的 JSON：{exc}"]) from None
    except ValidationError as exc:
        raise WidgetRefused(422, validation_messages(exc.errors())) from None


def same_origin(origin: str | None, hosts: set[str]) -> bool:
    """Whether `origin` is this server as the browser sees it (`hosts`: Host and X-Forwarded-Host)."""
    if not origin:
        return False
    netloc = urlsplit(origin).netloc.lower()
    return bool(netloc) and netloc in {h.lower() for h in hosts if h}


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

