"""The case and discussion services on SQLite and on PostgreSQL (a fresh database, when one answers at
127.0.0.1:5432): migrations, the whole case lifecycle through the real indexer, idempotent downloads,
and deleting and exporting an organisation's cases, downloads and posts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import write_doc
from sqlalchemy import inspect, text

from community.activity import ActivityLog, migrate_activity
from community.cases import CaseService, CaseStatus, CaseStore, Viewer, migrate_cases
from community.catalogue import NeedCatalogue
from community.discussions import DiscussionService, PiiWarning, migrate_discussions
from corpus.editorial import DocumentNotFound, EditorialStore
from retrieval.stack import open_stack
from retrieval.vector_store import ChromaConfig, make_chroma_client

AUTHOR = Viewer(user_id="u-author", org_id="org-a", name="作者")
COLLEAGUE = Viewer(user_id="u-colleague", org_id="org-a", name="同事")
EDITOR = Viewer(user_id="u-editor", org_id="org-e", name="编辑", editor=True)
READER = Viewer(user_id="u-reader", org_id="org-b", name="读者")
SOLUTION = """# 数据库审计方案指南

数据库审计记录对核心数据库的访问和操作，满足等保三级审计要求。

## 方案要点

数据库审计旁路部署，覆盖核心业务库。
"""


@pytest.fixture
def services(database_url: str, tmp_path: Path, embedder) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    stack = open_stack(database_url=database_url, keyword_index_path=tmp_path / "keyword.sqlite3", embedder=embedder,
                       chroma_client=make_chroma_client(ChromaConfig(mode="persistent", path=str(tmp_path / "chroma"))))  # fmt: skip
    corpus = tmp_path / "corpus"
    write_doc(corpus, "sol-database-audit", SOLUTION, kind="solution", title="数据库审计方案指南", industries=["all"],
              need_categories=["data_security"])  # fmt: skip
    stack.indexer.ingest(corpus)
    engine = stack.registry.engine
    for migrate in (migrate_activity, migrate_cases, migrate_discussions, migrate_cases):  # twice: idempotent
        migrate(engine)
    catalogue = NeedCatalogue(stack.keyword_index)
    cases = CaseService(CaseStore(engine), editorial=EditorialStore(engine, stack.indexer), activity=ActivityLog(engine),
                        catalogue=catalogue)  # fmt: skip
    discussions = DiscussionService(engine, catalogue=catalogue, handle_of=cases.store.handle, known_names=cases.known_names)
    try:
        yield {"cases": cases, "discussions": discussions, "stack": stack, "engine": engine}
    finally:
        stack.close()


def body(customer: str = "临江市第一人民医院") -> dict[str, Any]:
    return {"title": f"{customer}数据库审计", "customer": customer, "aliases": ["临江一院"], "industry": "healthcare",
            "segment": "三级医院", "province": "广东省", "year": 2024, "solutions": ["sol-database-audit"],
            "problem": f"{customer}信息科陈主任（电话13822223333）反映数据库缺少审计。",
            "solution": "数据库审计旁路部署，覆盖HIS与LIS数据库。", "outcome": "等保三级测评审计项通过。"}  # fmt: skip


def published(cases: CaseService, customer: str = "临江市第一人民医院") -> str:
    case_id = cases.create(AUTHOR, body(customer))["id"]
    cases.confirm(AUTHOR, case_id, handle="老陈")
    cases.submit(COLLEAGUE, case_id)
    assert cases.approve(EDITOR, case_id)["status"] == CaseStatus.published
    return case_id


def test_the_tables_and_their_own_version_tables_exist(services: dict[str, Any]) -> None:
    engine = services["engine"]
    tables = set(inspect(engine).get_table_names())
    assert {"partner_cases", "partner_case_private", "partner_case_downloads", "community_handles", "discussion_threads",
            "discussion_posts", "discussion_reports", "cases_alembic_version", "discussions_alembic_version"} <= tables  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM cases_alembic_version")).scalars().all() == ["k0001"]
        assert conn.execute(text("SELECT version_num FROM discussions_alembic_version")).scalars().all() == ["d0001"]


def test_lifecycle_library_filters_and_idempotent_downloads(services: dict[str, Any]) -> None:
    cases: CaseService = services["cases"]
    case_id = published(cases)
    assert cases.store.private(case_id, "org-a").customer == "临江市第一人民医院"
    assert [i["id"] for i in cases.library(READER, solution="sol-database-audit", need="data_security",
                                           province="广东省")["items"]] == [case_id]  # fmt: skip
    assert cases.library(READER, solution="sol-other")["total"] == 0
    assert cases.library(READER, q="旁路部署")["total"] == 1 and cases.library(READER, q="临江")["total"] == 0
    first = cases.download(READER, case_id, idempotency_key="k-1")
    again = cases.download(READER, case_id, idempotency_key="k-1")
    cases.download(READER, case_id, idempotency_key="k-2")
    assert first["download_id"] == again["download_id"] and again["repeated"] is True
    assert len(cases.store.downloads(case_id=case_id)) == 2 and cases.store.download_counts([case_id]) == {case_id: 1}
    hits = services["stack"].retriever.search("数据库审计 旁路部署 HIS", k=10)
    assert f"pc-{case_id}" in {h.chunk.doc_id for h in hits}
    cases.takedown(EDITOR, case_id, reason="核实中")
    hits = services["stack"].retriever.search("数据库审计 旁路部署 HIS", k=10)
    assert f"pc-{case_id}" not in {h.chunk.doc_id for h in hits}


def test_discussions_on_both_databases(services: dict[str, Any]) -> None:
    cases: CaseService = services["cases"]
    talk: DiscussionService = services["discussions"]
    case_id = published(cases)
    with pytest.raises(PiiWarning):  # the author's own customer, by its alias
        talk.create(AUTHOR, topic_kind="need", topic="sol-database-audit", title="临江一院的经验", body="效果不错")
    thread = talk.create(AUTHOR, topic_kind="need", topic="sol-database-audit", title="审计经验", body=f"见 [[pc-{case_id}]]")
    post = talk.reply(READER, thread["id"], body="学习了")
    talk.report(AUTHOR, post["id"], reason="测试")
    assert [r["post_id"] for r in talk.reports(EDITOR)] == [post["id"]]
    talk.hide_post(EDITOR, post["id"], hidden=True, reason="测试")
    assert talk.reports(EDITOR) == [] and talk.list(READER, mention=f"pc-{case_id}")["total"] == 1


def test_deleting_an_organisation_takes_its_cases_out_of_retrieval_and_leaves_others(services: dict[str, Any]) -> None:
    cases: CaseService = services["cases"]
    talk: DiscussionService = services["discussions"]
    case_id = published(cases)
    draft_id = cases.create(AUTHOR, body("临江县妇幼保健院"))["id"]
    other = cases.create(READER, body("滨海市中心医院"))["id"]
    cases.download(READER, case_id, idempotency_key="k")
    cases.download(AUTHOR, case_id, idempotency_key="k")
    thread = talk.create(READER, topic_kind="general", title="问个问题", body="大家怎么验收？")
    talk.reply(AUTHOR, thread["id"], body="我们按测评项验收。")
    own = talk.create(AUTHOR, topic_kind="general", title="无人回复", body="有人吗")

    exported = cases.export_organisation("org-a")
    assert {c["id"] for c in exported["cases"]} == {case_id, draft_id}
    assert next(c for c in exported["cases"] if c["id"] == case_id)["customer"] == "临江市第一人民医院"
    assert [d["case_id"] for d in exported["downloads_made"]] == [case_id]
    assert exported["downloads_of_our_cases"] == [{"case_id": case_id, "at": exported["downloads_of_our_cases"][0]["at"]}]
    assert len(talk.export_organisation("org-a")["posts"]) == 2

    counts = {**cases.delete_organisation("org-a"), **talk.delete_organisation("org-a")}
    assert counts["cases"] == 2 and counts["cases_private"] == 2 and counts["case_downloads"] == 2
    assert counts["discussion_posts"] == 2 and counts["discussion_threads"] == 1
    hits = services["stack"].retriever.search("数据库审计 旁路部署 HIS", k=10)
    assert f"pc-{case_id}" not in {h.chunk.doc_id for h in hits}
    assert cases.editorial.audit(doc_id=f"pc-{case_id}")[0].action == "purge"
    with pytest.raises(DocumentNotFound):
        cases.editorial.versions(f"pc-{case_id}")
    assert cases.store.get(other).org_id == "org-b" and cases.export_organisation("org-a")["cases"] == []
    remaining = talk.get(READER, thread["id"])
    assert [p["body"] for p in remaining["posts"]] == ["大家怎么验收？"]
    with pytest.raises(LookupError):
        talk.get(READER, own["id"])


def test_reconcile_settles_a_case_whose_approval_finished_but_not_its_own_state(services: dict[str, Any]) -> None:
    """As after a crash between the editorial publish and the case update."""
    cases: CaseService = services["cases"]
    case_id = cases.create(AUTHOR, body())["id"]
    cases.confirm(AUTHOR, case_id)
    submitted = cases.submit(AUTHOR, case_id)
    from corpus.editorial import Actor

    cases.editorial.approve(submitted["doc_id"], submitted["doc_version"], Actor(id=EDITOR.user_id))
    assert cases.store.get(case_id).status == "in_review"
    assert cases.reconcile() == [f"{case_id}: in_review → published"]
    row = cases.store.get(case_id)
    assert row.status == "published" and row.reviewed_by == EDITOR.user_id and row.published_at is not None
    assert cases.reconcile() == []
