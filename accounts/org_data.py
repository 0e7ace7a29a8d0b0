"""An organisation's data, for the PIPL rights of access (export) and deletion.

Every package that stores something about an organisation registers one part with a registry:

    registry.register("wallet", export_fn, delete_fn)

`export_fn(org_id)` returns JSON-serialisable data (never secrets: no password hashes, key hashes or widget
secrets); `delete_fn(org_id)` deletes it and returns `{what: count}`. Parts are exported in registration
order and deleted in reverse: the accounts part registers first, so the users and the organisation row go
last, after the parts that still look them up. api/org_data.py builds the registry from the container.

This module also holds the accounts part itself (`export_accounts`, `delete_accounts`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from accounts.store import AccountNotFound
from accounts.tables import ApiKeyRow, LoginAttemptRow, OrganisationRow, QuotaUsageRow, UserRow, WebSessionRow, WidgetKeyRow
from corpus.store import rows_affected

__all__ = ["ARCHIVE_FORMAT", "DeleteFn", "ExportFn", "OrgDataPart", "OrgDataRegistry", "delete_accounts", "export_accounts", "members"]

ARCHIVE_FORMAT = "top-advisor-organisation-export/1"
ExportFn = Callable[[str], Any]
DeleteFn = Callable[[str], dict[str, int]]


@dataclass(frozen=True)
class OrgDataPart:
    name: str
    export: ExportFn
    delete: DeleteFn


class OrgDataRegistry:
    """`check(org_id)` runs before an export or a deletion touches anything (raises for an unknown organisation)."""

    def __init__(self, *, check: Callable[[str], object] | None = None) -> None:
        self._parts: dict[str, OrgDataPart] = {}
        self._check = check or (lambda _org_id: None)

    def register(self, name: str, export_fn: ExportFn, delete_fn: DeleteFn) -> None:
        if not name.isidentifier() or name in self._parts:
            raise ValueError(f"organisation data part {name!r}: not a name, or registered twice")
        self._parts[name] = OrgDataPart(name, export_fn, delete_fn)

    @property
    def names(self) -> list[str]:
        return list(self._parts)

    def export(self, org_id: str) -> dict[str, Any]:
        self._check(org_id)
        return {name: part.export(org_id) for name, part in self._parts.items()}

    def archive(self, org_id: str) -> bytes:
        """One zip: `manifest.json` (format, organisation, time, parts) and `<part>.json` for each part."""
        data = self.export(org_id)
        manifest = {"format": ARCHIVE_FORMAT, "org_id": org_id, "exported_at": dt.datetime.now(dt.UTC).isoformat(),
                    "files": [f"{name}.json" for name in data]}  # fmt: skip
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", _json(manifest))
            for name, value in data.items():
                archive.writestr(f"{name}.json", _json(value))
        return buffer.getvalue()

    def delete(self, org_id: str) -> dict[str, dict[str, int]]:
        self._check(org_id)
        return {part.name: part.delete(org_id) for part in reversed(self._parts.values())}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def _when(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def _organisation(s: Session, org_id: str) -> OrganisationRow:
    row = s.get(OrganisationRow, org_id)
    if row is None:
        raise AccountNotFound(f"没有编号为“{org_id[:40]}”的组织")
    return row


def _members(s: Session, org_id: str) -> tuple[list[UserRow], list[WidgetKeyRow]]:
    users = list(s.scalars(select(UserRow).where(UserRow.org_id == org_id).order_by(UserRow.created_at)))
    widgets = list(s.scalars(select(WidgetKeyRow).where(WidgetKeyRow.org_id == org_id).order_by(WidgetKeyRow.created_at)))
    return users, widgets


def _attempts(users: list[UserRow]):  # type: ignore[no-untyped-def]
    ids, emails = [u.id for u in users], [u.email for u in users]
    return or_(LoginAttemptRow.user_id.in_(ids), LoginAttemptRow.email.in_(emails))


def _buckets(widgets: list[WidgetKeyRow]):  # type: ignore[no-untyped-def]
    """The quota and refused-origin counters of the organisation's widgets (`<key id>:…`)."""
    return or_(False, *(QuotaUsageRow.bucket.startswith(f"{w.id}:", autoescape=True) for w in widgets))


