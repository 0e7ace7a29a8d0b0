"""Typed stream events: what a brief or an answer is made of, in the order it is sent.

The API turns each event into one SSE message (`event: <type>`, `data: <json>`);
the CLI collects them. `Delta.replace` tells a client to discard the text so far
(used when an LLM answer fails half-way and the composer's answer is served).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.models import Choice, Profile, SourceRef


class ProfileEvent(BaseModel):
    type: Literal["profile"] = "profile"
    profile: Profile


class SourcesEvent(BaseModel):
    type: Literal["sources"] = "sources"
    sources: list[SourceRef]


class DeltaEvent(BaseModel):
    type: Literal["delta"] = "delta"
    text: str
    replace: bool = False


class NoticeEvent(BaseModel):
    """Something the reader should know about the answer itself (fallbacks, dropped sentences)."""

    type: Literal["notice"] = "notice"
    code: str  # machine-readable: "llm_fallback", "unsupported_dropped", "not_found", "ask_user"
    message: str  # Simplified Chinese, shown to the user


class ChoicesEvent(BaseModel):
    """Answers the user can click (the value is sent back as the next message), e.g. the 13 industries."""

    type: Literal["choices"] = "choices"
    choices: list[Choice]


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    writer: str  # "composer" or "openai"
    mode: str = "brief"  # brief, answer, not_found, ask_user, smalltalk
    intent: str = "question"  # what the message asked for (assistant.intents.Intent)
    timing_ms: dict[str, float] = Field(default_factory=dict)


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    message: str
