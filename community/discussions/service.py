"""Topic discussions: threads by topic, replies, mentions of published documents and cases, moderation, reports.

    service.create(viewer, topic_kind="industry", topic="healthcare", title=…, body=…)   # PiiWarning first
    service.reply(viewer, thread_id, body="见 [[pc-3f9a…]] 的做法")                      # a published case
    service.hide_post(editor, post_id, hidden=True, reason="含客户名称")

Everyone signed in reads and writes; editors (and admins) moderate. A mention `[[doc-id]]` links only when
the document is published (a case's summary document `pc-<id>` included); anything else stays plain text, so
a mention can never reveal an unpublished case. Posts show the author's public handle, never the
organisation; editors also see the author's user and organisation ids, to follow up on reports.
"""

from __future__ import annotations

import builtins
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import sessionmaker

from assistant.models import INDUSTRY_LABELS
from community.cases.models import Viewer, aware
from community.catalogue import NeedCatalogue
from community.discussions.pii import PiiWarning, pii_warnings
from community.discussions.tables import PostRow, ReportRow, ThreadRow, utcnow
from corpus.document import INDUSTRY_CODES
from corpus.store import rows_affected

__all__ = ["TOPIC_KINDS", "DiscussionError", "DiscussionForbidden", "DiscussionNotFound", "DiscussionService"]

TOPIC_KINDS = {"industry": "行业", "regulation": "法规标准", "need": "需求", "general": "综合"}
MENTION = re.compile(r"\[\[([a-z0-9][a-z0-9-]{2,79})\]\]")
MAX_TITLE, MAX_BODY, MAX_REASON = 120, 10_000, 1000


class DiscussionError(ValueError):
    """A request that cannot be honoured as asked; message in Chinese."""


class DiscussionNotFound(LookupError):
    pass


class DiscussionForbidden(Exception):
    pass


def default_handle(user_id: str) -> str:
    """A stable pseudonym for a user without a public handle."""
    return "伙伴·" + hashlib.sha256(user_id.encode()).hexdigest()[:4]


def _when(value: Any) -> str | None:
    found = aware(value)
    return found.isoformat() if found else None