def members(engine: Engine, org_id: str) -> tuple[list[str], list[str]]:
    """(user ids, widget key ids) of the organisation: whose conversations are its own."""
    with Session(engine) as s:
        _organisation(s, org_id)
        users, widgets = _members(s, org_id)
        return [u.id for u in users], [w.id for w in widgets]


def export_accounts(engine: Engine, org_id: str) -> dict[str, Any]:
    with Session(engine) as s:
        org = _organisation(s, org_id)
        users, widgets = _members(s, org_id)
        user_ids = [u.id for u in users]
        keys = list(s.scalars(select(ApiKeyRow).where(ApiKeyRow.user_id.in_(user_ids))))
        attempts = list(s.scalars(select(LoginAttemptRow).where(_attempts(users)).order_by(LoginAttemptRow.at)))
        buckets = list(s.scalars(select(QuotaUsageRow).where(_buckets(widgets)))) if widgets else []
        return {
            "organisation": {"id": org.id, "name": org.name, "kind": org.kind, "created_at": _when(org.created_at)},
            "users": [{"id": u.id, "email": u.email, "name": u.name, "role": u.role, "disabled": u.disabled,
                       "created_at": _when(u.created_at)} for u in users],
            "api_keys": [{"id": k.id, "user_id": k.user_id, "name": k.name, "prefix": k.prefix, "created_at": _when(k.created_at),
                          "last_used_at": _when(k.last_used_at), "revoked_at": _when(k.revoked_at)} for k in keys],
            "widget_keys": [{"id": w.id, "created_by": w.created_by, "title": w.title, "greeting": w.greeting,
                             "colour": w.colour, "show_sources": w.show_sources,
                             "allowed_origins": json.loads(w.allowed_origins or "[]"),
                             "quota_per_user_day": w.quota_per_user_day, "quota_per_key_minute": w.quota_per_key_minute,
                             "require_identity": w.require_identity, "enabled": w.enabled,
                             "created_at": _when(w.created_at), "updated_at": _when(w.updated_at)} for w in widgets],
            "login_attempts": [{"at": _when(a.at), "email": a.email, "address": a.address, "outcome": a.outcome,
                                "detail": a.detail} for a in attempts],
            "widget_counters": [{"bucket": b.bucket, "count": b.count, "expires_at": _when(b.expires_at)} for b in buckets],
        }  # fmt: skip


def delete_accounts(engine: Engine, org_id: str) -> dict[str, int]:
    """The organisation row and everything of its users and widget keys: sessions, API keys, the login audit of
    its users, its widgets' quota counters and refused origins."""
    with Session(engine) as s, s.begin():
        _organisation(s, org_id)
        users, widgets = _members(s, org_id)
        user_ids = [u.id for u in users]
        counts = {
            "login_attempts": rows_affected(s.execute(delete(LoginAttemptRow).where(_attempts(users)))) if users else 0,
            "widget_counters": rows_affected(s.execute(delete(QuotaUsageRow).where(_buckets(widgets)))) if widgets else 0,
            "widget_keys": rows_affected(s.execute(delete(WidgetKeyRow).where(WidgetKeyRow.org_id == org_id))),
            "web_sessions": rows_affected(s.execute(delete(WebSessionRow).where(WebSessionRow.user_id.in_(user_ids)))),
            "api_keys": rows_affected(s.execute(delete(ApiKeyRow).where(ApiKeyRow.user_id.in_(user_ids)))),
            "users": rows_affected(s.execute(delete(UserRow).where(UserRow.org_id == org_id))),
        }
        s.execute(delete(OrganisationRow).where(OrganisationRow.id == org_id))
    return {**{k: int(v or 0) for k, v in counts.items()}, "organisations": 1}
