"""The `Writer` role (stage 5): turn a gathered outline of cited claims into answer text events.

Two implementations: `ComposerWriter` (assistant/composer.py, the embedded default, no LLM) and
`OpenAIWriter` (assistant/openai_writer.py, any OpenAI-compatible server, citation-checked, falling
back to the composer). `computes` says whether writing is computation (the composer: it takes turns
on the CPU threads) or waiting on the network (an LLM: a thread of its own); see api/streaming.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from assistant.events import DeltaEvent, NoticeEvent
from assistant.models import Choice, Claim, NeedsPlan, Profile, SourceRef
from assistant.outline import Section

WriteMode = Literal["brief", "answer", "not_found", "ask_user", "smalltalk"]


class WriteRequest(BaseModel):
    """Everything a writer may use. Writers must not add facts beyond `sources`."""

    mode: WriteMode
    intent: str = "question"  # what the user asked for (assistant.intents.Intent)
    question: str  # what the user typed
    profile: Profile | None = None
    plan: NeedsPlan | None = None  # mode == "brief"
    sections: list[Section] = Field(default_factory=list)  # brief and answer: the outline, claims in reading order
    choices: list[Choice] = Field(default_factory=list)  # ask_user: answers the user can click
    sources: list[SourceRef] = Field(default_factory=list)  # numbered; [n] markers refer to SourceRef.n

    def source_number(self, chunk_id: str) -> int:
        for source in self.sources:
            if source.chunk_id == chunk_id:
                return source.n
        raise KeyError(chunk_id)

    @property
    def claims(self) -> list[Claim]:
        """Every claim of the outline, in reading order."""
        return [claim for section in self.sections for claim in section.claims]


WriterEvent = DeltaEvent | NoticeEvent


class Writer(Protocol):
    name: str
    computes: bool  # True: writing is computation (no network wait)

    def write(self, request: WriteRequest) -> Iterator[WriterEvent]:
        """Yield text deltas (and notices). Every factual sentence ends with [n] markers."""
        ...
