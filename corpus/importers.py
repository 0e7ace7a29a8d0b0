"""Import an uploaded file as a corpus document: sniff, convert to Markdown, suggest front matter.

    imported = convert(data, "条例.pdf")        # raises ImportRefused for unusable input
    imported.problems                          # what blocks saving (scanned PDF, bad front matter …)
    text = to_document_text(imported)          # front matter + Markdown, valid for parse_text

Pure functions over the bytes given: no file system, no network. The type is decided by the
content; the extension only has to agree with it, so a renamed binary is refused with a message
naming both.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any

import yaml

from corpus import suggest
from corpus.converters import Converted, docx_to_markdown, html_to_markdown, pdf_to_markdown, text_to_markdown
from corpus.document import CorpusError
from corpus.labels import FIELD_LABELS
from corpus.validate import Problem, parse_text, split_front_matter

__all__ = ["FORMATS", "MAX_BYTES", "FileType", "Format", "ImportRefused", "Imported", "check_size", "convert", "register", "sniff",
           "to_document_text"]

MAX_BYTES = 20 * 1024 * 1024


class FileType(StrEnum):
    markdown = "md"
    text = "txt"
    docx = "docx"
    pdf = "pdf"
    html = "html"


@dataclass(frozen=True)
class Format:
    """One importable format: its name for people, its extensions (the first is the one shown), how its
    bytes become Markdown (plus any front matter the file carried) and, for a binary format, how its
    content is recognised. A new format is one `register(Format(...))` and one `FileType` member."""

    file_type: FileType
    label: str
    extensions: tuple[str, ...]
    convert: Callable[[bytes], tuple[Converted, str | None]]
    detect: Callable[[bytes], bool] | None = None  # binary formats; the text formats are told apart by sniff()


FORMATS: dict[FileType, Format] = {}


def register(fmt: Format) -> Format:
    """Add (or replace) the importer of `fmt.file_type`."""
    FORMATS[fmt.file_type] = fmt
    return fmt


def _markdown(data: bytes) -> tuple[Converted, str | None]:
    header, body = split_front_matter(decode_text(data) or "")
    return Converted(body.strip()), header


register(Format(FileType.markdown, "Markdown 文本", (".md", ".markdown"), _markdown))
register(Format(FileType.text, "纯文本", (".txt",), lambda data: (text_to_markdown(decode_text(data) or ""), None)))
register(Format(FileType.docx, "Word 文档（DOCX）", (".docx",), lambda data: (docx_to_markdown(data), None)))  # a ZIP: _zip_kind
register(Format(FileType.pdf, "PDF", (".pdf",), lambda data: (pdf_to_markdown(data), None), detect=lambda data: b"%PDF-" in data[:1024]))
register(Format(FileType.html, "HTML 网页", (".html", ".htm"), lambda data: (html_to_markdown(_decode_html(data) or ""), None)))


def _by_extension(ext: str) -> FileType | None:
    return next((f.file_type for f in FORMATS.values() if ext in f.extensions), None)


def _supported() -> str:
    return "、".join(sorted(f.extensions[0] for f in FORMATS.values()))


MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档（.doc/.xls/.ppt）"), (b"\x7fELF", "可执行程序"),
    (b"\x1f\x8b", "gzip 压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"Rar!", "RAR 压缩包"), (b"{\\rtf", "RTF 文档"), (b"\x00\x00\x00", "二进制文件"),
)  # fmt: skip
HTML_MARKERS = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.I)
HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-z0-9_-]+)""", re.I)
TAG = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|table|span|a|br|section|article)[\s>/]", re.I)


