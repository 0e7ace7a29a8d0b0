"""The editorial workflow on real SQLite and Chroma (embedded and server): drafts, review, publish with
an atomic swap, retire, rollback, self-approval, the audit log, and recovery of a half-done publish."""

from __future__ import annotations

import pytest
from helpers import Stack, document_text, write_doc

from corpus.editorial import Actor, EditorialConfig, EditorialStore, InvalidDocument, NotAllowed, WorkflowConflict

pytestmark = pytest.mark.usefixtures("database_url")  # SQLite and PostgreSQL (tests/conftest.py)

ALICE = Actor(id="u-alice", name="alice@example.cn")
BOB = Actor(id="u-bob", name="bob@example.cn")
ROOT = Actor(id="u-root", name="root@example.cn", admin=True)
DOC = "faq-lanjing-protocol"
QUERY = "蓝鲸协议 日志 保存 多久"

BODY_V1 = """# 蓝鲸协议日志要求

## 日志保存

旧版要求：蓝鲸协议规定网络日志保存不少于六个月，由运维部门每周抽查并留存抽查记录。

## 共同条款

蓝鲸协议适用于所有接入省级政务外网的单位，接入前须完成安全评估并向主管部门报备。
"""
BODY_V2 = BODY_V1.replace("旧版要求：蓝鲸协议规定网络日志保存不少于六个月", "新版要求：蓝鲸协议规定网络日志保存不少于十二个月")


def text(body: str = BODY_V1, **fields: object) -> str:
    return document_text(DOC, body, title="蓝鲸协议日志要求", status="draft", **fields)


def served(stack: Stack) -> list[str]:
    """Texts of this document's chunks the retriever returns for QUERY."""
    return [h.chunk.text for h in stack.retriever.search(QUERY, k=20) if h.chunk.doc_id == DOC]


def assert_consistent(stack: Stack) -> None:
    """Registry, keyword index and vector store list the same chunks; nothing staged or duplicated."""
    row = stack.registry.get(DOC)
    listed = set(row.chunk_ids) if row else set()
    assert len(listed) == len(row.chunk_ids if row else [])
    assert stack.keyword_ids(DOC) == listed
    assert stack.vector_ids(DOC) == listed
    assert stack.keyword_index.staged_ids() == set()
    assert stack.keyword_index.journal() == []


@pytest.fixture
def store(stack: Stack) -> EditorialStore:
    return EditorialStore(stack.registry.engine, stack.indexer)


def publish(store: EditorialStore, body: str = BODY_V1, *, first: bool = True) -> int:
    row = store.create_draft(text(body), ALICE) if first else store.edit(DOC, text(body), ALICE)
    store.submit(DOC, row.number, ALICE)
    return store.approve(DOC, row.number, BOB).number


def test_a_draft_is_not_retrievable_and_publishing_makes_it_retrievable(stack: Stack, store: EditorialStore) -> None:
    row = store.create_draft(text(), ALICE)
    assert (row.number, row.state) == (1, "draft")
    assert served(stack) == [] and stack.keyword_ids(DOC) == set()
    store.submit(DOC, 1, ALICE)
    assert served(stack) == []
    published = store.approve(DOC, 1, BOB)
    assert published.state == "published" and published.reviewed_by == BOB.id and published.published_at
    assert any("六个月" in t for t in served(stack))
    entry = stack.registry.get(DOC)
    assert entry is not None and entry.origin == "editor" and entry.version == "1" and entry.status == "published"
    assert_consistent(stack)


def test_a_new_version_is_served_only_after_its_swap_and_then_alone(stack: Stack, store: EditorialStore) -> None:
    publish(store)
    old_ids = stack.keyword_ids(DOC)
    seen_while_staged: list[list[str]] = []

    def checkpoint(phase: str, doc_id: str) -> None:
        if phase == "staged":
            assert stack.keyword_index.staged_ids(doc_id)  # the new chunks exist, staged
            seen_while_staged.append(served(stack))

    stack.indexer.publisher.checkpoint = checkpoint
    publish(store, BODY_V2, first=False)

    while_staged = " ".join(seen_while_staged[0])
    assert "六个月" in while_staged and "十二个月" not in while_staged
    now = " ".join(served(stack))
    assert "十二个月" in now and "六个月" not in now
    # The unchanged passage keeps its chunk id (ids hash the text) and is served exactly once.
    shared = old_ids & stack.keyword_ids(DOC)
    assert len(shared) == 1
    assert sum("省级政务外网" in t for t in served(stack)) == 1
    assert [v.state for v in store.versions(DOC)] == ["superseded", "published"]
    assert_consistent(stack)


def test_retiring_removes_the_document_from_retrieval_at_once(stack: Stack, store: EditorialStore) -> None:
    publish(store)
    retired = store.retire(DOC, BOB, note="内容过时")
    assert retired.state == "retired" and retired.retired_at
    assert served(stack) == []
    assert stack.keyword_ids(DOC) == set() and stack.vector_ids(DOC) == set()
    entry = stack.registry.get(DOC)
    assert entry is not None and entry.status == "retired" and entry.chunk_ids == []
    with pytest.raises(WorkflowConflict):
        store.retire(DOC, BOB)


