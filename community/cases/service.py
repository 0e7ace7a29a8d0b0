"""The case service: draft → redaction review → confirm → submit → approve (another person) → published;
reject, takedown, download. Each rule is decided here once; the API only parses and renders.

    draft ──confirm──▶ confirmed ──submit──▶ in_review ──approve──▶ published ──takedown──▶ taken_down
      ▲      (any edit of the fields or the redaction goes back to draft)      └─reject──▶ rejected
      └──────────── edit (from confirmed, rejected or taken_down) ─────────────────────────────┘

Who may do what (`Viewer`): the author's organisation reads and edits its cases in every state, and is the
only one to read the private half; editors (not of the author's organisation, never the author) read a case
once it is submitted and approve or reject it; anyone signed in reads a published case's summary and
downloads it. Review, publishing and takedown are the editorial workflow's (corpus/editorial.py): the
published summary is an editor-managed document `pc-<case id>` with versions, approval by someone else and
an audit log; takedown retires it, which takes it out of retrieval at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from community.activity.log import ActivityLog
from community.cases.authoring import Authoring, author_actor
from community.cases.hooks import CaseListener, DownloadEvent, TakedownEvent
from community.cases.models import SUBMITTED, CaseConflict, CaseError, CaseForbidden, CaseStatus, Viewer, aware
from community.cases.store import CaseStore, LibraryQuery
from community.cases.tables import CaseRow, utcnow
from community.cases.views import author_view, review_view, summary_view
from community.catalogue import NeedCatalogue
from community.redaction import Redactor
from community.redaction.places import REGIONS, region_of
from community.redaction.uniqueness import normalise_province
from community.watch.store import WatchStore
from corpus.editorial import Actor, EditorialError, EditorialStore

__all__ = ["DOC_PREFIX", "CaseService"]

DOC_PREFIX = "pc-"  # editorial document ids of partner cases; the generic editor routes leave them alone
MAX_NOTE = 1000


def _actor(viewer: Viewer) -> Actor:
    # Never `admin=True`: the editorial workflow lets admins approve their own versions; cases never may.
    return Actor(id=viewer.user_id, name=viewer.name)


class CaseService(Authoring):
    def __init__(
        self,
        store: CaseStore,
        *,
        editorial: EditorialStore,
        activity: ActivityLog | None = None,
        catalogue: NeedCatalogue | None = None,
        watch: WatchStore | None = None,
        profile: Callable[[str], Any] | None = None,
        redactor: Redactor | None = None,
        listeners: Sequence[CaseListener] = (),
    ) -> None:
        super().__init__(store, catalogue=catalogue, watch=watch, profile=profile, redactor=redactor or Redactor())
        self.editorial = editorial
        self.activity = activity
        self.listeners = list(listeners)

    # -- reading -------------------------------------------------------------------------------------
    def get(self, viewer: Viewer, case_id: str) -> dict[str, Any]:
        row = self.store.get(case_id)
        downloads = self.store.download_counts([row.id]).get(row.id, 0)
        if row.org_id == viewer.org_id:
            return author_view(row, self.store.private(case_id, viewer.org_id), downloads=downloads, titles=self.titles())
        if viewer.editor and CaseStatus(row.status) in SUBMITTED:
            return review_view(row, downloads=downloads, titles=self.titles())
        if row.status == CaseStatus.published.value:
            return summary_view(row, downloads=downloads, titles=self.titles())
        raise CaseForbidden("这是其他组织的案例，尚未发布或已下线，无权查看")

    def library(self, viewer: Viewer, *, industry: str | None = None, province: str | None = None,
                need: str | None = None, solution: str | None = None, q: str | None = None,
                limit: int = 20, offset: int = 0) -> dict[str, Any]:  # fmt: skip
        """Published cases, newest first. A province also finds cases published at its region's level."""
        regions: list[str] = []
        if province:
            if province.removesuffix("地区") in REGIONS:
                key = province.removesuffix("地区")
                regions = [key, *REGIONS[key]]
            else:
                full = normalise_province(province)
                regions = [full, region_of(full) or full]
        rows, total = self.store.library(LibraryQuery(industry=industry or None, regions=regions, need=need or None,
                                                      solution=solution or None, text=(q or "").strip() or None),
                                         limit=limit, offset=offset)  # fmt: skip
        counts = self.store.download_counts([r.id for r in rows])
        titles = self.titles()
        return {"items": [summary_view(r, downloads=counts.get(r.id, 0), titles=titles) for r in rows], "total": total,
                "limit": limit, "offset": offset}  # fmt: skip

    def mine(self, viewer: Viewer) -> list[dict[str, Any]]:
        rows = self.store.of_organisation(viewer.org_id)
        counts = self.store.download_counts([r.id for r in rows])
        customers = {p.case_id: p.customer for p in self.store.private_of_organisation(viewer.org_id)}
        titles = self.titles()
        return [summary_view(r, downloads=counts.get(r.id, 0), titles=titles) | {"customer": customers.get(r.id, ""),
                "updated_at": aware(r.updated_at).isoformat(), "review_note": r.review_note} for r in rows]  # type: ignore[union-attr]  # fmt: skip

    def queue(self, viewer: Viewer, statuses: Sequence[CaseStatus] = (CaseStatus.in_review,)) -> list[dict[str, Any]]:
        """The editors' review queue (oldest submission first); submitted states only, never drafts."""
        self._editor(viewer)
        wanted = [s for s in statuses if s in SUBMITTED]
        rows = self.store.with_status(wanted)
        counts = self.store.download_counts([r.id for r in rows])
        return [review_view(r, downloads=counts.get(r.id, 0), titles=self.titles()) for r in rows]

    def audit(self, viewer: Viewer, case_id: str) -> list[dict[str, Any]]:
        """The editorial audit trail of the case's document (submit, approve, reject, retire …), newest first."""
        row = self.store.get(case_id)
        if row.org_id != viewer.org_id and not (viewer.editor and CaseStatus(row.status) in SUBMITTED):
            raise CaseForbidden("无权查看该案例的审核记录")
        if not row.doc_id:
            return []
        # Outside the author's organisation its people are "作者", never their names or ids.
        ours = row.org_id == viewer.org_id
        authors = {row.author_id, row.submitted_by, row.confirmed_by, row.taken_down_by if row.taken_down_by_author else None} - {None}
        out = []
        for a in self.editorial.audit(doc_id=row.doc_id):
            hidden = not ours and (a.actor in authors or a.action in ("create", "edit", "submit"))
            out.append({"at": aware(a.at).isoformat(), "action": a.action, "version": a.version,  # type: ignore[union-attr]
                        "actor": "author" if hidden else a.actor,
                        "actor_name": "作者" if hidden else str(a.detail.get("actor_name", "")),
                        "note": str(a.detail.get("note", ""))})  # fmt: skip
        return out

    # -- review ----------------------------------------------------------------------------------------
    def _editor(self, viewer: Viewer) -> None:
        if not viewer.editor:
            raise CaseForbidden("需要编辑或管理员角色")

    def _reviewable(self, viewer: Viewer, row: CaseRow, verb: str) -> None:
        self._editor(viewer)
        if viewer.user_id in (row.author_id, row.submitted_by, row.confirmed_by):
            raise CaseForbidden(f"不能{verb}自己撰写或提交的案例：请由另一位编辑审核")
        if viewer.org_id == row.org_id:
            raise CaseForbidden(f"不能{verb}本组织的案例：请由其他组织的编辑审核")
        if row.status != CaseStatus.in_review.value:
            raise CaseConflict(f"案例当前状态是“{row.status}”，只有审核中的案例可以{verb}")

    def approve(self, viewer: Viewer, case_id: str, *, note: str = "") -> dict[str, Any]:
        """Publish: the editorial approval swaps the summary into retrieval before this returns."""
        row = self.store.get(case_id)
        self._reviewable(viewer, row, "批准")
        assert row.doc_id and row.doc_version
        self.editorial.approve(row.doc_id, row.doc_version, _actor(viewer), note=note[:MAX_NOTE])
        now = utcnow()
        with self.store.editing(case_id) as (_, live, _private):
            live.status, live.reviewed_at, live.reviewed_by, live.published_at = CaseStatus.published.value, now, viewer.user_id, now
            live.review_note, live.taken_down_at, live.taken_down_by, live.takedown_reason = note[:MAX_NOTE], None, None, ""
        if self.activity is not None:
            self.activity.record_shared_case(row.org_id, industry=row.industry, segment=row.segment,
                                             province=row.region if row.region_level == "province" else "",
                                             needs=row.solutions or [], topics=row.need_categories or [])  # fmt: skip
        return self.get(viewer, case_id)

    def reject(self, viewer: Viewer, case_id: str, *, note: str) -> dict[str, Any]:
        row = self.store.get(case_id)
        self._reviewable(viewer, row, "退回")
        if not note.strip():
            raise CaseError("退回时请写明原因（note），作者会看到")
        assert row.doc_id and row.doc_version
        self.editorial.reject(row.doc_id, row.doc_version, _actor(viewer), note=note[:MAX_NOTE])
        with self.store.editing(case_id) as (_, live, _private):
            live.status, live.reviewed_at, live.reviewed_by = CaseStatus.rejected.value, utcnow(), viewer.user_id
            live.review_note = note.strip()[:MAX_NOTE]
        return self.get(viewer, case_id)

    def takedown(self, viewer: Viewer, case_id: str, *, reason: str = "") -> dict[str, Any]:
        """Out of retrieval and the library at once (the author's organisation or an editor); history kept."""
        row = self.store.get(case_id)
        if row.org_id != viewer.org_id and not viewer.editor:
            raise CaseForbidden("只有作者所在组织或编辑可以下线案例")
        if row.status != CaseStatus.published.value:
            raise CaseConflict("只有已发布的案例可以下线")
        reason = reason.strip()[:MAX_NOTE] or ("作者下线" if row.org_id == viewer.org_id else "编辑下线")
        assert row.doc_id
        self.editorial.retire(row.doc_id, author_actor(viewer) if row.org_id == viewer.org_id else _actor(viewer), note=reason)
        now = utcnow()
        with self.store.editing(case_id) as (_, live, _private):
            live.status, live.taken_down_at, live.taken_down_by, live.takedown_reason = (
                CaseStatus.taken_down.value, now, viewer.user_id, reason)
            live.taken_down_by_author = row.org_id == viewer.org_id
        event = TakedownEvent(case_id=row.id, author_org_id=row.org_id, reason=reason, by_user_id=viewer.user_id, at=now)
        for listener in self.listeners:
            listener.on_takedown(event)
        return self.get(viewer, case_id)

    # -- downloads -------------------------------------------------------------------------------------
    def download(self, viewer: Viewer, case_id: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """The full confirmed text of a published case; the download is recorded (organisation, user, time)."""
        row = self.store.get(case_id)
        if row.status != CaseStatus.published.value:
            if row.org_id == viewer.org_id:
                raise CaseConflict("案例尚未发布（或已下线），不能下载")
            raise CaseForbidden("该案例未发布或已下线，无权查看")
        key = (idempotency_key or "").strip() or uuid.uuid4().hex
        if len(key) > 100:
            raise CaseError("Idempotency-Key 最长 100 个字符")
        record, repeated = self.store.record_download(row, org_id=viewer.org_id, user_id=viewer.user_id, key=key)
        if record.case_id != row.id:
            raise CaseConflict("这个 Idempotency-Key 已用于下载另一个案例")
        if not repeated and self.activity is not None and viewer.org_id != row.org_id:  # own downloads say nothing of demand
            self.activity.record_download(viewer.org_id, industry=row.industry, segment=row.segment,
                                          province=row.region if row.region_level == "province" else "",
                                          needs=row.solutions or [], topics=row.need_categories or [])  # fmt: skip
        event = DownloadEvent(case_id=row.id, author_org_id=row.org_id, downloader_org_id=viewer.org_id,
                              downloader_user_id=viewer.user_id, idempotency_key=key, download_id=record.id,
                              at=aware(record.at), repeated=repeated)  # type: ignore[arg-type]  # fmt: skip
        for listener in self.listeners:
            listener.on_download(event)
        return {**summary_view(row, titles=self.titles()), "text": row.text, "text_sha256": row.text_sha256,
                "download_id": record.id, "downloaded_at": event.at.isoformat(), "idempotency_key": key,
                "repeated": repeated, "filename": f"伙伴案例-{row.id}.md"}  # fmt: skip

    # -- crash recovery ----------------------------------------------------------------------------------
    def reconcile(self) -> list[str]:
        """Settle cases whose editorial step finished but whose own state was not written (a crash in between);
        run at startup after the editorial recovery. Returns one line per case settled."""
        settled = {("in_review", "published"): CaseStatus.published, ("in_review", "rejected"): CaseStatus.rejected,
                   ("published", "retired"): CaseStatus.taken_down}  # fmt: skip
        done: list[str] = []
        for row in self.store.with_status([CaseStatus.in_review, CaseStatus.published]):
            if not (row.doc_id and row.doc_version):
                continue
            try:
                version = self.editorial.version(row.doc_id, row.doc_version)
            except EditorialError:
                continue
            status = settled.get((row.status, version.state))
            if status is None:
                continue
            with self.store.editing(row.id) as (_, live, _private):
                live.status = status.value
                if status is CaseStatus.published:
                    live.published_at, live.reviewed_at, live.reviewed_by = version.published_at, version.reviewed_at, version.reviewed_by
                elif status is CaseStatus.rejected:
                    live.reviewed_at, live.reviewed_by, live.review_note = version.reviewed_at, version.reviewed_by, version.note
                else:
                    live.taken_down_at = version.retired_at
            done.append(f"{row.id}: {row.status} → {status.value}")
        return done

    # -- an organisation's data --------------------------------------------------------------------------
    def delete_organisation(self, org_id: str) -> dict[str, int]:
        """Everything the organisation holds here, for the organisation-deletion registry: published cases are
        taken out of retrieval and their editorial versions purged (the audit log keeps who did what), then
        both halves of every case, the downloads of them and by the organisation, and its handles."""
        system = Actor(id="system", name="organisation deletion")
        purged = 0
        for row in self.store.of_organisation(org_id):
            if row.doc_id:
                if row.status == CaseStatus.published.value:
                    self.editorial.retire(row.doc_id, system, note="组织注销")
                purged += self.editorial.purge(row.doc_id, system, note="组织注销")
        return {**self.store.delete_organisation(org_id), "case_versions": purged}

    def export_organisation(self, org_id: str) -> dict[str, Any]:
        """The organisation's cases (both halves, as written and as confirmed) and downloads, as JSON data."""
        cases = []
        privates = {p.case_id: p for p in self.store.private_of_organisation(org_id)}
        for row in self.store.of_organisation(org_id):
            private = privates.get(row.id)
            item = review_view(row)
            if private is not None:
                item |= {"customer": private.customer, "fields": private.fields, "original": private.original}
            cases.append(item)

        made = [{"case_id": d.case_id, "user_id": d.user_id, "at": aware(d.at).isoformat(),  # type: ignore[union-attr]
                 "idempotency_key": d.idempotency_key} for d in self.store.downloads(org_id=org_id)]  # fmt: skip
        # Downloads of our cases by others: when, not who (another organisation's activity is not ours to export).
        of_ours = [{"case_id": d.case_id, "at": aware(d.at).isoformat()}  # type: ignore[union-attr]
                   for d in self.store.downloads(author_org_id=org_id) if d.org_id != org_id]  # fmt: skip
        return {"cases": cases, "downloads_made": made, "downloads_of_our_cases": of_ours}
