"""Keyword search in PostgreSQL vs the per-replica FTS5 index, on STARD, in one run (issue 20 item 3).

Both engines index the same chunks (the product's chunker) with the same tokens (retrieval/tokenize.py:
jieba words and character bigrams, `index_tokens`), and both search the same query terms picked the same
way (present, not too common, rarest first, at most 32: SqliteKeywordIndex._useful_terms), each from its
own document frequencies. PostgreSQL gets the pre-tokenised tokens as a `tsvector` literal (no text-search
parser, so nothing is re-segmented; positions give term frequencies) with a GIN index, ranked two ways:

- `ts_rank` over the GIN match (PostgreSQL's own ranking: term frequency, no IDF);
- BM25 (k1 1.2, b 0.75, as FTS5's bm25()) over a postings table (term, chunk, tf) with a B-tree on term
  and a document-frequency table: one SQL statement per query.

No embeddings are needed: ingest is the chunker and two indexes. Needs PostgreSQL (TOP_BENCH_PG_URL, default
postgresql://postgres@127.0.0.1:5432/postgres); a schema is made for the run and dropped afterwards.

    python -m bench pg_keyword
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import evaluate
from bench.stard import STARD, load_queries, write_laws
from corpus.validate import load_corpus
from retrieval import tokenize
from retrieval.chunking import chunk_document
from retrieval.keyword_index import MAX_DOC_FREQUENCY, MAX_QUERY_TERMS, SqliteKeywordIndex, index_tokens

PG_URL = os.environ.get("TOP_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
COLUMNS = ("words", "grams")
QUERY_TOKENS = {"words": tokenize.words, "grams": tokenize.bigrams}


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: list[str]) -> str:
    """`'词':1,7 'x':2`: the tokens as they are, with positions (term frequency for ranking)."""
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(tokens, 1):
        positions.setdefault(token, []).append(min(i, 16383))
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, p[:256]))}" for t, p in positions.items())


SCHEMA_SQL = """
CREATE TABLE {s}.chunks (id integer PRIMARY KEY, key text NOT NULL, words tsvector NOT NULL,
                         grams tsvector NOT NULL, words_len integer NOT NULL, grams_len integer NOT NULL);