class ImportRefused(CorpusError):
    """The file cannot be imported at all (wrong type, too large, empty). `field` names what is wrong."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def problem(self, filename: str) -> Problem:
        return Problem(filename, 1, self.field, self.message)


@dataclass
class Imported:
    """A converted file: Markdown body, pre-filled front matter, why each field was chosen, problems."""

    filename: str
    file_type: FileType
    markdown: str
    front_matter: dict[str, Any]
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    kept_front_matter: bool = False

    @property
    def doc_id(self) -> str:
        return str(self.front_matter.get("id", ""))

    @property
    def kind(self) -> str:
        return str(self.front_matter.get("kind", "solution"))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} 字节"


def check_size(size: int, limit: int = MAX_BYTES) -> None:
    """Refuse a file larger than `limit` bytes (call it before reading an upload in full)."""
    if size > limit:
        raise ImportRefused(f"文件大小为 {_size(size)}，超过上限 {_size(limit)}；请拆分后再导入", field="size")


def _zip_kind(data: bytes) -> tuple[FileType | None, str]:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None, "损坏的 ZIP 压缩包"
    if "word/document.xml" in names:
        return FileType.docx, FORMATS[FileType.docx].label
    if "xl/workbook.xml" in names:
        return None, "Excel 工作簿（.xlsx）"
    if "ppt/presentation.xml" in names:
        return None, "PowerPoint 演示文稿（.pptx）"
    return None, "ZIP 压缩包"


def decode_text(data: bytes) -> str | None:
    """UTF-8 text (a BOM is fine) without NUL bytes, with \\n line ends; None if it is not."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _decode_html(data: bytes) -> str | None:
    """HTML in UTF-8 or in the charset its <meta> declares (government sites often use GBK)."""
    text = decode_text(data)
    if text is not None or b"\x00" in data:
        return text
    declared = HTML_CHARSET.search(data[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["gb18030"]:
        try:
            return data.decode(encoding).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def _content(data: bytes) -> tuple[FileType | None, str]:
    """What the bytes are: a supported type, or None and a description of what they look like."""
    for fmt in FORMATS.values():
        if fmt.detect is not None and fmt.detect(data):
            return fmt.file_type, fmt.label
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    for magic, label in MAGIC:
        if data.startswith(magic):
            return None, label
    if HTML_MARKERS.search(data[:4096]) and _decode_html(data) is not None:
        return FileType.html, FORMATS[FileType.html].label
    if b"\x00" in data:
        return None, "二进制文件"
    if decode_text(data) is None:
        return None, "非 UTF-8 编码的文本或二进制文件"
    return FileType.text, "文本"


def sniff(data: bytes, filename: str) -> FileType:
    """The file's type, decided by its content; raises ImportRefused with a clear Chinese message."""
    check_size(len(data))
    if not data.strip():
        raise ImportRefused("文件为空")
    ext = PurePath(filename).suffix.lower()
    expected = _by_extension(ext)
    found, label = _content(data)
    if ext and expected is None:
        raise ImportRefused(f"不支持扩展名为 {ext} 的文件（内容看起来是{label}）；支持 {_supported()}")
    if expected in (FileType.markdown, FileType.text):
        if found is FileType.html and expected is FileType.text:
            return FileType.html
        if found in (FileType.text, FileType.html):
            return expected
        hint = "；如果是 GBK 编码的文本，请另存为 UTF-8" if found is None and "UTF-8" in label else ""
        raise ImportRefused(f"文件扩展名为 {ext}，但内容不是 UTF-8 文本（看起来是{label}）{hint}")
    if expected is FileType.html:
        if found is FileType.html or (found is FileType.text and TAG.search(decode_text(data) or "")):
            return FileType.html
        raise ImportRefused(f"文件扩展名为 {ext}，但内容不是 HTML（看起来是{label}）")
    if expected is not None and found is not expected:
        raise ImportRefused(f"文件扩展名为 {ext}，但内容不是 {expected.value.upper()}（看起来是{label}）")
    if found is None:
        raise ImportRefused(f"无法识别的文件内容（看起来是{label}）；支持 {_supported()}")
    return found


def _convert_body(file_type: FileType, data: bytes) -> tuple[Converted, str | None]:
    """Markdown for the file, plus the original front matter of a Markdown file that has one."""
    return FORMATS[file_type].convert(data)


def suggest_front_matter(markdown: str, *, title_hint: str | None = None, today: dt.date | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Pre-filled front matter and, per field, why it was chosen. What the text does not say about a
    government instrument (its issuer, its effective date) is left out for the editor to fill in."""
    why: dict[str, list[str]] = {}

    def take(name: str, result: tuple[object, list[str]]) -> Any:
        value, reasons = result
        why[name] = reasons
        return value

    title = take("title", suggest.suggest_title(markdown, title_hint))
    kind = take("kind", suggest.suggest_kind(title, markdown))
    number = take("document_number", suggest.suggest_document_number(title, markdown))
    issuer = take("issuer", suggest.suggest_issuer(markdown, title, kind, number))
    effective = take("effective_date", suggest.suggest_effective_date(markdown))
    stated = effective
    if effective is None and issuer == suggest.OWN_ISSUER:
        effective = today or dt.date.today()
        why["effective_date"] = [f"{suggest.OWN_ISSUER}自己撰写的资料：以导入日期作为生效日期"]
    meta: dict[str, Any] = {
        "id": take("id", suggest.suggest_id(kind, title, number, stated)),
        "title": title,
        "kind": kind,
        "industries": take("industries", suggest.suggest_industries(title, markdown)),
        "need_categories": take("need_categories", suggest.suggest_needs(title, markdown)),
    }
    regions = take("regions", suggest.suggest_regions(title, markdown, issuer))
    if regions:
        meta["regions"] = regions
    meta["source"] = {"issuer": issuer} if issuer else {}
    if effective is not None:
        meta["effective_date"] = effective
    meta |= {"version": "1", "status": "draft"}
    if number:
        meta["source"]["document_number"] = number
    articles = take("articles", suggest.suggest_articles(markdown))
    if articles:
        meta["source"]["articles"] = articles
    if kind == "case":
        meta["illustrative"] = True
        why["illustrative"] = ["案例须匿名并标注为示例；如为公开报道的真实案例请取消勾选"]
    why["status"] = ["导入的文档先作为草稿，审核后再发布"]
    return meta, why


def convert(data: bytes, filename: str, *, today: dt.date | None = None) -> Imported:
    """Sniff and convert one uploaded file. Raises ImportRefused; content problems go to `problems`."""
    file_type = sniff(data, filename)
    converted, header = _convert_body(file_type, data)
    name = PurePath(filename).name or filename
    problems = [Problem(name, 1, "file", message) for message in converted.problems]
    markdown = converted.markdown.strip()
    if not problems and not markdown:
        problems.append(Problem(name, 1, "body", "文件中没有可导入的文字"))
    meta, why = suggest_front_matter(markdown, title_hint=converted.title_hint, today=today)
    imported = Imported(name, file_type, markdown, meta, why, problems)
    if header is not None:
        imported.kept_front_matter = True
        _keep_front_matter(imported, header, data)
    elif not problems:
        imported.problems.extend(validate(imported))
    return imported


def _keep_front_matter(imported: Imported, header: str, data: bytes) -> None:
    """A Markdown file's own front matter wins; missing required fields are filled from suggestions."""
    try:
        own = yaml.safe_load(header)
    except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: an impossible date such as 2024-13-45
        own = None
    if not isinstance(own, dict):  # report it exactly as `corpus validate` would
        _, problems = parse_text(decode_text(data) or "", imported.filename)
        imported.problems.extend(problems or [Problem(imported.filename, 2, "front matter", "front matter 不是字段映射")])
        return
    filled = [key for key in ("id", "title", "kind", "industries", "need_categories", "source", "effective_date",
                              "version", "status") if key not in own]  # fmt: skip
    imported.front_matter = {**own, **{key: imported.front_matter[key] for key in filled}}
    imported.suggestions = {key: why for key, why in imported.suggestions.items() if key in filled}
    imported.suggestions["front matter"] = (
        [f"保留文件自带的元数据（front matter）；补充了缺少的字段：{'、'.join(FIELD_LABELS.get(k, k) for k in filled)}"]
        if filled else ["保留文件自带的元数据（front matter）"]
    )
    imported.problems.extend(validate(imported))


def validate(imported: Imported) -> list[Problem]:
    """Problems of the document as it would be written (front matter + body)."""
    _, problems = parse_text(to_document_text(imported), imported.filename)
    return problems


def _yaml_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def to_document_text(imported: Imported) -> str:
    """The corpus file: YAML front matter, then the Markdown body."""
    meta = {key: _yaml_value(value) for key, value in imported.front_matter.items()}
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{imported.markdown.strip()}\n"
