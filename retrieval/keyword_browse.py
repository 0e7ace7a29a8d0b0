"""Filtered reads of the keyword index's chunk store that need no ranking: browsing a slice in document
order, post-filtering dense candidates, and the editor's statistics (documents, duplicate passages).

A mixin of SqliteKeywordIndex (retrieval/keyword_index.py), whose connection it uses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from retrieval.models import Chunk, SearchFilters


def filter_sql(filters: SearchFilters | None) -> tuple[str, list[object]]:
    """SQL conditions on the `chunks` table (alias c); published only, always."""
    clauses = ["c.status = 'published'"]
    params: list[object] = []
    if filters is None:
        return " AND ".join(clauses), params
    if filters.kinds:
        clauses.append(f"c.kind IN ({','.join('?' * len(filters.kinds))})")
        params.extend(filters.kinds)
    if filters.doc_ids:
        clauses.append(f"c.doc_id IN ({','.join('?' * len(filters.doc_ids))})")
        params.extend(filters.doc_ids)
    if filters.industries:
        ors = ["instr(c.industries, ?) > 0" for _ in filters.industries] + ["instr(c.industries, ',all,') > 0"]
        clauses.append("(" + " OR ".join(ors) + ")")
        params.extend(f",{i}," for i in filters.industries)
    if filters.needs:
        ors = ["instr(c.needs, ?) > 0" for _ in filters.needs]
        clauses.append("(" + " OR ".join(ors) + ")")
        params.extend(f",{n}," for n in filters.needs)
    return " AND ".join(clauses), params


class BrowsingReads:
    _connect: Any

    def browse(self, filters: SearchFilters, *, heading_contains: str | None = None) -> list[Chunk]:
        """Every published chunk passing the filters, in document order (no ranking).

        For structured reads of small, filtered slices (one industry profile,
        the solution guides of one need category), where a search would cost
        an embedding for nothing.
        """
        where, params = filter_sql(filters)
        if heading_contains:
            where += " AND instr(c.heading, ?) > 0"
            params.append(heading_contains)
        rows = self._connect().execute(
            "SELECT chunk_id, doc_id, ordinal, locator, heading, text, metadata FROM chunks c"
            f" WHERE {where} ORDER BY c.doc_id, c.ordinal",
            params,
        )
        return [
            Chunk(chunk_id=r[0], doc_id=r[1], ordinal=r[2], locator=r[3], heading=r[4], text=r[5], metadata=json.loads(r[6]))
            for r in rows
        ]

    def allowed(self, chunk_ids: Sequence[str], filters: SearchFilters | None) -> set[str]:
        """The subset of chunk_ids that are published and pass the filters."""
        where, params = filter_sql(filters)
        conn = self._connect()
        ids = list(chunk_ids)
        keep: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT c.chunk_id FROM chunks c WHERE c.chunk_id IN ({marks}) AND {where}"
            keep.update(r[0] for r in conn.execute(sql, [*part, *params]))
        return keep

    def published_documents(self) -> list[tuple[str, str, list[str], list[str]]]:
        """(doc_id, kind, industries, needs) of every retrievable document."""
        rows = self._connect().execute(
            "SELECT doc_id, min(kind), min(industries), min(needs) FROM chunks WHERE status = 'published'"
            " GROUP BY doc_id ORDER BY doc_id"
        )
        return [(r[0], r[1], [x for x in r[2].split(",") if x], [x for x in r[3].split(",") if x]) for r in rows]

    def duplicate_passages(self, limit: int = 50) -> list[tuple[str, list[str]]]:
        """Passages published, word for word, in more than one document: (text, doc_ids)."""
        rows = self._connect().execute(
            "SELECT text, group_concat(DISTINCT doc_id) FROM chunks WHERE status = 'published'"
            " GROUP BY text HAVING count(DISTINCT doc_id) > 1 LIMIT ?",
            (limit,),
        )
        return [(r[0], sorted(r[1].split(","))) for r in rows]
