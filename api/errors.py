"""Every failure the client causes becomes a 4xx with a message naming what is wrong.

`{"detail": …}` everywhere, except under `/v1/` (the OpenAI-compatible API), where errors take
OpenAI's shape `{"error": {message, type, param, code}}` so OpenAI clients can show them, and
bad requests are 400 as OpenAI's are (not 422).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts.store import AccountConflict, AccountNotFound
from api.openai_format import OpenAIError
from assistant.conversations import ConversationNotFound, MessageNotFound
from assistant.profiler import ProfileInputError
from community.watch import WatchNotFound
from corpus.editorial import DocumentNotFound, EditorialError, InvalidDocument, NotAllowed, WorkflowConflict
from corpus.labels import FIELD_LABELS, problem_message
from corpus.validate import Problem
from retrieval.keyword_index import StagingLost


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    """Validation problems as the editor shows them: line, field, the field's form label, a Chinese message."""
    return [{"line": p.line, "field": p.field, "label": FIELD_LABELS.get(p.field, p.field),
             "message": problem_message(p.message)} for p in problems]  # fmt: skip


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts)


# pydantic's own messages are English; these say the same in Chinese (an unknown type keeps pydantic's words).
_CHINESE: dict[str, str] = {
    "missing": "必填",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "须小于 {lt}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "int_parsing": "须是整数",
    "int_type": "须是整数",
    "int_from_float": "须是整数",
    "float_parsing": "须是数字",
    "bool_parsing": "须是 true 或 false",
    "bool_type": "须是 true 或 false",
    "string_type": "须是文本",
    "list_type": "须是列表",
    "dict_type": "须是对象",
    "model_type": "须是对象",
    "extra_forbidden": "不是可接受的字段",
    "string_pattern_mismatch": "格式不对",
    "literal_error": "取值须是 {expected} 之一",
    "enum": "取值须是 {expected} 之一",
    "date_from_datetime_parsing": "须是日期，格式 YYYY-MM-DD",
    "date_parsing": "须是日期，格式 YYYY-MM-DD",
}


def _chinese(error: dict[str, object]) -> str:
    template = _CHINESE.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", "")).removeprefix("Value error, ")
    try:
        return template.format(**dict(error.get("ctx") or {}))  # type: ignore[call-overload]
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", ""))


def _messages(errors: list[dict[str, object]]) -> list[str]:
    out = []
    for error in errors:
        message = _chinese(error)
        where = _location(tuple(error.get("loc", ())))  # type: ignore[arg-type]
        if error.get("type") == "json_invalid":
            message = f"请求体不是合法的 JSON：{error.get('ctx', {}).get('error', '')}".rstrip("：")  # type: ignore[union-attr]
        out.append(f"{where}: {message}" if where else message)
    return out


def _is_openai(request: Request) -> bool:
    return request.url.path.startswith("/v1/")


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


def _openai(status: int, message: str, *, param: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    error = OpenAIError(status, message, param=param, type="invalid_request_error" if status < 500 else "server_error")
    return JSONResponse(status_code=status, content=error.body(), headers=headers)


def _validation(request: Request, errors: list[dict[str, object]]) -> JSONResponse:
    messages = _messages(errors)
    if _is_openai(request):
        first = errors[0] if errors else {}
        param = _location(tuple(first.get("loc", ()))) if first.get("type") != "json_invalid" else None  # type: ignore[arg-type]
        return _openai(400, "；".join(messages), param=param or None)
    return JSONResponse(status_code=422, content={"detail": messages})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(request, list(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> JSONResponse:
        return _validation(request, list(exc.errors()))  # type: ignore[arg-type]

    @app.exception_handler(OpenAIError)
    async def _openai_error(_: Request, exc: OpenAIError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=exc.body())

    @app.exception_handler(AccountConflict)
    async def _conflict(_: Request, exc: AccountConflict) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.exception_handler(EditorialError)
    async def _editorial(_: Request, exc: EditorialError) -> JSONResponse:
        if isinstance(exc, InvalidDocument):
            return JSONResponse(status_code=422, content={"detail": str(exc), "problems": problems_json(exc.problems)})
        status = {DocumentNotFound: 404, NotAllowed: 403, WorkflowConflict: 409}.get(type(exc), 422)
        return JSONResponse(status_code=status, content={"detail": str(exc)})

    @app.exception_handler(StagingLost)
    async def _staging_lost(_: Request, exc: StagingLost) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": f"发布被并发的恢复操作中断，请重试（{exc}）"})

    @app.exception_handler(ConversationNotFound)
    @app.exception_handler(MessageNotFound)
    @app.exception_handler(AccountNotFound)
    @app.exception_handler(WatchNotFound)
    async def _not_found(_: Request, exc: LookupError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(ValueError)
    @app.exception_handler(ProfileInputError)
    async def _bad_value(request: Request, exc: ValueError) -> JSONResponse:
        if _is_openai(request):
            return _openai(400, str(exc))
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _browser_page(request):
            return not_found_page(request, exc.detail)
        if _is_openai(request):
            return _openai(exc.status_code, str(exc.detail), headers=exc.headers)
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)
