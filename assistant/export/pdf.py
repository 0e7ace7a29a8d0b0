"""The export as a PDF (fpdf2), with subsets of Noto Sans SC embedded: no browser, nothing downloaded.

The font ships in the `pylopdf-fonts-zh-cn` wheel (SIL Open Font License 1.1); only the glyphs a
document uses are embedded. Each embedded subset holds at most `GLYPHS_PER_SUBSET` glyphs: with more,
glyph codes pass 0xFF and some text extractors (pypdf among them) read the text back wrong, so a brief
uses a few subsets of the same font, each character always from the same one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode

from assistant.export import APP_NAME, PROFILE_HEADING, SOURCES_HEADING, ExportDocument
from assistant.export.blocks import blocks

FAMILY = "NotoSansSC"
GLYPHS_PER_SUBSET = 240
HEADING_SIZES = {1: 16, 2: 13.5, 3: 12, 4: 11}
BODY_SIZE = 10.5
BRAND = (11, 95, 138)
GREY = (95, 107, 120)


@lru_cache(maxsize=1)
def font_path() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self._subset_of: dict[str, int] = {}
        self._subsets = 0

    def _family(self, char: str) -> str:
        """The subset (a font family name) a character is drawn from, adding subsets as they fill."""
        index = self._subset_of.get(char)
        if index is None:
            index = self._subset_of[char] = len(self._subset_of) // GLYPHS_PER_SUBSET
            while self._subsets <= index:
                self.add_font(f"{FAMILY}{self._subsets}", fname=str(font_path()))
                self._subsets += 1
        return f"{FAMILY}{index}"

    def text(self, text: str, size: float, colour: tuple[int, int, int], indent: float = 0, gap: float = 1.5) -> None:  # type: ignore[override]
        """A paragraph, wrapped at the page width, `indent` mm from the left margin."""
        left = self.l_margin
        self.set_left_margin(left + indent)
        self.set_x(left + indent)
        self.set_text_color(*colour)
        height = size * 0.55
        run, family = "", None
        for char in text + "\0":
            current = self._family(char) if char != "\0" else None
            if current != family and run:
                self.set_font(family, size=size)
                self.write(height, run, wrapmode=WrapMode.CHAR)
                run = ""
            family = current
            run += char if char != "\0" else ""
        self.ln(height + gap)
        self.set_left_margin(left)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(f"{FAMILY}0", size=8)  # its characters were given to the first subset (pdf_bytes)
        self.set_text_color(*GREY)
        self.cell(0, 6, f"{APP_NAME} · 第 {self.page_no()}/{{nb}} 页", align="C")


def pdf_bytes(document: ExportDocument) -> bytes:
    pdf = _Pdf()
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(document.title)
    pdf.set_author(APP_NAME)
    for char in f"{APP_NAME} · 第 /{{nb}} 页0123456789":  # the footer's characters share one subset
        pdf._family(char)
    pdf.add_page()
    ink = (29, 38, 48)
    pdf.text(document.title, 19, BRAND, gap=3)
    if document.profile_facts:
        pdf.text(PROFILE_HEADING, 11, GREY, gap=1)
        for label, value in document.profile_facts:
            pdf.text(f"{label}：{value}", 10, ink, indent=4, gap=0.5)
        pdf.ln(3)
    for block in blocks(document.body):
        text = f"{block.label}：{block.text}" if block.label else block.text
        if block.kind == "heading":
            pdf.ln(2)
            pdf.text(text, HEADING_SIZES.get(block.level, 11), BRAND)
        elif block.kind == "bullet":
            pdf.text(f"·  {text}", BODY_SIZE, ink, indent=4 * block.level)
        elif block.kind == "quote":
            pdf.text(text, BODY_SIZE, GREY, indent=4)
        else:
            pdf.text(text, BODY_SIZE, ink)
    if document.sources:
        pdf.ln(2)
        pdf.text(SOURCES_HEADING, HEADING_SIZES[2], BRAND)
        for group in document.groups:
            details = f"｜{group.details}" if group.details else ""
            pdf.text(f"{group.title}{details}{'｜示意案例' if group.illustrative else ''}", 10, ink, gap=0.5)
            pdf.text("；".join(f"[{n}] {locator}" for n, locator in group.passages), 9.5, GREY, indent=5)
    pdf.ln(2)
    pdf.text(f"{APP_NAME}导出，{document.created_at:%Y-%m-%d}。客户画像为系统推断；每句事实后的 [n] 对应“来源”中的编号。", 8.5, GREY)
    return bytes(pdf.output())
