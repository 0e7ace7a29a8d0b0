"""What every response gets, whatever route (or failure) produced it: a request id, security headers,
and for an unexpected exception a 500 that shows only that id.

- `X-Request-ID`: the caller's own id when it looks like one (a proxy's), else a new one; it is on
  `request.state.request_id`, in `request_id_var` for log records, and in every error body.
- Security headers: `X-Content-Type-Options: nosniff` and a `Referrer-Policy` on everything; on HTML
  pages a strict Content-Security-Policy (scripts and styles from this origin only, no inline script,
  `frame-ancestors 'none'`) and `X-Frame-Options: DENY`, unless the route set its own policy (the
  widget's `/embed/{key}` names the partner sites that may frame it).
- An exception no handler mapped is logged with the request id and answered with a 500 whose body
  names only that id (api/errors.py `server_error`). Once a streamed response has started, nothing
  more can be sent: the failure is logged and the stream ends.

- When the response has ended (a stream: all of it), one access-log line (api/logs.py) and the request
  metrics (api/metrics.py), both by route template and with the same request id.

A pure ASGI middleware, so streamed responses (SSE) pass through untouched.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import server_error
from api.logs import log_request
from api.metrics import observe_request

__all__ = ["HTML_POLICY", "REQUEST_ID_HEADER", "RequestContextMiddleware", "request_id_var"]

log = logging.getLogger("api.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_INCOMING_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

HTML_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "manifest-src 'self'", "worker-src 'self'", "frame-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])  # fmt: skip
REFERRER_POLICY = "same-origin"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _INCOMING_ID.fullmatch(text) else uuid.uuid4().hex
    return uuid.uuid4().hex


def secure(headers: MutableHeaders) -> None:
    """Add the security headers a response lacks (a route's own choice wins)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if not headers.get("content-type", "").lower().startswith("text/html"):
        return
    policy = headers.setdefault("Content-Security-Policy", HTML_POLICY)
    if "frame-ancestors 'none'" in policy:
        headers.setdefault("X-Frame-Options", "DENY")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started, status, began = False, 499, time.perf_counter()  # 499: the client left before any response

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started, status = True, int(message["status"])
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                secure(headers)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("request %s failed: %s %s", request_id, scope.get("method"), scope.get("path"))
            if not started:
                await server_error(scope.get("path", ""), request_id)(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - began
            log_request(request_id, str(scope.get("method", "")), observe_request(scope, status, seconds), status, seconds)
            request_id_var.reset(token)
