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
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse

from accounts.store import AccountNotFound, AccountStore
from accounts.tables import Role
from api.auth import CurrentUser, EditorDep
from api.deps import ContainerDep, require_json
from api.errors import problems_json
from api.inputs import Offset, Position
from api.routes.editor_models import (
    ApprovalNote,
    AuditEntry,
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    DocumentWrite,
    HitTestRequest,
    MetadataForm,
    ReviewNote,
    RollbackRequest,
    VersionPublic,
)
from community.cases import DOC_PREFIX
from corpus import metadata_form as metadata
from corpus.editorial import FILE_ACTOR, Actor, EditorialStore, InvalidDocument, VersionState
from corpus.labels import FIELD_LABELS
from corpus.screening import screen
from corpus.tables import AuditRow, VersionRow
from corpus.validate import Problem
from retrieval.editor_tools import corpus_health, hit_test, preview

__all__ = ["router"]

router = APIRouter(prefix="/api/editor", tags=["editor"])
JSON_BODY = [Depends(require_json)]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def get_editorial(container: ContainerDep) -> EditorialStore:
    return container.editorial


EditorialDep = Annotated[EditorialStore, Depends(get_editorial)]


def not_a_partner_case(doc_id: str) -> None:
    """Partner cases (`pc-…`) have their own review, with the author's confirmation and the case's state."""
    if doc_id.startswith(DOC_PREFIX):
        raise HTTPException(409, "这是伙伴分享的案例：请在案例审核页（/cases/review）审核或下线，不在编辑工作台修改")


def actor(user: CurrentUser) -> Actor:
    return Actor(id=user.id, name=user.name or user.email, admin=user.role == Role.admin)


def _version(row: VersionRow, *, text: bool = False) -> VersionPublic:
    fields = {name: getattr(row, name) for name in VersionPublic.model_fields if name not in ("text", "warnings")}
    return VersionPublic(**fields, text=row.text if text else None, warnings=screen(row.text))


def _summary(rows: list[VersionRow], today: dt.date) -> dict[str, Any]:
    latest, live = rows[-1], EditorialStore.published(rows)
    return {
        "doc_id": latest.doc_id, "title": latest.title, "kind": latest.kind, "industries": latest.industries,
        "need_categories": latest.need_categories, "state": latest.state, "latest_version": latest.number,
        "published_version": live.number if live else None, "review_by": latest.review_by,
        "stale": EditorialStore.is_stale(latest, today),
    }  # fmt: skip


SYSTEM_NAMES = {FILE_ACTOR.id: FILE_ACTOR.name, "system": "系统（启动时恢复）"}


def _people(accounts: AccountStore, rows: list[VersionRow]) -> dict[str, str]:
    names = {}
    for user_id in {i for r in rows for i in (r.created_by, r.submitted_by, r.reviewed_by) if i}:
        if user_id in SYSTEM_NAMES:
            names[user_id] = SYSTEM_NAMES[user_id]
            continue
        try:
            user = accounts.get_user(user_id)
        except AccountNotFound:  # the recovery job, or a deleted account: the page shows the id
            continue
        names[user_id] = user.name or user.email
    return names


def _detail(store: EditorialStore, doc_id: str, accounts: AccountStore, user: CurrentUser) -> DocumentDetail:
    rows = store.versions(doc_id)
    latest = rows[-1]
    refusal = store.approval_refusal(latest, actor(user)) if latest.state == VersionState.in_review else None
    return DocumentDetail(
        **_summary(rows, dt.date.today()), versions=[_version(r, text=True) for r in rows],
        people={} if doc_id.startswith(DOC_PREFIX) else _people(accounts, rows),  # a partner case's author stays unnamed
        approve_refusal=refusal,
    )  # fmt: skip


class Incomplete(Exception):
    """A converted file whose front matter misses what the text does not say (issuer, effective date)."""

    def __init__(self, text: str, suggestions: dict[str, list[str]], problems: list[Problem]) -> None:
        self.text, self.suggestions, self.problems = text, suggestions, problems


