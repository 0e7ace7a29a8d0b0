"""Importing files: sniffing by content, conversion to our Markdown, and front-matter suggestions."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import yaml
from pdf_writer import make_pdf

from corpus.converters import Converted
from corpus.importers import FORMATS, MAX_BYTES, FileType, Format, ImportRefused, convert, register, sniff, to_document_text
from corpus.suggest import (
    suggest_articles,
    suggest_document_number,
    suggest_effective_date,
    suggest_id,
    suggest_industries,
    suggest_issuer,
    suggest_kind,
    suggest_needs,
    suggest_regions,
    suggest_title,
)
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


# -- suggestions ------------------------------------------------------------------------------

HOSPITAL = "# 三级医院等保测评方案\n\n" + "医院的HIS、电子病历和患者数据需要按等保三级保护，部署防火墙与数据库审计。" * 4
BANK = "# 城商行数据安全实践\n\n" + "银行应当开展数据分类分级，对个人信息进行脱敏和加密，证券和保险机构同样适用。" * 3


def test_title_from_heading_hint_or_first_line() -> None:
    assert suggest_title("# 标题一\n\n正文")[0] == "标题一"
    assert suggest_title("正文没有标题。第二句。", hint="元数据标题")[0] == "元数据标题"
    assert suggest_title("第一行就是说明。后面还有")[0] == "第一行就是说明"


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("信息安全技术 网络安全等级保护基本要求", "GB/T 22239-2019 代替 GB/T 22239-2008", "standard"),
        ("个人金融信息保护技术规范", "JR/T 0171—2020", "standard"),
        ("中华人民共和国数据安全法", "第一条 目的。\n第二条 范围。\n第三条 原则。", "regulation"),
        ("网络安全审查办法", "第一条 a\n第二条 b\n第三条 c\n第四条 d", "regulation"),
        ("某三级医院勒索病毒处置案例", "示例案例。", "case"),
        ("等保测评常见问题", "问：……", "faq"),
        ("零信任远程办公方案", "方案介绍。", "solution"),
        ("金融行业画像", "银行、证券。", "industry_profile"),
        ("关于渠道合作的一些想法", "没有特别结构的文字。", "solution"),
    ],
)
def test_kind_is_recognised(title: str, body: str, kind: str) -> None:
    assert suggest_kind(title, body)[0] == kind


def test_industries_by_keyword_density() -> None:
    assert suggest_industries("三级医院等保测评方案", HOSPITAL)[0] == ["healthcare"]
    assert suggest_industries("城商行数据安全实践", BANK)[0] == ["finance"]
    value, reasons = suggest_industries("网络安全通用要求", "网络运营者应当履行安全义务。" * 20)
    assert value == ["all"] and "没有突出的行业" in reasons[0]
    many = "医院、银行、学校、电力、工厂、政务、运营商、交通。" * 10
    assert suggest_industries("通用", many)[0] == ["all"]


def test_need_categories_by_keywords() -> None:
    assert suggest_needs("三级医院等保测评方案", HOSPITAL)[0][0] == "network_security"
    assert suggest_needs("城商行数据安全实践", BANK)[0][0] == "data_security"
    assert suggest_needs("私有云建设", "建设私有云平台和数据中心机房，推进上云。")[0] == ["it"]
    assert suggest_needs("数字化转型", "以数字化转型推动业务发展，建设智慧校园。")[0] == ["business"]
    assert suggest_needs("无关", "没有关键词")[0] == ["it"]


def test_issuer_near_the_start_or_our_editorial_team() -> None:
    head = "# 网络数据安全管理条例\n\n2024年9月24日中华人民共和国国务院令第790号公布\n\n第一条 国家网信部门……"
    assert suggest_issuer(head)[0] == "国务院"
    assert suggest_issuer("# 办法\n\n（国家网信办 公安部 联合发布）")[0] == "国家互联网信息办公室"
    assert suggest_issuer("# 通知\n\n国务院办公厅关于……")[0] == "国务院办公厅"
    assert suggest_issuer("# 指南\n\n本指南介绍零信任。")[0] == "渠道参谋编辑部"
    assert suggest_issuer("第一条 …", "中华人民共和国密码法", "regulation")[0] == "全国人民代表大会常务委员会"


@pytest.mark.parametrize(
    ("text", "title", "kind", "number", "issuer"),
    [
        # a government instrument that names no body is never ours: the editor fills the issuer in
        ("第一条 …", "网络安全审查办法", "regulation", None, None),
        ("各有关单位：现将有关事项通知如下。", "关于开展数据安全检查的通知", "solution", None, None),
        ("正文。", "某某指引", "solution", "某发〔2024〕3号", None),
        # provincial bodies, as written or from the title
        ("# 浙江省公共数据条例\n\n（2022年1月21日浙江省第十三届人民代表大会第六次会议通过）", "浙江省公共数据条例", "regulation",
         None, "浙江省人民代表大会"),
        ("广东省通信管理局关于加强数据中心安全管理的通知", "关于加强数据中心安全管理的通知", "solution", None, "广东省通信管理局"),
        ("第一条 为了……，结合本省实际，制定本条例。", "江苏省数据条例", "regulation", None, "江苏省人民代表大会常务委员会"),
        ("第一条 为了……，结合本市实际，制定本办法。", "上海市公共数据开放办法", "regulation", None, "上海市人民政府"),
        # a standard by its number's prefix, a notice by its number's issuing-body code
        ("范围。", "个人金融信息保护技术规范", "standard", "JR/T 0171-2020", "中国人民银行"),
        ("范围。", "基本要求", "standard", "GB/T 22239-2019", "国家市场监督管理总局、国家标准化管理委员会"),
        ("各省、自治区、直辖市人民政府：", "关于加强数字政府建设的指导意见", "solution", "国发〔2022〕14号", "国务院"),
    ],
)
def test_issuer_of_a_government_instrument_is_its_body_or_left_blank(
    text: str, title: str, kind: str, number: str | None, issuer: str | None
) -> None:
    value, reasons = suggest_issuer(text, title, kind, number)
    assert value == issuer, reasons
    assert value != "渠道参谋编辑部" and reasons


@pytest.mark.parametrize(
    ("title", "text", "issuer", "regions"),
    [
        ("浙江省公共数据条例", "第一条 …", None, ["浙江省"]),
        ("广东数字政府网络安全指数评估办法", "第一条 …", None, ["广东省"]),
        ("关于加强数据中心安全管理的通知", "各单位：……", "广东省通信管理局", ["广东省"]),
        ("公共数据授权运营管理办法", "# 公共数据授权运营管理办法\n\n北京市经济和信息化局\n\n第一条 为了推动本市公共数据……", None, ["北京市"]),
        ("中华人民共和国网络安全法", "第一条 … 上海证券交易所、北京证券交易所……", "全国人民代表大会常务委员会", []),
        ("医院数据安全方案", "某省三甲医院的做法。", "渠道参谋编辑部", []),
    ],
)
def test_a_province_is_suggested_when_the_text_applies_to_one(title: str, text: str, issuer: str | None, regions: list[str]) -> None:
    value, reasons = suggest_regions(title, text, issuer)
    assert value == regions and reasons


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2021年7月30日中华人民共和国国务院令第745号公布", "中华人民共和国国务院令第745号"),
        ("国令第745号", "国令第745号"),
        ("国办发〔2022〕29号 各省、自治区", "国办发〔2022〕29号"),
        ("信息安全技术 GB/T 22239-2019", "GB/T 22239-2019"),
        ("国家互联网信息办公室令第12号", "国家互联网信息办公室令第12号"),
        ("没有文号的指南", None),
    ],
)
def test_document_number(text: str, number: str | None) -> None:
    assert suggest_document_number("", text)[0] == number


def test_articles_in_order_unique_first_twenty() -> None:
    cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    numbers = cn + [f"十{c}" for c in cn[:9]] + ["二十", "二十一", "二十二"]
    text = "\n\n".join(f"第{n}条 内容。" for n in numbers) + "\n\n第一条 重复。\n\n## 第二十三条 标题里的条"
    articles, reasons = suggest_articles(text)
    assert articles[:3] == ["第一条", "第二条", "第三条"] and len(articles) == 20 and "共 23 条" in reasons[0]
    assert suggest_articles("依照第三条规定")[0] == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("第五十五条 本法自2021年9月1日起施行。", dt.date(2021, 9, 1)),
        ("本标准自二〇二一年十二月一日起实施。", dt.date(2021, 12, 1)),
        ("2019-12-01 实施", dt.date(2019, 12, 1)),
        ("1994年2月18日国务院令第147号发布\n\n第三十一条 本条例自发布之日起施行。", dt.date(1994, 2, 18)),
        ("各单位：\n\n请认真贯彻执行。\n\n工业和信息化部办公厅\n\n2024年3月15日\n", dt.date(2024, 3, 15)),
        ("没有日期。", None),
    ],
)
def test_effective_date_is_read_from_the_text_never_today(text: str, date: dt.date | None) -> None:
    value, reasons = suggest_effective_date(text)
    assert value == date and reasons
    assert "今天" not in reasons[0]


def test_own_material_without_a_date_takes_the_import_date_and_says_so() -> None:
    imported = convert("# 零信任落地方案\n\n零信任的做法。".encode(), "guide.md", today=TODAY)
    assert imported.front_matter["source"]["issuer"] == "渠道参谋编辑部"
    assert imported.front_matter["effective_date"] == TODAY and "导入日期" in imported.suggestions["effective_date"][0]


def test_id_has_kind_prefix_is_stable_and_valid() -> None:
    first = suggest_id("regulation", "网络安全审查办法", None, dt.date(2022, 2, 15))[0]
    assert first == suggest_id("regulation", "网络安全审查办法", None, dt.date(2022, 2, 15))[0]
    assert first.startswith("reg-") and first != suggest_id("regulation", "网络安全审查办法")[0]
    assert suggest_id("case", "案例")[0].startswith("case-")
    assert suggest_id("standard", "基本要求", "GB/T 22239-2019")[0] == "std-gb-t-22239-2019"


def test_pdf_lines_rejoin_unless_the_next_line_is_indented() -> None:
    from corpus.converters import join_lines

    first = "第一条　" + "甲" * 35 + "。"
    assert join_lines([first, "乙" * 39 + "，", "丙。"]) == [first + "乙" * 39 + "，丙。"]
    assert join_lines([first, "　　" + "乙" * 39 + "，", "丙。"]) == [first, "乙" * 39 + "，丙。"]
    assert join_lines(["Section one of the", "policy text.", "第二条　短。"]) == ["Section one of the policy text.", "第二条　短。"]


def test_reasons_name_fields_and_codes_in_chinese() -> None:
    """What the editor reads under 导入时的预填依据: no industry, need or kind codes."""
    from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES

    imported = convert(f"# 三级医院等保测评方案\n\n{HOSPITAL}".encode(), "方案.md", today=TODAY)
    codes = {*INDUSTRY_CODES, *NEED_CATEGORIES, "industry_profile", "regulation", "solution"}
    for field, reasons in imported.suggestions.items():
        for reason in reasons:
            assert not any(code in reason for code in codes), (field, reason)
    assert "医疗卫生：" in imported.suggestions["industries"][0]


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
