"""All conversations of a set of owners, exported or deleted at once (an organisation's data, PIPL).

Owners stay opaque here: the caller (api/org_data.py) names the owner ids (its users) and owner prefixes
(`widget:<key>:` for each of its widgets' visitors). Messages and feedback go with their conversation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from assistant.conversations import ConversationRow, FeedbackRow, MessageRow
from corpus.store import rows_affected

__all__ = ["delete_conversations", "export_conversations"]


def _of(owners: Sequence[str], prefixes: Sequence[str]):  # type: ignore[no-untyped-def]
    return or_(False, ConversationRow.owner.in_(list(owners)),
               *(ConversationRow.owner.startswith(p, autoescape=True) for p in prefixes))  # fmt: skip


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_conversations(engine: Engine, *, owners: Sequence[str], prefixes: Sequence[str] = ()) -> list[dict[str, Any]]:
    out = []
    with Session(engine) as s:
        for c in s.scalars(select(ConversationRow).where(_of(owners, prefixes)).order_by(ConversationRow.created_at)):
            rows = s.execute(select(MessageRow, FeedbackRow).outerjoin(FeedbackRow, FeedbackRow.message_id == MessageRow.id)
                             .where(MessageRow.conversation_id == c.id).order_by(MessageRow.seq)).all()  # fmt: skip
            out.append({
                "id": c.id, "owner": c.owner, "title": c.title, "customer": c.customer,
                "profile": json.loads(c.profile_json) if c.profile_json else None, "shared_with": c.shared_with,
                "created_at": _when(c.created_at), "updated_at": _when(c.updated_at),
                "messages": [{"id": m.id, "seq": m.seq, "role": m.role, "content": m.content, "status": m.status,
                              "mode": m.mode, "writer": m.writer, "intent": m.intent,
                              "sources": json.loads(m.sources_json or "[]"), "created_at": _when(m.created_at),
                              "feedback": {"rating": f.rating, "comment": f.comment} if f is not None else None}
                             for m, f in rows],
            })  # fmt: skip
    return out


def delete_conversations(engine: Engine, *, owners: Sequence[str], prefixes: Sequence[str] = ()) -> dict[str, int]:
    with Session(engine) as s, s.begin():
        ids = select(ConversationRow.id).where(_of(owners, prefixes))
        messages = select(MessageRow.id).where(MessageRow.conversation_id.in_(ids))
        feedback = rows_affected(s.execute(delete(FeedbackRow).where(FeedbackRow.message_id.in_(messages))))
        count = s.scalar(select(func.count()).select_from(MessageRow).where(MessageRow.conversation_id.in_(ids))) or 0
        s.execute(delete(MessageRow).where(MessageRow.conversation_id.in_(ids)))
        conversations = rows_affected(s.execute(delete(ConversationRow).where(_of(owners, prefixes))))
    return {"conversations": int(conversations or 0), "messages": int(count), "feedback": int(feedback or 0)}
