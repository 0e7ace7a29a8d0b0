"""The `Writer` role: turn a grounded plan (or passages) into answer text events.

Two implementations: `ComposerWriter` (assistant/composer.py, the embedded
default, no LLM) and `OpenAIWriter` (assistant/openai_writer.py, any
OpenAI-compatible server, citation-checked, falling back to the composer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from assistant.events import DeltaEvent, NoticeEvent
from assistant.models import Claim, NeedsPlan, Profile, SourceRef

WriteMode = Literal["brief", "answer", "not_found", "ask_user"]


class WriteRequest(BaseModel):
    """Everything a writer may use. Writers must not add facts beyond `sources`."""

    mode: WriteMode
    question: str  # what the user typed
    profile: Profile | None = None
    plan: NeedsPlan | None = None  # mode == "brief"
    claims: list[Claim] = Field(default_factory=list)  # mode == "answer": ranked sentences with their chunk
    sources: list[SourceRef] = Field(default_factory=list)  # numbered; [n] markers refer to SourceRef.n

    def source_number(self, chunk_id: str) -> int:
        for source in self.sources:
            if source.chunk_id == chunk_id:
                return source.n
        raise KeyError(chunk_id)


WriterEvent = DeltaEvent | NoticeEvent


class Writer(Protocol):
    name: str

    def write(self, request: WriteRequest) -> Iterator[WriterEvent]:
        """Yield text deltas (and notices). Every factual sentence ends with [n] markers."""
        ...