def _text(body: DocumentWrite) -> tuple[str, dict[str, list[str]]]:
    """The document text, and for a converted file why each front-matter field was pre-filled as it was.
    A file that converted but lacks metadata raises Incomplete; an unusable one, InvalidDocument."""
    if body.text is not None:
        return body.text, {}
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
    imported = convert(data, body.filename or "upload")  # ImportRefused: empty, too large, wrong type (→ 4xx)
    unusable = [p for p in imported.problems if p.field in ("file", "body", "front matter")]
    if unusable:  # nothing usable came out (a scanned or damaged PDF, no text): nothing to save
        raise InvalidDocument(unusable)
    if imported.problems:  # usable text, but the front matter misses what the text does not say
        raise Incomplete(to_document_text(imported), imported.suggestions, imported.problems)
    return to_document_text(imported), imported.suggestions


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
    offset: Offset = 0,
) -> DocumentPage:
    """Editor-managed documents; `status` matches the latest or the published version's state."""
    today = dt.date.today()
    found = store.documents(kind=kind, industry=industry, status=status, stale=stale, today=today)
    items = [DocumentSummary(**_summary(rows, today)) for rows in found[offset : offset + limit]]
    return DocumentPage(items=items, total=len(found))


# OpenAPI links: the workflow steps a created document goes through next (for clients and the stateful schema tests).
_FIRST_VERSION = {"doc_id": "$response.body#/doc_id", "number": "$response.body#/latest_version"}
CREATED_LINKS: dict[int | str, dict[str, Any]] = {201: {"description": "Created", "links": {
    step: {"operationId": f"{step}_api_editor_documents__doc_id__versions__number__{step}_post", "parameters": _FIRST_VERSION}
    for step in ("submit", "approve", "reject")
} | {"Preview": {"operationId": "preview_chunks_api_editor_documents__doc_id__versions__number__preview_get",
                 "parameters": _FIRST_VERSION}}}}  # fmt: skip
_INCOMPLETE: dict[int | str, dict[str, Any]] = {422: {"description": "校验未通过；导入的文件缺少元数据时另含 text 与 suggestions，补全后再提交 text"}}


@router.post("/documents", status_code=201, response_model=DocumentDetail, dependencies=JSON_BODY,
             responses=CREATED_LINKS | _INCOMPLETE)  # fmt: skip
def create_document(body: DocumentWrite, user: EditorDep, store: EditorialDep, container: ContainerDep) -> Any:
    """A new document as version 1, state draft (validated; problems name the field and line).

    An uploaded file whose text does not say everything the front matter needs (a government rule that
    names no issuer, no date) is not saved: the 422 carries the converted `text` and `suggestions`, so the
    editor completes the form and posts the text."""
    try:
        text, suggestions = _text(body)
    except Incomplete as missing:
        names = "、".join(dict.fromkeys(FIELD_LABELS.get(p.field, p.field) for p in missing.problems))
        return JSONResponse(status_code=422, content={
            "detail": f"文件已转换，但还缺少：{names}。请在表单中补全后创建草稿。",
            "problems": problems_json(missing.problems), "text": missing.text, "suggestions": missing.suggestions,
        })  # fmt: skip
    match = re.search(r"^id:\s*[\"']?([^\s\"']+)", text, re.M)
    not_a_partner_case(match.group(1) if match else "")
    row = store.create_draft(text, actor(user), note=body.note)
    return _detail(store, row.doc_id, container.accounts, user).model_copy(update={"suggestions": suggestions})


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def get_document(doc_id: str, user: EditorDep, store: EditorialDep, container: ContainerDep) -> DocumentDetail:
    return _detail(store, doc_id, container.accounts, user)


@router.put("/documents/{doc_id}", response_model=DocumentDetail, dependencies=JSON_BODY)
def edit_document(
    doc_id: str, body: DocumentWrite, user: EditorDep, store: EditorialDep, container: ContainerDep
) -> DocumentDetail:
    """A new version (draft); older unpublished versions become superseded."""
    not_a_partner_case(doc_id)
    try:
        text = _text(body)[0]
    except Incomplete as missing:
        raise InvalidDocument(missing.problems) from None
    store.edit(doc_id, text, actor(user), note=body.note)
    return _detail(store, doc_id, container.accounts, user)


@router.post("/documents/{doc_id}/versions/{number}/submit", response_model=VersionPublic)
def submit(doc_id: str, number: Position, user: EditorDep, store: EditorialDep) -> VersionPublic:
    not_a_partner_case(doc_id)
    return _version(store.submit(doc_id, number, actor(user)))


