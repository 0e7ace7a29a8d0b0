"""Chunking: headings and 第X条 articles are citable units, long sections split at sentence ends,
chunk ids hash the content."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import DEFAULT_BODY, make_document

from retrieval.chunking import ChunkingConfig, chunk_document

GUIDE_BODY = """# 医院等保三级要点

本文说明三级医院的核心业务系统为什么要按第三级开展等级保护测评，以及渠道伙伴能提供哪些服务和产品组合。

## 哪些系统要做三级

HIS、电子病历、LIS 和 PACS 等核心业务系统一般定为第三级，需要每年开展一次等级测评，并向公安机关备案测评结果。

## 对渠道伙伴意味着什么

医院等保三级带动防火墙、日志审计、数据库审计和堡垒机的采购，也带动年度测评配合和驻场运维服务的需求。
"""

STATUTE_BODY = """第一条 为了保障网络安全，维护网络空间主权和国家安全，制定本法。
第二条 在中华人民共和国境内建设、运营、维护和使用网络，适用本法。
第三条　国家坚持网络安全与信息化发展并重，遵循积极利用、科学发展、依法管理、确保安全的方针。
第二十一条 国家实行网络安全等级保护制度。网络运营者应当履行下列安全保护义务：
（一）制定内部安全管理制度和操作规程；
（二）采取监测、记录网络运行状态的技术措施，并按照规定留存相关的网络日志不少于六个月。
第二十二条规定的义务由网络运营者承担，依照本法第二十一条执行。
第十条之一 国家支持网络安全技术创新。
"""


def test_headings_become_locators_and_heading_paths() -> None:
    chunks = chunk_document(make_document("guide-hospital", GUIDE_BODY, title="医院等保三级要点"))

    assert [c.locator for c in chunks] == ["医院等保三级要点", "哪些系统要做三级", "对渠道伙伴意味着什么"]
    assert chunks[1].heading == "医院等保三级要点 > 哪些系统要做三级"
    assert chunks[1].text.startswith("HIS、电子病历")
    assert "##" not in "".join(c.text for c in chunks)
    assert [c.ordinal for c in chunks] == [0, 1, 2]
    assert all(c.doc_id == "guide-hospital" and c.chunk_id.startswith("guide-hospital:") for c in chunks)


def test_heading_levels_replace_siblings_in_the_heading_path() -> None:
    body = (
        "# 总标题\n\n## 第一章 总则\n\n### 第一节 一般规定\n\n一般规定的正文，说明适用范围和基本原则，足够长以独立成段。\n\n"
        "## 第二章 义务\n\n第二章的正文，说明网络运营者的安全保护义务，足够长以独立成段。\n"
    )
    chunks = chunk_document(make_document(body=body))
    assert [c.heading for c in chunks] == ["总标题 > 第一章 总则 > 第一节 一般规定", "总标题 > 第二章 义务"]


def test_each_article_becomes_its_own_chunk_without_headings() -> None:
    chunks = chunk_document(make_document("law-csl", STATUTE_BODY, kind="regulation"))

    assert [c.locator for c in chunks] == ["第一条", "第二条", "第三条", "第二十一条", "第十条之一"]
    by_locator = {c.locator: c for c in chunks}
    # an article keeps its items, and a line that merely starts with a reference stays inside the article
    article_21 = by_locator["第二十一条"].text
    assert "（一）制定内部安全管理制度" in article_21 and "不少于六个月" in article_21
    assert "第二十二条规定的义务" in article_21
    assert by_locator["第一条"].text == "第一条 为了保障网络安全，维护网络空间主权和国家安全，制定本法。"


def test_article_with_ideographic_space_is_recognised() -> None:
    body = "第一条　为了规范数据处理活动，保障数据安全，制定本法。\r\n第二条　在中华人民共和国境内开展数据处理活动，适用本法。"
    chunks = chunk_document(make_document(body=body.replace("\r\n", "\n")))
    assert [c.locator for c in chunks] == ["第一条", "第二条"]
    assert chunks[0].text.startswith("第一条\u3000为了规范")


def test_article_heading_and_article_paragraph_make_one_chunk() -> None:
    body = "## 第二十一条 网络安全等级保护义务\n\n第二十一条 国家实行网络安全等级保护制度，网络运营者应当履行安全保护义务。\n"
    chunks = chunk_document(make_document(body=body))
    assert [(c.locator, c.heading) for c in chunks] == [("第二十一条", "第二十一条 网络安全等级保护义务")]


def test_long_section_splits_at_sentence_ends_within_max_chars() -> None:
    enders = "。！？；"
    sentences = [f"第{i}句说明网络安全等级保护测评的一个要点并且给出明确的数值要求{enders[i % 4]}" for i in range(60)]
    body = "## 测评要点\n\n" + "".join(sentences)
    config = ChunkingConfig(max_chars=200)

    chunks = chunk_document(make_document(body=body), config)

    assert len(chunks) > 5
    assert all(c.locator == "测评要点" for c in chunks)
    assert all(len(c.text) <= config.max_chars for c in chunks)
    assert all(c.text[-1] in enders for c in chunks)  # never cut inside a sentence
    assert "".join(c.text for c in chunks) == "".join(sentences)  # nothing lost or duplicated


def test_long_article_keeps_its_locator_on_every_piece() -> None:
    long_article = "第五条 " + "网络运营者应当采取技术措施和其他必要措施，确保其收集的个人信息安全。" * 30
    chunks = chunk_document(make_document(body=long_article + "\n第六条 本法自公布之日起施行。"))
    assert len(chunks) > 2
    assert {c.locator for c in chunks[:-1]} == {"第五条"}
    assert chunks[-1].locator == "第六条"
    assert all(len(c.text) <= ChunkingConfig().max_chars for c in chunks)


def test_short_pieces_of_one_section_are_merged() -> None:
    body = "## 要点\n\n短句一。\n\n短句二。\n\n短句三。"
    chunks = chunk_document(make_document(body=body))
    assert len(chunks) == 1
    assert all(s in chunks[0].text for s in ("短句一", "短句二", "短句三"))


def test_chunk_ids_are_stable_across_runs() -> None:
    first = [c.chunk_id for c in chunk_document(make_document("guide-x", GUIDE_BODY))]
    second = [c.chunk_id for c in chunk_document(make_document("guide-x", GUIDE_BODY))]
    assert first == second
    assert len(set(first)) == len(first)


def test_chunk_ids_do_not_depend_on_the_process() -> None:
    """Ids are content hashes, not Python's per-process randomised hash()."""
    tests_dir = str(Path(__file__).resolve().parents[1])
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from helpers import make_document, DEFAULT_BODY;"
        "from retrieval.chunking import chunk_document;"
        "print(json.dumps([c.chunk_id for c in chunk_document(make_document('guide-x', DEFAULT_BODY))]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, tests_dir],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    other_process = json.loads(out.stdout.strip().splitlines()[-1])

    assert other_process == [c.chunk_id for c in chunk_document(make_document("guide-x", DEFAULT_BODY))]


