"""Conversation tables (conversations, messages, feedback) and the models the store returns.

Kept apart from the store (assistant/conversations.py), which holds the turn logic: one turn at a time,
leases, sharing, feedback.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.tables import AssistantBase, utcnow


def new_id() -> str:
    return uuid.uuid4().hex


class ConversationRow(AssistantBase):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    profile_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    shared_with: Mapped[str | None] = mapped_column(String(64), nullable=True)  # an audience that may read it
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class MessageRow(AssistantBase):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # order within the conversation
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="complete")  # complete | interrupted | error | pending
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    writer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    intent: Mapped[str | None] = mapped_column(String(16), nullable=True)
    choices_json: Mapped[str] = mapped_column(Text, default="[]")
    sources_json: Mapped[str] = mapped_column(Text, default="[]")
    profile_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    notices_json: Mapped[str] = mapped_column(Text, default="[]")
    timing_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # while pending


class FeedbackRow(AssistantBase):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(32), ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- public shapes ----------------------------------------------------------------------


class FeedbackPublic(BaseModel):
    rating: Literal["up", "down"]
    comment: str = ""


class MessagePublic(BaseModel):
    id: str
    role: Literal["user", "assistant"]
    content: str
    status: str
    mode: str | None = None
    writer: str | None = None
    intent: str | None = None
    choices: list[dict[str, Any]] = Field(default_factory=list)
    sources: list[dict[str, Any]] = Field(default_factory=list)
    profile: dict[str, Any] | None = None
    notices: list[dict[str, Any]] = Field(default_factory=list)
    timing_ms: dict[str, float] = Field(default_factory=dict)
    feedback: FeedbackPublic | None = None
    created_at: dt.datetime


class ConversationSummary(BaseModel):
    id: str
    title: str
    customer: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    message_count: int = 0


class ConversationPublic(ConversationSummary):
    profile: dict[str, Any] | None = None
    messages: list[MessagePublic] = Field(default_factory=list)
    shared: bool = False  # shared with the owner's colleagues
    read_only: bool = False  # the reader is a colleague, not the owner


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    total: int
