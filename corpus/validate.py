"""Parse and validate corpus files, reporting every problem as `file:line: field: message`.

Parsing never raises for bad input: a broken file yields problems and no
document, so one bad file cannot stop an ingest or hide other problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from corpus.document import Document, FrontMatter, relative_name

FRONT_MATTER_FENCE = "---"
CORPUS_SUFFIXES = (".md", ".markdown")


def closing_fence(lines: Sequence[str]) -> int | None:
    """Index of the `---` line that closes the front matter opened on the first line; None when the
    first line opens none, or it is never closed. The one place a document's front matter is found
    (the validator, the metadata form and the importers all split here)."""
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return None
    return next((i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE), None)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter text, body), or (None, text) when the text has no closed front matter."""
    lines = text.split("\n")
    end = closing_fence(lines)
    if end is None:
        return None, text
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]).strip("\n")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, precise enough to fix without guessing."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class CorpusLoad:
    """What a directory scan found: good documents and problems, never both for one file."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _decode(raw: bytes, name: str) -> tuple[str | None, Problem | None]:
    if not raw.strip():
        return None, Problem(name, 1, "file", "file is empty")
    if b"\x00" in raw[:8192]:
        return None, Problem(name, 1, "file", "binary file (contains NUL bytes); expected UTF-8 Markdown")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(name, line, "file", f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8")
    # Normalise what editors' tools leave behind: BOM and Windows line ends.
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), None


def _key_lines(node: yaml.Node, first_line: int) -> dict[tuple[str, ...], int]:
    """Map each key path in a YAML mapping to its 1-based line in the file."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(n: yaml.Node, prefix: tuple[str, ...]) -> None:
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                path = prefix + (str(key.value),)
                lines[path] = key.start_mark.line + first_line
                walk(value, path)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                path = prefix + (str(i),)
                lines[path] = item.start_mark.line + first_line
                walk(item, path)

    walk(node, ())
    return lines


def _line_for(loc: tuple[str | int, ...], lines: dict[tuple[str, ...], int], default: int) -> int:
    path = tuple(str(p) for p in loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return default


def _field_name(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc) or "front matter"


def _construct(node: yaml.MappingNode, name: str) -> tuple[dict[str, object], list[Problem]]:
    """Build Python values field by field, so a bad value (e.g. the date
    2025-02-30, which PyYAML rejects with a plain ValueError) names its field."""
    data: dict[str, object] = {}
    problems: list[Problem] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        try:
            loader = yaml.SafeLoader("")
            data[key] = loader.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            line = value_node.start_mark.line + 2
            problems.append(Problem(name, line, key, f"invalid value {value_node.value!r}: {exc}"))
    return data, problems


def parse_text(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    """Parse one document's text. Returns the document or the problems found."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return None, [Problem(name, 1, "front matter", "file must start with a '---' line opening the YAML front matter")]
    end = closing_fence(lines)
    if end is None:
        return None, [Problem(name, 1, "front matter", "no closing '---' line after the YAML front matter")]

    header = "\n".join(lines[1:end])
    try:
        return _parse_front_matter(header, lines, end, name)
    except RecursionError:  # e.g. thousands of nested brackets: the parser's recursion gives up
        return None, [Problem(name, 2, "front matter", "YAML is nested too deeply to be a front matter")]


def _parse_front_matter(header: str, lines: list[str], end: int, name: str) -> tuple[Document | None, list[Problem]]:
    try:
        node = yaml.compose(header, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 2
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, line, "front matter", f"invalid YAML: {reason}")]
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(name, 2, "front matter", "front matter must be a YAML mapping of field: value")]
    key_lines = _key_lines(node, first_line=2)
    data, value_problems = _construct(node, name)
    if value_problems:
        return None, value_problems
    problems: list[Problem] = []
    meta: FrontMatter | None = None
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            elif err["type"] == "missing":
                msg = "required field is missing"
            elif err["type"] == "enum":
                expected = err.get("ctx", {}).get("expected", "")
                msg = f"unknown value {err.get('input')!r}; expected one of {expected}"
            problems.append(Problem(name, _line_for(loc, key_lines, 2), _field_name(loc), msg))

    body = "\n".join(lines[end + 1 :]).strip("\n")
    body_line = next((i + 1 for i in range(end + 1, len(lines)) if lines[i].strip()), end + 2)
    if not body.strip():
        problems.append(Problem(name, end + 1, "body", "document has no content after the front matter"))
    if problems or meta is None:
        return None, problems
    return Document(meta=meta, body=body, path=name, body_line=body_line, id_line=key_lines.get(("id",), 2)), []


def parse_file(path: Path, root: Path | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse one file; unreadable, empty and binary files become problems."""
    name = relative_name(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 1, "file", f"cannot read file: {exc.strerror or exc}")]
    text, problem = _decode(raw, name)
    if problem is not None or text is None:
        return None, [problem] if problem else []
    if path.stem != "" and path.suffix.lower() not in CORPUS_SUFFIXES:
        return None, [Problem(name, 1, "file", f"unsupported file type {path.suffix!r}; corpus files are .md")]
    return parse_text(text, name)


def iter_corpus_files(root: Path) -> Iterator[Path]:
    """Every Markdown file below root, in a stable order; README files are documentation."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix.lower() not in CORPUS_SUFFIXES or path.stem.upper() == "README":
            continue
        yield path


def load_corpus(root: Path, paths: Iterable[Path] | None = None) -> CorpusLoad:
    """Parse every corpus file below root and check cross-file rules (unique ids)."""
    result = CorpusLoad()
    if not root.exists():
        result.problems.append(Problem(str(root), 1, "path", "no such file or directory"))
        return result
    base = root if root.is_dir() else root.parent
    seen: dict[str, Document] = {}
    for path in paths if paths is not None else iter_corpus_files(root):
        document, problems = parse_file(path, base)
        if document is not None and document.id in seen:
            first = seen[document.id]
            problems = [
                Problem(
                    document.path or str(path),
                    document.id_line,
                    "id",
                    f"duplicate id {document.id!r}; already used by {first.path}",
                )
            ]
            document = None
        if problems:
            result.problems.extend(problems)
            result.bad_files.append(relative_name(path, base))
        if document is not None:
            seen[document.id] = document
            result.documents.append(document)
    return result
