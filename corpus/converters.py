"""Turn the text of PDF, DOCX, HTML and plain-text files into our Markdown.

The output keeps what retrieval relies on: headings, and statute articles (第X条) at the
start of their own paragraph so the chunker cuts one citable chunk per article. Chapters
(第X章/节/编) become headings. Each converter returns a `Converted`; a file that yields no
text is a problem for the caller to report, never an exception.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from corpus.numerals import CN_NUMERALS

__all__ = ["Converted", "docx_to_markdown", "html_to_markdown", "pdf_to_markdown", "text_to_markdown"]

ARTICLE = re.compile(rf"^第[{CN_NUMERALS}0-9]+条(?:之[{CN_NUMERALS}]+)?(?:[\s\u3000]|$)")
DIVISION = re.compile(rf"^第[{CN_NUMERALS}0-9]+([编章节])(?:[\s\u3000]*[^\s\u3000，。；].{{0,30}})?$")
ITEM = re.compile(rf"^(?:[（(][{CN_NUMERALS}0-9]+[）)]|[{CN_NUMERALS}]+、|\d+[.、．]\s*\S|[-•·●○■◆]\s)")
TOC = re.compile(r"^目\s*录$")
PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d+\s*(?:页)?(?:\s*/\s*(?:共\s*)?\d+\s*页?)?[-—–\s]*$")
SENTENCE_END = tuple("。！？：；…")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@dataclass
class Converted:
    markdown: str
    title_hint: str | None = None
    problems: list[str] = field(default_factory=list)  # messages; the importer attaches path and field


def _squash(text: str) -> str:
    """Collapse whitespace to single spaces, except that a line break between two CJK characters
    disappears (it was only wrapping); spaces typed on purpose (第一条 正文) stay."""
    text = re.sub(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])[ \t]*[\r\n]+[ \t\r\n]*(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])", "", text)
    return re.sub(r"[ \t\r\n\xa0]+", " ", text).strip()


def structure(paragraph: str, levels: dict[str, int] | None = None) -> str:
    """A paragraph as Markdown: 第X章/节/编 lines become headings; everything else is kept."""
    match = DIVISION.match(paragraph)
    if match and not paragraph.endswith(SENTENCE_END):
        level = (levels or {"编": 2, "章": 2, "节": 3})[match.group(1)]
        return "#" * level + " " + re.sub(r"[\s\u3000]+", " ", paragraph)
    return paragraph


def _levels(paragraphs: list[str]) -> dict[str, int]:
    has_part = any((m := DIVISION.match(p)) and m.group(1) == "编" for p in paragraphs)
    return {"编": 2, "章": 3, "节": 4} if has_part else {"编": 2, "章": 2, "节": 3}


def _drop_toc(paragraphs: list[str]) -> list[str]:
    """Remove a 目录 block (chapter lines repeated later as the real headings)."""
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        if TOC.match(paragraphs[i].replace("\u3000", " ").replace(" ", "")):
            entries: list[str] = []
            j = i + 1
            while j < len(paragraphs) and DIVISION.match(paragraphs[j]) and paragraphs[j] not in entries[:1]:
                entries.append(paragraphs[j])
                j += 1
            if entries and j < len(paragraphs) and paragraphs[j] == entries[0]:
                i = j
                continue
        out.append(paragraphs[i])
        i += 1
    return out


def _assemble(paragraphs: list[str], title: str | None) -> str:
    paragraphs = _drop_toc([p for p in paragraphs if p])
    levels = _levels(paragraphs)
    blocks = [structure(p, levels) for p in paragraphs]
    if title is None and blocks and _looks_like_title(blocks[0]):
        title = blocks.pop(0)
    while title and blocks and blocks[0] == title:  # a running header that repeats the title on page 1
        blocks.pop(0)
    if title:
        blocks.insert(0, "# " + title)
    return "\n\n".join(blocks)


def _looks_like_title(text: str) -> bool:
    return len(text) <= 60 and not text.startswith("#") and not ARTICLE.match(text) and not text.endswith(SENTENCE_END)


def text_to_markdown(text: str) -> Converted:
    """Plain text: one paragraph per line; the first short line becomes the title heading."""
    lines = [line.strip().replace("\x0c", "") for line in text.split("\n")]
    return Converted(_assemble([line for line in lines if line], None))


# -- PDF -------------------------------------------------------------------------------------


def _strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers, and headers/footers repeated on most pages (kept on the first page,
    where the running header is usually the title)."""
    repeated: set[str] = set()
    if len(pages) >= 3:
        edges = Counter(re.sub(r"\d+", "#", line.strip()) for page in pages for line in {*page[:2], *page[-2:]})
        repeated = {line for line, n in edges.items() if n > len(pages) / 2}
    return [
        [line for line in page
         if not PAGE_NUMBER.match(line) and (i == 0 or re.sub(r"\d+", "#", line.strip()) not in repeated)]
        for i, page in enumerate(pages)
    ]


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def join_lines(lines: list[str]) -> list[str]:
    """Re-join the lines a PDF wrapped. A new paragraph starts at 第X条/第X章, at a list item after
    a finished sentence, after a line clearly shorter than a full line (a title or a paragraph's
    last line), and after a finished sentence on a line that does not reach the margin or when the
    next line is indented. Lines keep their leading whitespace for that last test."""
    widths = sorted(len(line.strip()) for line in lines if len(line.strip()) >= 10)
    full = widths[int(len(widths) * 0.75)] if widths else 0  # a full line; most lines are in long documents
    paragraphs: list[str] = []
    current, prev = "", ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if current:
                paragraphs.append(current)
            current = prev = ""
            continue
        ended = current.endswith(SENTENCE_END)
        prev_short = full > 0 and len(prev) < 0.7 * full and not prev.endswith(("，", "、"))
        if current and (
            ARTICLE.match(line)
            or DIVISION.match(line)
            or (ended and (ITEM.match(line) or raw[:1] in (" ", "\u3000")))  # 　　indented paragraph
            or prev_short
            or (ended and len(prev) < 0.9 * full)
        ):
            paragraphs.append(current)
            current = line
        else:
            current = _join(current, line)
        prev = line
    if current:
        paragraphs.append(current)
    return paragraphs