def test_rollback_is_a_new_reviewed_version_with_the_old_text(stack: Stack, store: EditorialStore) -> None:
    publish(store)
    publish(store, BODY_V2, first=False)
    back = store.rollback(DOC, 1, ALICE)
    assert (back.number, back.state, back.text) == (3, "in_review", store.version(DOC, 1).text)
    assert "十二个月" in " ".join(served(stack))  # nothing changes before approval
    with pytest.raises(NotAllowed):
        store.approve(DOC, 3, ALICE)  # the one who rolled back does not approve it alone
    store.approve(DOC, 3, BOB)
    now = " ".join(served(stack))
    assert "六个月" in now and "十二个月" not in now
    assert [v.state for v in store.versions(DOC)] == ["superseded", "superseded", "published"]
    assert stack.registry.get(DOC).version == "3"  # type: ignore[union-attr]
    assert_consistent(stack)


def test_editors_never_approve_their_own_version_admins_may_when_configured(stack: Stack) -> None:
    store = EditorialStore(stack.registry.engine, stack.indexer)
    store.create_draft(text(), ALICE)
    store.submit(DOC, 1, ALICE)
    with pytest.raises(NotAllowed):
        store.approve(DOC, 1, ALICE)
    assert store.version(DOC, 1).state == "in_review" and served(stack) == []

    strict = EditorialStore(stack.registry.engine, stack.indexer, EditorialConfig(allow_self_approval_for_admin=False))
    strict.edit(DOC, text(BODY_V2), ROOT)
    strict.submit(DOC, 2, ROOT)
    with pytest.raises(NotAllowed):
        strict.approve(DOC, 2, ROOT)
    assert store.approve(DOC, 2, ROOT).state == "published"  # default: an admin may
    assert "十二个月" in " ".join(served(stack))


def test_the_audit_log_records_every_action_with_actor_and_version(stack: Stack, store: EditorialStore) -> None:
    publish(store)
    store.edit(DOC, text(BODY_V2), ALICE)
    store.submit(DOC, 2, ALICE)
    store.reject(DOC, 2, BOB, note="数据需核实")
    store.rollback(DOC, 1, ALICE)
    store.retire(DOC, BOB)
    entries = list(reversed(store.audit(doc_id=DOC)))
    assert [(e.action, e.version, e.actor) for e in entries] == [
        ("create", 1, ALICE.id), ("submit", 1, ALICE.id), ("approve", 1, BOB.id), ("publish", 1, BOB.id),
        ("edit", 2, ALICE.id), ("submit", 2, ALICE.id), ("reject", 2, BOB.id), ("rollback", 3, ALICE.id),
        ("retire", 1, BOB.id),
    ]  # fmt: skip
    assert entries[6].detail["note"] == "数据需核实" and entries[0].detail["actor_name"] == ALICE.name
    assert all(e.at is not None for e in entries)


def test_invalid_text_is_refused_naming_the_field_and_line(store: EditorialStore) -> None:
    bad = text().replace("kind: faq", "kind: rumour")
    with pytest.raises(InvalidDocument) as caught:
        store.create_draft(bad, ALICE)
    problem = caught.value.problems[0]
    assert problem.field == "kind" and problem.line == bad.split("\n").index("kind: rumour") + 1
    assert "kind" in str(caught.value) and f"第 {problem.line} 行" in str(caught.value)
    store.create_draft(text(), ALICE)
    with pytest.raises(WorkflowConflict):
        store.create_draft(text(), ALICE)  # an id is created once; later text is an edit
    with pytest.raises(InvalidDocument):
        store.edit(DOC, document_text("another-id", BODY_V1), ALICE)


def test_diff_rows_pair_the_changed_lines_side_by_side(store: EditorialStore) -> None:
    store.create_draft(text(), ALICE)
    store.edit(DOC, text(BODY_V2), ALICE)
    rows = store.diff(DOC, 1, 2)
    changed = [r for r in rows if r["op"] != "equal"]
    assert len(changed) == 1 and changed[0]["op"] == "replace"
    assert "六个月" in changed[0]["a_text"] and "十二个月" in changed[0]["b_text"]
    assert changed[0]["a_line"] == changed[0]["b_line"]
    assert len(rows) == len(store.version(DOC, 1).text.split("\n"))


class Crash(BaseException):
    """Stands in for a kill: not an Exception, so nothing on the way out tidies up."""


def test_a_crash_after_the_swap_is_rolled_forward_by_recovery(stack: Stack, store: EditorialStore) -> None:
    publish(store)

    def die(phase: str, doc_id: str) -> None:
        if phase == "swapped":
            raise Crash

    stack.indexer.publisher.checkpoint = die
    store.edit(DOC, text(BODY_V2), ALICE)
    store.submit(DOC, 2, ALICE)
    with pytest.raises(Crash):
        store.approve(DOC, 2, BOB)
    stack.indexer.publisher.checkpoint = None
    assert "十二个月" in " ".join(served(stack))  # the swap committed: the new version serves
    assert stack.keyword_index.journal() and stack.registry.get(DOC).version == "1"  # type: ignore[union-attr]

    report = stack.indexer.recover()
    assert report.rolled_forward == [DOC] and not report.busy
    assert store.recover(stack.registry) == [f"{DOC} v2: publish finished"]
    assert [v.state for v in store.versions(DOC)] == ["superseded", "published"]
    assert_consistent(stack)


