"""The editor's metadata form: front matter as flat form fields, and form fields back into front matter.

The form shows what editors set by hand (title, kind, industries, need categories, regions, vendor, the
source's issuer / document number / articles / URL, effective and review dates, illustrative). `id`,
`version` and `status` stay out of it: the id is fixed when a document is created, and the workflow sets
version and status at publish time. Writing the form keeps every other key of the front matter and the
body as they are, so hand edits in the text survive a round trip.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from corpus.validate import FRONT_MATTER_FENCE, Problem, closing_fence, parse_text

FIELDS = (
    "title", "kind", "industries", "need_categories", "regions", "vendor",
    "issuer", "document_number", "articles", "url", "effective_date", "review_by", "illustrative",
)  # fmt: skip
LISTS = {"industries", "need_categories", "regions", "articles"}
SOURCE_KEYS = {"issuer", "document_number", "articles", "url"}


class _FormLoader(yaml.SafeLoader):
    """Safe YAML where a date stays the text it was written as: the form shows an invalid date
    (2024-13-45) for validation to name, instead of failing to load it."""


def _date_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_FormLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)
DATE_KEYS = ("effective_date", "review_by")


class FormError(ValueError):
    """The text has no front matter the form can work on; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def split(text: str, name: str = "document.md") -> tuple[dict[str, Any], str]:
    """(front matter mapping, everything after the closing fence)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise FormError(Problem(name, 1, "front matter", "正文须以 '---' 开头的 YAML front matter 开始"))
    end = closing_fence(lines)
    if end is None:
        raise FormError(Problem(name, 1, "front matter", "front matter 缺少结尾的 '---' 行"))
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_FormLoader) or {}  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        raise FormError(Problem(name, line, "front matter", f"YAML 无法解析：{getattr(exc, 'problem', exc)}")) from None
    except RecursionError:
        raise FormError(Problem(name, 2, "front matter", "YAML 嵌套过深")) from None
    if not isinstance(meta, dict):
        raise FormError(Problem(name, 2, "front matter", "front matter 须是字段映射（key: value）"))
    return meta, "\n".join(lines[end + 1 :])


def _text_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _as_date(value: str) -> dt.date | str:
    # a real date is written unquoted, like the rest of the corpus; anything else is kept for validation to name
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return value


def read_form(text: str, name: str = "document.md") -> dict[str, Any]:
    """The form fields of a document's text (absent fields empty); raises FormError."""
    meta, _ = split(text, name)
    given = meta.get("source")
    source: dict[str, Any] = given if isinstance(given, dict) else {}
    fields: dict[str, Any] = {}
    for key in FIELDS:
        value = source.get(key) if key in SOURCE_KEYS else meta.get(key)
        if key in LISTS:
            value = [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])
        elif key == "illustrative":
            value = bool(value)
        else:
            value = "" if value is None else str(_text_value(value))
        fields[key] = value
    return fields


def write_form(text: str, fields: dict[str, Any], name: str = "document.md") -> str:
    """The text with the given form fields written into its front matter; other keys and the body unchanged.

    Empty optional fields are removed; a field not in `fields` is left alone.
    """
    meta, body = split(text, name)
    source = dict(meta.get("source") or {}) if isinstance(meta.get("source"), dict) else {}
    for key in FIELDS:
        if key not in fields:
            continue
        value = fields[key]
        if key in LISTS:
            value = [str(v).strip() for v in (value or []) if str(v).strip()]
        elif isinstance(value, str):
            value = value.strip()
            if key in ("effective_date", "review_by"):
                value = _as_date(value)
        target = source if key in SOURCE_KEYS else meta
        empty = value in ("", None, []) or (key == "illustrative" and value is False)
        if empty and key not in ("title", "kind", "industries", "need_categories", "issuer", "effective_date"):
            target.pop(key, None)
        else:
            target[key] = value
    if source or "source" in meta:
        meta["source"] = source
    for key in DATE_KEYS:  # loaded as text (see _FormLoader): a valid date is written back unquoted
        if isinstance(meta.get(key), str):
            meta[key] = _as_date(meta[key])
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"{FRONT_MATTER_FENCE}\n{header}{FRONT_MATTER_FENCE}\n{body}"


def check(text: str, name: str = "document.md") -> list[Problem]:
    """Every problem `corpus validate` would report for this text."""
    _, problems = parse_text(text, name)
    return problems
