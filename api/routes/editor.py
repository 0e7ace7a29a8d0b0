"""The editor's JSON API under `/api/editor`: documents, versions, review, publish, retire, rollback,
diff, chunk preview, hit test, audit log and corpus health.

Editors and administrators only (partners get 403). Cookie-authenticated writes need `X-CSRF-Token`
(enforced by the auth dependency). The workflow rules live in `corpus.editorial.EditorialStore`;
publishing swaps the index atomically (`retrieval.publishing`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field, model_validator

from api.accounts.tables import Role
from api.auth import CurrentUser, EditorDep
from api.deps import ContainerDep, require_json
from corpus.editorial import Actor, EditorialStore
from corpus.tables import AuditRow, VersionRow
from retrieval.editor_tools import corpus_health, hit_test, preview

__all__ = ["router"]

router = APIRouter(prefix="/api/editor", tags=["editor"])
JSON_BODY = [Depends(require_json)]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def get_editorial(container: ContainerDep) -> EditorialStore:
    return container.editorial


EditorialDep = Annotated[EditorialStore, Depends(get_editorial)]


def actor(user: CurrentUser) -> Actor:
    return Actor(id=user.id, name=user.email, admin=user.role == Role.admin)


# -- models ------------------------------------------------------------------------------
class DocumentWrite(BaseModel):
    """Markdown with front matter in `text`, or a file to convert: `filename` + `content_base64`."""

    text: str | None = Field(None, max_length=2_000_000, description="整篇 Markdown（含 YAML front matter）")
    filename: str | None = Field(None, max_length=255, description="上传文件名（.md/.docx/.pdf/.html…）")
    content_base64: str | None = Field(None, max_length=14_000_000, description="文件内容（base64）")
    note: str = Field("", max_length=1000, description="修改说明")

    @model_validator(mode="after")
    def _one_source(self) -> DocumentWrite:
        if (self.text is None) == (self.content_base64 is None):
            raise ValueError("请提供 text，或 filename 加 content_base64（二选一）")
        if self.content_base64 is not None and not self.filename:
            raise ValueError("上传文件时需要 filename")
        return self


class ReviewNote(BaseModel):
    note: str = Field("", max_length=1000)


class RollbackRequest(BaseModel):
    to: int = Field(..., ge=1, description="回滚到的版本号")
    note: str = Field("", max_length=1000)


class HitTestRequest(BaseModel):
    query: str = Field(..., min_length=1, max_length=500)
    k: int = Field(10, ge=1, le=50)


class VersionPublic(BaseModel):
    doc_id: str
    number: int
    state: str
    title: str
    kind: str
    content_hash: str
    created_by: str
    created_at: dt.datetime
    submitted_by: str | None
    submitted_at: dt.datetime | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    note: str
    text: str | None = None


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    kind: str
    industries: list[str]
    need_categories: list[str]
    state: str = Field(description="最新版本的状态")
    latest_version: int
    published_version: int | None
    review_by: dt.date | None
    stale: bool


class DocumentDetail(DocumentSummary):
    versions: list[VersionPublic]


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    total: int


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    doc_id: str
    version: int | None
    detail: dict[str, Any]


def _version(row: VersionRow, *, text: bool = False) -> VersionPublic:
    fields = {name: getattr(row, name) for name in VersionPublic.model_fields if name != "text"}
    return VersionPublic(**fields, text=row.text if text else None)


def _summary(rows: list[VersionRow], today: dt.date) -> dict[str, Any]:
    latest, live = rows[-1], EditorialStore.published(rows)
    return {
        "doc_id": latest.doc_id, "title": latest.title, "kind": latest.kind, "industries": latest.industries,
        "need_categories": latest.need_categories, "state": latest.state, "latest_version": latest.number,
        "published_version": live.number if live else None, "review_by": latest.review_by,
        "stale": EditorialStore.is_stale(latest, today),
    }  # fmt: skip


def _detail(store: EditorialStore, doc_id: str) -> DocumentDetail:
    rows = store.versions(doc_id)
    return DocumentDetail(**_summary(rows, dt.date.today()), versions=[_version(r, text=True) for r in rows])


def _text(body: DocumentWrite) -> str:
    if body.text is not None:
        return body.text
    try:
        data = base64.b64decode(body.content_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, "content_base64 不是合法的 base64") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"文件过大：上限 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        from corpus.importers import convert, to_document_text
    except ImportError:
        raise HTTPException(415, "此服务器暂不支持文件导入；请粘贴 Markdown 文本") from None
    return to_document_text(convert(data, body.filename or "upload"))


# -- documents -----------------------------------------------------------------------------
@router.get("/documents", response_model=DocumentPage)
def list_documents(
    _: EditorDep,
    store: EditorialDep,
    kind: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    stale: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DocumentPage:
    """Editor-managed documents; `status` matches the latest or the published version's state."""
    today = dt.date.today()
    found = store.documents(kind=kind, industry=industry, status=status, stale=stale, today=today)
    items = [DocumentSummary(**_summary(rows, today)) for rows in found[offset : offset + limit]]
    return DocumentPage(items=items, total=len(found))


