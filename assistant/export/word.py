"""The export as a Word document (python-docx): title, profile table, the reply, sources by document."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt, RGBColor

from assistant.export import APP_NAME, PROFILE_HEADING, SOURCES_HEADING, ExportDocument
from assistant.export.blocks import blocks

FONT = "Microsoft YaHei"  # Word substitutes an installed CJK font where this one is missing
GREY = RGBColor(0x5F, 0x6B, 0x78)


def docx_bytes(document: ExportDocument) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT)
    doc.core_properties.title = document.title
    doc.core_properties.author = APP_NAME
    doc.add_heading(document.title, level=0)
    if document.profile_facts:
        doc.add_heading(PROFILE_HEADING, level=2)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Light Grid Accent 1"
        for label, value in document.profile_facts:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    for block in blocks(document.body):
        if block.kind == "heading":
            doc.add_heading(block.text, level=min(block.level, 4))
            continue
        style_name = {"bullet": "List Bullet" if block.level <= 1 else "List Bullet 2", "quote": "Quote"}.get(block.kind)
        paragraph = doc.add_paragraph(style=style_name)
        if block.label:
            paragraph.add_run(f"{block.label}：").bold = True
        paragraph.add_run(block.text)
    if document.sources:
        doc.add_heading(SOURCES_HEADING, level=1)
        for group in document.groups:
            paragraph = doc.add_paragraph(style="List Bullet")
            paragraph.add_run(group.title).bold = True
            if group.details:
                paragraph.add_run(f"｜{group.details}")
            if group.illustrative:
                paragraph.add_run("｜示意案例")
            for n, locator in group.passages:
                doc.add_paragraph(f"[{n}] {locator}", style="List Bullet 2")
    note = doc.add_paragraph()
    run = note.add_run(f"{APP_NAME}导出，{document.created_at:%Y-%m-%d}。客户画像为系统推断；每句事实后的 [n] 对应“来源”中的编号。")
    run.font.size, run.font.color.rgb = Pt(9), GREY
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