def test_a_crash_before_staging_leaves_only_vectors_which_recovery_deletes(stack: Stack, store: EditorialStore) -> None:
    publish(store)

    def die(phase: str, doc_id: str) -> None:
        if phase == "vectors":
            raise Crash

    stack.indexer.publisher.checkpoint = die
    store.edit(DOC, text(BODY_V2), ALICE)
    store.submit(DOC, 2, ALICE)
    with pytest.raises(Crash):
        store.approve(DOC, 2, BOB)
    stack.indexer.publisher.checkpoint = None
    assert len(stack.vector_ids(DOC)) == 3  # two live, one new and unlisted: never served
    assert "十二个月" not in " ".join(served(stack))

    report = stack.indexer.recover()
    assert report.orphans_removed == 1 and report.rolled_back == 0
    assert store.recover(stack.registry) == [f"{DOC} v2: approval withdrawn"]
    assert store.version(DOC, 2).state == "in_review" and store.version(DOC, 1).state == "published"
    assert_consistent(stack)
    assert stack.indexer.recover().orphans_removed == 0  # a clean start does nothing


def test_directory_ingests_leave_editor_documents_alone(stack: Stack, store: EditorialStore, corpus_dir) -> None:  # type: ignore[no-untyped-def]
    write_doc(corpus_dir, DOC, BODY_V1.replace("六个月", "三个月"))
    assert stack.indexer.ingest(corpus_dir).added == [DOC]
    publish(store, BODY_V2)  # the editor adopts the document
    report = stack.indexer.ingest(corpus_dir)
    assert report.editor_owned == [DOC] and report.updated == [] and report.removed == []
    (corpus_dir / f"{DOC}.md").unlink()
    assert stack.indexer.ingest(corpus_dir).removed == []
    assert "十二个月" in " ".join(served(stack))
    assert_consistent(stack)


def test_documents_from_corpus_files_are_listed_and_follow_their_files(stack: Stack, store: EditorialStore, corpus_dir) -> None:  # type: ignore[no-untyped-def]
    from corpus.editorial import FILE_ACTOR
    from corpus.file_versions import track_files

    write_doc(corpus_dir, DOC, BODY_V1)
    write_doc(corpus_dir, "faq-baiyun-protocol", BODY_V1.replace("蓝鲸", "白云"), title="白云协议")
    write_doc(corpus_dir, "faq-draft-file", BODY_V1.replace("蓝鲸", "草稿"), title="草稿协议", status="draft")
    stack.indexer.after_ingest(lambda _report: track_files(store, stack.registry))
    stack.indexer.ingest(corpus_dir)
    listed = {rows[-1].doc_id: rows for rows in store.documents()}
    assert set(listed) == {DOC, "faq-baiyun-protocol", "faq-draft-file"}
    first = listed[DOC][0]
    assert (first.state, first.created_by, first.number) == ("published", FILE_ACTOR.id, 1)
    assert listed["faq-draft-file"][0].state == "draft"
    assert store.indexable(first).content_hash == stack.registry.get(DOC).content_hash  # type: ignore[union-attr]
    assert track_files(store, stack.registry) == []  # nothing changed: nothing recorded
    assert [a.action for a in store.audit(doc_id=DOC)] == ["import"]

    # the file is edited and re-ingested: a new published version, the old one superseded
    write_doc(corpus_dir, DOC, BODY_V2)
    stack.indexer.ingest(corpus_dir)
    assert [(r.number, r.state) for r in store.versions(DOC)] == [(1, "superseded"), (2, "published")]

    # a file that leaves its directory: its published version is retired
    (corpus_dir / "faq-baiyun-protocol.md").unlink()
    stack.indexer.ingest(corpus_dir)
    assert [r.state for r in store.versions("faq-baiyun-protocol")] == ["retired"]

    # an editor's version makes the document the editor's: the file is no longer followed
    row = store.edit(DOC, store.versions(DOC)[-1].text.replace("十二个月", "二十四个月"), ALICE)
    store.submit(DOC, row.number, ALICE)
    assert store.approval_refusal(store.version(DOC, row.number), ALICE) is not None
    assert store.approval_refusal(store.version(DOC, row.number), BOB) is None
    store.approve(DOC, row.number, BOB)
    write_doc(corpus_dir, DOC, BODY_V1.replace("六个月", "一个月"))
    assert stack.indexer.ingest(corpus_dir).editor_owned == [DOC]
    assert [(r.number, r.state) for r in store.versions(DOC)] == [(1, "superseded"), (2, "superseded"), (3, "published")]
    assert "二十四个月" in " ".join(served(stack))
