"""OpenAI-compatible `/v1/models` and `/v1/chat/completions`: ToP Advisor as a model in any OpenAI client.

Stateless: the client sends the whole conversation each time; nothing is stored.
Shapes and conversions live in `api.openai_format`; the customer context in `assistant.context`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from api.auth import OptionalUserDep
from api.deps import AdvisorDep, SettingsDep, require_json
from api.openai_format import (
    ChatCompletionRequest,
    OpenAIError,
    ReplyBuilder,
    check_model,
    chunk,
    completion,
    completion_id,
    model_list,
    now,
    question_and_history,
    usage,
)
from api.streaming import iterate_closing
from assistant.advisor import Advisor
from assistant.context import state_from_history
from assistant.intents import ConversationState
from assistant.message import UserMessage

log = logging.getLogger(__name__)


def v1_access(user: OptionalUserDep, settings: SettingsDep) -> None:
    """With TOP_REQUIRE_LOGIN, the model is for callers with an API key (or a session) only."""
    if settings.require_login and user is None:
        raise OpenAIError(401, "需要 API Key：请求头 Authorization: Bearer tk_…", code="invalid_api_key")


router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(v1_access)])
FAILED = "生成回答时出错，请稍后重试。"


@router.get("/models")
def models() -> dict[str, Any]:
    """The one model this server offers: `top-advisor`."""
    return model_list()


@router.post(
    "/chat/completions",
    dependencies=[Depends(require_json)],
    responses={200: {"content": {"application/json": {}, "text/event-stream": {}}}},
)
async def chat_completions(body: ChatCompletionRequest, advisor: AdvisorDep) -> Any:
    """The last user message is the question; earlier messages give the customer context.
    `stream: true` sends `chat.completion.chunk`s as SSE `data:` lines, ending with `data: [DONE]`."""
    check_model(body.model)
    question, history = question_and_history(body.messages)
    state = await run_in_threadpool(state_from_history, history, advisor)
    prompt = [m.text for m in body.messages]
    id, created = completion_id(), now()
    if body.stream:
        chunks = _chunks(advisor, question, state, id=id, created=created, prompt=prompt, include_usage=body.include_usage)
        return EventSourceResponse(chunks, ping=15, sep="\n", headers={"X-Accel-Buffering": "no"})
    try:
        reply = await run_in_threadpool(_collect, advisor, question, state)
    except Exception:
        log.exception("chat completion %s failed", id)
        raise OpenAIError(500, FAILED, type="server_error") from None
    return completion(reply, id=id, created=created, prompt=prompt)


def _collect(advisor: Advisor, question: UserMessage, state: ConversationState) -> ReplyBuilder:
    reply = ReplyBuilder()
    for event in advisor.stream(question, state):
        reply.feed(event)
    return reply


def _data(payload: dict[str, Any] | str) -> ServerSentEvent:
    return ServerSentEvent(data=payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False))


async def _chunks(
    advisor: Advisor, question: UserMessage, state: ConversationState, *, id: str, created: int, prompt: list[str], include_usage: bool
) -> AsyncIterator[ServerSentEvent]:
    reply = ReplyBuilder()
    yield _data(chunk(id=id, created=created, delta={"role": "assistant", "content": ""}))
    try:
        # The composer only computes: its replies take turns on the CPU threads (see api/streaming.py).
        events = advisor.stream(question, state)
        async for event in iterate_closing(events, cpu_bound=advisor.writer.computes):
            for piece in reply.feed(event):
                yield _data(chunk(id=id, created=created, delta={"content": piece}))
    except Exception:  # reach the client as an error it can show, not a broken stream
        log.exception("chat completion %s failed", id)
        yield _data(OpenAIError(500, FAILED, type="server_error").body())
        return
    yield _data(chunk(id=id, created=created, delta={}, finish_reason="stop", citations=reply.citations))
    if include_usage:
        yield _data(chunk(id=id, created=created, usage=usage(prompt, reply.content)))
    yield _data("[DONE]")
