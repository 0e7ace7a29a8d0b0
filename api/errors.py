"""The one place where exceptions become HTTP responses.

Every failure the client causes is a 4xx whose message (Chinese) names what is wrong:

    RequestValidationError, ValidationError   422 (field: message)
    InvalidText, ProfileInputError, FormError 422   text or form input refused
    AccountError / AccountConflict           422 / 409;  AccountNotFound, ConversationNotFound … 404;
    ConversationBusy (a turn already streaming in that conversation, any replica) 409
    LoginFailed                               401
    ImportRefused                             413 (too large) or 422 (empty, wrong or unknown type)
    InvalidDocument                           422 with `problems` [{line, field, label, message}]
    UnacknowledgedWarnings                    409 with `warnings` [{line, kind, excerpt, message}]
    DocumentNotFound 404, NotAllowed 403, WorkflowConflict 409, other EditorialError/CorpusError 422
    StagingLost 409;  QuotaExceeded, LoginThrottled 429 with Retry-After
    NotEntitled                               402 (not on the plan) or 429 (plan quota used, Retry-After);
                                              BillingError, LedgerError 422
    HTTPException, Refused                    their own status, detail and headers; a 404 for a browser
                                              navigating to a page is a Chinese HTML page instead

Anything else is a bug of ours: api/middleware.py logs it with the request id and answers with
`server_error`, whose body holds only that id. `{"detail": …}` everywhere, except under `/v1/`
(the OpenAI-compatible API), where errors take OpenAI's shape `{"error": {message, type, param,
code}}` so OpenAI clients can show them, and bad requests are 400 as OpenAI's are (not 422).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts.login import LoginFailed
from accounts.quotas import QuotaExceeded
from accounts.store import AccountConflict, AccountError, AccountNotFound
from accounts.throttle import LoginThrottled
from api.openai_format import OpenAIError
from assistant.conversations import ConversationBusy, ConversationNotFound, MessageNotFound
from assistant.profiler import ProfileInputError
from billing.entitlements import NotEntitled
from billing.ledger import LedgerError
from billing.programme import BillingError
from community.cases import CaseConflict, CaseError, CaseForbidden, CaseNotFound
from community.discussions import DiscussionError, DiscussionForbidden, DiscussionNotFound, PiiWarning
from community.rankings import RankingsError
from community.redaction import RedactionError
from community.watch import WatchError, WatchNotFound
from corpus.document import CorpusError
from corpus.editorial import DocumentNotFound, InvalidDocument, NotAllowed, UnacknowledgedWarnings, WorkflowConflict
from corpus.importers import ImportRefused
from corpus.labels import FIELD_LABELS, problem_message
from corpus.metadata_form import FormError
from corpus.text import InvalidText
from retrieval.keyword_index import StagingLost

__all__ = ["Refused", "install_error_handlers", "not_found_page", "problems_json", "server_error", "validation_messages"]

# pydantic's error types in Chinese; `{name}` is filled from the error's context.
_MESSAGES = {
    "missing": "缺少此字段", "extra_forbidden": "不认识的字段",
    "string_type": "必须是字符串", "string_too_short": "至少 {min_length} 个字符", "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确", "too_short": "至少 {min_length} 项", "too_long": "最多 {max_length} 项",
    "int_type": "必须是整数", "int_parsing": "必须是整数", "int_from_float": "必须是整数",
    "int_parsing_size": "整数超出范围", "float_type": "必须是数字", "float_parsing": "必须是数字",
    "bool_type": "必须是 true 或 false", "bool_parsing": "必须是 true 或 false",
    "greater_than_equal": "不能小于 {ge}", "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}", "less_than": "必须小于 {lt}",
    "enum": "必须是以下之一：{expected}", "literal_error": "必须是以下之一：{expected}",
    "dict_type": "必须是 JSON 对象", "model_type": "必须是 JSON 对象", "model_attributes_type": "必须是 JSON 对象",
    "list_type": "必须是数组", "date_parsing": "日期格式不正确（应为 YYYY-MM-DD）", "date_type": "必须是日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期格式不正确（应为 YYYY-MM-DD）", "url_parsing": "不是合法的网址",
}  # fmt: skip


class Refused(Exception):
    """A refusal an api service has already shaped for HTTP: status, message, headers it must carry
    (e.g. the widget's CORS headers and Retry-After)."""

    def __init__(self, status: int, detail: str | list[str], *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail if isinstance(detail, str) else "；".join(detail))
        self.status, self.detail, self.headers = status, detail, headers or {}


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts)


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "json_invalid":
        return f"请求体不是合法的 JSON：{context.get('error', '')}".rstrip("：")
    template = _MESSAGES.get(kind)
    if template is not None:
        try:
            return template.format(**context)
        except (KeyError, IndexError, ValueError):
            pass
    return str(error.get("msg", "")).removeprefix("Value error, ")


def validation_messages(errors: list[Any]) -> list[str]:
    """`field: message` for each pydantic error (the request body's own location left out)."""
    out = []
    for error in errors:
        where = _location(tuple(error.get("loc", ())))
        message = _message(error)
        out.append(f"{where}: {message}" if where else message)
    return out


def _is_openai(path: str) -> bool:
    return path.startswith("/v1/")


