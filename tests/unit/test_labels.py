"""One vocabulary for the corpus codes (corpus/labels.py): complete, and the only table the pages use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES, Kind
from corpus.labels import INDUSTRY_LABELS, KIND_LABELS, all_labels, problem_message
from corpus.validate import parse_text

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"


def test_every_code_has_one_chinese_name() -> None:
    labels = all_labels()
    assert set(labels["kinds"]) == {k.value for k in Kind}
    assert set(labels["industries"]) == {*INDUSTRY_CODES, "all"} and set(labels["needs"]) == set(NEED_CATEGORIES)
    for table in labels.values():
        assert all(re.search(r"[\u4e00-\u9fff]", name) for name in table.values()), table
    assert (KIND_LABELS["solution"], KIND_LABELS["industry_profile"]) == ("方案指南", "行业画像")


def test_the_chat_and_the_editor_keep_no_table_of_their_own() -> None:
    """Both import /labels.js (corpus/labels.py served as a module): no second copy that could drift."""
    names = [*KIND_LABELS.values(), *INDUSTRY_LABELS.values()]
    for script in ("strings.js", "editor-labels.js"):
        source = (STATIC / script).read_text(encoding="utf-8")
        assert 'from "/labels.js"' in source, script
        assert not [name for name in names if f'"{name}"' in source], script


@pytest.mark.parametrize(
    ("front_matter", "field", "chinese"),
    [
        ("title: ''", "title", "不能为空"),
        ("kind: blog", "kind", "取值 'blog' 无效"),
        ("industries: [all, finance]", "industries", "“各行业通用”不能与其他行业同时选择"),
        ("need_categories: []", "need_categories", "至少选择一项"),
        ("effective_date: 2024-13-01", "effective_date", "取值 '2024-13-01' 无效"),
        ("owner: me", "owner", "不是已知的字段"),
    ],
)
def test_validation_problems_read_in_chinese(front_matter: str, field: str, chinese: str) -> None:
    base = {"id": "faq-x1", "title": "标题", "kind": "faq", "industries": ["all"], "need_categories": ["it"],
            "source": {"issuer": "渠道参谋编辑部"}, "effective_date": "2025-01-01", "version": "1", "status": "draft"}  # fmt: skip
    key = front_matter.split(":")[0]
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in base.items() if k != key] + [front_matter]
    _, problems = parse_text("---\n" + "\n".join(lines) + "\n---\n\n正文。\n", "x.md")
    found = {p.field: problem_message(p.message) for p in problems}
    assert found.get(field) == chinese, found