CREATE TABLE {s}.words_post (term text NOT NULL, id integer NOT NULL, tf integer NOT NULL);
CREATE TABLE {s}.grams_post (term text NOT NULL, id integer NOT NULL, tf integer NOT NULL);
"""
INDEX_SQL = """
CREATE INDEX ON {s}.chunks USING gin (words); CREATE INDEX ON {s}.chunks USING gin (grams);
CREATE INDEX ON {s}.words_post (term, id) INCLUDE (tf); CREATE INDEX ON {s}.grams_post (term, id) INCLUDE (tf);
CREATE TABLE {s}.words_df AS SELECT term, count(*)::integer AS df FROM {s}.words_post GROUP BY term;
CREATE TABLE {s}.grams_df AS SELECT term, count(*)::integer AS df FROM {s}.grams_post GROUP BY term;
ALTER TABLE {s}.words_df ADD PRIMARY KEY (term); ALTER TABLE {s}.grams_df ADD PRIMARY KEY (term);
ANALYZE {s}.chunks; ANALYZE {s}.words_post; ANALYZE {s}.grams_post; ANALYZE {s}.words_df; ANALYZE {s}.grams_df;
"""
# The query terms, as FTS5's search picks them: present, df <= max share, rarest first, at most 32.
TERMS = "q AS (SELECT term, df FROM {s}.{c}_df WHERE term = ANY(%(terms)s) AND df <= %(max_df)s ORDER BY df, term LIMIT %(limit)s)"
TS_RANK = (
    "WITH " + TERMS + ", tq AS (SELECT string_agg(quote_literal(term), ' | ')::tsquery AS query FROM q) "
    "SELECT c.key FROM {s}.chunks c, tq WHERE c.{c} @@ tq.query ORDER BY ts_rank(c.{c}, tq.query) DESC, c.id LIMIT 20"
)
BM25 = (
    "WITH " + TERMS + " SELECT c.key FROM q JOIN {s}.{c}_post p ON p.term = q.term JOIN {s}.chunks c ON c.id = p.id "
    "GROUP BY c.id, c.key ORDER BY sum(ln(1 + (%(n)s - q.df + 0.5) / (q.df + 0.5)) * p.tf * 2.2 "
    "/ (p.tf + 1.2 * (0.25 + 0.75 * c.{c}_len / %(avg)s))) DESC, c.id LIMIT 20"
)


def run() -> dict[str, Any]:
    if not (STARD / "corpus.jsonl").exists():
        return {"skipped": f"{STARD} not found"}
    try:
        import psycopg

        conn = psycopg.connect(PG_URL, autocommit=True)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: no server to measure
        return {"skipped": f"no PostgreSQL at {PG_URL.split('@')[-1]}: {exc}"}
    queries = load_queries()
    schema = f"bench_kw_{uuid.uuid4().hex[:8]}"
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pgkw-") as tmp, conn:
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        write_laws(corpus_dir)
        chunks = [c for d in load_corpus(corpus_dir).documents for c in chunk_document(d)]
        tokens = {c.chunk_id: index_tokens(c) for c in chunks}
        started = time.perf_counter()
        fts = SqliteKeywordIndex(Path(tmp) / "keyword.sqlite3")
        fts.upsert(chunks, tokens)
        fts_seconds = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            lens = _load_postgres(conn, schema, chunks, tokens)
            pg_seconds = time.perf_counter() - started
            results["corpus"] = {"chunks": len(chunks), "fts5_index_s": fts_seconds, "postgres_index_s": pg_seconds,
                                 "postgres_mb": _schema_mb(conn, schema)}  # fmt: skip
            results["quality"] = {k: vars(v) for k, v in _measure(conn, schema, fts, queries, len(chunks), lens).items()}
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
            fts.close()
    results["server"] = PG_URL.split("@")[-1]
    return results


def _load_postgres(conn: Any, schema: str, chunks: list[Any], tokens: dict[str, tuple[str, str]]) -> dict[str, float]:
    conn.execute(SCHEMA_SQL.format(s=schema))
    totals = dict.fromkeys(COLUMNS, 0)
    with conn.cursor() as cur:
        with cur.copy(f"COPY {schema}.chunks (id, key, words, grams, words_len, grams_len) FROM STDIN") as copy:
            for i, chunk in enumerate(chunks):
                words, grams = (s.split() for s in tokens[chunk.chunk_id])
                totals["words"] += len(words)
                totals["grams"] += len(grams)
                key = f"{chunk.metadata['title']}#{chunk.locator}"
                copy.write_row((i, key, tsvector_literal(words), tsvector_literal(grams), len(words), len(grams)))
        for n, column in enumerate(COLUMNS):
            with cur.copy(f"COPY {schema}.{column}_post (term, id, tf) FROM STDIN") as copy:
                for i, chunk in enumerate(chunks):
                    for term, tf in Counter(tokens[chunk.chunk_id][n].split()).items():
                        copy.write_row((term, i, tf))
    conn.execute(INDEX_SQL.format(s=schema))
    return {c: totals[c] / max(1, len(chunks)) for c in COLUMNS}


def _schema_mb(conn: Any, schema: str) -> float:
    size = conn.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = %s AND c.relkind = 'r'", (schema,)).fetchone()[0]  # fmt: skip
    return round(int(size or 0) / 1e6, 1)


def _measure(conn: Any, schema: str, fts: SqliteKeywordIndex, queries: list[tuple[str, set[str]]],
             n: int, avg: dict[str, float]) -> dict[str, Any]:  # fmt: skip
    def fts5(column: str):  # type: ignore[no-untyped-def]
        def rank(q: str) -> list[str]:
            ids = [c for c, _ in fts.search(column, tokenize.unique(QUERY_TOKENS[column](q)), k=20)]
            got = fts.get(ids)
            return [f"{got[c].metadata['title']}#{got[c].locator}" for c in ids if c in got]

        return rank

    def postgres(column: str, sql: str):  # type: ignore[no-untyped-def]
        statement = sql.format(s=schema, c=column)

        def rank(q: str) -> list[str]:
            params = {"terms": tokenize.unique(QUERY_TOKENS[column](q)), "max_df": int(MAX_DOC_FREQUENCY[column] * n),
                      "limit": MAX_QUERY_TERMS, "n": n, "avg": avg[column]}  # fmt: skip
            return [r[0] for r in conn.execute(statement, params, prepare=True)]

        return rank

    methods = {
        "FTS5 bm25, jieba words": fts5("words"),
        "PostgreSQL BM25 (postings table), jieba words": postgres("words", BM25),
        "PostgreSQL ts_rank (tsvector + GIN), jieba words": postgres("words", TS_RANK),
        "FTS5 bm25, character bigrams": fts5("grams"),
        "PostgreSQL BM25 (postings table), character bigrams": postgres("grams", BM25),
        "PostgreSQL ts_rank (tsvector + GIN), character bigrams": postgres("grams", TS_RANK),
    }
    return {name: evaluate(queries, fn) for name, fn in methods.items()}


def report_section(r: dict[str, Any]) -> list[str]:
    """The "Keyword search: PostgreSQL vs per-replica FTS5" section of docs/benchmarks.md."""
    if "skipped" in r:
        return [f"Skipped: {r['skipped']}"]
    c = r["corpus"]
    lines = [
        f"Measured {r.get('_measured', '?')} with `python -m bench pg_keyword` (PostgreSQL at {r['server']}, same "
        f"machine). STARD: {c['chunks']} chunks, 1,527 lay questions; both engines index the same tokens "
        "(retrieval/tokenize.py) and search the same query terms, one query at a time from one client. "
        f"Indexing: FTS5 {c['fts5_index_s']:.1f} s, PostgreSQL {c['postgres_index_s']:.1f} s ({c['postgres_mb']} MB).",
        "",
        "| keyword method | R@5 | R@10 | R@20 | MRR@10 | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, v in r["quality"].items():
        lines.append(f"| {name} | {v['recall_at_5']:.3f} | {v['recall_at_10']:.3f} | {v['recall_at_20']:.3f} | {v['mrr_at_10']:.3f} "
                     f"| {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |")  # fmt: skip
    return lines + ["", *_decision(r["quality"])]


def _decision(q: dict[str, Any]) -> list[str]:
    fts, bm25, ts = (q[f"{m}, jieba words"] for m in ("FTS5 bm25", "PostgreSQL BM25 (postings table)", "PostgreSQL ts_rank (tsvector + GIN)"))
    gfts, gbm25 = q["FTS5 bm25, character bigrams"], q["PostgreSQL BM25 (postings table), character bigrams"]
    return [
        "**Decision: keyword search stays in each replica's FTS5 copy**, kept current from the database's change feed "
        "(retrieval/keyword_feed.py) and, with TOP_REDIS_URL, told of each change at once over Redis pub/sub "
        "(retrieval/index_changes.py). PostgreSQL can rank the same: BM25 over a postings table reaches FTS5's "
        f"recall (words R@5 {bm25['recall_at_5']:.3f} vs {fts['recall_at_5']:.3f}, bigrams {gbm25['recall_at_5']:.3f} vs "
        f"{gfts['recall_at_5']:.3f}), but costs {bm25['p50_ms'] / fts['p50_ms']:.1f}× FTS5's p50 and "
        f"{bm25['p95_ms'] / fts['p95_ms']:.1f}× its p95 on words ({gbm25['p50_ms'] / gfts['p50_ms']:.1f}× / "
        f"{gbm25['p95_ms'] / gfts['p95_ms']:.1f}× on bigrams), and every search runs both next to the dense query, on a "
        "database every replica shares. `ts_rank` over a GIN index is as fast as FTS5 on words "
        f"(p50 {ts['p50_ms']:.1f} ms) but loses {100 * (fts['recall_at_5'] - ts['recall_at_5']):.1f} points of R@5 "
        "(it has no IDF). Revisit when copying the index to every replica costs more than querying one database "
        "(far more documents or replicas than the seed's hundreds of thousands on a few machines); the BM25 "
        "statement in bench/pg_keyword.py is where to start.",
    ]