def test_chunk_ids_change_only_for_changed_passages() -> None:
    before = chunk_document(make_document("guide-x", GUIDE_BODY))
    edited_body = GUIDE_BODY.replace("每年开展一次等级测评", "每年至少开展一次等级测评")
    after = chunk_document(make_document("guide-x", edited_body))

    assert [c.locator for c in before] == [c.locator for c in after]
    changed = [i for i, (b, a) in enumerate(zip(before, after)) if b.chunk_id != a.chunk_id]
    assert changed == [1]


def test_metadata_only_change_keeps_chunk_ids() -> None:
    before = chunk_document(make_document("guide-x", GUIDE_BODY, industries=["healthcare"], version="1"))
    after = chunk_document(make_document("guide-x", GUIDE_BODY, industries=["finance"], version="2"))
    assert [c.chunk_id for c in before] == [c.chunk_id for c in after]
    assert after[0].metadata["industries"] == "finance"


def test_same_passage_in_another_document_gets_another_id() -> None:
    a = chunk_document(make_document("guide-a", GUIDE_BODY))
    b = chunk_document(make_document("guide-b", GUIDE_BODY))
    assert not {c.chunk_id for c in a} & {c.chunk_id for c in b}


def test_identical_passages_in_one_document_get_unique_ids() -> None:
    passage = "本节内容与另一节完全相同：网络运营者应当按照网络安全等级保护制度的要求履行安全保护义务，并按照规定留存相关的网络日志不少于六个月。"
    assert len(passage) > ChunkingConfig().min_chars
    body = f"## 说明\n\n{passage}\n\n## 说明\n\n{passage}\n\n## 说明\n\n{passage}\n"
    chunks = chunk_document(make_document(body=body))

    assert len(chunks) == 3
    assert len({c.chunk_id for c in chunks}) == 3
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in chunk_document(make_document(body=body))]


def test_chunk_metadata_has_filter_flags_for_industries_and_needs() -> None:
    document = make_document(
        "case-hospital",
        GUIDE_BODY,
        kind="case",
        industries=["healthcare", "education"],
        need_categories=["data_security", "business"],
        illustrative=True,
        vendor="",
    )
    meta = chunk_document(document)[0].metadata

    assert meta["ind_healthcare"] is True and meta["ind_education"] is True
    assert meta["need_data_security"] is True and meta["need_business"] is True
    # every flag is present, explicitly False when not set: Chroma's upsert merges metadata keys
    assert all(meta[k] is False for k in ("ind_finance", "ind_all", "need_it", "need_network_security"))
    assert meta["industries"] == "healthcare,education"
    assert meta["need_categories"] == "data_security,business"
    assert (meta["doc_id"], meta["kind"], meta["status"], meta["illustrative"]) == ("case-hospital", "case", "published", True)
    assert meta["vendor"] == "" and meta["effective_date"] == "2025-01-01"
    assert all(isinstance(v, (str, bool, int, float)) for v in meta.values())  # Chroma accepts scalars only


def test_all_industries_document_gets_the_ind_all_flag() -> None:
    meta = chunk_document(make_document(industries=["all"]))[0].metadata
    assert meta["ind_all"] is True and meta["industries"] == "all"


def test_index_text_carries_title_heading_and_article() -> None:
    chunks = chunk_document(make_document("law-x", STATUTE_BODY, title="中华人民共和国网络安全法"))
    text = chunks[3].index_text
    assert text.startswith("中华人民共和国网络安全法 第二十一条\n")
    assert text.endswith(chunks[3].text)


def test_body_without_text_yields_no_chunks() -> None:
    assert chunk_document(make_document(body="# 只有标题\n\n## 还有小标题\n")) == []
