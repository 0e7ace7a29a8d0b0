"""Partner cases under `/api/cases` and their pages (`/cases…`): submit, review the redaction, confirm, submit for
review, approve or reject (another editor), take down, browse the library, download.

Routes parse and call `community.cases.CaseService`, which decides who may do what; its errors become 4xx in
api/errors.py. Cookie-authenticated writes need `X-CSRF-Token` (the auth dependency enforces it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import FileResponse
from pydantic import ConfigDict, Field

from accounts.tables import Role
from api.auth import CurrentUser, EditorDep, OptionalUserDep, PartnerDep, UserDep
from api.deps import ContainerDep, require_json
from api.entitlements import entitled
from api.routes.pages import guard
from community.cases import CaseService, CaseStatus, RegionLevel, Viewer
from corpus.text import CheckedInput

router = APIRouter(prefix="/api", tags=["cases"])
pages = APIRouter(include_in_schema=False)
JSON_BODY = [Depends(require_json)]
STATIC = Path(__file__).resolve().parent.parent / "static"

Line = Annotated[str, Field(max_length=200)]
Long = Annotated[str, Field(max_length=20_000)]


def viewer(user: CurrentUser) -> Viewer:
    return Viewer(user_id=user.id, org_id=user.org_id, name=user.name or user.email,
                  editor=user.role in (Role.editor, Role.admin), admin=user.role == Role.admin)  # fmt: skip


def get_cases(container: ContainerDep) -> CaseService:
    return container.cases


CasesDep = Annotated[CaseService, Depends(get_cases)]


# -- request bodies ----------------------------------------------------------------------------------
class AttachmentUpload(CheckedInput):
    filename: str = Field(..., min_length=1, max_length=255, description="文件名（.md/.txt/.docx/.pdf）")
    content_base64: str = Field(..., max_length=14_000_000, description="文件内容（base64，上限 10 MB）")


class ProductLine(CheckedInput):
    category: str = Field(..., max_length=80)
    vendor: str = Field("", max_length=80)
    product: str = Field("", max_length=120)


class CaseWrite(CheckedInput):
    """A case as the author writes it; only `title` and some content are required (see docs/api.md)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., max_length=200, examples=["三级医院数据库审计与运维审计项目"])
    customer: str | None = Field(None, max_length=200, description="客户名称：只有本组织可见", examples=["临江市第一人民医院"])
    aliases: list[Line] = Field(default_factory=list, max_length=30, description="客户的简称、别名")
    industry: str | None = Field(None, max_length=32, description="行业代码；不填时按客户名称推断")
    segment: str = Field("", max_length=40)
    province: str = Field("", max_length=20)
    year: int | None = Field(None, ge=1990, le=2100)
    size_band: str = Field("", max_length=40)
    need_categories: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=4)
    solutions: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=20)
    problem: Long = ""
    solution: Long = ""
    products: list[ProductLine] = Field(default_factory=list, max_length=30)
    timeline: Long = ""
    budget: Long = ""
    outcome: Long = ""
    lessons: Long = ""
    text: str = Field("", max_length=200_000, description="正文（自由撰写）")
    attachments: list[AttachmentUpload] | None = Field(None, max_length=5, description="修改时不传则保留原附件")
    watch_id: str | None = Field(None, max_length=40, description="从本组织客户名录（关注列表）的条目开始")


class Span(CheckedInput):
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=1)


class RedactionEdit(CheckedInput):
    """The author's edits to the proposed redaction; a field left out is not changed."""

    undone: list[Annotated[str, Field(max_length=24)]] | None = Field(None, max_length=5000, description="撤销的改动（key）")
    manual: list[Span] | None = Field(None, max_length=500, description="追加删除的原文位置")
    phrases: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=200, description="处处删除的词语")
    region_level: RegionLevel | None = None


class Confirmation(CheckedInput):
    handle: str | None = Field(None, max_length=40, description="公开昵称；不填用个人昵称")
    anonymous: bool = Field(False, description="以“匿名”发布")
    acknowledge_uniqueness: bool = Field(False, description="唯一性提醒仍未解除时，确认仍按此发布")
    text_sha256: str | None = Field(None, max_length=64, description="所核对的脱敏文本的 SHA-256（防止确认了没看过的版本）")


