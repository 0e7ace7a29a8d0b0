"""`/api/chat` (SSE or JSON), conversations and feedback. Routes validate, call one service, wrap."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing, closing
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field, field_validator
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from api.auth import OwnerDep, carry_cookies
from api.deps import ChatDep, ConversationsDep, require_json, wants_json
from api.sse import sse_event
from api.streaming import iterate_batches, run_cpu_bound
from assistant.advisor import clean_message
from assistant.chat import ChatService, ChatTurn
from assistant.conversations import ConversationPage, ConversationPublic
from corpus.text import CheckedInput

router = APIRouter(prefix="/api", tags=["chat"])


class ChatRequest(CheckedInput):
    message: str = Field(..., description="客户名称或问题", examples=["佛山市第一人民医院"])
    conversation_id: str | None = Field(None, max_length=64, description="继续已有对话时传入")

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return clean_message(value)


class FeedbackRequest(CheckedInput):
    message_id: str = Field(..., min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=1000)


def _encoded(chat: ChatService, turn: ChatTurn) -> Iterator[bytes]:
    """The turn's events as SSE bytes, encoded in the stream's worker thread rather than on the event loop."""
    with closing(chat.events(turn)) as events:
        for event in events:
            yield sse_event(event, turn).encode()


def _computes(chat: ChatService) -> bool:
    """The composer only computes, so its replies take turns on the CPU threads; an LLM writer waits on the network."""
    return chat.advisor.writer.name == "composer"


async def _stream(chat: ChatService, turn: ChatTurn) -> AsyncIterator[bytes]:
    """`meta` at once; then events produced while the previous write was under way go out together, in one write."""
    events = _encoded(chat, turn)
    async with aclosing(iterate_batches(events, cpu_bound=_computes(chat), first_on_loop=True)) as batches:
        async for batch in batches:
            yield b"".join(batch)


@router.post(
    "/chat",
    dependencies=[Depends(require_json)],
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}},
)
async def chat(body: ChatRequest, request: Request, response: Response, chat: ChatDep, owner: OwnerDep) -> Any:
    """Ask by customer name or question. Streams typed SSE events (meta, profile, sources, delta,
    notice, done | error); with `Accept: application/json`, returns the whole reply at once."""
    turn = await run_in_threadpool(chat.start, body.message, conversation_id=body.conversation_id, owner=owner)
    if wants_json(request):
        run = run_cpu_bound if _computes(chat) else run_in_threadpool
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
