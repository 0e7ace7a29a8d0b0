"""Alembic migrations of the document registry, and the registry itself."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from corpus.store import DocumentRegistry, make_engine, migrate


def test_migrate_twice_on_a_fresh_sqlite_file_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "dir" / "top.db"
    engine = make_engine(f"sqlite:///{db.as_posix()}")
    try:
        migrate(engine)
        migrate(engine)

        assert db.exists()  # parent directories are created
        tables = set(inspect(engine).get_table_names())
        assert {"documents", "document_versions", "audit_log", "alembic_version"} <= tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0002"]
    finally:
        engine.dispose()


def test_documents_table_has_the_registry_columns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'top.db').as_posix()}")
    try:
        migrate(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("documents")}
        assert columns == {
            "id", "title", "kind", "version", "status", "content_hash",
            "origin", "path", "chunk_ids", "chunk_count", "indexed_at",
        }
    finally:
        engine.dispose()


def test_migrated_schema_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'top.db').as_posix()}"
    first = make_engine(url)
    migrate(first)
    DocumentRegistry(first).save(
        doc_id="faq-a", title="问答", kind="faq", version="1", status="published", content_hash="h" * 64,
        origin="/corpus", path="faq/a.md", chunk_ids=["faq-a:1", "faq-a:2"],
    )
    first.dispose()

    second = make_engine(url)
    try:
        migrate(second)  # an upgrade on an existing database keeps the rows
        row = DocumentRegistry(second).get("faq-a")
        assert row is not None and row.chunk_ids == ["faq-a:1", "faq-a:2"] and row.chunk_count == 2
    finally:
        second.dispose()


def test_registry_save_update_and_remove(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'top.db').as_posix()}")
    try:
        migrate(engine)
        registry = DocumentRegistry(engine)
        common = dict(kind="faq", status="published", origin="/corpus", path="a.md")
        registry.save(doc_id="doc-a", title="A", version="1", content_hash="1" * 64, chunk_ids=["doc-a:1"], **common)
        registry.save(doc_id="doc-b", title="B", version="1", content_hash="2" * 64, chunk_ids=["doc-b:1"], **common)
        registry.save(doc_id="doc-a", title="A2", version="2", content_hash="3" * 64, chunk_ids=["doc-a:2", "doc-a:3"], **common)

        assert [r.id for r in registry.all()] == ["doc-a", "doc-b"]
        row = registry.get("doc-a")
        assert row is not None and (row.title, row.version, row.chunk_count) == ("A2", "2", 2)
        assert registry.indexed_chunk_ids() == {"doc-a:2", "doc-a:3", "doc-b:1"}
        assert {r.id for r in registry.by_origin("/corpus")} == {"doc-a", "doc-b"}
        assert registry.by_origin("/other") == []

        registry.remove("doc-a")
        registry.remove("doc-missing")  # removing an unknown id is harmless
        assert [r.id for r in registry.all()] == ["doc-b"]
        assert registry.get("doc-a") is None
    finally:
        engine.dispose()


def test_assistant_chain_upgrades_an_existing_directory_database_without_losing_customers(tmp_path: Path) -> None:
    """A database made before conversations existed (revision a0001) gains them and keeps its customers."""
    from alembic import command
    from alembic.config import Config

    from assistant.conversations import ConversationStore
    from assistant.directory import CustomerDirectory
    from assistant.tables import MIGRATIONS, migrate_assistant

    engine = make_engine(f"sqlite:///{(tmp_path / 'top.db').as_posix()}")
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "a0001")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO customers(name, name_key, industry, region, notes, updated_at)"
                " VALUES ('青禾农村商业银行', '青禾农村商业银行', 'finance', '', '', '2026-01-01')"
            ))
        assert "conversations" not in inspect(engine).get_table_names()

        migrate(engine)  # the registry's own chain beside it
        migrate_assistant(engine)
        migrate_assistant(engine)

        tables = set(inspect(engine).get_table_names())
        assert {"documents", "customers", "conversations", "messages", "feedback"} <= tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM assistant_alembic_version")).scalars().all() == ["a0004"]
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0002"]
        assert CustomerDirectory(engine).lookup("青禾农村商业银行") is not None
        store = ConversationStore(engine)
        conversation, _, state = store.start_turn("青禾农村商业银行", None, None)
        assert state.customer is None and store.get(conversation, None).messages[0].content == "青禾农村商业银行"
    finally:
        engine.dispose()


def test_a_0001_database_upgrades_to_the_editorial_tables_keeping_its_rows(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from corpus.store import MIGRATIONS

    engine = make_engine(f"sqlite:///{(tmp_path / 'top.db').as_posix()}")
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        assert "document_versions" not in inspect(engine).get_table_names()
        DocumentRegistry(engine).save(
            doc_id="faq-a", title="问答", kind="faq", version="1", status="published", content_hash="h" * 64,
            origin="/corpus", path="a.md", chunk_ids=["faq-a:1"],
        )  # fmt: skip
        migrate(engine)
        assert {"document_versions", "audit_log"} <= set(inspect(engine).get_table_names())
        assert DocumentRegistry(engine).get("faq-a") is not None
    finally:
        engine.dispose()
