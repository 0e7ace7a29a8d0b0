"""The export as a PDF (fpdf2), with a subset of Noto Sans SC embedded: no browser, nothing downloaded.

The font ships in the `pylopdf-fonts-zh-cn` wheel (SIL Open Font License 1.1); only the glyphs a
document uses are embedded, so a brief's PDF stays small (tens of kilobytes).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from assistant.export import APP_NAME, PROFILE_HEADING, SOURCES_HEADING, ExportDocument
from assistant.export.blocks import blocks

FAMILY = "NotoSansSC"
HEADING_SIZES = {1: 16, 2: 13.5, 3: 12, 4: 11}
BODY_SIZE = 10.5
BRAND = (11, 95, 138)
GREY = (95, 107, 120)


@lru_cache(maxsize=1)
def font_path() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 6, f"{APP_NAME} · 第 {self.page_no()}/{{nb}} 页", align="C")


def pdf_bytes(document: ExportDocument) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FAMILY, fname=str(font_path()))
    pdf.set_title(document.title)
    pdf.set_author(APP_NAME)
    pdf.add_page()

    def write(text: str, size: float = BODY_SIZE, colour: tuple[int, int, int] = (29, 38, 48), indent: float = 0,
              gap: float = 1.5) -> None:
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*colour)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, size * 0.55, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    write(document.title, size=19, colour=BRAND, gap=3)
    if document.profile_facts:
        write(PROFILE_HEADING, size=11, colour=GREY, gap=1)
        for label, value in document.profile_facts:
            write(f"{label}：{value}", size=10, indent=4, gap=0.5)
        pdf.ln(3)
    for block in blocks(document.body):
        text = f"{block.label}：{block.text}" if block.label else block.text
        if block.kind == "heading":
            pdf.ln(2)
            write(text, size=HEADING_SIZES.get(block.level, 11), colour=BRAND)
        elif block.kind == "bullet":
            write(f"•  {text}", indent=4 * block.level)
        elif block.kind == "quote":
            write(text, colour=GREY, indent=4)
        else:
            write(text)
    if document.sources:
        pdf.ln(2)
        write(SOURCES_HEADING, size=HEADING_SIZES[2], colour=BRAND)
        for group in document.groups:
            details = f"｜{group.details}" if group.details else ""
            write(f"{group.title}{details}{'｜示意案例' if group.illustrative else ''}", size=10, gap=0.5)
            write("；".join(f"[{n}] {locator}" for n, locator in group.passages), size=9.5, colour=GREY, indent=5)
    pdf.ln(2)
    write(f"{APP_NAME}导出，{document.created_at:%Y-%m-%d}。客户画像为系统推断；每句事实后的 [n] 对应“来源”中的编号。",
          size=8.5, colour=GREY)
    return bytes(pdf.output())