def pdf_to_markdown(data: bytes) -> Converted:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return Converted("", problems=["PDF 已加密，需要密码；请导出未加密的版本"])
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or None
    except LimitReachedError:  # e.g. a small file whose streams inflate to gigabytes (a decompression bomb)
        return Converted("", problems=["PDF 解压后的内容超出处理上限（可能是压缩炸弹或结构异常的文件）；请导出普通的 PDF 后再导入"])
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        return Converted("", problems=[f"无法读取 PDF：{type(exc).__name__}"])
    chars = sum(len(re.sub(r"\s", "", p)) for p in raw_pages)
    if chars < 20 or chars < 5 * len(raw_pages):
        return Converted("", problems=[f"未能从 PDF 提取文字（可能是扫描件，共 {len(raw_pages)} 页）；请先做文字识别（OCR）"])
    pages = [[line.rstrip() for line in text.replace("\x0c", "\n").split("\n")] for text in raw_pages]
    pages = _strip_furniture([[line for line in page if line.strip()] for page in pages])
    paragraphs = join_lines([line for page in pages for line in page])
    title = meta_title.strip() if isinstance(meta_title, str) and meta_title.strip() else None
    return Converted(_assemble(paragraphs, None), title_hint=title)


# -- DOCX ------------------------------------------------------------------------------------

HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _cell(text: str) -> str:
    return _squash(text).replace("|", "\\|") or " "


def _table(rows: list[list[str]]) -> str:
    rows = [row for row in rows if any(c.strip() for c in row)]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [[_cell(c) for c in row] + [" "] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows[1:]])


