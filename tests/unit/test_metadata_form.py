"""The editor's metadata form: front matter to form fields and back, losing nothing else."""

from __future__ import annotations

import pytest
from helpers import document_text

from corpus.metadata_form import FormError, check, read_form, write_form

BODY = "# 标题\n\n第一条 正文保持不变。\n"


def doc(**fields: object) -> str:
    return document_text("reg-form-test", BODY, **fields)


def test_read_gives_every_field_flat() -> None:
    fields = read_form(doc(regions=["浙江省"], tags=["x"]))
    assert fields["title"] and fields["kind"] and fields["industries"] and fields["need_categories"]
    assert fields["regions"] == ["浙江省"] and fields["issuer"] and fields["illustrative"] is False
    assert fields["effective_date"].count("-") == 2  # ISO text for <input type=date>
    assert "id" not in fields and "status" not in fields and "tags" not in fields


def test_write_round_trips_and_keeps_the_rest() -> None:
    text = doc(tags=["保留"], regions=["浙江省"])
    written = write_form(text, {"title": "新标题", "industries": ["healthcare", "finance"], "articles": ["第一条", " "],
                                "regions": [], "vendor": "", "review_by": "2027-06-30", "illustrative": False})  # fmt: skip
    assert written.endswith(BODY) and "id: reg-form-test" in written and "tags:\n- 保留" in written
    assert "regions" not in written and "vendor" not in written and "illustrative" not in written
    assert "review_by: 2027-06-30\n" in written  # a date, unquoted
    fields = read_form(written)
    assert fields["title"] == "新标题" and fields["industries"] == ["healthcare", "finance"] and fields["articles"] == ["第一条"]
    assert check(written) == []
    assert read_form(write_form(written, {})) == fields  # no fields given: nothing changes


def test_invalid_values_are_kept_for_validation_to_name() -> None:
    written = write_form(doc(), {"title": "", "industries": ["hospital"], "effective_date": "去年"})
    problems = {p.field.split(".")[0]: p for p in check(written)}
    assert {"title", "industries", "effective_date"} <= set(problems)
    assert all(p.line > 1 for p in problems.values())


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# 没有 front matter\n", 1, "---"),
        ("---\ntitle: x\n", 1, "结尾"),
        ("---\ntitle: [x\n---\nbody\n", 2, "YAML"),
        ("---\n- a\n- b\n---\nbody\n", 2, "映射"),
    ],
)
def test_text_without_usable_front_matter_is_refused_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(FormError) as caught:
        read_form(text)
    assert caught.value.problem.line == line and words in caught.value.problem.message


def test_an_impossible_date_is_shown_for_validation_to_name() -> None:
    text = doc().replace("effective_date: ", "effective_date: 2024-13-45\nold_date: ", 1)
    assert read_form(text)["effective_date"] == "2024-13-45"
    written = write_form(text, {"title": "新标题"})
    assert any(p.field == "effective_date" for p in check(written))
    fixed = write_form(written, {"effective_date": "2024-12-31"})
    assert "effective_date: 2024-12-31\n" in fixed


def test_front_matter_nested_too_deeply_is_refused() -> None:
    with pytest.raises(FormError) as caught:
        read_form("---\ntitle: " + "[" * 2000 + "]" * 2000 + "\n---\nbody\n")
    assert caught.value.problem.field == "front matter" and "嵌套" in caught.value.problem.message
