"""What is new for a partner's watched customers: documents published or changed since a time, each matched
to a customer's profile with the reason it matters.

The matching rules, in one place (`why`):
- a document limited to regions (`regions:` in its front matter) matters only to customers in those provinces;
- a regulation or standard matters to customers of its industries, or to everyone when it is for all industries;
- a case matters to customers of its industry, and says so when it is about the customer's segment;
- a solution guide (new or revised) matters to customers of its industries, or to everyone;
- an industry profile or FAQ matters only to customers of the industry it was written for.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine, select

from assistant.models import INDUSTRY_LABELS
from assistant.passages import terms
from community.activity.log import province_of
from community.catalogue import DocInfo, NeedCatalogue
from community.rankings.service import document_url
from community.watch.store import WatchedCustomer, WatchStore
from corpus.labels import KIND_LABELS
from corpus.tables import DocumentRow

__all__ = ["FIRST_VISIT_DAYS", "UpdateItem", "UpdatesService", "why_it_matters"]

FIRST_VISIT_DAYS = 30  # a user who never marked updates as read sees this far back
KIND_NAMES = KIND_LABELS  # one vocabulary (corpus/labels.py)


class UpdateItem(BaseModel):
    customer: str
    customer_id: str
    doc_id: str
    title: str
    kind: str
    why: str
    published_at: dt.datetime
    url: str
    new: bool = True


def _revised(doc: DocInfo) -> bool:
    return doc.version.strip() not in ("", "1", "1.0", "v1")


def _segment_matches(segment: str, doc: DocInfo) -> bool:
    words = {t for t in terms(segment.replace("/", " ")) if len(t) >= 2}
    text = f"{doc.title}\n{doc.text}"
    return bool(words) and all(w in text for w in words)


def why_it_matters(customer: WatchedCustomer, doc: DocInfo) -> str | None:
    """Why a document matters to a customer, or None when it does not."""
    industry = INDUSTRY_LABELS.get(customer.industry, "")
    explicit = customer.industry in doc.industries
    general = "all" in doc.industries
    provinces = {p for p in (province_of(r) for r in doc.regions) if p}
    if provinces and customer.province not in provinces:
        return None
    where = f"{customer.province}的地方" if provinces else ""
    kind = doc.kind
    if kind in ("regulation", "standard"):
        name = KIND_NAMES[kind]
        if explicit:
            return f"新的{where}{name}，适用于{industry}行业" + ("（该客户在本省）" if provinces else "")
        if general:
            return f"新的{where}{name}，适用于各行业" + ("（该客户在本省）" if provinces else "")
        return None
    if kind == "case":
        if not (explicit or general):
            return None
        if customer.segment and _segment_matches(customer.segment, doc):
            return f"同一细分（{customer.segment}）的新案例"
        return f"{industry or '同行业'}的新案例" if explicit else None
    if kind == "solution":
        if not (explicit or general):
            return None
        state = f"已修订（第 {doc.version} 版）" if _revised(doc) else "新发布"
        scope = f"适用于{industry}行业" if explicit else "适用于各行业"
        return f"方案指南{state}，{scope}"
    if kind in ("industry_profile", "faq") and explicit:
        return f"{industry}行业{KIND_NAMES[kind]}{'已更新' if _revised(doc) else '新发布'}"
    return None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class UpdatesService:
    def __init__(self, engine: Engine, catalogue: NeedCatalogue, store: WatchStore) -> None:
        self.engine = engine
        self.catalogue = catalogue
        self.store = store

    def changed_since(self, since: dt.datetime) -> list[tuple[DocInfo, dt.datetime]]:
        """Published documents whose indexed version is newer than `since`, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(DocumentRow.id, DocumentRow.indexed_at)
                                .where(DocumentRow.indexed_at > since, DocumentRow.status == "published")).all()  # fmt: skip
        docs = self.catalogue.documents()
        found = [(docs[doc_id], _aware(at)) for doc_id, at in rows if doc_id in docs]
        return sorted(found, key=lambda pair: pair[1], reverse=True)

    def for_customers(self, customers: list[WatchedCustomer], *, since: dt.datetime, seen: dt.datetime | None,
                      limit: int = 200) -> list[UpdateItem]:  # fmt: skip
        items: list[UpdateItem] = []
        for doc, at in self.changed_since(since):
            for customer in customers:
                why = why_it_matters(customer, doc)
                if why is None:
                    continue
                items.append(UpdateItem(
                    customer=customer.customer, customer_id=customer.id, doc_id=doc.id, title=doc.title, kind=doc.kind,
                    why=why, published_at=at, url=document_url(doc.id), new=seen is None or at > seen,
                ))  # fmt: skip
                if len(items) >= limit:
                    return items
        return items

    def updates(self, *, org_id: str, user_id: str, since: dt.datetime | None = None, limit: int = 200) -> dict:
        """Items for the organisation's watched customers since `since` (default: the user's last visit)."""
        seen = self.store.seen_at(user_id)
        start = since or seen or (dt.datetime.now(dt.UTC) - dt.timedelta(days=FIRST_VISIT_DAYS))
        customers = self.store.list(org_id)
        items = self.for_customers(customers, since=start, seen=seen, limit=limit) if customers else []
        return {"since": start.isoformat(), "seen_at": seen.isoformat() if seen else None, "watched": len(customers),
                "unseen": sum(1 for i in items if i.new), "items": [i.model_dump(mode="json") for i in items]}  # fmt: skip

    def unseen(self, *, org_id: str, user_id: str) -> int:
        return int(self.updates(org_id=org_id, user_id=user_id)["unseen"])
