"""The document registry: SQLAlchemy over SQLite by default, any SQLAlchemy URL accepted.

The schema is created and upgraded by Alembic migrations shipped in
`corpus/migrations`, run on open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, MetaData, Result, create_engine, event, select
from sqlalchemy.orm import sessionmaker

from corpus.tables import DocumentRow, utcnow
from corpus.write_gate import gate_for, gated_connection_factory

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x70A0_0001  # PostgreSQL advisory lock key held while a chain migrates


def run_migrations_env(metadata: MetaData, *, entry: str, version_table: str = "alembic_version") -> None:
    """The whole of every package's migrations/env.py: run on the connection `migrate` hands over,
    in the package's own version table. `entry` names the function to call instead of a shell `alembic`."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
        raise RuntimeError(f"run migrations through {entry}")
    context.configure(connection=connection, target_metadata=metadata, version_table=version_table, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def rows_affected(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched. `Session.execute` is typed as returning a plain `Result`, whose
    `rowcount` only its `CursorResult` subclass has; a DML statement always gives a `CursorResult`."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def make_engine(url: str) -> Engine:
    """One engine per process; SQLite gets WAL and foreign keys in one hook, and a file database the
    process's write gate (corpus/write_gate.py)."""
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        database = Path(url.removeprefix("sqlite:///"))
        database.parent.mkdir(parents=True, exist_ok=True)
        connect_args["factory"] = gated_connection_factory(gate_for(database))
    # pre-ping finds a server connection dropped while pooled; a SQLite connection is a file and cannot be
    # (the ping was one more statement, and one more GIL hand-off, per session).
    # hide_parameters: a failed statement's text (logged with a 500) never carries what partners wrote
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True,
                           connect_args=connect_args)  # fmt: skip
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def migrate(engine: Engine, script_location: Path = MIGRATIONS) -> None:
    """Bring the schema to the newest revision (idempotent); other packages pass their own chain."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # replicas starting together migrate one after another
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class DocumentRegistry:
    """Read and write registry rows; every write is its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.session = self._sessions.begin  # one transaction per `with`

    def get(self, doc_id: str) -> DocumentRow | None:
        with self.session() as s:
            return s.get(DocumentRow, doc_id)

    def all(self) -> list[DocumentRow]:
        with self.session() as s:
            return list(s.scalars(select(DocumentRow).order_by(DocumentRow.id)))

    def by_origin(self, origin: str) -> list[DocumentRow]:
        with self.session() as s:
            return list(s.scalars(select(DocumentRow).where(DocumentRow.origin == origin)))

    def save(
        self,
        *,
        doc_id: str,
        title: str,
        kind: str,
        version: str,
        status: str,
        content_hash: str,
        origin: str,
        path: str,
        chunk_ids: list[str],
    ) -> None:
        with self.session() as s:
            row = s.get(DocumentRow, doc_id) or DocumentRow(id=doc_id)
            row.title, row.kind, row.version, row.status = title, kind, version, status
            row.content_hash, row.origin, row.path = content_hash, origin, path
            row.chunk_ids, row.chunk_count, row.indexed_at = list(chunk_ids), len(chunk_ids), utcnow()
            s.merge(row)

    def relocate(self, doc_id: str, *, origin: str, path: str) -> None:
        """Record where an unchanged document now lives (it may have been renamed)."""
        with self.session() as s:
            row = s.get(DocumentRow, doc_id)
            if row is not None and (row.origin, row.path) != (origin, path):
                row.origin, row.path = origin, path

    def remove(self, doc_id: str) -> None:
        with self.session() as s:
            row = s.get(DocumentRow, doc_id)
            if row is not None:
                s.delete(row)

    def indexed_chunk_ids(self) -> set[str]:
        with self.session() as s:
            ids: set[str] = set()
            for chunk_ids in s.scalars(select(DocumentRow.chunk_ids)):
                ids.update(chunk_ids or [])
            return ids


EDITOR_ORIGIN = "editor"  # registry origin of documents managed in the editor; directory ingests leave them alone
