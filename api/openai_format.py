"""OpenAI chat-completions shapes: the request, and the advisor's events turned into a reply.

Plain functions and one small accumulator (`ReplyBuilder`); the route only wires them.
The reply's text is Markdown: the profile line (when the customer is known), the
advisor's text with `[n]` markers, notices as `> ` lines, then a `来源：` list;
the numbered sources also travel as a top-level `citations` field.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.composer import profile_line
from assistant.events import ChoicesEvent, DeltaEvent, DoneEvent, NoticeEvent, ProfileEvent, SourcesEvent
from assistant.message import UserMessage
from assistant.models import SourceRef
from corpus.text import CheckedInput

__all__ = [
    "MODEL_ID",
    "ChatCompletionRequest",
    "ChatMessage",
    "OpenAIError",
    "ReplyBuilder",
    "check_model",
    "chunk",
    "completion",
    "completion_id",
    "model_list",
    "now",
    "question_and_history",
    "usage",
]

MODEL_ID = "top-advisor"
CREATED = 1_735_689_600  # 2025-01-01: the model's fixed "created" timestamp
# Shown when an answer is replaced mid-stream (an LLM failed and the composer took over):
# streamed text cannot be retracted in this format, so a rule separates old and new.
REPLACE_SEPARATOR = "---"
CHOICES_PREFIX = "可选回答："
NOTICE_PREFIX = "> 注意："
SOURCES_HEADING = "来源："


class OpenAIError(Exception):
    """A client error reported in OpenAI's shape: `{"error": {message, type, param, code}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.type = status, message, param, code, type

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


# -- request -----------------------------------------------------------------------------


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str = Field(..., description="system, user, assistant, tool …")
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        """The text of the message; non-text parts (images, files) are ignored."""
        if isinstance(self.content, list):
            return "\n".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class ChatCompletionRequest(CheckedInput):
    """OpenAI's body; fields this advisor has no use for (temperature, tools, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, examples=[MODEL_ID])
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None

    @property
    def include_usage(self) -> bool:
        return bool((self.stream_options or {}).get("include_usage"))


def question_and_history(messages: list[ChatMessage]) -> tuple[UserMessage, list[tuple[str, str]]]:
    """The last user message (cleaned) and the `(role, text)` messages before it.

    Raises OpenAIError (400) when there is no user message or it is empty or too long.
    """
    last = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None)
    if last is None:
        raise OpenAIError(400, "messages 中没有 user 消息：最后一条 user 消息就是要回答的问题", param="messages")
    try:
        question = UserMessage.parse(messages[last].text)
    except ValueError as exc:
        raise OpenAIError(400, f"最后一条 user 消息无效：{exc}", param=f"messages[{last}].content") from None
    history = [(m.role, m.text) for m in messages[:last] if m.role in ("user", "assistant")]
    return question, history


def check_model(model: str) -> None:
    if model != MODEL_ID:
        raise OpenAIError(404, f"模型“{model}”不存在；可用的模型：{MODEL_ID}", param="model", code="model_not_found")


# -- reply --------------------------------------------------------------------------------


def citation(source: SourceRef) -> dict[str, Any]:
    return {
        "n": source.n,
        "doc_id": source.doc_id,
        "chunk_id": source.chunk_id,
        "title": source.title,
        "locator": source.locator,
        "issuer": source.issuer,
        "url": source.url,
        "text": source.text,
    }


class ReplyBuilder:
    """Advisor events in, the pieces of one assistant message out.

    `feed(event)` returns the text to append now (what a stream sends as content
    deltas); `content` is the whole message. They agree except when the advisor
    replaces its text: a stream shows a separator and the new text after the old,
    while `content` keeps only the new text (notices stay in both).
    """

    def __init__(self) -> None:
        self.sources: list[SourceRef] = []
        self.mode: str | None = None
        self._parts: list[tuple[str, str]] = []  # (kind, text); kind "body" is the advisor's text
        self._shown = ""  # tail of everything sent so far, to place blank lines

    def feed(self, event: object) -> list[str]:
        if isinstance(event, ProfileEvent) and event.profile.known:
            return self._add("profile", self._block(profile_line(event.profile)))
        if isinstance(event, SourcesEvent):
            self.sources = event.sources
        elif isinstance(event, DeltaEvent):
            if event.replace:
                self._parts = [p for p in self._parts if p[0] != "body"]
                return self._add("separator", self._block(REPLACE_SEPARATOR)) + self._add("body", event.text)
            return self._add("body", event.text)
        elif isinstance(event, NoticeEvent):
            return self._add("notice", self._block(NOTICE_PREFIX + event.message))
        elif isinstance(event, ChoicesEvent):  # clients without buttons: the options as a line to type from
            return self._add("choices", self._block(CHOICES_PREFIX + "｜".join(c.label for c in event.choices)))
        elif isinstance(event, DoneEvent):
            self.mode = event.mode
            if self.mode in ("brief", "answer") and self.sources:
                lines = [f"- [{s.n}] {s.label}" for s in self.sources]  # a Markdown list: one line each
                return self._add("sources", self._block(SOURCES_HEADING + "\n" + "\n".join(lines), end="\n"))
        return []

    @property
    def content(self) -> str:
        return "".join(text for kind, text in self._parts if kind != "separator")

    @property
    def citations(self) -> list[dict[str, Any]]:
        """Every numbered source of the reply (the not-found reply's nearest ones too); none when it asks who the customer is."""
        return [] if self.mode == "ask_user" else [citation(s) for s in self.sources]

    def _add(self, kind: str, text: str) -> list[str]:
        if not text:
            return []
        self._parts.append((kind, text))
        self._shown = (self._shown + text)[-2:]
        return [text]

    def _block(self, text: str, *, end: str = "\n\n") -> str:
        """`text` as its own Markdown block: a blank line before it (unless at the start) and after it."""
        if not self._shown or self._shown.endswith("\n\n"):
            lead = ""
        else:
            lead = "\n" if self._shown.endswith("\n") else "\n\n"
        return lead + text + end


# -- response bodies ----------------------------------------------------------------------


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex


def model_list() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": MODEL_ID}]}


def usage(prompt: Iterable[str], completion_text: str) -> dict[str, int]:
    """Approximate: counts characters, not tokens (no tokenizer here; a Chinese character is roughly one token)."""
    prompt_chars = sum(len(text) for text in prompt)
    return {
        "prompt_tokens": prompt_chars,
        "completion_tokens": len(completion_text),
        "total_tokens": prompt_chars + len(completion_text),
    }


def completion(reply: ReplyBuilder, *, id: str, created: int, prompt: Iterable[str]) -> dict[str, Any]:
    return {
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": "stop"}],
        "usage": usage(prompt, reply.content),
        "citations": reply.citations,
    }


def chunk(
    *,
    id: str,
    created: int,
    delta: dict[str, Any] | None = None,
    finish_reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One `chat.completion.chunk`; `delta=None` gives the choice-less usage chunk."""
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    return {"id": id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID, "choices": choices, **extra}


def now() -> int:
    return int(time.time())
