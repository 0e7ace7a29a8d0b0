"""The editorial workflow: versions, review, publish, retire, rollback, diff and the audit log.

    draft ──submit──▶ in_review ──approve──▶ published ──(newer version published)──▶ superseded
      ▲                   │                      │
      │ edit              └──reject──▶ rejected  └──retire──▶ retired
      └── every edit is a new version; older draft/in_review versions become superseded

Rules:
  * Every edit (and every rollback) is a new version holding the whole Markdown text.
  * Nobody approves a version they created; admins may, if `allow_self_approval_for_admin`.
  * A version whose text holds instruction-like text or raw HTML (corpus/screening.py) is approved
    only with `acknowledge_warnings=True`; the audit entry lists what was acknowledged.
  * Rollback to version n creates a new version with n's text, already submitted for review: it goes
    through the same approval as any edit (an admin may approve it alone when allowed). To pull bad
    content at once, retire the document: that takes effect immediately.
  * Publishing is the indexer's atomic swap (retrieval/publishing.py), reached through the
    `Publisher` protocol so this package does not import retrieval. The indexed document is the
    version's text with `status: published` and `version: <n>` (the editorial number), whatever the
    text's own front matter says; `preview` uses the same document.
  * Documents ingested from a corpus directory are listed too: each indexed file is a version authored
    by 语料目录 (corpus/file_versions.py keeps them in step with the registry). An editor's version of
    such a document goes through the same review; once published, the document is editor-managed and
    directory ingests leave it alone.
  * Approval is recorded (reviewed_by) before the index swap and the version marked published after
    it. `recover()` settles a crash in between from the registry: if the registry holds this
    version's content hash, the publish is finished, otherwise the approval is withdrawn.
"""

from __future__ import annotations

import datetime as dt
import difflib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from corpus.document import Document, Status
from corpus.editorial_types import (
    FILE_ACTOR,
    OPEN_STATES,
    Actor,
    DocumentNotFound,
    EditorialConfig,
    EditorialError,
    InvalidDocument,
    NotAllowed,
    Publisher,
    UnacknowledgedWarnings,
    VersionState,
    WorkflowConflict,
)
from corpus.screening import screen
from corpus.store import EDITOR_ORIGIN, DocumentRegistry
from corpus.tables import AuditRow, VersionRow, utcnow
from corpus.validate import Problem, parse_text

__all__ = [
    "FILE_ACTOR",
    "Actor",
    "DocumentNotFound",
    "EditorialConfig",
    "EditorialError",
    "EditorialStore",
    "InvalidDocument",
    "NotAllowed",
    "Publisher",
    "UnacknowledgedWarnings",
    "VersionState",
    "WorkflowConflict",
]

STALE_AFTER_DAYS = 3 * 365  # without review_by, a document this much older than its effective date is stale


def _parse(text: str, name: str) -> Document:
    document, problems = parse_text(text.lstrip("\ufeff").replace("\r\n", "\n"), name)
    if document is None:
        raise InvalidDocument(problems)
    return document


