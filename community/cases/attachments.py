"""Case attachments (.md, .txt, .docx, .pdf) as Markdown, through the corpus importers.

The bytes are converted and dropped: only the Markdown joins the write-up, where the redaction engine sees it
like any other text (file names included: they often carry the customer's name).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import PurePath

from community.cases.models import MAX_ATTACHMENT_BYTES, Attachment, CaseError
from corpus.importers import FileType, ImportRefused, check_size, convert, decode_text, sniff

__all__ = ["ALLOWED", "attachment", "case_file_text"]

ALLOWED = (FileType.markdown, FileType.text, FileType.docx, FileType.pdf)


def case_file_text(data: bytes, filename: str, *, allowed: tuple[FileType, ...] = ALLOWED) -> str:
    """The text of a case file: Markdown and text as written (redaction offsets refer to it), others converted."""
    file_type = sniff(data, filename)
    if file_type not in allowed:
        names = "、".join(f".{t.value}" for t in allowed)
        raise ImportRefused(f"附件“{PurePath(filename).name}”的类型不支持；案例附件支持 {names}")
    if file_type in (FileType.markdown, FileType.text):
        return decode_text(data) or ""
    imported = convert(data, filename)
    blocking = [p.message for p in imported.problems if p.field in ("file", "body")]
    if blocking or not imported.markdown.strip():
        raise ImportRefused("；".join(blocking) or "文件中没有可导入的文字")
    return imported.markdown


def attachment(filename: str, content_base64: str) -> Attachment:
    """An uploaded attachment converted to Markdown; CaseError naming the file when it cannot be."""
    name = PurePath(filename.replace("\\", "/")).name.strip() or "附件"
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise CaseError(f"附件“{name}”的 content_base64 不是合法的 base64") from None
    try:
        check_size(len(data), MAX_ATTACHMENT_BYTES)
        text = case_file_text(data, name).strip()
    except ImportRefused as exc:
        raise CaseError(f"附件“{name}”：{exc.message}") from None
    return Attachment(filename=name[:200], markdown=text)