def docx_to_markdown(data: bytes) -> Converted:
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, BadZipFile, lxml errors, ValueError …
        return Converted("", problems=[f"无法读取 DOCX：{type(exc).__name__}: {exc}"])
    items: list[tuple[str, str]] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, doc)
            text = _squash(para.text)
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            heading = HEADING_STYLE.match(style)
            numbered = child.pPr is not None and child.pPr.numPr is not None
            if style.lower() in ("title", "标题"):
                items.append(("title", text))
            elif heading:
                items.append((f"h{heading.group(1)}", text))
            elif style.lower().startswith("list") or numbered:
                items.append(("li", text))
            else:
                items.append(("p", text))
        elif tag == "tbl":
            table = Table(child, doc)
            items.append(("table", _table([[cell.text for cell in row.cells] for row in table.rows])))
    has_title = any(kind == "title" for kind, _ in items)
    levels = _levels([str(text) for kind, text in items if kind == "p"])
    blocks: list[str] = []
    for kind, text in items:
        if kind == "title":
            blocks.append(f"# {text}")
        elif kind.startswith("h"):
            blocks.append("#" * min(6, int(kind[1]) + has_title) + f" {text}")
        elif kind == "li":
            blocks.append(f"- {text}")
        elif text:
            blocks.append(structure(str(text), levels) if kind == "p" else str(text))
    markdown = "\n\n".join(re.sub(r"\n\n(- )", r"\n\1", b) for b in blocks)
    markdown = re.sub(r"(^- .+)\n\n(?=- )", r"\1\n", "\n\n".join(blocks), flags=re.M)
    return Converted(markdown, title_hint=(doc.core_properties.title or None))


# -- HTML ------------------------------------------------------------------------------------

SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "head", "nav", "footer", "button", "form"}
BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "blockquote", "pre", "dt", "dd", "hr", "br",
              "figure", "figcaption", "address", "center"}  # fmt: skip


class _HtmlMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.buffer: list[str] = []
        self.prefix = ""
        self.skip = 0
        self.lists = 0
        self.title: list[str] | None = None
        self.title_text = ""
        self.rows: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def flush(self) -> None:
        text = _squash("".join(self.buffer))
        self.buffer = []
        if text:
            self.blocks.append(self.prefix + text if self.prefix else "\x00" + text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.title = []
        if tag == "body":  # </head> may be omitted
            self.skip = 0
        if tag in SKIP_TAGS:
            self.skip += 1
            return
        if tag == "br" and self.cell is not None:
            self.cell.append(" ")
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.prefix = "#" * int(tag[1]) + " "
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists += 1
        elif tag == "li":
            self.flush()
            self.prefix = "  " * max(0, self.lists - 1) + "- "
        elif tag == "table":
            self.flush()
            self.rows = []
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in BLOCK_TAGS and self.cell is None:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.title_text, self.title = _squash("".join(self.title)), None
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if re.fullmatch(r"h[1-6]", tag) or tag == "li":
            self.flush()
            self.prefix = ""
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists = max(0, self.lists - 1)
        elif tag in ("td", "th") and self.cell is not None:
            if self.rows is not None and self.rows:
                self.rows[-1].append("".join(self.cell))
            self.cell = None
        elif tag == "table" and self.rows is not None:
            table = _table(self.rows)
            self.rows = None
            if table:
                self.blocks.append(table)
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)
        if self.skip:
            return
        (self.cell if self.cell is not None else self.buffer).append(data)


def html_to_markdown(text: str) -> Converted:
    parser = _HtmlMarkdown()
    parser.feed(text)
    parser.close()
    parser.flush()
    plain = [b[1:] for b in parser.blocks if b.startswith("\x00")]
    levels = _levels(plain)
    blocks = [structure(b[1:], levels) if b.startswith("\x00") else b for b in parser.blocks]
    if not any(b.startswith("# ") for b in blocks) and parser.title_text:
        blocks.insert(0, "# " + parser.title_text)
    markdown = "\n\n".join(blocks)
    markdown = re.sub(r"(^\s*- .+)\n\n(?=\s*- )", r"\1\n", markdown, flags=re.M)
    return Converted(markdown, title_hint=parser.title_text or None)