class EditorialStore:
    def __init__(self, engine: Engine, publisher: Publisher, config: EditorialConfig | None = None) -> None:
        self.engine = engine
        self.publisher = publisher
        self.config = config or EditorialConfig()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._session = self._sessions.begin  # one transaction per `with`
        self._publishing = threading.Lock()  # one approve/retire at a time in this process

    # -- reading ---------------------------------------------------------------------
    def versions(self, doc_id: str) -> list[VersionRow]:
        with self._session() as s:
            rows = list(s.scalars(select(VersionRow).where(VersionRow.doc_id == doc_id).order_by(VersionRow.number)))
        if not rows:
            raise DocumentNotFound(f"没有文档 {doc_id!r}")
        return rows

    def version(self, doc_id: str, number: int) -> VersionRow:
        with self._session() as s:
            row = s.get(VersionRow, (doc_id, number))
        if row is None:
            self.versions(doc_id)  # names the document when it is the document that is missing
            raise DocumentNotFound(f"文档 {doc_id!r} 没有第 {number} 版")
        return row

    def all_versions(self) -> dict[str, list[VersionRow]]:
        by_doc: dict[str, list[VersionRow]] = {}
        with self._session() as s:
            for row in s.scalars(select(VersionRow).order_by(VersionRow.doc_id, VersionRow.number)):
                by_doc.setdefault(row.doc_id, []).append(row)
        return by_doc

    def documents(
        self,
        *,
        kind: str | None = None,
        industry: str | None = None,
        status: str | None = None,
        stale: bool = False,
        today: dt.date | None = None,
    ) -> list[list[VersionRow]]:
        """Each matching document's versions, the most recently changed first. `status` matches the latest or
        the published version's state (so `in_review` finds documents waiting for review while an older one is live)."""
        today = today or dt.date.today()
        found = []
        for rows in self.all_versions().values():
            latest = rows[-1]
            if kind and latest.kind != kind:
                continue
            if industry and industry not in latest.industries and "all" not in latest.industries:
                continue
            if status and status not in {latest.state} | {r.state for r in rows if r.state == VersionState.published}:
                continue
            if stale and not self.is_stale(latest, today):
                continue
            found.append(rows)
        return sorted(found, key=lambda rows: rows[-1].created_at, reverse=True)

    @staticmethod
    def is_stale(row: VersionRow, today: dt.date) -> bool:
        if row.review_by is not None:
            return row.review_by < today
        return row.effective_date is not None and (today - row.effective_date).days > STALE_AFTER_DAYS

    @staticmethod
    def published(rows: list[VersionRow]) -> VersionRow | None:
        return next((r for r in rows if r.state == VersionState.published), None)

    def audit(self, *, doc_id: str | None = None, limit: int = 200, offset: int = 0) -> list[AuditRow]:
        with self._session() as s:
            query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
            if doc_id:
                query = query.where(AuditRow.doc_id == doc_id)
            return list(s.scalars(query))

    def indexable(self, row: VersionRow) -> Document:
        """The document exactly as publishing this version would index it."""
        document = _parse(row.text, f"{row.doc_id}.md")
        meta = document.meta.model_copy(update={"status": Status.published, "version": str(row.number)})
        return document.model_copy(update={"meta": meta, "path": f"{EDITOR_ORIGIN}/{row.doc_id}/v{row.number}"})

    def diff(self, doc_id: str, a: int, b: int) -> list[dict[str, Any]]:
        """Side-by-side rows: op (equal/replace/delete/insert), a_line, a_text, b_line, b_text."""
        left, right = self.version(doc_id, a).text.split("\n"), self.version(doc_id, b).text.split("\n")
        rows: list[dict[str, Any]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                rows.append({
                    "op": op,
                    "a_line": i + 1 if i < i2 else None, "a_text": left[i] if i < i2 else None,
                    "b_line": j + 1 if j < j2 else None, "b_text": right[j] if j < j2 else None,
                })  # fmt: skip
        return rows

    # -- writing ---------------------------------------------------------------------
    def _log(self, s: Session, actor: Actor, action: str, doc_id: str, version: int | None, **detail: Any) -> None:
        s.add(AuditRow(at=utcnow(), actor=actor.id, action=action, doc_id=doc_id, version=version,
                       detail={"actor_name": actor.name, **detail}))  # fmt: skip

    def _new_version(self, s: Session, document: Document, text: str, actor: Actor, state: VersionState, note: str) -> VersionRow:
        number = (s.scalar(select(func.max(VersionRow.number)).where(VersionRow.doc_id == document.id)) or 0) + 1
        for old in s.scalars(select(VersionRow).where(VersionRow.doc_id == document.id, VersionRow.state.in_(OPEN_STATES))):
            old.state = VersionState.superseded
        now = utcnow()
        meta = document.meta
        row = VersionRow(
            doc_id=document.id, number=number, text=text, content_hash=document.content_hash, state=state,
            title=meta.title, kind=meta.kind.value, industries=[i.value for i in meta.industries],
            need_categories=[n.value for n in meta.need_categories], effective_date=meta.effective_date,
            review_by=meta.review_by, created_by=actor.id, created_at=now, note=note,
            submitted_by=actor.id if state == VersionState.in_review else None,
            submitted_at=now if state == VersionState.in_review else None,
        )  # fmt: skip
        s.add(row)
        return row

    def create_draft(self, text: str, actor: Actor, *, note: str = "") -> VersionRow:
        document = _parse(text, "document.md")
        with self._session() as s:
            if s.scalar(select(VersionRow.number).where(VersionRow.doc_id == document.id).limit(1)) is not None:
                raise WorkflowConflict(f"文档 {document.id!r} 已存在：请编辑它（提交新版本），或换一个 id")
            row = self._new_version(s, document, text, actor, VersionState.draft, note)
            self._log(s, actor, "create", document.id, row.number, title=row.title, note=note)
        return row

    def edit(self, doc_id: str, text: str, actor: Actor, *, note: str = "") -> VersionRow:
        self.versions(doc_id)
        document = _parse(text, f"{doc_id}.md")
        if document.id != doc_id:
            raise InvalidDocument([Problem(f"{doc_id}.md", document.id_line, "id", f"必须是 {doc_id!r}（文档 id 不能修改）")])
        with self._session() as s:
            row = self._new_version(s, document, text, actor, VersionState.draft, note)
            self._log(s, actor, "edit", doc_id, row.number, note=note)
        return row

    @contextmanager
    def _transition(self, doc_id: str, number: int, expected: VersionState, verb: str) -> Iterator[tuple[Session, VersionRow]]:
        with self._session() as s:
            row = s.get(VersionRow, (doc_id, number))
            if row is None:
                raise DocumentNotFound(f"文档 {doc_id!r} 没有第 {number} 版")
            if row.state != expected:
                raise WorkflowConflict(f"第 {number} 版当前状态是 {row.state}，不能{verb}（需要 {expected.value}）")
            yield s, row

    def submit(self, doc_id: str, number: int, actor: Actor) -> VersionRow:
        with self._transition(doc_id, number, VersionState.draft, "提交审核") as (s, row):
            row.state, row.submitted_by, row.submitted_at = VersionState.in_review, actor.id, utcnow()
            self._log(s, actor, "submit", doc_id, number)
        return row

    def reject(self, doc_id: str, number: int, actor: Actor, *, note: str = "") -> VersionRow:
        with self._transition(doc_id, number, VersionState.in_review, "退回") as (s, row):
            row.state, row.reviewed_by, row.reviewed_at = VersionState.rejected, actor.id, utcnow()
            row.note = note or row.note
            self._log(s, actor, "reject", doc_id, number, note=note)
        return row

    def approval_refusal(self, row: VersionRow, actor: Actor) -> str | None:
        """Why `actor` may not approve `row`, or None: nobody approves what they wrote (admins may, if configured)."""
        if row.created_by == actor.id and not (actor.admin and self.config.allow_self_approval_for_admin):
            hint = "" if actor.admin else "（管理员可按配置自审）"
            return f"不能批准自己撰写的版本：请由另一位编辑审核{hint}"
        return None

    def approve(self, doc_id: str, number: int, actor: Actor, *, note: str = "", acknowledge_warnings: bool = False) -> VersionRow:
        """Approve and publish: the index swap happens inside; the old version serves until it completes."""
        with self._publishing:
            with self._transition(doc_id, number, VersionState.in_review, "批准") as (s, row):
                if (refusal := self.approval_refusal(row, actor)) is not None:
                    raise NotAllowed(refusal)
                warnings = screen(row.text)
                if warnings and not acknowledge_warnings:
                    raise UnacknowledgedWarnings(warnings)
                row.reviewed_by, row.reviewed_at = actor.id, utcnow()
                acknowledged = [f"{w.line}:{w.kind}" for w in warnings]
                self._log(s, actor, "approve", doc_id, number, note=note, **({"acknowledged_warnings": acknowledged} if acknowledged else {}))
            document = self.indexable(row)
            try:
                chunk_ids = self.publisher.publish(document, path=document.path or "")
            except Exception as exc:
                self._withdraw_approval(doc_id, number, actor, reason=f"{type(exc).__name__}: {exc}")
                raise
            return self._mark_published(doc_id, number, actor, chunks=len(chunk_ids))

    def _withdraw_approval(self, doc_id: str, number: int, actor: Actor, *, reason: str) -> None:
        with self._session() as s:
            row = s.get(VersionRow, (doc_id, number))
            if row is not None and row.state == VersionState.in_review:
                row.reviewed_by, row.reviewed_at = None, None
            self._log(s, actor, "publish_failed", doc_id, number, reason=reason)

    def _mark_published(self, doc_id: str, number: int, actor: Actor, **detail: Any) -> VersionRow:
        with self._session() as s:
            live = select(VersionRow).where(VersionRow.doc_id == doc_id, VersionRow.state == VersionState.published)
            for old in s.scalars(live):
                old.state = VersionState.superseded
            row = s.get(VersionRow, (doc_id, number))
            assert row is not None
            row.state, row.published_at = VersionState.published, utcnow()
            self._log(s, actor, "publish", doc_id, number, **detail)
        return row

    def retire(self, doc_id: str, actor: Actor, *, note: str = "") -> VersionRow:
        """Out of retrieval at once (one index transaction); the version is kept for history and rollback."""
        with self._publishing:
            live = self.published(self.versions(doc_id))
            if live is None:
                raise WorkflowConflict(f"文档 {doc_id!r} 没有已发布的版本，无需下线")
            self.publisher.retire(doc_id)
            with self._session() as s:
                row = s.get(VersionRow, (doc_id, live.number))
                assert row is not None
                row.state, row.retired_at = VersionState.retired, utcnow()
                self._log(s, actor, "retire", doc_id, live.number, note=note)
        return row

    def purge(self, doc_id: str, actor: Actor, *, note: str = "") -> int:
        """Delete every version's text of a document that is not live (a partner deleting its case, an
        organisation's data erased); the audit log keeps who did what. Returns how many versions went."""
        with self._publishing, self._session() as s:
            rows = list(s.scalars(select(VersionRow).where(VersionRow.doc_id == doc_id)))
            if any(r.state == VersionState.published for r in rows):
                raise WorkflowConflict(f"文档 {doc_id!r} 仍在发布中：请先下线再删除")
            for row in rows:
                s.delete(row)
            if rows:
                self._log(s, actor, "purge", doc_id, None, note=note, versions=len(rows))
        return len(rows)

    def rollback(self, doc_id: str, to: int, actor: Actor, *, note: str = "") -> VersionRow:
        """A new version with version `to`'s text, submitted for review (see the module docstring)."""
        source = self.version(doc_id, to)
        document = _parse(source.text, f"{doc_id}.md")
        with self._session() as s:
            row = self._new_version(s, document, source.text, actor, VersionState.in_review, note or f"回滚到第 {to} 版")
            self._log(s, actor, "rollback", doc_id, row.number, to=to)
        return row

    # -- documents read from corpus files (corpus/file_versions.py keeps them in step) ------
    def record_file(self, document: Document, text: str, *, published: bool, path: str) -> VersionRow:
        """A version as a corpus directory ingest indexed it, authored by `FILE_ACTOR`."""
        with self._session() as s:
            if published:
                live = select(VersionRow).where(VersionRow.doc_id == document.id, VersionRow.state == VersionState.published)
                for old in s.scalars(live):
                    old.state = VersionState.superseded
            state = VersionState.published if published else VersionState.draft
            row = self._new_version(s, document, text, FILE_ACTOR, state, f"语料目录文件 {path}")
            row.published_at = row.created_at if published else None
            self._log(s, FILE_ACTOR, "import", document.id, row.number, path=path)
        return row

    def file_removed(self, doc_id: str, number: int) -> None:
        """The file of a published file version left its corpus directory (the ingest unindexed it)."""
        with self._session() as s:
            row = s.get(VersionRow, (doc_id, number))
            if row is not None and row.state == VersionState.published:
                row.state, row.retired_at = VersionState.retired, utcnow()
                self._log(s, FILE_ACTOR, "retire", doc_id, number, file_removed=True)

    # -- crash recovery ------------------------------------------------------------------
    def recover(self, registry: DocumentRegistry) -> list[str]:
        """Settle approvals a crash left between the index swap and the version update (after the
        indexer's own recovery). Returns what was done, one line per document."""
        system = Actor(id="system", name="recovery")
        done: list[str] = []
        for doc_id, rows in self.all_versions().items():
            entry = registry.get(doc_id)
            for row in rows:
                if row.state == VersionState.in_review and row.reviewed_by:
                    swapped = entry is not None and entry.status == Status.published.value
                    if swapped and entry.content_hash == self.indexable(row).content_hash:  # type: ignore[union-attr]
                        self._mark_published(doc_id, row.number, system, recovered=True)
                        done.append(f"{doc_id} v{row.number}: publish finished")
                    else:
                        self._withdraw_approval(doc_id, row.number, system, reason="interrupted before the index swap")
                        done.append(f"{doc_id} v{row.number}: approval withdrawn")
                elif row.state == VersionState.published and entry is not None and entry.status == Status.retired.value:
                    with self._session() as s:
                        live = s.get(VersionRow, (doc_id, row.number))
                        assert live is not None
                        live.state, live.retired_at = VersionState.retired, utcnow()
                        self._log(s, system, "retire", doc_id, row.number, recovered=True)
                    done.append(f"{doc_id} v{row.number}: retire finished")
        return done
