"""Importing files: sniffing by content and conversion to our Markdown (suggestions: test_suggest.py)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import yaml
from pdf_writer import make_pdf

from corpus.converters import Converted
from corpus.importers import FORMATS, MAX_BYTES, FileType, Format, ImportRefused, convert, register, sniff, to_document_text
from corpus.validate import parse_text
from retrieval.chunking import chunk_document

TODAY = dt.date(2026, 1, 15)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
REGULATION_PAGES = [
    ["网络安全等级保护管理办法", "（2019年5月10日国家互联网信息办公室公布）", "第一章 总则",
     "第一条 为了规范网络安全等级保护工作，保障网络安全，维护国家安全和社会公共利益，根据《中华人民", "共和国网络安全法》，制定本办法。",
     "第二条 网络运营者应当按照本办法开展网络定级、备案、安全建设和等级测评工作，并向公安机关备", "案。", "- 1 -"],
    ["网络安全等级保护管理办法", "第二章 等级测评",
     "第三条 第三级以上网络的运营者应当每年至少开展一次等级测评，发现不符合相应等级保护标准要求", "的，应当及时整改。",
     "第四条 本办法自2019年12月1日起施行。", "- 2 -"],
    ["网络安全等级保护管理办法", "附件：等级测评机构名录另行公布", "- 3 -"],
]  # fmt: skip


def refused(data: bytes, name: str) -> str:
    with pytest.raises(ImportRefused) as info:
        sniff(data, name)
    return info.value.message


def docx_bytes(build) -> bytes:  # type: ignore[no-untyped-def]
    from docx import Document

    doc = Document()
    build(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def assert_valid_and_chunked(imported) -> list[str]:  # type: ignore[no-untyped-def]
    """The combined document parses, and returns the chunk locators."""
    assert imported.problems == []
    document, problems = parse_text(to_document_text(imported), imported.filename)
    assert problems == [] and document is not None
    return [c.locator for c in chunk_document(document)]


# -- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (make_pdf([["第一条 测试"]]), "a.pdf", FileType.pdf),
        (make_pdf([["第一条 测试"]]), "no-extension", FileType.pdf),
        (b"\xef\xbb\xbf# \xe6\xa0\x87\xe9\xa2\x98\n", "a.md", FileType.markdown),
        ("第一条 纯文本。\r\n".encode(), "a.txt", FileType.text),
        (b"<!DOCTYPE html><html><body><p>hi</p></body></html>", "a.html", FileType.html),
        (b"<h1>Title</h1><p>text</p>", "page.htm", FileType.html),
        (b"<!doctype html><html><body>saved page</body></html>", "page.txt", FileType.html),
    ],
)
def test_sniff_decides_by_content(data: bytes, name: str, expected: FileType) -> None:
    assert sniff(data, name) is expected


def test_docx_is_a_zip_with_word_document_xml() -> None:
    data = docx_bytes(lambda d: d.add_paragraph("正文"))
    assert sniff(data, "a.docx") is FileType.docx


def test_png_renamed_pdf_is_refused_naming_both() -> None:
    message = refused(PNG, "scan.pdf")
    assert message == "文件扩展名为 .pdf，但内容不是 PDF（看起来是PNG 图片）"


def test_zip_renamed_docx_without_word_document_is_refused() -> None:
    message = refused(zip_bytes({"readme.txt": b"hello"}), "report.docx")
    assert ".docx" in message and "DOCX" in message and "ZIP 压缩包" in message


def test_xlsx_renamed_docx_says_it_is_a_workbook() -> None:
    assert "Excel" in refused(zip_bytes({"xl/workbook.xml": b"<workbook/>"}), "report.docx")


def test_pdf_renamed_txt_is_refused() -> None:
    message = refused(make_pdf([["第一条"]]), "notes.txt")
    assert message.startswith("文件扩展名为 .txt，但内容不是 UTF-8 文本") and "PDF" in message


def test_empty_and_blank_files_are_refused() -> None:
    assert refused(b"", "a.md") == "文件为空"
    assert refused(b" \n\n", "a.txt") == "文件为空"


def test_oversize_file_is_refused_with_both_sizes() -> None:
    with pytest.raises(ImportRefused) as info:
        sniff(b"a" * (MAX_BYTES + 1), "big.txt")
    assert info.value.field == "size"
    assert "20.0 MB" in info.value.message and "超过上限 20.0 MB" in info.value.message


def test_unknown_binary_and_unsupported_extension_are_refused() -> None:
    assert "无法识别" in refused(b"\x01\x02\x00\x03binary", "blob")
    assert ".doc" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "old.doc")
    assert "旧版 Office" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "old.pdf")


def test_gbk_text_is_refused_with_a_hint_to_save_as_utf8() -> None:
    message = refused("第一条 网络运营者应当履行安全保护义务。".encode("gbk"), "law.txt")
    assert "UTF-8" in message and "GBK" in message


def test_html_in_its_declared_gbk_charset_is_decoded() -> None:
    page = '<html><head><meta charset="gbk"><title>通知</title></head><body><p>数据安全</p></body></html>'
    imported = convert(page.encode("gbk"), "notice.html", today=TODAY)
    assert "数据安全" in imported.markdown


# -- conversion -------------------------------------------------------------------------------


def test_pdf_pages_become_articles_without_page_furniture() -> None:
    imported = convert(make_pdf(REGULATION_PAGES, title="metadata title"), "办法.pdf", today=TODAY)
    md = imported.markdown
    assert md.startswith("# 网络安全等级保护管理办法\n")
    assert "## 第一章 总则" in md and "## 第二章 等级测评" in md
    assert "根据《中华人民共和国网络安全法》，制定本办法。" in md  # wrapped line re-joined
    assert "\n\n第二条 网络运营者应当按照本办法开展网络定级、备案、安全建设和等级测评工作，并向公安机关备案。\n\n" in md
    assert "- 1 -" not in md and "\x0c" not in md
    assert md.count("网络安全等级保护管理办法") == 1  # the running header is dropped
    locators = assert_valid_and_chunked(imported)
    assert {"第一条", "第二条", "第三条", "第四条"} <= set(locators)
    meta = imported.front_matter
    assert meta["kind"] == "regulation" and meta["source"]["issuer"] == "国家互联网信息办公室"
    assert meta["effective_date"] == dt.date(2019, 12, 1) and meta["id"].startswith("reg-")


def test_scanned_pdf_without_text_is_a_problem() -> None:
    imported = convert(make_pdf([[], [], []]), "scan.pdf")
    assert [p.field for p in imported.problems] == ["file"]
    assert imported.problems[0].message.startswith("未能从 PDF 提取文字（可能是扫描件")


def test_broken_pdf_is_a_problem_not_an_exception() -> None:
    imported = convert(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "broken.pdf")
    assert imported.problems and imported.problems[0].field == "file"


def test_docx_headings_lists_tables_and_articles() -> None:
    def build(doc):  # type: ignore[no-untyped-def]
        doc.add_heading("医院数据安全方案", level=0)
        doc.add_heading("建设要点", level=1)
        doc.add_paragraph("第一章 总体要求")
        doc.add_paragraph("第一条 医院应当对电子病历系统开展数据分类分级。")
        doc.add_paragraph("部署数据库审计", style="List Bullet")
        doc.add_paragraph("部署数据脱敏", style="List Bullet")
        table = doc.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "系统", "等级"
        table.cell(1, 0).text, table.cell(1, 1).text = "HIS|核心", "三级"

    imported = convert(docx_bytes(build), "方案.docx", today=TODAY)
    md = imported.markdown
    assert md.startswith("# 医院数据安全方案\n\n## 建设要点\n\n## 第一章 总体要求\n\n第一条 医院应当")
    assert "- 部署数据库审计\n- 部署数据脱敏" in md
    assert "| 系统 | 等级 |\n|---|---|\n| HIS\\|核心 | 三级 |" in md
    assert_valid_and_chunked(imported)
    assert imported.front_matter["kind"] == "solution" and imported.front_matter["industries"] == ["healthcare"]


def test_corrupt_docx_is_a_problem() -> None:
    imported = convert(zip_bytes({"word/document.xml": b"not xml", "[Content_Types].xml": b"<x/>"}), "bad.docx")
    assert imported.problems and imported.problems[0].message.startswith("无法读取 DOCX")


def test_html_blocks_become_markdown_and_scripts_are_dropped() -> None:
    page = """<!DOCTYPE html><html><head><title>页面标题</title><style>p{color:red}</style>
    <script>var x = "<p>不要</p>";</script><body>
    <nav><a href="/">首页</a></nav>
    <h1>学校上网行为管理</h1><h2>要求&amp;做法</h2>
    <p>校园网应当落实
       实名认证&nbsp;和日志留存，&lt;不少于六个月&gt;。</p>
    <ul><li>认证</li><li>审计</li></ul>
    <table><tr><th>项目</th><th>要求</th></tr><tr><td>日志</td><td>六个月<br>以上</td></tr></table>
    <p>第一条 学校应当建立网络安全责任制。</p></body></html>"""
    imported = convert(page.encode(), "page.html", today=TODAY)
    md = imported.markdown
    assert md.startswith("# 学校上网行为管理\n\n## 要求&做法\n\n校园网应当落实实名认证 和日志留存，<不少于六个月>。")
    assert "- 认证\n- 审计" in md and "| 日志 | 六个月 以上 |" in md and "\n\n第一条 学校应当" in md
    assert "不要" not in md and "color" not in md and "首页" not in md
    assert_valid_and_chunked(imported)


def test_txt_lines_become_paragraphs_with_a_title() -> None:
    text = "﻿数据出境安全评估办法\r\n\r\n第一章 总则\r\n第一条 为了规范数据出境活动，制定本办法。\r\n第二条 数据处理者向境外提供重要数据的，应当申报安全评估。\r\n"
    imported = convert(text.encode(), "出境.txt", today=TODAY)
    assert imported.markdown.startswith("# 数据出境安全评估办法\n\n## 第一章 总则\n\n第一条 为了规范")
    assert imported.front_matter["need_categories"] == ["data_security"]
    # a government rule that names neither its issuer nor a date: both are left for the editor, not invented
    assert sorted(p.field for p in imported.problems) == ["effective_date", "source.issuer"]
    assert "填写" in imported.suggestions["issuer"][0] and "填写" in imported.suggestions["effective_date"][0]
    imported.front_matter["source"]["issuer"] = "国家互联网信息办公室"
    imported.front_matter["effective_date"] = dt.date(2022, 9, 1)
    imported.problems = []
    assert assert_valid_and_chunked(imported)[-2:] == ["第一条", "第二条"]


def test_markdown_without_front_matter_gets_a_suggested_one() -> None:
    imported = convert("# 等保三级常见问题\n\n问：医院 HIS 要做等保三级吗？答：是的。".encode(), "faq.md", today=TODAY)
    assert not imported.kept_front_matter
    assert imported.front_matter["kind"] == "faq" and imported.front_matter["id"].startswith("faq-")
    assert imported.front_matter["effective_date"] == TODAY and imported.front_matter["status"] == "draft"
    assert_valid_and_chunked(imported)


def test_markdown_front_matter_is_kept_and_missing_fields_filled() -> None:
    text = "---\nid: sol-my-guide\ntitle: 我的指南\nkind: solution\nindustries: [finance]\ntags: [银行]\n---\n\n# 我的指南\n\n银行网点的终端安全建议。\n"
    imported = convert(text.encode(), "guide.md", today=TODAY)
    meta = imported.front_matter
    assert imported.kept_front_matter and meta["id"] == "sol-my-guide" and meta["industries"] == ["finance"]
    assert meta["tags"] == ["银行"] and meta["status"] == "draft" and meta["version"] == "1"
    assert "需求类别" in imported.suggestions["front matter"][0]  # named as the form names it
    assert_valid_and_chunked(imported)


def test_markdown_front_matter_problems_are_reported_like_validate() -> None:
    text = "---\nid: faq-x1\ntitle: 标题\nkind: blog\nindustries: [all]\nneed_categories: [it]\nsource: {issuer: 编辑部}\neffective_date: 2025-01-01\nversion: '1'\nstatus: draft\n---\n\n正文。\n"
    imported = convert(text.encode(), "bad.md")
    assert [(p.path, p.line, p.field) for p in imported.problems] == [("bad.md", 4, "kind")]
    broken = convert(b"---\nid: [unclosed\n---\n\nbody\n", "broken.md")
    assert broken.problems and broken.problems[0].field == "front matter"
    impossible = convert(b"---\nid: faq-x2\neffective_date: 2024-13-45\n---\n\n# T\n\nbody.\n", "date.md")
    assert [(p.line, p.field) for p in impossible.problems] == [(3, "effective_date")]
    deep = convert(b"---\ntitle: " + b"[" * 2000 + b"]" * 2000 + b"\n---\n\nbody\n", "deep.md")
    assert [(p.line, p.field) for p in deep.problems] == [(2, "front matter")]


def test_converted_front_matter_dumps_as_yaml_dates() -> None:
    imported = convert("# 标题\n\n本规定自2021年9月1日起施行。".encode(), "a.md")
    header = to_document_text(imported).split("---\n")[1]
    assert "effective_date: 2021-09-01" in header
    assert yaml.safe_load(header)["effective_date"] == dt.date(2021, 9, 1)


def test_pdf_lines_rejoin_unless_the_next_line_is_indented() -> None:
    from corpus.converters import join_lines

    first = "第一条　" + "甲" * 35 + "。"
    assert join_lines([first, "乙" * 39 + "，", "丙。"]) == [first + "乙" * 39 + "，丙。"]
    assert join_lines([first, "　　" + "乙" * 39 + "，", "丙。"]) == [first, "乙" * 39 + "，丙。"]
    assert join_lines(["Section one of the", "policy text.", "第二条　短。"]) == ["Section one of the policy text.", "第二条　短。"]


def test_a_registered_format_decides_recognition_labels_and_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry is the one place a format is described: replacing PDF's entry changes what a PDF is
    recognised by, what it is called in messages and how it is converted."""
    monkeypatch.setitem(FORMATS, FileType.pdf, FORMATS[FileType.pdf])  # restored after the test
    register(Format(FileType.pdf, "便携文档", (".pdf", ".pdfx"), lambda data: (Converted(f"# 标题\n\n共 {len(data)} 字节"), None),
                    detect=lambda data: data.startswith(b"FAKEPDF")))
    assert sniff(b"FAKEPDF 1", "a.pdfx") is FileType.pdf
    assert "# 标题" in convert(b"FAKEPDF 1", "a.pdf", today=TODAY).markdown
    with pytest.raises(ImportRefused, match=r"文件扩展名为 \.pdf，但内容不是 PDF（看起来是文本）"):
        sniff(b"%PDF-1.7 no longer ours", "a.pdf")
    with pytest.raises(ImportRefused, match="看起来是便携文档"):
        sniff(b"FAKEPDF 2", "a.txt")
