"""One chat turn: store the question, stream the advisor's reply, store the reply.

Kept out of the HTTP layer so the SSE route, the JSON route and the
OpenAI-compatible route share one behaviour (and one place that persists).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from assistant.advisor import Advisor
from assistant.conversations import ConversationStore
from assistant.events import ChoicesEvent, DeltaEvent, DoneEvent, ErrorEvent, NoticeEvent, ProfileEvent, SourcesEvent
from assistant.intents import ConversationState
from assistant.message import UserMessage
from assistant.models import Choice, Profile, SourceRef

log = logging.getLogger(__name__)
RENEW_SECONDS = 5.0  # how often a streaming reply renews its lease (ConversationStore.lease is longer)


class MetaEvent(BaseModel):
    type: str = "meta"
    conversation_id: str
    message_id: str


@dataclass
class ChatTurn:
    """A turn that has been accepted (validated and stored); `events()` produces its reply."""

    conversation_id: str
    message_id: str
    message: UserMessage
    state: ConversationState
    profile: Profile | None = None
    sources: list[SourceRef] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    text: str = ""
    notices: list[NoticeEvent] = field(default_factory=list)
    done: DoneEvent | None = None
    error: str | None = None
    owner: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "mode": self.done.mode if self.done else None,
            "intent": self.done.intent if self.done else None,
            "writer": self.done.writer if self.done else None,
            "profile": self.profile.model_dump(mode="json") if self.profile else None,
            "sources": [s.model_dump(mode="json") for s in self.sources],
            "text": self.text,
            "choices": [c.model_dump() for c in self.choices],
            "notices": [n.model_dump(exclude={"type"}) for n in self.notices],
            "timing_ms": self.done.timing_ms if self.done else {},
        }


class ChatService:
    def __init__(
        self, advisor: Advisor, store: ConversationStore, *, on_complete: Callable[[ChatTurn], None] | None = None
    ) -> None:
        self.advisor = advisor
        self.store = store
        self.on_complete = on_complete  # told of each completed turn (activity for rankings); must not raise

    @property
    def computes(self) -> bool:
        """Whether replies are computation (the composer) rather than network waits (an LLM): see api/streaming.py."""
        return self.advisor.writer.computes

    def start(self, message: UserMessage, *, conversation_id: str | None = None, owner: str | None = None) -> ChatTurn:
        """Store the (already validated) question. Raises ConversationNotFound."""
        conversation, reply, state = self.store.start_turn(message, conversation_id, owner)
        return ChatTurn(conversation_id=conversation, message_id=reply, message=message, state=state, owner=owner)

    def events(self, turn: ChatTurn) -> Generator[Any, None, None]:
        """meta, then the advisor's events, then done (or error). Stored however it ends,
        including when the consumer stops early (a client that disconnected); a complete reply is
        stored before `done` is sent, so a client may ask its next question as soon as it sees it."""
        status = "interrupted"
        renewed = time.monotonic()
        stored = False
        try:
            yield MetaEvent(conversation_id=turn.conversation_id, message_id=turn.message_id)
            for event in self.advisor.stream(turn.message, turn.state):
                if time.monotonic() - renewed > RENEW_SECONDS:
                    self.store.renew(turn.message_id)
                    renewed = time.monotonic()
                if isinstance(event, ProfileEvent):
                    turn.profile = event.profile
                elif isinstance(event, SourcesEvent):
                    turn.sources = event.sources
                elif isinstance(event, DeltaEvent):
                    turn.text = event.text if event.replace else turn.text + event.text
                elif isinstance(event, NoticeEvent):
                    turn.notices.append(event)
                elif isinstance(event, ChoicesEvent):
                    turn.choices = event.choices
                elif isinstance(event, DoneEvent):
                    turn.done = event
                    status = "complete"
                    self._store(turn, status)
                    stored = True
                yield event
        except Exception:  # a failure of ours must reach the client as an event, not a broken stream
            log.exception("chat turn %s failed", turn.message_id)
            status = "error"
            turn.error = "生成回答时出错，请稍后重试。"
            yield ErrorEvent(message=turn.error)
        finally:
            if not stored:
                self._store(turn, status)
            if status == "complete" and self.on_complete is not None:
                try:
                    self.on_complete(turn)
                except Exception:  # recording is a side effect; the answer already reached the user
                    log.exception("on_complete of turn %s failed", turn.message_id)

    def _store(self, turn: ChatTurn, status: str) -> None:
        self.store.finish_turn(
            turn.message_id,
            content=turn.text,
            status=status,
            mode=turn.done.mode if turn.done else None,
            writer=turn.done.writer if turn.done else None,
            intent=turn.done.intent if turn.done else None,
            choices=[c.model_dump() for c in turn.choices],
            sources=[s.model_dump(mode="json") for s in turn.sources],
            profile=turn.profile,
            notices=[n.model_dump(exclude={"type"}) for n in turn.notices],
            timing_ms=turn.done.timing_ms if turn.done else {},
        )

    def run(self, turn: ChatTurn) -> ChatTurn:
        """The whole reply at once (JSON clients)."""
        for _ in self.events(turn):
            pass
        return turn
