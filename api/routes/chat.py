"""`/api/chat` (SSE or JSON), conversations and feedback. Routes validate, call one service, wrap."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from contextlib import aclosing, closing
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import AfterValidator, Field
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from api.auth import OptionalUserDep, OwnerDep, UserDep, carry_cookies
from api.deps import ChatDep, ConversationsDep, ExportsDep, require_json, wants_json
from api.entitlements import entitled
from api.sse import sse_event
from api.streaming import iterate_batches, run_cpu_bound
from assistant.chat import ChatService, ChatTurn
from assistant.conversations import ConversationPage, ConversationPublic
from assistant.export import FORMATS
from assistant.message import UserMessage
from corpus.text import CheckedInput

router = APIRouter(prefix="/api", tags=["chat"])


class ChatRequest(CheckedInput):
    # Validated here, once (UserMessage.parse); the chat service and the advisor take it as it is.
    message: Annotated[str, AfterValidator(UserMessage.parse)] = Field(
        ..., description="客户名称或问题（1–2000 字）", examples=["佛山市第一人民医院"]
    )
    conversation_id: str | None = Field(None, max_length=64, description="继续已有对话时传入")


class FeedbackRequest(CheckedInput):
    message_id: str = Field(..., min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=1000)


def _encoded(chat: ChatService, turn: ChatTurn) -> Generator[bytes, None, None]:
    """The turn's events as SSE bytes, encoded in the stream's worker thread rather than on the event loop."""
    with closing(chat.events(turn)) as events:
        for event in events:
            yield sse_event(event, turn).encode()


async def _stream(chat: ChatService, turn: ChatTurn) -> AsyncIterator[bytes]:
    """`meta` at once; then events produced while the previous write was under way go out together, in one write."""
    events = _encoded(chat, turn)
    async with aclosing(iterate_batches(events, cpu_bound=chat.computes, first_on_loop=True)) as batches:
        async for batch in batches:
            yield b"".join(batch)


@router.post(
    "/chat",
    dependencies=[Depends(require_json), Depends(entitled("briefs"))],
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}},
)
async def chat(body: ChatRequest, request: Request, response: Response, chat: ChatDep, owner: OwnerDep) -> Any:
    """Ask by customer name or question. Streams typed SSE events (meta, profile, sources, delta,
    notice, choices, done | error); with `Accept: application/json`, returns the whole reply at once."""
    turn = await run_in_threadpool(chat.start, UserMessage(body.message), conversation_id=body.conversation_id, owner=owner)
    if wants_json(request):
        run = run_cpu_bound if chat.computes else run_in_threadpool
        return (await run(chat.run, turn)).as_json()
    stream = EventSourceResponse(_stream(chat, turn), ping=15, headers={"X-Accel-Buffering": "no"})
    return carry_cookies(stream, response)


@router.get("/conversations", response_model=ConversationPage)
def list_conversations(
    store: ConversationsDep,
    owner: OwnerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ConversationPage:
    return store.list(owner, limit=limit, offset=offset)


@router.get("/conversations/{conversation_id}", response_model=ConversationPublic)
def get_conversation(conversation_id: str, store: ConversationsDep, owner: OwnerDep) -> ConversationPublic:
    return store.get(conversation_id, owner)


@router.delete("/conversations/{conversation_id}", status_code=204)
def delete_conversation(
    conversation_id: str, response: Response, store: ConversationsDep, owner: OwnerDep
) -> Response:
    store.delete(conversation_id, owner)
    return carry_cookies(Response(status_code=204), response)


@router.post("/feedback", dependencies=[Depends(require_json)])
def feedback(body: FeedbackRequest, store: ConversationsDep, owner: OwnerDep) -> dict[str, bool]:
    store.set_feedback(body.message_id, owner, body.rating, body.comment)
    return {"ok": True}


# -- taking a reply away: export and share ------------------------------------------------------------
@router.get(
    "/messages/{message_id}/export",
    dependencies=[Depends(entitled("exports"))],
    responses={200: {"content": {"text/markdown": {}, "application/pdf": {}, "application/octet-stream": {}}}},
)
def export_message(
    message_id: str,
    response: Response,
    exports: ExportsDep,
    owner: OwnerDep,
    user: OptionalUserDep,
    format: Annotated[str, Query(description="md、docx 或 pdf")] = "md",
) -> Response:
    """A reply with its customer profile and numbered sources, as a download (its owner, or a colleague
    of the same organisation when the conversation is shared)."""
    if format not in FORMATS:
        raise HTTPException(422, f"不支持的导出格式“{format}”：可选 {'、'.join(FORMATS)}")
    file = exports.export(message_id, format, owner=owner, audience=user.org_id if user else None)
    disposition = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    reply = Response(file.content, media_type=file.media_type, headers={"Content-Disposition": disposition})
    return carry_cookies(reply, response)


@router.post("/conversations/{conversation_id}/share")
def share_conversation(conversation_id: str, store: ConversationsDep, user: UserDep) -> dict[str, Any]:
    """Let signed-in colleagues of your organisation read this conversation (read-only) at the returned link."""
    store.share(conversation_id, user.id, user.org_id)
    return {"shared": True, "url": f"/#/shared/{conversation_id}"}


@router.delete("/conversations/{conversation_id}/share", status_code=204)
def unshare_conversation(conversation_id: str, store: ConversationsDep, user: UserDep) -> Response:
    store.share(conversation_id, user.id, None)
    return Response(status_code=204)


@router.get("/shared/{conversation_id}", response_model=ConversationPublic)
def read_shared(conversation_id: str, store: ConversationsDep, user: UserDep) -> ConversationPublic:
    """A conversation a colleague shared with your organisation (read-only); 404 for anyone else."""
    return store.get_shared(conversation_id, user.org_id)
