"""The case repository. The private half is only reachable through `private(case_id, org_id)`, which refuses
any organisation but the author's; nothing else in this module returns a private row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from community.cases.models import CaseForbidden, CaseNotFound, CaseStatus
from community.cases.tables import CaseDownloadRow, CasePrivateRow, CaseRow, HandleRow, utcnow
from corpus.store import rows_affected

__all__ = ["CaseStore", "LibraryQuery"]


class LibraryQuery:
    """Filters of the case library (published cases only)."""

    def __init__(self, *, industry: str | None = None, regions: Sequence[str] = (), need: str | None = None,
                 solution: str | None = None, text: str | None = None) -> None:  # fmt: skip
        self.industry, self.regions, self.need, self.solution, self.text = industry, tuple(regions), need, solution, text


class CaseStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.session = self._sessions.begin  # one transaction per `with`

    # -- one case ----------------------------------------------------------------------------------
    def add(self, row: CaseRow, private: CasePrivateRow) -> CaseRow:
        with self.session() as s:
            s.add(row)
            s.flush()
            private.case_id = row.id
            s.add(private)
        return row

    def get(self, case_id: str) -> CaseRow:
        with self.session() as s:
            row = s.get(CaseRow, case_id) if len(case_id) <= 24 else None
        if row is None:
            raise CaseNotFound(f"没有案例“{case_id[:24]}”")
        return row

    def private(self, case_id: str, org_id: str) -> CasePrivateRow:
        """The private half, for the author's organisation only (CaseForbidden for anyone else)."""
        with self.session() as s:
            row = s.get(CasePrivateRow, case_id) if len(case_id) <= 24 else None
        if row is None:
            raise CaseNotFound(f"没有案例“{case_id[:24]}”")
        if row.org_id != org_id:
            raise CaseForbidden("这是其他组织的案例，原文和客户信息只有作者所在组织可见")
        return row

    @contextmanager
    def editing(self, case_id: str, org_id: str | None = None) -> Iterator[tuple[Session, CaseRow, CasePrivateRow | None]]:
        """Both halves in one transaction (the private one only for the author's organisation)."""
        with self.session() as s:
            row = s.get(CaseRow, case_id)
            if row is None:
                raise CaseNotFound(f"没有案例“{case_id[:24]}”")
            private = None
            if org_id is not None:
                if row.org_id != org_id:
                    raise CaseForbidden("这是其他组织的案例，只有作者所在组织可以修改")
                private = s.get(CasePrivateRow, case_id)
            yield s, row, private
            row.updated_at = utcnow()

    def delete(self, case_id: str) -> None:
        with self.session() as s:
            s.execute(delete(CaseDownloadRow).where(CaseDownloadRow.case_id == case_id))
            s.execute(delete(CasePrivateRow).where(CasePrivateRow.case_id == case_id))
            s.execute(delete(CaseRow).where(CaseRow.id == case_id))

    # -- lists -------------------------------------------------------------------------------------
    def library(self, query: LibraryQuery, *, limit: int, offset: int) -> tuple[list[CaseRow], int]:
        where: list[Any] = [CaseRow.status == CaseStatus.published.value]
        if query.industry:
            where.append(CaseRow.industry == query.industry)
        if query.regions:
            where.append(CaseRow.region.in_(query.regions))
        if query.text:
            like = f"%{query.text.replace('%', '').replace('_', '')}%"
            where.append(or_(CaseRow.title.like(like), CaseRow.summary.like(like)))
        with self.session() as s:
            rows = list(s.scalars(select(CaseRow).where(*where).order_by(CaseRow.published_at.desc(), CaseRow.id)))
        # JSON list membership is filtered here: portable across SQLite and PostgreSQL without JSON operators.
        if query.need:
            rows = [r for r in rows if query.need in (r.need_categories or [])]
        if query.solution:
            rows = [r for r in rows if query.solution in (r.solutions or [])]
        return rows[offset : offset + limit], len(rows)

    def of_organisation(self, org_id: str) -> list[CaseRow]:
        with self.session() as s:
            return list(s.scalars(select(CaseRow).where(CaseRow.org_id == org_id).order_by(CaseRow.updated_at.desc())))

    def with_status(self, statuses: Sequence[CaseStatus]) -> list[CaseRow]:
        with self.session() as s:
            query = select(CaseRow).where(CaseRow.status.in_([st.value for st in statuses]))
            return list(s.scalars(query.order_by(CaseRow.submitted_at, CaseRow.id)))

    def private_of_organisation(self, org_id: str) -> list[CasePrivateRow]:
        with self.session() as s:
            return list(s.scalars(select(CasePrivateRow).where(CasePrivateRow.org_id == org_id)))

    # -- downloads ---------------------------------------------------------------------------------
    def record_download(self, row: CaseRow, *, org_id: str, user_id: str, key: str) -> tuple[CaseDownloadRow, bool]:
        """(the download, repeated): a key this organisation already used returns the first record."""
        existing = self._download(org_id, key)
        if existing is not None:
            return existing, True
        try:
            with self.session() as s:
                download = CaseDownloadRow(case_id=row.id, author_org_id=row.org_id, org_id=org_id, user_id=user_id,
                                           idempotency_key=key, at=utcnow())  # fmt: skip
                s.add(download)
            return download, False
        except IntegrityError:  # the same key raced in
            found = self._download(org_id, key)
            assert found is not None
            return found, True

    def _download(self, org_id: str, key: str) -> CaseDownloadRow | None:
        with self.session() as s:
            query = select(CaseDownloadRow).where(CaseDownloadRow.org_id == org_id, CaseDownloadRow.idempotency_key == key)
            return s.scalars(query).first()

    def download_counts(self, case_ids: Sequence[str]) -> dict[str, int]:
        if not case_ids:
            return {}
        with self.session() as s:
            # Organisations other than the author's that downloaded it (each once): what a reader is told.
            query = (select(CaseDownloadRow.case_id, func.count(func.distinct(CaseDownloadRow.org_id)))
                     .where(CaseDownloadRow.case_id.in_(list(case_ids)), CaseDownloadRow.org_id != CaseDownloadRow.author_org_id)
                     .group_by(CaseDownloadRow.case_id))  # fmt: skip
            return {case_id: int(n) for case_id, n in s.execute(query)}

    def downloads(self, *, case_id: str | None = None, org_id: str | None = None, author_org_id: str | None = None,
                  since: dt.datetime | None = None) -> list[CaseDownloadRow]:  # fmt: skip
        """Download records, oldest first (for rewards and exports)."""
        query = select(CaseDownloadRow).order_by(CaseDownloadRow.at, CaseDownloadRow.id)
        for column, value in ((CaseDownloadRow.case_id, case_id), (CaseDownloadRow.org_id, org_id),
                              (CaseDownloadRow.author_org_id, author_org_id)):  # fmt: skip
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(CaseDownloadRow.at >= since)
        with self.session() as s:
            return list(s.scalars(query))

    # -- handles -----------------------------------------------------------------------------------
    def handle(self, user_id: str) -> str:
        with self.session() as s:
            row = s.get(HandleRow, user_id)
            return row.handle if row else ""

    def set_handle(self, *, user_id: str, org_id: str, handle: str) -> str:
        with self.session() as s:
            row = s.get(HandleRow, user_id)
            if not handle:
                if row is not None:
                    s.delete(row)
                return ""
            if row is None:
                s.add(HandleRow(user_id=user_id, org_id=org_id, handle=handle, updated_at=utcnow()))
            else:
                row.handle, row.org_id, row.updated_at = handle, org_id, utcnow()
        return handle

    # -- an organisation's data --------------------------------------------------------------------
    def delete_organisation(self, org_id: str) -> dict[str, int]:
        """Every case the organisation wrote (both halves, their downloads), its own downloads and handles."""
        with self.session() as s:
            own = select(CaseRow.id).where(CaseRow.org_id == org_id)
            counts = {
                "case_downloads": rows_affected(s.execute(delete(CaseDownloadRow).where(
                    or_(CaseDownloadRow.org_id == org_id, CaseDownloadRow.case_id.in_(own))))),
                "cases_private": rows_affected(s.execute(delete(CasePrivateRow).where(CasePrivateRow.case_id.in_(own)))),
            }  # fmt: skip
            counts["cases"] = rows_affected(s.execute(delete(CaseRow).where(CaseRow.org_id == org_id)))
            counts["community_handles"] = rows_affected(s.execute(delete(HandleRow).where(HandleRow.org_id == org_id)))
        return counts
