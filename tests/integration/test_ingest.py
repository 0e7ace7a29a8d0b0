"""Ingest semantics over real stores (SQLite FTS5 + Chroma, persistent and http):
skip unchanged, replace changed, remove deleted, keep the last good version of a broken file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Stack, make_document, write_doc

from corpus.validate import parse_file
from retrieval.chunking import chunk_document

HOSPITAL = """# 医院等保三级要点

三级医院的核心业务系统（HIS、电子病历、PACS）一般定为第三级，需要每年开展一次等级测评并向公安机关备案。

## 常见扣分项

日志审计覆盖不全、数据库审计缺失、备份未做异地恢复演练，是医院等保测评中最常见的扣分项，整改周期通常在三个月以内。
"""

BANK = """# 城商行数据分类分级

城商行需要按照金融行业数据安全分级指南，对客户信息、交易数据和经营数据开展分类分级，并据此配置访问控制和脱敏策略。

## 实施步骤

先做数据资产盘点，再按影响对象和影响程度定级，最后把分级结果落到数据库审计、数据防泄漏和脱敏系统的策略中。
"""

SCHOOL = """# 智慧校园上网行为管理

高校校园网需要落实上网实名认证和日志留存，上网行为管理设备记录的日志不少于六个月，满足公安机关的检查要求。
"""


def tiny_corpus(directory: Path) -> dict[str, Path]:
    return {
        "faq-hospital": write_doc(
            directory, "faq-hospital", HOSPITAL, filename="faq/hospital.md", industries=["healthcare"],
            title="医院等保三级要点",
        ),
        "guide-bank": write_doc(
            directory, "guide-bank", BANK, filename="solutions/bank.md", kind="solution", industries=["finance"],
            need_categories=["data_security"], title="城商行数据分类分级",
        ),
        "faq-school": write_doc(
            directory, "faq-school", SCHOOL, filename="faq/school.md", industries=["education"],
            title="智慧校园上网行为管理",
        ),
    }


def assert_stores_match_registry(stack: Stack) -> set[str]:
    """Registry, keyword index and Chroma hold exactly the same chunk ids, once each."""
    listed = stack.registry_chunk_ids()
    assert stack.keyword_ids() == listed
    assert stack.vector_ids() == listed
    total = sum(row.chunk_count for row in stack.registry.all())
    assert stack.keyword_index.count() == stack.vector_store.count() == len(listed) == total
    return listed


def found_docs(stack: Stack, query: str, k: int = 10) -> list[str]:
    return [h.chunk.doc_id for h in stack.retriever.search(query, k=k)]


def test_ingest_adds_every_document_to_the_registry_and_both_stores(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)

    report = stack.indexer.ingest(corpus_dir)

    assert sorted(report.added) == ["faq-hospital", "faq-school", "guide-bank"]
    assert report.updated == report.unchanged == report.removed == report.problems == []
    assert [r.id for r in stack.registry.all()] == ["faq-hospital", "faq-school", "guide-bank"]
    row = stack.registry.get("guide-bank")
    assert row is not None and row.path == "solutions/bank.md" and row.origin == str(corpus_dir.resolve())
    listed = assert_stores_match_registry(stack)
    assert report.chunks_written == len(listed) > 3
    for doc_id in ("faq-hospital", "guide-bank", "faq-school"):
        assert stack.keyword_ids(doc_id) == stack.vector_ids(doc_id) == set(stack.registry.get(doc_id).chunk_ids)
    assert found_docs(stack, "城商行 数据分类分级 脱敏")[0] == "guide-bank"


def test_reingest_unchanged_skips_everything_and_keeps_chunk_ids_stable(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    keyword_before, vector_before = stack.keyword_ids(), stack.vector_ids()
    indexed_at = {r.id: r.indexed_at for r in stack.registry.all()}

    report = stack.indexer.ingest(corpus_dir)

    assert sorted(report.unchanged) == ["faq-hospital", "faq-school", "guide-bank"]
    assert report.added == report.updated == report.removed == []
    assert report.chunks_written == 0 and report.orphans_removed == 0
    assert stack.keyword_ids() == keyword_before
    assert stack.vector_ids() == vector_before
    assert {r.id: r.indexed_at for r in stack.registry.all()} == indexed_at
    assert_stores_match_registry(stack)


def test_edited_document_replaces_its_chunks_in_both_stores(stack: Stack, corpus_dir: Path) -> None:
    paths = tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    old_ids = set(stack.registry.get("faq-hospital").chunk_ids)
    others_before = stack.keyword_ids() - old_ids

    edited = HOSPITAL.replace("整改周期通常在三个月以内", "整改周期通常在六个月以内，复测合格后出具报告")
    write_doc(corpus_dir, "faq-hospital", edited, filename="faq/hospital.md", industries=["healthcare"],
              title="医院等保三级要点", version="2")
    report = stack.indexer.ingest(corpus_dir)

    assert report.updated == ["faq-hospital"]
    assert sorted(report.unchanged) == ["faq-school", "guide-bank"]
    new_ids = set(stack.registry.get("faq-hospital").chunk_ids)
    gone = old_ids - new_ids
    assert gone, "the edited passage must get a new chunk id"
    assert old_ids & new_ids, "the unchanged passage keeps its chunk id"
    assert not gone & stack.keyword_ids() and not gone & stack.vector_ids()
    assert new_ids <= stack.keyword_ids() and new_ids <= stack.vector_ids()
    assert stack.keyword_ids() - new_ids == others_before  # other documents untouched
    assert stack.registry.get("faq-hospital").version == "2"
    assert_stores_match_registry(stack)
    texts = [h.chunk.text for h in stack.retriever.search("医院 整改周期", k=5) if h.chunk.doc_id == "faq-hospital"]
    assert any("六个月以内" in t for t in texts) and not any("三个月以内" in t for t in texts)
    assert paths["faq-hospital"].exists()


# Regression (fixed): when a document's industries/needs change but its passages do not (same chunk
# ids), a dense search filtered on the old industry must no longer return it. Filters on the dense
# side are enforced against the chunk store, so the check goes through the retriever's dense list.
def test_metadata_change_without_text_change_updates_the_filters(stack: Stack, corpus_dir: Path) -> None:
    from retrieval.models import SearchFilters

    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    write_doc(corpus_dir, "faq-school", SCHOOL, filename="faq/school.md", industries=["government"],
              title="智慧校园上网行为管理")

    report = stack.indexer.ingest(corpus_dir)

    assert report.updated == ["faq-school"]
    assert_stores_match_registry(stack)
    for industry, expected in (("education", False), ("government", True)):
        filters = SearchFilters(industries=[industry])
        lists = stack.retriever.ranked_lists("上网行为管理 日志留存", filters=filters, n=10)
        dense = {cid.split(":")[0] for cid, _ in lists.dense}
        keyword = {cid.split(":")[0] for cid, _ in stack.keyword_index.search("grams", ["日志", "留存"], k=10, filters=filters)}
        assert ("faq-school" in keyword) is expected, f"keyword index, industry={industry}"
        assert ("faq-school" in dense) is expected, f"Chroma, industry={industry}"


def test_deleted_file_is_removed_from_registry_and_both_stores(stack: Stack, corpus_dir: Path) -> None:
    paths = tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    bank_ids = set(stack.registry.get("guide-bank").chunk_ids)

    paths["guide-bank"].unlink()
    report = stack.indexer.ingest(corpus_dir)

    assert report.removed == ["guide-bank"]
    assert stack.registry.get("guide-bank") is None
    assert not bank_ids & stack.keyword_ids() and not bank_ids & stack.vector_ids()
    assert stack.keyword_ids("guide-bank") == stack.vector_ids("guide-bank") == set()
    assert "guide-bank" not in found_docs(stack, "城商行 数据分类分级 脱敏")
    assert_stores_match_registry(stack)


def test_no_prune_keeps_documents_whose_files_disappeared(stack: Stack, corpus_dir: Path) -> None:
    paths = tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    paths["guide-bank"].unlink()

    report = stack.indexer.ingest(corpus_dir, prune=False)

    assert report.removed == []
    assert stack.registry.get("guide-bank") is not None
    assert "guide-bank" in found_docs(stack, "城商行 数据分类分级 脱敏")


def test_ingesting_another_directory_does_not_prune_the_first(stack: Stack, tmp_path: Path, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    other = tmp_path / "other"
    write_doc(other, "faq-extra", SCHOOL.replace("高校", "职业院校"), industries=["education"])

    report = stack.indexer.ingest(other)

    assert report.added == ["faq-extra"] and report.removed == []
    assert len(stack.registry.all()) == 4
    assert_stores_match_registry(stack)


@pytest.mark.parametrize(
    "breakage",
    ["bad_industry", "yaml_error", "binary", "no_front_matter"],
)
def test_file_that_becomes_malformed_is_reported_and_its_previous_version_stays_searchable(
    stack: Stack, corpus_dir: Path, breakage: str
) -> None:
    paths = tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    before = set(stack.registry.get("guide-bank").chunk_ids)
    path = paths["guide-bank"]
    text = path.read_text(encoding="utf-8")
    match breakage:
        case "bad_industry":
            path.write_text(text.replace("- finance", "- banking"), encoding="utf-8")
        case "yaml_error":
            path.write_text(text.replace("kind: solution", "kind: solution: oops"), encoding="utf-8")
        case "binary":
            path.write_bytes(b"\x00\x01\x02" * 100)
        case "no_front_matter":
            path.write_text(BANK.replace("脱敏", "加密"), encoding="utf-8")

    report = stack.indexer.ingest(corpus_dir)

    assert [p.path for p in report.problems] == ["solutions/bank.md"]
    assert "guide-bank" not in report.removed + report.updated + report.added
    assert sorted(report.unchanged) == ["faq-hospital", "faq-school"]
    assert set(stack.registry.get("guide-bank").chunk_ids) == before
    assert before <= stack.keyword_ids() and before <= stack.vector_ids()
    assert found_docs(stack, "城商行 数据分类分级 脱敏")[0] == "guide-bank"
    assert_stores_match_registry(stack)

    # once fixed, the file is picked up again
    path.write_text(text.replace("先做数据资产盘点", "先做数据资产盘点和数据流转梳理"), encoding="utf-8")
    fixed = stack.indexer.ingest(corpus_dir)
    assert fixed.problems == [] and fixed.updated == ["guide-bank"]
    assert_stores_match_registry(stack)


# Regression (fixed): the indexer decides "this file went bad, keep its last version" by comparing the registry row's
# `path` with the bad files of this run. An unchanged document is skipped without refreshing its
# registry row, so after a file is renamed/moved the row still holds the old path; if the renamed file
# then becomes malformed, its path is not recognised and the document is pruned (removed from the
# registry and both stores) instead of keeping its previous version searchable.
def test_renamed_file_that_becomes_malformed_keeps_its_previous_version(stack: Stack, corpus_dir: Path) -> None:
    paths = tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    moved = corpus_dir / "solutions" / "bank-renamed.md"
    paths["guide-bank"].rename(moved)
    renamed = stack.indexer.ingest(corpus_dir)
    assert renamed.unchanged.count("guide-bank") == 1 and renamed.removed == []

    moved.write_text(moved.read_text(encoding="utf-8").replace("- finance", "- banking"), encoding="utf-8")
    report = stack.indexer.ingest(corpus_dir)

    assert [p.path for p in report.problems] == ["solutions/bank-renamed.md"]
    assert report.removed == []
    assert stack.registry.get("guide-bank") is not None
    assert "guide-bank" in found_docs(stack, "城商行 数据分类分级 脱敏")


def test_duplicate_id_in_a_second_file_does_not_replace_the_first(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    write_doc(corpus_dir, "guide-bank", SCHOOL, filename="z-copy/bank-copy.md", title="复制的文档")

    report = stack.indexer.ingest(corpus_dir)

    assert [(p.path, p.field) for p in report.problems] == [("z-copy/bank-copy.md", "id")]
    row = stack.registry.get("guide-bank")
    assert row is not None and row.path == "solutions/bank.md" and row.title == "城商行数据分类分级"
    assert_stores_match_registry(stack)


def test_draft_document_is_never_returned_by_search(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    draft_body = "# 草稿\n\n工控安全网闸选型草稿：尚未审核的内容，不应出现在任何检索结果里，包括关键词检索和向量检索。"
    write_doc(corpus_dir, "draft-ics", draft_body, status="draft", title="工控安全网闸选型草稿")
    write_doc(corpus_dir, "review-ics", draft_body.replace("草稿", "审核中"), status="in_review", title="工控安全网闸选型审核中")

    report = stack.indexer.ingest(corpus_dir)

    assert sorted(report.unpublished) == ["draft-ics", "review-ics"]
    row = stack.registry.get("draft-ics")
    assert row is not None and row.status == "draft" and row.chunk_count == 0
    assert stack.keyword_ids("draft-ics") == stack.vector_ids("draft-ics") == set()
    for query in ("工控安全网闸选型草稿", "网闸 选型", "尚未审核的内容"):
        assert not {"draft-ics", "review-ics"} & set(found_docs(stack, query, k=20))
    assert_stores_match_registry(stack)


def test_published_document_changed_to_draft_or_retired_disappears(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    assert "faq-hospital" in found_docs(stack, "医院 等保三级 扣分项")

    for status in ("retired", "draft"):
        write_doc(corpus_dir, "faq-hospital", HOSPITAL, filename="faq/hospital.md", industries=["healthcare"],
                  title="医院等保三级要点", status=status)
        report = stack.indexer.ingest(corpus_dir)

        assert report.updated == ["faq-hospital"] and report.unpublished == ["faq-hospital"]
        assert stack.registry.get("faq-hospital").status == status
        assert stack.keyword_ids("faq-hospital") == stack.vector_ids("faq-hospital") == set()
        assert "faq-hospital" not in found_docs(stack, "医院 等保三级 扣分项", k=20)
        assert_stores_match_registry(stack)

    write_doc(corpus_dir, "faq-hospital", HOSPITAL, filename="faq/hospital.md", industries=["healthcare"],
              title="医院等保三级要点")
    stack.indexer.ingest(corpus_dir)
    assert found_docs(stack, "医院 等保三级 扣分项")[0] == "faq-hospital"


def test_orphan_chunks_left_by_a_crash_are_removed_by_the_next_ingest(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    listed = stack.registry_chunk_ids()

    # simulate a crash after the stores were written but before the registry row was saved:
    # a new document's chunks, and a stale extra chunk of a registered document
    ghost = chunk_document(make_document("ghost-doc", HOSPITAL.replace("医院", "卫生院")))
    stale = [c for c in chunk_document(make_document("faq-hospital", SCHOOL)) if c.chunk_id not in listed]
    orphans = ghost + stale
    embeddings = stack.embedder.embed([c.index_text for c in orphans])
    stack.vector_store.upsert(orphans, embeddings)
    stack.keyword_index.upsert(orphans)
    orphan_ids = {c.chunk_id for c in orphans}
    assert orphan_ids <= stack.keyword_ids() and orphan_ids <= stack.vector_ids()
    assert "ghost-doc" in found_docs(stack, "卫生院 等保三级")

    report = stack.indexer.ingest(corpus_dir)

    assert report.orphans_removed == len(orphan_ids)
    assert sorted(report.unchanged) == ["faq-hospital", "faq-school", "guide-bank"]
    assert not orphan_ids & stack.keyword_ids() and not orphan_ids & stack.vector_ids()
    assert "ghost-doc" not in found_docs(stack, "卫生院 等保三级")
    assert stack.registry_chunk_ids() == listed
    assert_stores_match_registry(stack)


def test_ingest_reports_progress_up_to_the_total(stack: Stack, corpus_dir: Path) -> None:
    tiny_corpus(corpus_dir)
    calls: list[tuple[int, int, str]] = []

    report = stack.indexer.ingest(corpus_dir, progress=lambda done, total, doc: calls.append((done, total, doc)))

    assert calls and calls[-1][0] == calls[-1][1] == report.chunks_written


def test_is_empty_reflects_the_registry(stack: Stack, corpus_dir: Path) -> None:
    assert stack.indexer.is_empty()
    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    assert not stack.indexer.is_empty()


def test_parse_file_sees_the_same_relative_path_the_registry_stores(stack: Stack, corpus_dir: Path) -> None:
    paths = tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    document, _ = parse_file(paths["faq-school"], corpus_dir)
    assert document is not None and stack.registry.get("faq-school").path == document.path == "faq/school.md"


# Regression (fixed): see tests/unit/test_front_matter.py::test_impossible_calendar_date_is_a_problem_not_an_exception.
# An impossible date (effective_date: 2025-02-30) raises ValueError out of load_corpus, so the whole
# ingest aborts and no other document is indexed, instead of that one file being reported and skipped.
@pytest.mark.parametrize("vector_mode", ["persistent"])
def test_impossible_date_in_one_file_does_not_abort_the_ingest(stack: Stack, corpus_dir: Path) -> None:
    paths = tiny_corpus(corpus_dir)
    bank = paths["guide-bank"]
    bank.write_text(bank.read_text(encoding="utf-8").replace("effective_date: 2025-01-01", "effective_date: 2025-02-30"),
                    encoding="utf-8")

    report = stack.indexer.ingest(corpus_dir)

    assert [p.path for p in report.problems] == ["solutions/bank.md"]
    assert sorted(report.added) == ["faq-hospital", "faq-school"]


# Regression (fixed): when the corpus directory itself is missing (unmounted volume, typo in a renamed path),
# load_corpus reports "no such file or directory" but Indexer.ingest still prunes: every document
# registered from that directory is removed from the registry and both stores. A missing root is an
# error, not "every file was deleted"; the index should be left as it was.
@pytest.mark.parametrize("vector_mode", ["persistent"])
def test_missing_corpus_directory_does_not_wipe_the_index(stack: Stack, corpus_dir: Path, tmp_path: Path) -> None:
    tiny_corpus(corpus_dir)
    stack.indexer.ingest(corpus_dir)
    corpus_dir.rename(tmp_path / "moved-away")

    report = stack.indexer.ingest(corpus_dir)

    assert [p.field for p in report.problems] == ["path"]
    assert report.removed == []
    assert len(stack.registry.all()) == 3
    assert "guide-bank" in found_docs(stack, "城商行 数据分类分级 脱敏")
