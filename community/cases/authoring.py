"""The author's side of the case service: write, redact, review the redaction, confirm, submit, delete.

Nothing here lets another organisation read the private half: every method starts from
`store.private(case_id, viewer.org_id)` or `store.editing(case_id, viewer.org_id)`, which refuse it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from assistant.models import CATEGORY_LABELS, INDUSTRY_LABELS
from community.cases.compose import document_text, summarise, summary_markdown, title_of
from community.cases.drafting import prepare
from community.cases.models import EDITABLE, CaseConflict, CaseError, CaseStatus, RegionLevel, Viewer
from community.cases.review import (
    RedactionState,
    finding_key,
    public_findings,
    public_uniqueness,
    region_label,
    side_by_side,
    uniqueness_for,
)
from community.cases.store import CaseStore
from community.cases.tables import CasePrivateRow, CaseRow, utcnow
from community.catalogue import NeedCatalogue
from community.redaction import Finding, Redactor
from community.redaction.places import REGIONS, region_of
from community.redaction.uniqueness import POPULATION
from community.watch.store import WatchStore
from corpus.document import ANONYMOUS_HANDLE, INDUSTRY_CODES, NEED_CATEGORIES, PARTNER_LABEL
from corpus.editorial import Actor, DocumentNotFound, EditorialStore

__all__ = ["Authoring", "author_actor", "check_handle"]

MAX_HANDLE = 40


def check_handle(handle: str) -> str:
    handle = " ".join(handle.split())
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in handle):
        raise CaseError("公开昵称不能含控制字符")
    if len(handle) > MAX_HANDLE:
        raise CaseError(f"公开昵称最多 {MAX_HANDLE} 个字")
    if handle in (PARTNER_LABEL, "编辑部", "ToP Advisor 编辑部"):
        raise CaseError(f"公开昵称不能是“{handle}”")
    return handle


def author_actor(viewer: Viewer) -> Actor:
    """The author in the editorial records: the id (so nobody approves their own version), never the name."""
    return Actor(id=viewer.user_id, name="作者")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state(private: CasePrivateRow) -> RedactionState:
    fields = private.fields or {}
    return RedactionState(
        original=private.original, proposed=[Finding.model_validate(f) for f in private.proposed or []],
        undone=set(private.undone or []), manual=[(int(m["start"]), int(m["end"])) for m in private.manual or []],
        phrases=list(private.phrases or []), region_level=RegionLevel(private.region_level or "province"),
        province=str(fields.get("province") or ""),
    )  # fmt: skip


class Authoring:
    editorial: EditorialStore

    def __init__(self, store: CaseStore, *, catalogue: NeedCatalogue | None, watch: WatchStore | None,
                 profile: Callable[[str], Any] | None, redactor: Redactor) -> None:  # fmt: skip
        self.store, self.catalogue, self.watch, self.profile, self.redactor = store, catalogue, watch, profile, redactor

    # -- what the forms offer ------------------------------------------------------------------------
    def solutions(self) -> dict[str, tuple[str, list[str]]]:
        """Solution guides as solution categories: id → (short title, need categories)."""
        if self.catalogue is None:
            return {}
        return {n.id: (n.need_title, n.need_categories) for n in self.catalogue.needs()}

    def titles(self) -> dict[str, str]:
        return {k: v[0] for k, v in self.solutions().items()}

    def options(self, viewer: Viewer) -> dict[str, Any]:
        watched = self.watch.list(viewer.org_id) if self.watch is not None else []
        return {
            "industries": [{"id": c, "label": INDUSTRY_LABELS.get(c, c)} for c in INDUSTRY_CODES],
            "need_categories": [{"id": c, "label": CATEGORY_LABELS.get(c, c)} for c in NEED_CATEGORIES],
            "solutions": [{"id": k, "title": v[0], "need_categories": v[1]} for k, v in sorted(self.solutions().items())],
            "provinces": sorted(POPULATION, key=lambda p: -POPULATION[p]),
            "regions": [f"{r}地区" for r in REGIONS],
            "region_levels": [{"id": "province", "label": "写到省份"}, {"id": "region", "label": "写到大区（如华东地区）"},
                              {"id": "national", "label": "不写地区（全国）"}],  # fmt: skip
            "customers": [w.model_dump(mode="json") for w in watched],
            "handle": self.store.handle(viewer.user_id),
        }

    def set_handle(self, viewer: Viewer, handle: str) -> str:
        return self.store.set_handle(user_id=viewer.user_id, org_id=viewer.org_id, handle=check_handle(handle))

    def known_names(self, org_id: str) -> list[str]:
        """The organisation's customers and their aliases (for warnings before it posts in discussions)."""
        names: list[str] = []
        for private in self.store.private_of_organisation(org_id):
            names += [private.customer, *((private.fields or {}).get("aliases") or [])]
        return [n for n in dict.fromkeys(names) if len(n) >= 2]

    # -- writing -------------------------------------------------------------------------------------
    def _prepare(self, viewer: Viewer, data: dict[str, Any], keep: list[dict[str, Any]] | None = None) -> Any:
        entries = {w.id: w for w in self.watch.list(viewer.org_id)} if self.watch is not None else {}
        return prepare(data, entries=entries, profile=self.profile, solutions=self.solutions(), redactor=self.redactor,
                       keep_attachments=keep)  # fmt: skip

    def create(self, viewer: Viewer, data: dict[str, Any]) -> dict[str, Any]:
        prepared = self._prepare(viewer, data)
        f = prepared.fields
        row = CaseRow(org_id=viewer.org_id, author_id=viewer.user_id, status=CaseStatus.draft.value, industry=f.industry,
                      segment=f.segment, year=f.year, need_categories=f.need_categories, solutions=f.solutions,
                      findings=[], created_at=utcnow(), updated_at=utcnow())  # fmt: skip
        private = CasePrivateRow(org_id=viewer.org_id, customer=f.customer, fields=f.model_dump(mode="json"),
                                 original=prepared.original, proposed=[p.model_dump(mode="json") for p in prepared.proposed],
                                 undone=[], manual=[], phrases=[], region_level=RegionLevel.province.value)  # fmt: skip
        self.store.add(row, private)
        return self.get(viewer, row.id)  # type: ignore[attr-defined]

    def update(self, viewer: Viewer, case_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """New fields: composed and redacted again; undone and offset-based additions are reset (the text moved),
        phrases and the region choice are kept; the case is a draft again."""
        current = self.store.private(case_id, viewer.org_id)
        prepared = self._prepare(viewer, data, keep=(current.fields or {}).get("attachments"))
        f = prepared.fields
        with self.store.editing(case_id, viewer.org_id) as (_, row, private):
            self._editable(row)
            assert private is not None
            row.industry, row.segment, row.year = f.industry, f.segment, f.year
            row.need_categories, row.solutions = f.need_categories, f.solutions
            private.customer, private.fields, private.original = f.customer, f.model_dump(mode="json"), prepared.original
            private.proposed, private.undone, private.manual = [p.model_dump(mode="json") for p in prepared.proposed], [], []
            self._back_to_draft(row)
        return self.get(viewer, case_id)  # type: ignore[attr-defined]

    def delete(self, viewer: Viewer, case_id: str) -> None:
        row = self.store.get(case_id)
        self.store.private(case_id, viewer.org_id)  # the author's organisation only
        if row.status in (CaseStatus.in_review.value, CaseStatus.published.value):
            raise CaseConflict("审核中或已发布的案例不能删除：已发布的请先下线")
        if row.doc_id:
            self.editorial.purge(row.doc_id, author_actor(viewer), note="作者删除案例")
        self.store.delete(case_id)

    @staticmethod
    def _editable(row: CaseRow) -> None:
        if CaseStatus(row.status) not in EDITABLE:
            raise CaseConflict("审核中或已发布的案例不能修改：已发布的请先下线，再修改后重新提交")

    @staticmethod
    def _back_to_draft(row: CaseRow) -> None:
        """Any change un-confirms: what the author confirmed is no longer what would be published."""
        row.status = CaseStatus.draft.value
        row.title, row.text, row.summary, row.text_sha256, row.findings, row.uniqueness = "", "", "", "", [], None
        row.confirmed_at, row.confirmed_by = None, None

    # -- the redaction review ------------------------------------------------------------------------
    def redaction(self, viewer: Viewer, case_id: str) -> dict[str, Any]:
        """The author's review: `{text, findings}` plus the side-by-side rows, every change, the uniqueness warning."""
        row = self.store.get(case_id)
        private = self.store.private(case_id, viewer.org_id)
        state = _state(private)
        findings = state.findings()
        text = state.text()
        fields = private.fields or {}
        return {
            "id": case_id, "status": row.status, "customer": private.customer, "original": state.original,
            "text": text, "text_sha256": _digest(text),
            "findings": [f.model_dump(mode="json") | {"key": finding_key(f), "label": f.label} for f in findings],
            "changes": state.changes(), "rows": side_by_side(state.original, findings),
            "phrases": state.phrases, "manual": [{"start": s, "end": e} for s, e in state.manual],
            "region_level": state.region_level.value, "region": region_label(state.region_level, state.province),
            "province": state.province, "region_of_province": f"{region_of(state.province)}地区" if region_of(state.province) else "",
            "aliases": self.redactor.aliases_for(private.customer), "handle": row.handle or self.store.handle(viewer.user_id),
            "uniqueness": self._uniqueness(row, fields, state.region_level),
        }  # fmt: skip

    @staticmethod
    def _uniqueness(row: CaseRow, fields: dict[str, Any], level: RegionLevel) -> dict[str, Any] | None:
        return uniqueness_for(industry=row.industry, segment=row.segment, province=str(fields.get("province") or ""),
                              year=row.year, size_band=str(fields.get("size_band") or ""), level=level)  # fmt: skip

    def edit_redaction(self, viewer: Viewer, case_id: str, *, undone: list[str] | None = None,
                       manual: list[tuple[int, int]] | None = None, phrases: list[str] | None = None,
                       region_level: RegionLevel | None = None) -> dict[str, Any]:  # fmt: skip
        """The author's edits; whatever is given replaces what was there. The case is a draft again."""
        with self.store.editing(case_id, viewer.org_id) as (_, row, private):
            self._editable(row)
            assert private is not None
            state = _state(private)
            if undone is not None:
                keys = {finding_key(f) for f in state.proposed}
                state.undone = {k for k in undone if k in keys}
            if manual is not None:
                state.manual = list(dict.fromkeys(manual))
            if phrases is not None:
                state.phrases = [p for p in dict.fromkeys(p.strip() for p in phrases) if p]
            if region_level is not None:
                state.region_level = region_level
            state.check_manual()
            private.undone = sorted(state.undone)
            private.manual = [{"start": s, "end": e} for s, e in state.manual]
            private.phrases, private.region_level = state.phrases, state.region_level.value
            self._back_to_draft(row)
        return self.redaction(viewer, case_id)

    def confirm(self, viewer: Viewer, case_id: str, *, handle: str | None = None, anonymous: bool = False,
                acknowledge_uniqueness: bool = False, text_sha256: str | None = None) -> dict[str, Any]:  # fmt: skip
        """The author accepts the redacted text: from now on it (and only it) may leave the organisation."""
        with self.store.editing(case_id, viewer.org_id) as (_, row, private):
            self._editable(row)
            assert private is not None
            state = _state(private)
            text = state.text()
            if text_sha256 and text_sha256 != _digest(text):
                raise CaseConflict("脱敏结果已被修改（可能是同事刚改过），请刷新后重新核对再确认")
            if not row.need_categories:
                raise CaseError("请至少选择一个需求类别（need_categories），或选择方案类别")
            fields = private.fields or {}
            found = self._uniqueness(row, fields, state.region_level)
            if found and not found["resolved"] and not acknowledge_uniqueness:
                raise CaseError(f"{found.get('level_message') or found['message']}{found.get('suggestion') or ''}。"
                                "如确认仍按此发布，请勾选“我已了解可识别风险”（acknowledge_uniqueness）")  # fmt: skip
            summary = summarise(text)
            if not summary:
                raise CaseError("脱敏后的案例没有可发布的内容：请填写方案或正文")
            chosen = "" if anonymous else check_handle(handle if handle is not None else self.store.handle(viewer.user_id))
            province = str(fields.get("province") or "")
            level = state.region_level if province else RegionLevel.national
            row.status, row.title = CaseStatus.confirmed.value, (title_of(text) or "伙伴案例")[:200]
            row.text, row.summary, row.text_sha256 = text, summary_markdown(summary), _digest(text)
            row.findings = public_findings(state.findings())
            row.uniqueness = public_uniqueness(found, level)
            row.region_level = level.value
            row.region = {RegionLevel.province: province, RegionLevel.region: region_of(province) or ""}.get(level, "全国")
            row.handle, row.confirmed_at, row.confirmed_by = chosen, utcnow(), viewer.user_id
        return self.get(viewer, case_id)  # type: ignore[attr-defined]

    def submit(self, viewer: Viewer, case_id: str) -> dict[str, Any]:
        """Into the editors' queue: the confirmed summary becomes (a new version of) document `pc-<id>`."""
        row = self.store.get(case_id)
        self.store.private(case_id, viewer.org_id)
        if row.status != CaseStatus.confirmed.value:
            raise CaseConflict("请先核对并确认脱敏结果，再提交审核" if row.status == CaseStatus.draft.value
                               else f"案例当前状态是“{row.status}”，不能提交审核")  # fmt: skip
        doc_id = row.doc_id or f"pc-{row.id}"
        text = self.document(row, doc_id)
        actor = author_actor(viewer)
        try:  # the document may exist without the case knowing it (a submit interrupted before its last step)
            exists = bool(self.editorial.versions(doc_id))
        except DocumentNotFound:
            exists = False
        version = (self.editorial.edit(doc_id, text, actor, note="作者重新提交") if exists
                   else self.editorial.create_draft(text, actor, note="伙伴分享案例"))  # fmt: skip
        self.editorial.submit(doc_id, version.number, actor)
        with self.store.editing(case_id, viewer.org_id) as (_, live, _private):
            live.status, live.doc_id, live.doc_version = CaseStatus.in_review.value, doc_id, version.number
            live.submitted_at, live.submitted_by, live.review_note = utcnow(), viewer.user_id, ""
        return self.get(viewer, case_id)  # type: ignore[attr-defined]

    def document(self, row: CaseRow, doc_id: str) -> str:
        """The corpus document that publishes the case's confirmed summary."""
        region = {"province": row.region, "region": f"{row.region}地区"}.get(row.region_level, "全国")
        facts = [("行业", INDUSTRY_LABELS.get(row.industry, row.industry)), ("细分", row.segment), ("地区", region),
                 ("年份", f"{row.year}年" if row.year else ""),
                 ("需求类别", "、".join(CATEGORY_LABELS.get(n, n) for n in row.need_categories or [])),
                 ("方案类别", "、".join(self.titles().get(s, s) for s in row.solutions or []))]  # fmt: skip
        line = "；".join(f"{k}：{v}" for k, v in facts if v) + "。"
        tags = [t for t in [row.segment, *(self.titles().get(s, "") for s in row.solutions or [])] if t]
        return document_text(doc_id=doc_id, case_id=row.id, title=row.title, industry=row.industry,
                             need_categories=list(row.need_categories or []), region=region, facts=line, handle=row.handle or ANONYMOUS_HANDLE, summary=row.summary,
                             day=(row.confirmed_at or utcnow()).date() if row.confirmed_at else dt.date.today(),
                             tags=tags)  # fmt: skip
