"""What each reader sees of a case, in one place.

* `summary_view`: a published case in the library (any signed-in user): no full text, no findings.
* `review_view`: what an editor reviews once the author sent it out: the confirmed text, the findings
  without their originals, the uniqueness warning.
* `author_view`: the author's organisation: everything, the customer and the fields as written included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.models import CATEGORY_LABELS, INDUSTRY_LABELS
from community.cases.models import STATUS_LABELS, CaseStatus, aware
from community.cases.tables import CasePrivateRow, CaseRow
from corpus.document import ANONYMOUS_HANDLE

__all__ = ["author_view", "review_view", "summary_view"]


def _when(value: Any) -> str | None:
    found = aware(value)
    return found.isoformat() if found else None


def region_text(row: CaseRow) -> str:
    if row.region_level == "region" and row.region:
        return f"{row.region}地区" if not row.region.endswith("地区") else row.region
    return row.region or ""


def summary_view(row: CaseRow, *, downloads: int = 0, titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    titles = titles or {}
    return {
        "id": row.id,
        "status": row.status,
        "status_label": STATUS_LABELS[CaseStatus(row.status)],
        "title": row.title,
        "industry": row.industry,
        "industry_label": INDUSTRY_LABELS.get(row.industry, row.industry),
        "segment": row.segment,
        "region": region_text(row),
        "region_level": row.region_level,
        "year": row.year,
        "need_categories": [{"id": n, "label": CATEGORY_LABELS.get(n, n)} for n in row.need_categories or []],
        "solutions": [{"id": s, "title": titles.get(s, s)} for s in row.solutions or []],
        "handle": row.handle or ANONYMOUS_HANDLE,
        "label": "伙伴分享",
        "summary": row.summary,
        "doc_id": row.doc_id if row.status == CaseStatus.published.value else None,
        "published_at": _when(row.published_at),
        "downloads": downloads,
        "url": f"/cases/{row.id}",
    }


def review_view(row: CaseRow, *, downloads: int = 0, titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        **summary_view(row, downloads=downloads, titles=titles),
        "text": row.text,
        "text_sha256": row.text_sha256,
        "findings": row.findings or [],
        "uniqueness": row.uniqueness,
        "review_note": row.review_note,
        "submitted_at": _when(row.submitted_at),
        "reviewed_at": _when(row.reviewed_at),
        "reviewed_by": row.reviewed_by,
        "taken_down_at": _when(row.taken_down_at),
        "takedown_reason": row.takedown_reason,
        "doc_id": row.doc_id,
        "doc_version": row.doc_version,
    }


def author_view(row: CaseRow, private: CasePrivateRow, *, downloads: int = 0,
                titles: Mapping[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    fields = dict(private.fields or {})
    fields["attachments"] = [{"filename": a["filename"], "chars": len(a.get("markdown", ""))}
                             for a in fields.get("attachments", [])]  # fmt: skip
    return {
        **review_view(row, downloads=downloads, titles=titles),
        "customer": private.customer,
        "fields": fields,
        "author_id": row.author_id,
        "org_id": row.org_id,
        "created_at": _when(row.created_at),
        "updated_at": _when(row.updated_at),
        "confirmed_at": _when(row.confirmed_at),
        "mine": True,
    }
