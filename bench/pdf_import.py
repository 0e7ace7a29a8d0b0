"""A 100-page Chinese PDF from upload to searchable: convert, write, ingest, find a known article.

The PDF is a regulation compendium made from the real statute texts in ../shared/data/laws,
articles renumbered 第一条… across all laws (each law a 第X章), laid out by fpdf2 with an
embedded CJK font (WenQuanYi Micro Hei), a running header and `- N -` page numbers, as an
office would export it. Half way through sits one article with known, unique wording; the
run counts only when the search for it returns that article first. Index building (loading
the embedder) is reported apart: a running server has done it already.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import SHARED, stack

LAWS = SHARED / "data" / "laws"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PAGES = 100
TARGET_S = 20.0
TITLE = "网络与数据安全法规汇编（基准测试用）"
NEEDLE = ("渠道伙伴承接量子密钥分发网络改造项目的，应当在合同签订后七十二小时内向所在地省级密码管理部门"
          "报送项目备案表，并同步提交供应链安全承诺书。")  # fmt: skip
QUERY = "量子密钥分发 改造项目 七十二小时 备案表 供应链安全承诺书"
ARTICLE = re.compile(r"^第[零〇一二三四五六七八九十百千两]+条[\s\u3000]+")
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..9999 in Chinese numerals as statutes write them (十一, 一百零五, 二百一十)."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero and out else "") + ("" if (digit == 1 and unit == "十" and not out) else DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def law_articles() -> list[tuple[str, list[str]]]:
    """(title, article texts without their numbers) per law."""
    laws = []
    for path in sorted(LAWS.glob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        title = next(line for line in text.split("\n") if line.strip()).lstrip("#").strip()
        articles: list[str] = []
        for line in text.split("<!-- INFO END -->")[-1].split("\n"):
            line = line.strip()
            if ARTICLE.match(line):
                articles.append(ARTICLE.sub("", line))
            elif articles and line and not line.startswith("#") and not re.match(r"^第\S+[章节编]", line):
                articles[-1] += "\n" + line
        laws.append((title, articles))
    return laws


def make_pdf() -> tuple[bytes, str, int]:
    """The PDF, the needle's article number, and the number of articles."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    class Compendium(FPDF):
        def header(self) -> None:
            self.set_font("wqy", size=9)
            self.cell(0, 6, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("wqy", size=9)
            self.cell(0, 8, f"- {self.page_no()} -", align="C")

    pdf = Compendium(format="A4")
    pdf.set_title(TITLE)
    pdf.add_font("wqy", fname=str(FONT), collection_font_number=0)
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("wqy", size=16)
    pdf.multi_cell(0, 10, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    laws = law_articles()
    number, chapter, needle = 0, 0, ""
    while pdf.page_no() < PAGES:
        for title, articles in laws:
            chapter += 1
            pdf.set_font("wqy", size=13)
            pdf.multi_cell(0, 9, f"第{chinese_number(chapter)}章　{title}", align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("wqy", size=11)
            for text in articles:
                if not needle and pdf.page_no() >= PAGES // 2:
                    number += 1
                    needle = f"第{chinese_number(number)}条"
                    pdf.multi_cell(0, 7, f"{needle}　{NEEDLE}", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
                number += 1
                for i, paragraph in enumerate(text.split("\n")):
                    lead = f"第{chinese_number(number)}条　" if i == 0 else "　　"
                    pdf.multi_cell(0, 7, lead + paragraph, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
                if pdf.page_no() >= PAGES:
                    break
            if pdf.page_no() >= PAGES:
                break
    return bytes(pdf.output()), needle, number


def run() -> dict[str, Any]:
    if not LAWS.is_dir():
        return {"skipped": f"statute texts not found at {LAWS}"}
    from corpus.importers import convert, to_document_text

    started = time.perf_counter()
    data, needle, articles = make_pdf()
    generate_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="pdf-import-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        container = stack(root / "var")
        container.embedder.warm_up()
        setup_s = time.perf_counter() - t0
        try:
            t0 = time.perf_counter()
            imported = convert(data, "法规汇编.pdf")
            convert_s = time.perf_counter() - t0
            if imported.problems:
                return {"skipped": f"conversion problems: {[str(p) for p in imported.problems]}"}
            t0 = time.perf_counter()
            imported.front_matter["status"] = "published"
            target = root / "corpus" / "regulations" / f"{imported.doc_id}.md"
            target.parent.mkdir(parents=True)
            target.write_text(to_document_text(imported), encoding="utf-8")
            write_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            report = container.indexer.ingest(root / "corpus")
            ingest_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            hits = container.retriever.search(QUERY, k=5)
            search_s = time.perf_counter() - t0
        finally:
            container.close()
    total = convert_s + write_s + ingest_s + search_s
    found = bool(hits) and hits[0].chunk.locator == needle
    return {
        "pages": PAGES,
        "pdf_bytes": len(data),
        "articles": articles,
        "markdown_chars": len(imported.markdown),
        "chunks": report.chunks_written,
        "generate_s": generate_s,
        "setup_s": setup_s,
        "convert_s": convert_s,
        "write_s": write_s,
        "ingest_s": ingest_s,
        "search_s": search_s,
        "total_s": total,
        "target_s": TARGET_S,
        "found": found,
        "needle": needle,
        "top_hit": hits[0].chunk.locator if hits else None,
        "met": found and total < TARGET_S,
        "problems": [str(p) for p in report.problems],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=1))
