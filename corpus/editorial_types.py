"""The editorial workflow's vocabulary: version states, errors, the actor, the config and the `Publisher`
protocol (corpus/editorial.py holds the workflow itself and re-exports these)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field

from corpus.document import CorpusError, Document
from corpus.screening import ReviewWarning
from corpus.validate import Problem

__all__ = [
    "FILE_ACTOR",
    "OPEN_STATES",
    "Actor",
    "DocumentNotFound",
    "EditorialConfig",
    "EditorialError",
    "InvalidDocument",
    "NotAllowed",
    "Publisher",
    "UnacknowledgedWarnings",
    "VersionState",
    "WorkflowConflict",
]


class VersionState(StrEnum):
    draft = "draft"
    in_review = "in_review"
    published = "published"
    superseded = "superseded"
    retired = "retired"
    rejected = "rejected"


OPEN_STATES = (VersionState.draft, VersionState.in_review)


class EditorialError(CorpusError):
    """Base error of the editorial workflow."""


class DocumentNotFound(EditorialError, LookupError):
    pass


class InvalidDocument(EditorialError, ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("文档校验未通过：" + "；".join(f"第 {p.line} 行 {p.field}: {p.message}" for p in problems))


class WorkflowConflict(EditorialError):
    """The action does not fit the version's state (e.g. approving a draft)."""


class NotAllowed(EditorialError):
    """The actor may not do this (e.g. approve their own version)."""


class UnacknowledgedWarnings(EditorialError):
    """Approving a version with review warnings needs the reviewer to acknowledge them."""

    def __init__(self, warnings: list[ReviewWarning]) -> None:
        self.warnings = warnings
        lines = "、".join(str(w.line) for w in warnings[:10])
        super().__init__(f"此版本有 {len(warnings)} 处需要确认的审核提醒（第 {lines} 行）：核实后勾选“我已核实”再批准")


class EditorialConfig(BaseModel):
    allow_self_approval_for_admin: bool = Field(
        True, description="admins may approve versions they wrote themselves; editors never may"
    )


@dataclass(frozen=True)
class Actor:
    id: str
    name: str = ""
    admin: bool = False


FILE_ACTOR = Actor(id="corpus", name="语料目录")  # author of versions read from corpus files


class Publisher(Protocol):
    """What the workflow needs from the index (retrieval.Indexer implements it)."""

    def publish(self, document: Document, *, path: str = "") -> list[str]: ...

    def retire(self, doc_id: str) -> bool: ...
