"""Front matter parsing and validation: every problem names the right file, line and field."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from corpus.document import Industry, Kind, NeedCategory, Status
from corpus.validate import Problem, load_corpus, parse_file, parse_text

# A valid document whose line numbers the tests below rely on (id is deliberately not on line 2,
# so a problem reported at the "front matter starts here" default line cannot pass by accident).
VALID_LINES = [
    "---",  # 1
    "title: 医院等保三级要点",  # 2
    "id: faq-hospital-example",  # 3
    "kind: faq",  # 4
    "industries:",  # 5
    "  - healthcare",  # 6
    "  - education",  # 7
    "need_categories:",  # 8
    "  - network_security",  # 9
    "  - data_security",  # 10
    "source:",  # 11
    "  issuer: 渠道参谋编辑部",  # 12
    "  document_number: GB/T 22239-2019",  # 13
    "effective_date: 2025-01-01",  # 14
    "version: 2",  # 15
    "status: published",  # 16
    "tags: [等保, 2025]",  # 17
    "---",  # 18
    "",  # 19
    "# 医院等保三级要点",  # 20
    "",  # 21
    "三级医院的核心业务系统应按第三级开展等级保护测评。",  # 22
]
LINE = {key: i + 1 for i, key in enumerate(line.split(":")[0].strip() for line in VALID_LINES)}


def text_with(replace: dict[int, str | None] | None = None) -> str:
    """The valid document with some 1-based lines replaced (None deletes the line)."""
    lines: list[str] = []
    for number, line in enumerate(VALID_LINES, start=1):
        new = (replace or {}).get(number, line)
        if new is not None:
            lines.append(new)
    return "\n".join(lines) + "\n"


def only_problem(text: str, name: str = "doc.md") -> Problem:
    document, problems = parse_text(text, name)
    assert document is None
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# -- valid documents ---------------------------------------------------------------------


def test_valid_document_parses_with_typed_fields() -> None:
    document, problems = parse_text(text_with(), "faq/doc.md")

    assert problems == []
    assert document is not None
    meta = document.meta
    assert document.id == "faq-hospital-example"
    assert meta.kind is Kind.faq
    assert meta.industries == [Industry.healthcare, Industry.education]
    assert meta.need_categories == [NeedCategory.network_security, NeedCategory.data_security]
    assert meta.status is Status.published
    assert meta.effective_date == dt.date(2025, 1, 1)
    assert meta.version == "2"  # an unquoted YAML number is accepted as text
    assert meta.tags == ["等保", "2025"]
    assert meta.source.issuer == "渠道参谋编辑部"
    assert meta.source.document_number == "GB/T 22239-2019"
    assert meta.illustrative is False and meta.vendor is None and meta.regions == []
    assert document.path == "faq/doc.md"
    assert document.body.startswith("# 医院等保三级要点")
    assert document.id_line == 3


# Regression (fixed): Document.body_line is documented as "1-based line of the body's first line in the file",
# but parse_text strips the blank lines after the closing '---' from the body and still reports the line
# right after the fence (19 here) instead of the line where the body text starts (20).
def test_body_line_points_at_the_first_line_of_the_body() -> None:
    document, _ = parse_text(text_with(), "doc.md")
    assert document is not None
    first_body_line = document.body.split("\n")[0]
    assert VALID_LINES[document.body_line - 1] == first_body_line


def test_content_hash_changes_with_body_and_metadata_only() -> None:
    first, _ = parse_text(text_with(), "a.md")
    again, _ = parse_text(text_with(), "elsewhere/b.md")
    body_changed, _ = parse_text(text_with({22: "三级医院的核心系统应按第三级测评，每年一次。"}), "a.md")
    meta_changed, _ = parse_text(text_with({15: "version: 3"}), "a.md")
    assert first and again and body_changed and meta_changed
    assert first.content_hash == again.content_hash
    assert first.content_hash != body_changed.content_hash
    assert first.content_hash != meta_changed.content_hash


def test_problem_prints_as_file_line_field_message() -> None:
    problem = only_problem(text_with({4: "kind: blog"}), "faq/doc.md")
    assert re.fullmatch(r"faq/doc\.md:4: kind: .+", str(problem))


# -- one bad field: right field, right line ---------------------------------------------


def test_unknown_industry_code_is_reported_on_its_list_item() -> None:
    problem = only_problem(text_with({7: "  - educaton"}))
    assert (problem.line, problem.field) == (7, "industries.1")
    assert "educaton" in problem.message and "education" in problem.message


def test_unknown_industry_in_flow_list_is_reported_on_the_industries_line() -> None:
    problem = only_problem(text_with({5: "industries: [healthcare, hospital]", 6: None, 7: None}))
    assert (problem.line, problem.field) == (5, "industries.1")
    assert "hospital" in problem.message


def test_unknown_need_category_is_reported_on_its_list_item() -> None:
    problem = only_problem(text_with({10: "  - cloud"}))
    assert (problem.line, problem.field) == (10, "need_categories.1")
    assert "cloud" in problem.message


def test_unknown_kind_lists_the_allowed_values() -> None:
    problem = only_problem(text_with({4: "kind: blog"}))
    assert (problem.line, problem.field) == (4, "kind")
    assert "blog" in problem.message and "regulation" in problem.message


@pytest.mark.parametrize("field", ["title", "kind", "status", "effective_date", "version", "source"])
def test_missing_required_field_is_named(field: str) -> None:
    text = text_with({LINE[field]: None} if field != "source" else {11: None, 12: None, 13: None})
    problem = only_problem(text)
    assert problem.field == field
    assert problem.message == "required field is missing"
    assert problem.line in (1, 2)  # the field has no line of its own: the start of the front matter


def test_missing_nested_field_points_at_its_parent_key() -> None:
    problem = only_problem(text_with({12: None}))
    assert (problem.line, problem.field) == (11, "source.issuer")
    assert problem.message == "required field is missing"


@pytest.mark.parametrize("bad_id", ["Faq-Upper", "faq_underscore", "ab", "-leading-dash", "含中文-id", "a" * 81])
def test_bad_id_slug_is_reported_on_the_id_line(bad_id: str) -> None:
    problem = only_problem(text_with({3: f"id: {bad_id}"}))
    assert (problem.line, problem.field) == (3, "id")
    assert "slug" in problem.message


def test_unparseable_date_is_reported_on_its_line() -> None:
    problem = only_problem(text_with({14: "effective_date: 1 月 1 日"}))
    assert (problem.line, problem.field) == (14, "effective_date")


# Regression (fixed): a date-shaped value that is not a real calendar date (2025-13-45, 2025-02-30) makes PyYAML's
# constructor raise a plain ValueError, which parse_text does not catch (it only catches yaml.YAMLError).
# The exception escapes parse_text/load_corpus, so one such typo crashes `corpus validate` and aborts a
# whole `corpus ingest`, instead of becoming a `file:14: effective_date: ...` problem.
@pytest.mark.parametrize("value", ["2025-13-45", "2025-02-30"])
def test_impossible_calendar_date_is_a_problem_not_an_exception(value: str) -> None:
    problem = only_problem(text_with({14: f"effective_date: {value}"}))
    assert problem.line == 14
    assert problem.field in ("effective_date", "front matter")


def test_malformed_yaml_is_reported_on_the_line_of_the_yaml_error() -> None:
    problem = only_problem(text_with({13: "  document_number: GB/T 22239-2019: 第三级"}))
    assert (problem.line, problem.field) == (13, "front matter")
    assert problem.message.startswith("invalid YAML")


def test_malformed_yaml_indentation_is_reported_on_its_line() -> None:
    problem = only_problem(text_with({9: "    - network_security", 10: "  - data_security"}))
    assert problem.field == "front matter" and problem.message.startswith("invalid YAML")
    assert problem.line == 10


def test_front_matter_that_is_not_a_mapping_is_rejected() -> None:
    problem = only_problem("---\n- just\n- a list\n---\n\n正文\n")
    assert (problem.line, problem.field) == (2, "front matter")


def test_file_without_front_matter_is_reported_on_line_1() -> None:
    problem = only_problem("# 只有正文\n\n没有 front matter 的文件。\n")
    assert (problem.line, problem.field) == (1, "front matter")
    assert "---" in problem.message


def test_unclosed_front_matter_is_reported() -> None:
    problem = only_problem("\n".join(VALID_LINES[:17]) + "\n\n# 标题\n\n正文。\n")
    assert (problem.line, problem.field) == (1, "front matter")
    assert "closing" in problem.message


def test_document_without_body_is_reported() -> None:
    problem = only_problem("\n".join(VALID_LINES[:18]) + "\n\n\n")
    assert (problem.line, problem.field) == (18, "body")


# Regression (fixed): FrontMatter._consistent raises a model-level ValueError, so pydantic reports it with an empty
# location: the problem comes out as `doc.md:2: front matter: Value error, industries: 'all' cannot be
# combined ...` instead of naming the `industries` field on its own line (5 here).
def test_all_combined_with_other_industries_is_reported_on_the_industries_field() -> None:
    problem = only_problem(text_with({6: "  - all"}))
    assert "all" in problem.message
    assert (problem.line, problem.field) == (5, "industries")


def test_all_alone_is_a_valid_industry_list() -> None:
    document, problems = parse_text(text_with({6: "  - all", 7: None}), "doc.md")
    assert problems == [] and document is not None
    assert document.meta.covers_industry("agriculture")


def test_unknown_extra_field_is_reported_on_its_line() -> None:
    problem = only_problem(text_with({17: "owner: 张三"}))
    assert (problem.line, problem.field, problem.message) == (17, "owner", "unknown field")


def test_unknown_nested_field_is_reported_on_its_line() -> None:
    problem = only_problem(text_with({13: "  publisher: 某出版社"}))
    assert (problem.line, problem.field, problem.message) == (13, "source.publisher", "unknown field")


def test_several_problems_in_one_file_are_all_reported() -> None:
    _, problems = parse_text(text_with({4: "kind: blog", 7: "  - educaton", 17: "owner: 张三"}), "doc.md")
    assert {(p.line, p.field) for p in problems} == {(4, "kind"), (7, "industries.1"), (17, "owner")}


# -- whole files: encodings and non-text --------------------------------------------------


def test_empty_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"  \n\n")
    for name in ("empty.md", "blank.md"):
        document, problems = parse_file(tmp_path / name, tmp_path)
        assert document is None
        assert [(p.path, p.line, p.field) for p in problems] == [(name, 1, "file")]
        assert "empty" in problems[0].message


def test_binary_file_with_nul_bytes_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    document, problems = parse_file(path, tmp_path)
    assert document is None
    assert [(p.line, p.field) for p in problems] == [(1, "file")]
    assert "binary" in problems[0].message


def test_invalid_utf8_is_reported_on_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    raw = text_with().encode("utf-8").split(b"\n")
    raw[21] = "三级医院的核心业务系统".encode("gbk")  # line 22 saved in GBK
    path.write_bytes(b"\n".join(raw))
    document, problems = parse_file(path, tmp_path)
    assert document is None
    assert [(p.line, p.field) for p in problems] == [(22, "file")]
    assert "UTF-8" in problems[0].message


def test_bom_and_crlf_file_still_parses(tmp_path: Path) -> None:
    path = tmp_path / "windows.md"
    path.write_bytes(b"\xef\xbb\xbf" + text_with().replace("\n", "\r\n").encode("utf-8"))
    document, problems = parse_file(path, tmp_path)
    assert problems == []
    assert document is not None
    assert document.id == "faq-hospital-example"
    assert "\r" not in document.body and "\ufeff" not in document.body
    assert document.meta.title == "医院等保三级要点"
    assert document.body.endswith("测评。")


def test_problems_in_crlf_file_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "windows.md"
    path.write_bytes(b"\xef\xbb\xbf" + text_with({7: "  - educaton"}).replace("\n", "\r\n").encode("utf-8"))
    _, problems = parse_file(path, tmp_path)
    assert [(p.line, p.field) for p in problems] == [(7, "industries.1")]


# -- directories: cross-file rules ---------------------------------------------------------


def test_duplicate_id_is_reported_on_the_second_file_naming_the_first(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "first.md").write_text(text_with(), encoding="utf-8")
    (tmp_path / "b" / "second.md").write_text(text_with({2: "title: 另一份文档"}), encoding="utf-8")

    loaded = load_corpus(tmp_path)

    assert [d.path for d in loaded.documents] == ["a/first.md"]
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert (problem.path, problem.line, problem.field) == ("b/second.md", 3, "id")
    assert "a/first.md" in problem.message and "faq-hospital-example" in problem.message
    assert loaded.bad_files == ["b/second.md"]


def test_load_corpus_reports_relative_paths_and_skips_readme_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "good.md").write_text(text_with(), encoding="utf-8")
    (tmp_path / "sub" / "bad.md").write_text(text_with({3: "id: faq-other", 4: "kind: blog"}), encoding="utf-8")
    (tmp_path / "README.md").write_text("# 说明\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a corpus file", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("ignored", encoding="utf-8")

    loaded = load_corpus(tmp_path)

    assert [d.id for d in loaded.documents] == ["faq-hospital-example"]
    assert [str(p) for p in loaded.problems] == [str(Problem("sub/bad.md", 4, "kind", loaded.problems[0].message))]
    assert loaded.bad_files == ["sub/bad.md"]
    assert not loaded.ok


def test_missing_directory_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    loaded = load_corpus(tmp_path / "nope")
    assert not loaded.ok and loaded.documents == []
    assert loaded.problems[0].field == "path"


def test_front_matter_nested_too_deeply_is_a_problem_not_an_exception() -> None:
    text = "---\nid: x\ntitle: " + "[" * 2000 + "]" * 2000 + "\n---\n\nbody\n"
    document, problems = parse_text(text, "deep.md")
    assert document is None and len(problems) == 1
    assert (problems[0].line, problems[0].field) == (2, "front matter") and "nested too deeply" in problems[0].message