@router.post("/documents/{doc_id}/versions/{number}/approve", response_model=VersionPublic,
             responses={409: {"description": "状态不符，或有未确认的审核提醒（detail 与 warnings）"}})  # fmt: skip
def approve(doc_id: str, number: Position, user: EditorDep, store: EditorialDep, body: ApprovalNote | None = None) -> VersionPublic:
    """Approve and publish; returns once the new version is indexed and swapped in. A version with
    `warnings` needs `acknowledge_warnings: true` (else 409 listing them)."""
    not_a_partner_case(doc_id)
    body = body or ApprovalNote()
    return _version(store.approve(doc_id, number, actor(user), note=body.note, acknowledge_warnings=body.acknowledge_warnings))


@router.post("/documents/{doc_id}/versions/{number}/reject", response_model=VersionPublic)
def reject(doc_id: str, number: Position, user: EditorDep, store: EditorialDep, body: ReviewNote | None = None) -> VersionPublic:
    not_a_partner_case(doc_id)
    return _version(store.reject(doc_id, number, actor(user), note=body.note if body else ""))


@router.post("/documents/{doc_id}/retire", response_model=VersionPublic)
def retire(doc_id: str, user: EditorDep, store: EditorialDep, body: ReviewNote | None = None) -> VersionPublic:
    """Out of retrieval at once."""
    not_a_partner_case(doc_id)
    return _version(store.retire(doc_id, actor(user), note=body.note if body else ""))


@router.post("/documents/{doc_id}/rollback", response_model=VersionPublic, dependencies=JSON_BODY)
def rollback(doc_id: str, body: RollbackRequest, user: EditorDep, store: EditorialDep) -> VersionPublic:
    """A new version with the old text, submitted for review (approve it to publish)."""
    not_a_partner_case(doc_id)
    return _version(store.rollback(doc_id, body.to, actor(user), note=body.note))


@router.get("/documents/{doc_id}/diff")
def diff(doc_id: str, a: Position, b: Position, _: EditorDep, store: EditorialDep) -> dict[str, Any]:
    """Side-by-side rows: op (equal/replace/delete/insert), a_line, a_text, b_line, b_text."""
    return {"doc_id": doc_id, "a": a, "b": b, "rows": store.diff(doc_id, a, b)}


@router.get("/documents/{doc_id}/versions/{number}/preview")
def preview_chunks(doc_id: str, number: Position, _: EditorDep, store: EditorialDep, container: ContainerDep) -> dict[str, Any]:
    """The chunks exactly as publishing this version would index them."""
    document = store.indexable(store.version(doc_id, number))
    return {"doc_id": doc_id, "version": number, "chunks": preview(document, container.indexer.chunking)}


@router.post("/documents/{doc_id}/versions/{number}/hit-test", dependencies=JSON_BODY)
def hit_test_version(
    doc_id: str, number: Position, body: HitTestRequest, _: EditorDep, store: EditorialDep, container: ContainerDep
) -> dict[str, Any]:
    """Which chunks this query would retrieve, at what rank, if this version were published."""
    document = store.indexable(store.version(doc_id, number))
    result = hit_test(container.retriever, document, body.query, k=body.k, chunking=container.indexer.chunking)
    return {"doc_id": doc_id, "version": number, **result}


@router.post("/metadata", dependencies=JSON_BODY)
def metadata_form(body: MetadataForm, _: EditorDep) -> dict[str, Any]:
    """Front matter as form fields; with `fields`, the text with them written in. Nothing is saved."""
    try:
        fields = body.fields.model_dump(exclude_unset=True) if body.fields is not None else None
        text = metadata.write_form(body.text, fields) if fields is not None else body.text
        fields = metadata.read_form(text)
    except metadata.FormError as exc:
        raise InvalidDocument([exc.problem]) from None
    return {"text": text, "fields": fields, "problems": problems_json(metadata.check(text))}


# -- audit and health --------------------------------------------------------------------------
@router.get("/audit", response_model=list[AuditEntry])
def audit(
    _: EditorDep,
    store: EditorialDep,
    doc_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Offset = 0,
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