@router.post("/documents", status_code=201, response_model=DocumentDetail, dependencies=JSON_BODY)
def create_document(body: DocumentWrite, user: EditorDep, store: EditorialDep) -> DocumentDetail:
    """A new document as version 1, state draft (validated; problems name the field and line)."""
    row = store.create_draft(_text(body), actor(user), note=body.note)
    return _detail(store, row.doc_id)


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def get_document(doc_id: str, _: EditorDep, store: EditorialDep) -> DocumentDetail:
    return _detail(store, doc_id)


@router.put("/documents/{doc_id}", response_model=DocumentDetail, dependencies=JSON_BODY)
def edit_document(doc_id: str, body: DocumentWrite, user: EditorDep, store: EditorialDep) -> DocumentDetail:
    """A new version (draft); older unpublished versions become superseded."""
    store.edit(doc_id, _text(body), actor(user), note=body.note)
    return _detail(store, doc_id)


@router.post("/documents/{doc_id}/versions/{number}/submit", response_model=VersionPublic)
def submit(doc_id: str, number: int, user: EditorDep, store: EditorialDep) -> VersionPublic:
    return _version(store.submit(doc_id, number, actor(user)))


@router.post("/documents/{doc_id}/versions/{number}/approve", response_model=VersionPublic)
def approve(doc_id: str, number: int, user: EditorDep, store: EditorialDep, body: ReviewNote | None = None) -> VersionPublic:
    """Approve and publish; returns once the new version is indexed and swapped in."""
    return _version(store.approve(doc_id, number, actor(user), note=body.note if body else ""))


@router.post("/documents/{doc_id}/versions/{number}/reject", response_model=VersionPublic)
def reject(doc_id: str, number: int, user: EditorDep, store: EditorialDep, body: ReviewNote | None = None) -> VersionPublic:
    return _version(store.reject(doc_id, number, actor(user), note=body.note if body else ""))


@router.post("/documents/{doc_id}/retire", response_model=VersionPublic)
def retire(doc_id: str, user: EditorDep, store: EditorialDep, body: ReviewNote | None = None) -> VersionPublic:
    """Out of retrieval at once."""
    return _version(store.retire(doc_id, actor(user), note=body.note if body else ""))


@router.post("/documents/{doc_id}/rollback", response_model=VersionPublic, dependencies=JSON_BODY)
def rollback(doc_id: str, body: RollbackRequest, user: EditorDep, store: EditorialDep) -> VersionPublic:
    """A new version with the old text, submitted for review (approve it to publish)."""
    return _version(store.rollback(doc_id, body.to, actor(user), note=body.note))


@router.get("/documents/{doc_id}/diff")
def diff(doc_id: str, a: int, b: int, _: EditorDep, store: EditorialDep) -> dict[str, Any]:
    """Side-by-side rows: op (equal/replace/delete/insert), a_line, a_text, b_line, b_text."""
    return {"doc_id": doc_id, "a": a, "b": b, "rows": store.diff(doc_id, a, b)}


@router.get("/documents/{doc_id}/versions/{number}/preview")
def preview_chunks(doc_id: str, number: int, _: EditorDep, store: EditorialDep, container: ContainerDep) -> dict[str, Any]:
    """The chunks exactly as publishing this version would index them."""
    document = store.indexable(store.version(doc_id, number))
    return {"doc_id": doc_id, "version": number, "chunks": preview(document, container.indexer.chunking)}


@router.post("/documents/{doc_id}/versions/{number}/hit-test", dependencies=JSON_BODY)
def hit_test_version(
    doc_id: str, number: int, body: HitTestRequest, _: EditorDep, store: EditorialDep, container: ContainerDep
) -> dict[str, Any]:
    """Which chunks this query would retrieve, at what rank, if this version were published."""
    document = store.indexable(store.version(doc_id, number))
    result = hit_test(container.retriever, document, body.query, k=body.k, chunking=container.indexer.chunking)
    return {"doc_id": doc_id, "version": number, **result}


# -- audit and health --------------------------------------------------------------------------
@router.get("/audit", response_model=list[AuditEntry])
def audit(
    _: EditorDep,
    store: EditorialDep,
    doc_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEntry]:
    """Newest first."""
    rows: list[AuditRow] = store.audit(doc_id=doc_id, limit=limit, offset=offset)
    return [AuditEntry(**{name: getattr(r, name) for name in AuditEntry.model_fields}) for r in rows]


@router.get("/health")
def health(_: EditorDep, store: EditorialDep, container: ContainerDep) -> dict[str, Any]:
    """Coverage matrix (industry × need) of published documents, review dates passed, duplicates."""
    review_by = {}
    for doc_id, rows in store.all_versions().items():
        live = EditorialStore.published(rows)
        review_by[doc_id] = live.review_by if live else None
    return corpus_health(keyword_index=container.keyword_index, registry=container.registry, editor_review_by=review_by)