def _browser_page(request: Request) -> bool:
    """A browser navigating to a page (it accepts HTML); API clients, scripts and assets keep JSON."""
    path = request.url.path
    if request.method not in ("GET", "HEAD") or path.startswith(("/api/", "/v1/", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def not_found_page(request: Request, detail: object) -> Response:
    """A Chinese 404 page with the way back, for browsers."""
    from api.routes.pages import page  # the page shell; imported here as routes import this module's helpers

    said = detail if isinstance(detail, str) and detail and detail != "Not Found" else ""
    body = (
        '<section class="card narrow not-found"><h2>页面不存在</h2>'
        f"<p>没有找到 <code>{escape(request.url.path[:200])}</code>。{escape(said)}</p>"
        "<p>可能是链接有误，或页面已经移动。</p>"
        '<p><a href="/">返回对话</a> · <a href="/rankings">需求排行</a></p></section>'
    )
    return page("页面不存在", body, status=404)


def _openai(status: int, message: str, *, param: str | None = None, headers: Mapping[str, str] | None = None) -> JSONResponse:
    error = OpenAIError(status, message, param=param, type="invalid_request_error" if status < 500 else "server_error")
    return JSONResponse(status_code=status, content=error.body(), headers=headers)


def _reply(request: Request, status: int, detail: Any, *, headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:
    if _is_openai(request.url.path):
        message = detail if isinstance(detail, str) else "；".join(map(str, detail))
        return _openai(status, message, headers=headers)
    return JSONResponse(status_code=status, content={"detail": detail, **extra}, headers=headers)


def _validation(request: Request, errors: list[Any]) -> JSONResponse:
    messages = validation_messages(errors)
    if _is_openai(request.url.path):
        first = errors[0] if errors else {}
        param = _location(tuple(first.get("loc", ()))) if first.get("type") != "json_invalid" else None
        return _openai(400, "；".join(messages), param=param or None)
    return JSONResponse(status_code=422, content={"detail": messages})


def server_error(path: str, request_id: str) -> JSONResponse:
    """The 500 for a failure of ours: a fixed message and the request id to quote, nothing else."""
    message = f"服务器内部错误，请稍后重试；如需报告，请提供请求编号 {request_id}"
    if _is_openai(path):
        return JSONResponse(status_code=500, content={"error": {"message": message, "type": "server_error",
                                                                "param": None, "code": request_id}})  # fmt: skip
    return JSONResponse(status_code=500, content={"detail": message, "request_id": request_id})


def problems_json(problems: list[Any]) -> list[dict[str, Any]]:
    """Validation problems as the editor shows them: line, field, the field's form label, a Chinese message."""
    return [{"line": p.line, "field": p.field, "label": FIELD_LABELS.get(p.field, p.field),
             "message": problem_message(p.message)} for p in problems]  # fmt: skip


def _corpus(request: Request, exc: CorpusError) -> JSONResponse:
    if isinstance(exc, InvalidDocument):
        return _reply(request, 422, str(exc), problems=problems_json(exc.problems))
    if isinstance(exc, UnacknowledgedWarnings):
        return _reply(request, 409, str(exc), warnings=[w.model_dump() for w in exc.warnings])
    if isinstance(exc, ImportRefused):
        return _reply(request, 413 if exc.field == "size" else 422, str(exc), problems=problems_json([exc.problem("file")]))
    statuses: dict[type[Exception], int] = {DocumentNotFound: 404, NotAllowed: 403, WorkflowConflict: 409}
    status = statuses.get(type(exc), 422)
    return _reply(request, status, str(exc))


def _retry_after(request: Request, exc: QuotaExceeded | LoginThrottled) -> JSONResponse:
    return _reply(request, 429, exc.message, headers={"Retry-After": str(exc.retry_after)})


# (exception type, status) for the errors whose message is already the user's answer
_PLAIN: tuple[tuple[type[Exception], int], ...] = (
    (AccountConflict, 409), (AccountError, 422), (AccountNotFound, 404), (ConversationNotFound, 404), (ConversationBusy, 409),
    (MessageNotFound, 404), (WatchNotFound, 404), (CaseNotFound, 404), (DiscussionNotFound, 404), (CaseForbidden, 403),
    (DiscussionForbidden, 403), (CaseConflict, 409), (CaseError, 422), (DiscussionError, 422), (WatchError, 422), (RankingsError, 422),
    (RedactionError, 422), (InvalidText, 422), (ProfileInputError, 422), (FormError, 422), (LoginFailed, 401),
    (BillingError, 422), (LedgerError, 422),
)  # fmt: skip


def _plain(status: int) -> Callable[[Request, Exception], JSONResponse]:
    def handler(request: Request, exc: Exception) -> JSONResponse:
        return _reply(request, status, str(exc))

    return handler


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(request, list(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> JSONResponse:
        return _validation(request, list(exc.errors()))

    @app.exception_handler(OpenAIError)
    async def _openai_error(_: Request, exc: OpenAIError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=exc.body())

    @app.exception_handler(StagingLost)
    async def _staging_lost(request: Request, exc: StagingLost) -> JSONResponse:
        return _reply(request, 409, f"发布被并发的恢复操作中断，请重试（{exc}）")

    app.add_exception_handler(CorpusError, _corpus)  # type: ignore[arg-type]
    app.add_exception_handler(QuotaExceeded, _retry_after)  # type: ignore[arg-type]
    app.add_exception_handler(LoginThrottled, _retry_after)  # type: ignore[arg-type]
    for error, status in _PLAIN:
        app.add_exception_handler(error, _plain(status))

    @app.exception_handler(PiiWarning)
    async def _pii(request: Request, exc: PiiWarning) -> JSONResponse:
        return _reply(request, 422, str(exc), findings=exc.findings)

    @app.exception_handler(NotEntitled)
    async def _not_entitled(request: Request, exc: NotEntitled) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return _reply(request, exc.status, exc.message, headers=headers)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> JSONResponse:
        return _reply(request, exc.status, exc.detail, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _browser_page(request):
            return not_found_page(request, exc.detail)
        return _reply(request, exc.status_code, exc.detail, headers=exc.headers)
