"""The editorial audit log's entries of given actors: exported, or pseudonymised when those actors are deleted.

The log is append-only evidence of who changed the corpus; when an organisation's users are deleted (PIPL),
their entries stay (the action, the document, the time) but name the actor only as `deleted` / 已注销用户.
Actors are opaque ids here (the caller, api/org_data.py, knows whose they are).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corpus.tables import AuditRow

__all__ = ["DELETED_ACTOR", "export_actor_audit", "pseudonymise_actors"]

DELETED_ACTOR = "deleted"
DELETED_NAME = "已注销用户"


def export_actor_audit(engine: Engine, actor_ids: Sequence[str]) -> list[dict[str, Any]]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.actor.in_(list(actor_ids))).order_by(AuditRow.id))
        return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "doc_id": r.doc_id, "version": r.version,
                 "detail": r.detail} for r in rows]  # fmt: skip


def pseudonymise_actors(engine: Engine, actor_ids: Sequence[str]) -> dict[str, int]:
    with Session(engine) as s, s.begin():
        rows = list(s.scalars(select(AuditRow).where(AuditRow.actor.in_(list(actor_ids)))))
        for row in rows:
            row.actor = DELETED_ACTOR
            if "actor_name" in (row.detail or {}):
                row.detail = {**row.detail, "actor_name": DELETED_NAME}
    return {"audit_entries_pseudonymised": len(rows)}