class Note(CheckedInput):
    note: str = Field("", max_length=1000)


class Takedown(CheckedInput):
    reason: str = Field("", max_length=1000)


class HandleWrite(CheckedInput):
    handle: str = Field("", max_length=40, description="公开昵称；空字符串表示不设（匿名）")


# -- the library and lists ---------------------------------------------------------------------------
@router.get("/cases")
def library(
    user: UserDep,
    cases: CasesDep,
    industry: Annotated[str | None, Query(max_length=32)] = None,
    province: Annotated[str | None, Query(max_length=20)] = None,
    need: Annotated[str | None, Query(max_length=40)] = None,
    solution: Annotated[str | None, Query(max_length=80)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Published cases (summaries), newest first: `{items, total, limit, offset}`."""
    return cases.library(viewer(user), industry=industry, province=province, need=need, solution=solution, q=q,
                         limit=limit, offset=offset)  # fmt: skip


@router.get("/cases/options")
def options(user: UserDep, cases: CasesDep) -> dict[str, Any]:
    """Choices for the forms: industries, need and solution categories, provinces, your watched customers."""
    return cases.options(viewer(user))


@router.get("/cases/mine")
def mine(user: PartnerDep, cases: CasesDep) -> dict[str, Any]:
    """Your organisation's cases in every state."""
    return {"items": cases.mine(viewer(user))}


@router.get("/cases/review")
def review_queue(
    user: EditorDep, cases: CasesDep, status: Annotated[list[CaseStatus], Query()] = [CaseStatus.in_review]  # noqa: B006
) -> dict[str, Any]:
    """The editors' queue: submitted cases (default: waiting for review), oldest first."""
    return {"items": cases.queue(viewer(user), status)}


@router.post("/cases", status_code=201, dependencies=JSON_BODY)
def create(body: CaseWrite, user: PartnerDep, cases: CasesDep) -> dict[str, Any]:
    """A new draft `{id, status: "draft", …}`; the redaction is proposed at once (see /redaction)."""
    return cases.create(viewer(user), body.model_dump(exclude_unset=True, mode="json"))


# -- one case ----------------------------------------------------------------------------------------
@router.get("/cases/{case_id}")
def get_case(case_id: str, user: UserDep, cases: CasesDep) -> dict[str, Any]:
    """Your organisation's case in full; a submitted case for editors; a published case's summary for everyone."""
    return cases.get(viewer(user), case_id)


@router.put("/cases/{case_id}", dependencies=JSON_BODY)
def update(case_id: str, body: CaseWrite, user: UserDep, cases: CasesDep) -> dict[str, Any]:
    return cases.update(viewer(user), case_id, body.model_dump(exclude_unset=True, mode="json"))


@router.delete("/cases/{case_id}", status_code=204)
def delete(case_id: str, user: UserDep, cases: CasesDep) -> Response:
    cases.delete(viewer(user), case_id)
    return Response(status_code=204)


@router.get("/cases/{case_id}/redaction")
def redaction(case_id: str, user: UserDep, cases: CasesDep) -> dict[str, Any]:
    """The author's review: `{text, findings, original, rows, changes, uniqueness, …}` (author's organisation only)."""
    return cases.redaction(viewer(user), case_id)


@router.put("/cases/{case_id}/redaction", dependencies=JSON_BODY)
def edit_redaction(case_id: str, body: RedactionEdit, user: UserDep, cases: CasesDep) -> dict[str, Any]:
    manual = [(s.start, s.end) for s in body.manual] if body.manual is not None else None
    return cases.edit_redaction(viewer(user), case_id, undone=body.undone, manual=manual, phrases=body.phrases,
                                region_level=body.region_level)  # fmt: skip


@router.post("/cases/{case_id}/confirm")
def confirm(case_id: str, user: UserDep, cases: CasesDep, body: Confirmation | None = None) -> dict[str, Any]:
    """The author accepts the redacted text: only this text ever leaves the organisation."""
    body = body or Confirmation()
    return cases.confirm(viewer(user), case_id, handle=body.handle, anonymous=body.anonymous,
                         acknowledge_uniqueness=body.acknowledge_uniqueness, text_sha256=body.text_sha256)  # fmt: skip


@router.post("/cases/{case_id}/submit")
def submit(case_id: str, user: UserDep, cases: CasesDep) -> dict[str, Any]:
    return cases.submit(viewer(user), case_id)


@router.post("/cases/{case_id}/approve")
def approve(case_id: str, user: EditorDep, cases: CasesDep, body: Note | None = None) -> dict[str, Any]:
    """Publish (an editor other than the author, of another organisation); returns once it is in retrieval."""
    return cases.approve(viewer(user), case_id, note=body.note if body else "")


@router.post("/cases/{case_id}/reject")
def reject(case_id: str, user: EditorDep, cases: CasesDep, body: Note | None = None) -> dict[str, Any]:
    return cases.reject(viewer(user), case_id, note=body.note if body else "")


@router.post("/cases/{case_id}/takedown")
def takedown(case_id: str, user: UserDep, cases: CasesDep, body: Takedown | None = None) -> dict[str, Any]:
    """Out of retrieval and the library at once (the author's organisation or an editor); the audit trail stays."""
    return cases.takedown(viewer(user), case_id, reason=body.reason if body else "")


@router.post("/cases/{case_id}/download", dependencies=[Depends(entitled("case_downloads"))])
def download(
    case_id: str,
    user: UserDep,
    cases: CasesDep,
    idempotency_key: Annotated[str | None, Header(max_length=100, description="重试时复用，避免重复计数")] = None,
) -> dict[str, Any]:
    """The full text of a published case `{text, title, handle, download_id, …}`; the download is recorded."""
    return cases.download(viewer(user), case_id, idempotency_key=idempotency_key)


@router.get("/cases/{case_id}/audit")
def audit(case_id: str, user: UserDep, cases: CasesDep) -> dict[str, Any]:
    """Who submitted, approved, rejected, took down (the editorial audit log), newest first."""
    return {"items": cases.audit(viewer(user), case_id)}


@router.get("/community/handle")
def get_handle(user: UserDep, cases: CasesDep) -> dict[str, str]:
    return {"handle": cases.store.handle(user.id)}


@router.put("/community/handle", dependencies=JSON_BODY)
def set_handle(body: HandleWrite, user: UserDep, cases: CasesDep) -> dict[str, str]:
    """Your public handle for shared cases and discussions (never your organisation's name)."""
    return {"handle": cases.set_handle(viewer(user), body.handle)}


# -- pages ---------------------------------------------------------------------------------------------
def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html", headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


@pages.get("/cases")
def library_page(user: OptionalUserDep) -> Response:
    return guard(user, "/cases", Role.partner, Role.editor) or _page("cases.html")


@pages.get("/cases/new")
def new_page(user: OptionalUserDep) -> Response:
    return guard(user, "/cases/new", Role.partner) or _page("case-edit.html")


@pages.get("/cases/mine")
def mine_page(user: OptionalUserDep) -> Response:
    return guard(user, "/cases/mine", Role.partner) or _page("cases-mine.html")


@pages.get("/cases/review")
def review_page(user: OptionalUserDep) -> Response:
    return guard(user, "/cases/review", Role.editor) or _page("case-review.html")


@pages.get("/cases/{case_id}/edit")
def edit_page(case_id: str, user: OptionalUserDep) -> Response:
    return guard(user, f"/cases/{case_id}/edit", Role.partner) or _page("case-edit.html")


@pages.get("/cases/{case_id}/redaction")
def redaction_page(case_id: str, user: OptionalUserDep) -> Response:
    return guard(user, f"/cases/{case_id}/redaction", Role.partner) or _page("case-redaction.html")


@pages.get("/cases/{case_id}")
def case_page(case_id: str, user: OptionalUserDep) -> Response:
    return guard(user, f"/cases/{case_id}", Role.partner, Role.editor) or _page("case.html")