class DiscussionService:
    def __init__(self, engine: Engine, *, catalogue: NeedCatalogue | None = None,
                 handle_of: Callable[[str], str] | None = None,
                 known_names: Callable[[str], Sequence[str]] | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.catalogue = catalogue
        self.handle_of = handle_of or (lambda _user: "")
        self.known_names = known_names or (lambda _org: [])
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- topics and mentions -------------------------------------------------------------------------
    def topics(self) -> dict[str, Any]:
        docs = self.catalogue.documents() if self.catalogue is not None else {}
        with self._sessions() as s:
            counts = {(k, t): n for k, t, n in s.execute(select(ThreadRow.topic_kind, ThreadRow.topic, func.count())
                      .where(ThreadRow.hidden.is_(False)).group_by(ThreadRow.topic_kind, ThreadRow.topic))}  # fmt: skip

        def item(kind: str, topic: str, label: str) -> dict[str, Any]:
            return {"kind": kind, "topic": topic, "label": label, "threads": counts.get((kind, topic), 0)}

        return {
            "kinds": [{"id": k, "label": v} for k, v in TOPIC_KINDS.items()],
            "industry": [item("industry", c, INDUSTRY_LABELS.get(c, c)) for c in INDUSTRY_CODES],
            "regulation": sorted((item("regulation", d.id, d.title) for d in docs.values()
                                  if d.kind in ("regulation", "standard")), key=lambda i: i["label"]),  # fmt: skip
            "need": sorted((item("need", d.id, d.need_title) for d in docs.values() if d.kind == "solution"),
                           key=lambda i: i["label"]),  # fmt: skip
            "general": [item("general", "", "综合讨论")],
        }

    def _topic_label(self, kind: str, topic: str) -> str:
        if kind == "industry":
            return INDUSTRY_LABELS.get(topic, topic)
        if kind == "general":
            return "综合讨论"
        doc = self.catalogue.get(topic) if self.catalogue is not None else None
        return (doc.need_title if kind == "need" else doc.title) if doc is not None else topic

    def _check_topic(self, kind: str, topic: str) -> str:
        if kind not in TOPIC_KINDS:
            raise DiscussionError(f"未知的话题类型“{kind[:20]}”；可选：{', '.join(TOPIC_KINDS)}")
        if kind == "general":
            return ""
        if kind == "industry":
            if topic not in INDUSTRY_CODES:
                raise DiscussionError(f"未知的行业代码“{topic[:40]}”")
            return topic
        doc = self.catalogue.get(topic) if self.catalogue is not None else None
        wanted = ("solution",) if kind == "need" else ("regulation", "standard")
        if doc is None or doc.kind not in wanted:
            raise DiscussionError(f"没有已发布的{TOPIC_KINDS[kind]}文档“{topic[:80]}”")
        return topic

    def mentionable(self, q: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Published documents (cases first) whose title contains `q`, to insert as [[id]]."""
        docs = self.catalogue.documents() if self.catalogue is not None else {}
        q = q.strip()
        found = [d for d in docs.values() if q and (q in d.title or q == d.id)]
        found.sort(key=lambda d: (d.kind != "case", d.title))
        return [self._mention(d.id) for d in found[:limit]]  # type: ignore[misc]

    def _mention(self, doc_id: str) -> dict[str, Any] | None:
        doc = self.catalogue.get(doc_id) if self.catalogue is not None else None
        if doc is None:
            return None
        url = f"/cases/{doc_id[3:]}" if doc_id.startswith("pc-") else f"/documents/{doc_id}"
        return {"id": doc_id, "title": doc.title, "kind": doc.kind, "url": url, "partner": doc_id.startswith("pc-")}

    # -- reading -------------------------------------------------------------------------------------
    def list(self, viewer: Viewer, *, topic_kind: str | None = None, topic: str | None = None, q: str | None = None,
             mention: str | None = None, limit: int = 20, offset: int = 0) -> dict[str, Any]:  # fmt: skip
        query = select(ThreadRow).order_by(ThreadRow.last_post_at.desc(), ThreadRow.id)
        if not viewer.editor:
            query = query.where(ThreadRow.hidden.is_(False))
        if topic_kind:
            query = query.where(ThreadRow.topic_kind == topic_kind)
        if topic:
            query = query.where(ThreadRow.topic == topic)
        if q and q.strip():
            query = query.where(ThreadRow.title.like(f"%{q.strip().replace('%', '').replace('_', '')}%"))
        with self._sessions() as s:
            threads = list(s.scalars(query))
            if mention:
                ids = {p.thread_id for p in s.scalars(select(PostRow).where(PostRow.hidden.is_(False)))
                       if mention in (p.mentions or [])}  # fmt: skip
                threads = [t for t in threads if t.id in ids]
        return {"items": [self._thread(t, viewer) for t in threads[offset : offset + limit]], "total": len(threads),
                "limit": limit, "offset": offset}  # fmt: skip

    def get(self, viewer: Viewer, thread_id: str) -> dict[str, Any]:
        with self._sessions() as s:
            thread = self._thread_row(s, thread_id, viewer)
            posts = list(s.scalars(select(PostRow).where(PostRow.thread_id == thread.id)
                                   .order_by(PostRow.created_at, PostRow.id)))  # fmt: skip
        return {**self._thread(thread, viewer), "posts": [self._post(p, viewer) for p in posts]}

    def _thread_row(self, s: Any, thread_id: str, viewer: Viewer) -> ThreadRow:
        thread = s.get(ThreadRow, thread_id) if len(thread_id) <= 24 else None
        if thread is None or (thread.hidden and not viewer.editor):
            raise DiscussionNotFound(f"没有讨论“{thread_id[:24]}”（或已被编辑隐藏）")
        return thread

    def _thread(self, t: ThreadRow, viewer: Viewer) -> dict[str, Any]:
        out = {"id": t.id, "topic_kind": t.topic_kind, "topic_kind_label": TOPIC_KINDS.get(t.topic_kind, t.topic_kind),
               "topic": t.topic, "topic_label": self._topic_label(t.topic_kind, t.topic), "title": t.title,
               "handle": t.handle, "posts": t.posts, "created_at": _when(t.created_at), "last_post_at": _when(t.last_post_at),
               "locked": t.locked, "hidden": t.hidden, "mine": t.org_id == viewer.org_id, "url": f"/discussions/{t.id}"}  # fmt: skip
        if viewer.editor:
            out |= {"author_id": t.author_id, "org_id": t.org_id, "hidden_reason": t.hidden_reason}
        return out

    def _post(self, p: PostRow, viewer: Viewer) -> dict[str, Any]:
        shown = not p.hidden or viewer.editor
        out = {"id": p.id, "handle": p.handle, "created_at": _when(p.created_at), "hidden": p.hidden,
               "body": p.body if shown else "", "mentions": [m for m in (self._mention(i) for i in p.mentions or []) if m]
               if shown else [], "mine": p.author_id == viewer.user_id}  # fmt: skip
        if viewer.editor:
            out |= {"author_id": p.author_id, "org_id": p.org_id, "hidden_reason": p.hidden_reason}
        return out

    # -- writing -------------------------------------------------------------------------------------
    def check(self, viewer: Viewer, text: str) -> builtins.list[dict[str, Any]]:
        """What the PII detection would warn about in `text` (the poster's own text and customers only)."""
        return pii_warnings(text[:MAX_BODY], known=self.known_names(viewer.org_id))

    def _body(self, viewer: Viewer, body: str, *, title: str = "", acknowledge_pii: bool) -> tuple[str, builtins.list[str]]:
        body = body.replace("\r\n", "\n").strip()
        if not body:
            raise DiscussionError("内容不能为空")
        if len(body) > MAX_BODY:
            raise DiscussionError(f"内容最多 {MAX_BODY} 个字（现在 {len(body)} 个）")
        if not acknowledge_pii:
            found = self.check(viewer, f"{title}\n{body}" if title else body)
            if found:
                raise PiiWarning(found)
        mentions = [m for m in dict.fromkeys(MENTION.findall(body)) if self._mention(m) is not None]
        return body, mentions

    def _handle(self, viewer: Viewer) -> str:
        return self.handle_of(viewer.user_id) or default_handle(viewer.user_id)

    def create(self, viewer: Viewer, *, topic_kind: str, topic: str = "", title: str, body: str,
               acknowledge_pii: bool = False) -> dict[str, Any]:  # fmt: skip
        topic = self._check_topic(topic_kind, topic.strip())
        title = " ".join(title.split())
        if not title or len(title) > MAX_TITLE:
            raise DiscussionError(f"标题须为 1–{MAX_TITLE} 个字")
        text, mentions = self._body(viewer, body, title=title, acknowledge_pii=acknowledge_pii)
        now, handle = utcnow(), self._handle(viewer)
        with self._sessions.begin() as s:
            thread = ThreadRow(topic_kind=topic_kind, topic=topic, title=title, org_id=viewer.org_id,
                               author_id=viewer.user_id, handle=handle, posts=1, created_at=now, last_post_at=now,
                               locked=False, hidden=False, hidden_reason="")  # fmt: skip
            s.add(thread)
            s.flush()
            s.add(PostRow(thread_id=thread.id, org_id=viewer.org_id, author_id=viewer.user_id, handle=handle, body=text,
                          mentions=mentions, created_at=now, hidden=False, hidden_reason=""))  # fmt: skip
        return self.get(viewer, thread.id)

    def reply(self, viewer: Viewer, thread_id: str, *, body: str, acknowledge_pii: bool = False) -> dict[str, Any]:
        with self._sessions() as s:
            thread = self._thread_row(s, thread_id, viewer)
        if thread.locked and not viewer.editor:
            raise DiscussionForbidden("该讨论已被编辑锁定，不能再回复")
        text, mentions = self._body(viewer, body, acknowledge_pii=acknowledge_pii)
        now = utcnow()
        with self._sessions.begin() as s:
            post = PostRow(thread_id=thread.id, org_id=viewer.org_id, author_id=viewer.user_id, handle=self._handle(viewer),
                           body=text, mentions=mentions, created_at=now, hidden=False, hidden_reason="")  # fmt: skip
            s.add(post)
            s.execute(update(ThreadRow).where(ThreadRow.id == thread.id)
                      .values(posts=ThreadRow.posts + 1, last_post_at=now))  # fmt: skip
        return self._post(post, viewer)

    # -- moderation ----------------------------------------------------------------------------------
    def _moderator(self, viewer: Viewer) -> None:
        if not viewer.editor:
            raise DiscussionForbidden("需要编辑或管理员角色")

    def lock(self, viewer: Viewer, thread_id: str, *, locked: bool) -> dict[str, Any]:
        self._moderator(viewer)
        with self._sessions.begin() as s:
            thread = self._thread_row(s, thread_id, viewer)
            thread.locked, thread.locked_by, thread.locked_at = locked, viewer.user_id, utcnow()
        return self.get(viewer, thread_id)

    def hide_thread(self, viewer: Viewer, thread_id: str, *, hidden: bool, reason: str = "") -> dict[str, Any]:
        self._moderator(viewer)
        with self._sessions.begin() as s:
            thread = self._thread_row(s, thread_id, viewer)
            thread.hidden, thread.hidden_by, thread.hidden_at = hidden, viewer.user_id, utcnow()
            thread.hidden_reason = reason.strip()[:MAX_REASON]
        return self.get(viewer, thread_id)

    def hide_post(self, viewer: Viewer, post_id: str, *, hidden: bool, reason: str = "") -> dict[str, Any]:
        self._moderator(viewer)
        with self._sessions.begin() as s:
            post = s.get(PostRow, post_id) if len(post_id) <= 24 else None
            if post is None:
                raise DiscussionNotFound(f"没有帖子“{post_id[:24]}”")
            post.hidden, post.hidden_by, post.hidden_at = hidden, viewer.user_id, utcnow()
            post.hidden_reason = reason.strip()[:MAX_REASON]
            if hidden:  # hiding settles its open reports
                s.execute(update(ReportRow).where(ReportRow.post_id == post_id, ReportRow.resolved_at.is_(None))
                          .values(resolved_at=utcnow(), resolved_by=viewer.user_id, resolution="已隐藏"))  # fmt: skip
        return self._post(post, viewer)

    def report(self, viewer: Viewer, post_id: str, *, reason: str) -> dict[str, Any]:
        reason = reason.strip()
        if not reason:
            raise DiscussionError("请写明举报原因")
        with self._sessions.begin() as s:
            post = s.get(PostRow, post_id) if len(post_id) <= 24 else None
            if post is None or post.hidden:
                raise DiscussionNotFound(f"没有帖子“{post_id[:24]}”（或已被隐藏）")
            earlier = s.scalar(select(ReportRow).where(ReportRow.post_id == post.id, ReportRow.reporter_id == viewer.user_id,
                                                       ReportRow.resolved_at.is_(None)))  # fmt: skip
            if earlier is not None:  # reported again before a moderator looked: one report, not a pile of them
                return {"id": earlier.id, "post_id": post_id, "status": "open", "already_reported": True}
            report = ReportRow(post_id=post.id, thread_id=post.thread_id, org_id=viewer.org_id, reporter_id=viewer.user_id,
                               reason=reason[:MAX_REASON], created_at=utcnow(), resolution="")  # fmt: skip
            s.add(report)
        return {"id": report.id, "post_id": post_id, "status": "open"}

    def reports(self, viewer: Viewer, *, open_only: bool = True) -> builtins.list[dict[str, Any]]:
        self._moderator(viewer)
        with self._sessions() as s:
            query = select(ReportRow, PostRow).join(PostRow, PostRow.id == ReportRow.post_id).order_by(ReportRow.created_at)
            if open_only:
                query = query.where(ReportRow.resolved_at.is_(None))
            rows = list(s.execute(query))
        return [{"id": r.id, "post_id": r.post_id, "thread_id": r.thread_id, "reason": r.reason, "created_at": _when(r.created_at),
                 "resolved_at": _when(r.resolved_at), "resolution": r.resolution, "reporter_id": r.reporter_id,
                 "post": self._post(p, viewer), "url": f"/discussions/{r.thread_id}#post-{r.post_id}"}
                for r, p in rows]  # fmt: skip

    def resolve(self, viewer: Viewer, report_id: str, *, resolution: str = "") -> dict[str, Any]:
        self._moderator(viewer)
        with self._sessions.begin() as s:
            report = s.get(ReportRow, report_id) if len(report_id) <= 24 else None
            if report is None:
                raise DiscussionNotFound(f"没有举报“{report_id[:24]}”")
            report.resolved_at, report.resolved_by = utcnow(), viewer.user_id
            report.resolution = resolution.strip()[:MAX_REASON] or "无需处理"
        return {"id": report_id, "status": "resolved", "resolution": report.resolution}

    # -- an organisation's data ----------------------------------------------------------------------
    def delete_organisation(self, org_id: str) -> dict[str, int]:
        """The organisation's posts and reports; its threads that others replied to stay, titled as removed."""
        with self._sessions.begin() as s:
            reports = rows_affected(s.execute(delete(ReportRow).where(ReportRow.org_id == org_id)))
            own_posts = select(PostRow.id).where(PostRow.org_id == org_id)
            s.execute(delete(ReportRow).where(ReportRow.post_id.in_(own_posts)))
            posts = rows_affected(s.execute(delete(PostRow).where(PostRow.org_id == org_id)))
            threads = 0
            for thread in list(s.scalars(select(ThreadRow).where(ThreadRow.org_id == org_id))):
                left = s.scalar(select(func.count()).select_from(PostRow).where(PostRow.thread_id == thread.id)) or 0
                if left == 0:
                    s.delete(thread)
                    threads += 1
                else:
                    thread.title, thread.handle, thread.author_id, thread.org_id = "（发起人已删除）", "已注销", "", ""
                    thread.posts = left
        return {"discussion_posts": int(posts), "discussion_threads": threads, "discussion_reports": int(reports)}

    def export_organisation(self, org_id: str) -> dict[str, Any]:
        with self._sessions() as s:
            posts = list(s.scalars(select(PostRow).where(PostRow.org_id == org_id).order_by(PostRow.created_at)))
            threads = list(s.scalars(select(ThreadRow).where(ThreadRow.org_id == org_id)))
            reports = list(s.scalars(select(ReportRow).where(ReportRow.org_id == org_id)))
        return {
            "threads": [{"id": t.id, "title": t.title, "topic_kind": t.topic_kind, "topic": t.topic,
                         "created_at": _when(t.created_at)} for t in threads],
            "posts": [{"id": p.id, "thread_id": p.thread_id, "user_id": p.author_id, "handle": p.handle, "body": p.body,
                       "created_at": _when(p.created_at), "hidden": p.hidden} for p in posts],
            "reports": [{"id": r.id, "post_id": r.post_id, "reason": r.reason, "created_at": _when(r.created_at)}
                        for r in reports],
        }  # fmt: skip
