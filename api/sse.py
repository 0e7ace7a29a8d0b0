"""Chat events as Server-Sent Events: one encoding for the web chat and the widget."""

from __future__ import annotations

import json
from typing import Any

from sse_starlette import ServerSentEvent

from assistant.chat import ChatTurn
from assistant.events import DoneEvent, ProfileEvent

__all__ = ["sse_event"]


def sse_event(event: Any, turn: ChatTurn) -> ServerSentEvent:
    """`event: <type>` with the event's fields as JSON; `done` also names the conversation and message."""
    if isinstance(event, ProfileEvent):
        data: dict[str, Any] = event.profile.model_dump(mode="json")
    else:
        data = event.model_dump(mode="json", exclude={"type"})
    if isinstance(event, DoneEvent):
        data = {"conversation_id": turn.conversation_id, "message_id": turn.message_id, **data}
    return ServerSentEvent(event=event.type, data=json.dumps(data, ensure_ascii=False))
