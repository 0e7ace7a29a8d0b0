"""Topic discussions under `/api/discussions` and the `/discussions` pages.

Signed-in users read and post; editors and admins moderate (hide, lock, settle reports). A post whose text
looks like it names a person, a phone, an organisation or one of your customers is refused with 422 and the
findings, until it is changed or sent again with `acknowledge_pii: true`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from accounts.tables import Role
from api.auth import EditorDep, OptionalUserDep, UserDep
from api.deps import ContainerDep, require_json
from api.routes.cases import _page, viewer
from api.routes.pages import guard
from community.discussions import DiscussionService
from corpus.text import CheckedInput

router = APIRouter(prefix="/api/discussions", tags=["discussions"])
pages = APIRouter(include_in_schema=False)
JSON_BODY = [Depends(require_json)]


def get_discussions(container: ContainerDep) -> DiscussionService:
    return container.discussions


DiscussionsDep = Annotated[DiscussionService, Depends(get_discussions)]


class ThreadWrite(CheckedInput):
    topic_kind: str = Field(..., max_length=16, description="industry | regulation | need | general")
    topic: str = Field("", max_length=80, description="行业代码，或法规/标准/方案指南的文档 id")
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20_000, description="正文；用 [[文档id]] 引用已发布的文档或案例")
    acknowledge_pii: bool = Field(False, description="已看过可识别信息提醒，仍然发布")


class PostWrite(CheckedInput):
    body: str = Field(..., max_length=20_000)
    acknowledge_pii: bool = False


class TextCheck(CheckedInput):
    text: str = Field(..., max_length=20_000)


class Moderation(CheckedInput):
    hidden: bool = True
    reason: str = Field("", max_length=1000)


class Lock(CheckedInput):
    locked: bool = True


class Report(CheckedInput):
    reason: str = Field(..., max_length=1000)


class Resolution(CheckedInput):
    resolution: str = Field("", max_length=1000)


@router.get("/topics")
def topics(_: UserDep, discussions: DiscussionsDep) -> dict[str, Any]:
    """Topics to discuss: industries, regulations and standards, needs (solution guides), general; thread counts."""
    return discussions.topics()


@router.get("")
def threads(
    user: UserDep,
    discussions: DiscussionsDep,
    topic_kind: Annotated[str | None, Query(max_length=16)] = None,
    topic: Annotated[str | None, Query(max_length=80)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    mention: Annotated[str | None, Query(max_length=80, description="引用了该文档的讨论")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    return discussions.list(viewer(user), topic_kind=topic_kind, topic=topic, q=q, mention=mention, limit=limit,
                            offset=offset)  # fmt: skip


@router.post("", status_code=201, dependencies=JSON_BODY)
def create_thread(body: ThreadWrite, user: UserDep, discussions: DiscussionsDep) -> dict[str, Any]:
    return discussions.create(viewer(user), topic_kind=body.topic_kind, topic=body.topic, title=body.title,
                              body=body.body, acknowledge_pii=body.acknowledge_pii)  # fmt: skip


@router.post("/check", dependencies=JSON_BODY)
def check(body: TextCheck, user: UserDep, discussions: DiscussionsDep) -> dict[str, Any]:
    """What the PII warning would say about this text: `{findings: [{kind, label, original, start, end}]}`."""
    return {"findings": discussions.check(viewer(user), body.text)}


@router.get("/mentionable")
def mentionable(_: UserDep, discussions: DiscussionsDep, q: Annotated[str, Query(max_length=100)] = "") -> dict[str, Any]:
    """Published documents and cases whose title contains `q`, to cite as [[id]]."""
    return {"items": discussions.mentionable(q)}


@router.get("/reports")
def reports(user: EditorDep, discussions: DiscussionsDep, all: bool = False) -> dict[str, Any]:  # noqa: A002
    """Abuse reports (open ones unless `all`), oldest first, with the post."""
    return {"items": discussions.reports(viewer(user), open_only=not all)}


@router.post("/reports/{report_id}/resolve")
def resolve(report_id: str, user: EditorDep, discussions: DiscussionsDep, body: Resolution | None = None) -> dict[str, Any]:
    return discussions.resolve(viewer(user), report_id, resolution=body.resolution if body else "")


@router.post("/posts/{post_id}/hide")
def hide_post(post_id: str, user: EditorDep, discussions: DiscussionsDep, body: Moderation | None = None) -> dict[str, Any]:
    body = body or Moderation()
    return discussions.hide_post(viewer(user), post_id, hidden=body.hidden, reason=body.reason)


@router.post("/posts/{post_id}/report", status_code=201, dependencies=JSON_BODY)
def report(post_id: str, body: Report, user: UserDep, discussions: DiscussionsDep) -> dict[str, Any]:
    return discussions.report(viewer(user), post_id, reason=body.reason)


@router.get("/{thread_id}")
def thread(thread_id: str, user: UserDep, discussions: DiscussionsDep) -> dict[str, Any]:
    return discussions.get(viewer(user), thread_id)


@router.post("/{thread_id}/posts", status_code=201, dependencies=JSON_BODY)
def reply(thread_id: str, body: PostWrite, user: UserDep, discussions: DiscussionsDep) -> dict[str, Any]:
    return discussions.reply(viewer(user), thread_id, body=body.body, acknowledge_pii=body.acknowledge_pii)


@router.post("/{thread_id}/lock")
def lock(thread_id: str, user: EditorDep, discussions: DiscussionsDep, body: Lock | None = None) -> dict[str, Any]:
    return discussions.lock(viewer(user), thread_id, locked=(body or Lock()).locked)


@router.post("/{thread_id}/hide")
def hide_thread(thread_id: str, user: EditorDep, discussions: DiscussionsDep, body: Moderation | None = None) -> dict[str, Any]:
    body = body or Moderation()
    return discussions.hide_thread(viewer(user), thread_id, hidden=body.hidden, reason=body.reason)


@pages.get("/discussions")
def discussions_page(user: OptionalUserDep) -> Response:
    return guard(user, "/discussions", Role.partner, Role.editor) or _page("discussions.html")


@pages.get("/discussions/{thread_id}")
def thread_page(thread_id: str, user: OptionalUserDep) -> Response:
    return guard(user, f"/discussions/{thread_id}", Role.partner, Role.editor) or _page("discussion.html")
