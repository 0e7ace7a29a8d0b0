"""One vocabulary for the corpus codes (corpus/labels.py): complete, served as is, and the chat's own copy agrees."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES, Kind
from corpus.labels import KIND_LABELS, all_labels, problem_message
from corpus.validate import parse_text

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"


def test_every_code_has_one_chinese_name() -> None:
    labels = all_labels()
    assert set(labels["kinds"]) == {k.value for k in Kind}
    assert set(labels["industries"]) == {*INDUSTRY_CODES, "all"} and set(labels["needs"]) == set(NEED_CATEGORIES)
    for table in labels.values():
        assert all(re.search(r"[\u4e00-\u9fff]", name) for name in table.values()), table
    assert (KIND_LABELS["solution"], KIND_LABELS["industry_profile"]) == ("方案指南", "行业画像")


def _js_table(source: str, name: str) -> dict[str, str]:
    body = re.search(rf"\b{name}: \{{(.*?)\}}", source, re.S)
    assert body, name
    return dict(re.findall(r'(\w+): "([^"]+)"', body.group(1)))


def test_the_chat_says_what_the_editor_says() -> None:
    """The chat still carries its own table (static/strings.js): it must not drift from the one vocabulary."""
    chat = (STATIC / "strings.js").read_text(encoding="utf-8")
    labels = all_labels()
    assert _js_table(chat, "kinds") == labels["kinds"]
    industries = _js_table(chat, "industries")
    assert {k: v for k, v in industries.items() if k != "unknown"} == {k: v for k, v in labels["industries"].items() if k != "all"}
    editor = (STATIC / "editor-labels.js").read_text(encoding="utf-8")
    assert not re.search(r"[\u4e00-\u9fff]{2,}\"", editor.split("async function load")[1])  # no second table: fetched


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
