"""FastAPI dependencies: the container's services and request-shape checks (the caller: api/auth.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.container import Container
from api.settings import Settings
from assistant.advisor import Advisor
from assistant.chat import ChatService
from assistant.conversations import ConversationStore
from assistant.export import ExportService
from corpus.text import check_text


def get_container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def get_settings(container: ContainerDep) -> Settings:
    return container.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_chat(container: ContainerDep) -> ChatService:
    return container.chat


def get_conversations(container: ContainerDep) -> ConversationStore:
    return container.chat.store


def get_exports(container: ContainerDep) -> ExportService:
    return container.exports


def get_advisor(container: ContainerDep) -> Advisor:
    return container.advisor


AdvisorDep = Annotated[Advisor, Depends(get_advisor)]
ChatDep = Annotated[ChatService, Depends(get_chat)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
ExportsDep = Annotated[ExportService, Depends(get_exports)]


def client_address(request: Request) -> str:
    """The caller's IP address as the server sees it (behind a proxy, run uvicorn with --proxy-headers
    and --forwarded-allow-ips so this is the client's, not the proxy's)."""
    return request.client.host if request.client else "unknown"


def valid_address(request: Request) -> None:
    """Every route's first check: the decoded path and query parameters hold no NUL, control character or lone
    surrogate (PostgreSQL cannot store a NUL; nothing should look one up): a 422 naming where, never a 500."""
    check_text(request.url.path, what="请求路径")
    for name, value in request.query_params.multi_items():
        check_text(name, what="查询参数名")
        check_text(value, what=f"查询参数 {name[:40]} ")


def require_json(request: Request) -> None:
    """A JSON body must say so; anything else is refused before it is parsed."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, f"Content-Type 必须是 application/json（收到：{content_type or '无'}）")


def wants_json(request: Request) -> bool:
    """True when the client asked for one JSON reply instead of an event stream."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/event-stream" not in accept
