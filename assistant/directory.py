"""The partner's customer directory: a table in the application database, filled from CSV.

    top-advisor customers import customers.csv   # header: name,industry,region,notes

An import validates every row first and writes nothing when any row is bad; a
good file is upserted in one transaction (a name already present is updated).
Names are matched after normalising whitespace and full/half-width forms, so
`临江县 人民医院（东院）` and `临江县人民医院(东院)` are the same customer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.gazetteer import default_gazetteer
from assistant.models import UNKNOWN
from assistant.name_rules import clean_name, name_key
from assistant.tables import VERSION_TABLE, AssistantBase, migrate_assistant, utcnow
from corpus.document import INDUSTRY_CODES
from corpus.validate import Problem

__all__ = [
    "VERSION_TABLE",
    "AssistantBase",
    "CustomerDirectory",
    "CustomerRow",
    "DirectoryEntry",
    "ImportReport",
    "migrate_directory",
    "parse_customers_csv",
]

COLUMNS = ("name", "industry", "region", "notes")
REQUIRED = ("name", "industry")
MAX_NAME = 200


class CustomerRow(AssistantBase):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    industry: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DirectoryEntry(BaseModel):
    name: str
    industry: str = UNKNOWN  # an industry code, or unknown when the partner left it empty
    region: str = ""
    notes: str = ""


@dataclass
class ImportReport:
    entries: list[DirectoryEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    added: int = 0
    updated: int = 0


# The directory was the assistant's first table; its migration entry point is the assistant's.
migrate_directory = migrate_assistant


def _decode(path: Path, raw: bytes, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        for number, line in enumerate(raw.split(b"\n"), 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(Problem(str(path), number, "encoding",
                                        f"不是有效的 UTF-8 编码（第 {exc.start + 1} 字节）；请另存为 UTF-8"))
        return None


def parse_customers_csv(path: Path) -> ImportReport:
    """Read and validate a customer CSV; `problems` lists every bad row, `entries` the good ones."""
    report = ImportReport()
    problems = report.problems
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        problems.append(Problem(str(path), 0, "file", f"无法读取文件：{exc.strerror or exc}"))
        return report
    text = _decode(path, raw, problems)
    if text is None:
        return report
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.append(Problem(str(path), 1, "header", "文件为空；第一行应为 name,industry,region,notes"))
        return report
    columns = [h.strip().lower() for h in header]
    for column in REQUIRED:
        if column not in columns:
            problems.append(Problem(str(path), 1, "header", f"缺少列“{column}”；第一行应为 name,industry,region,notes"))
    if problems:
        return report
    index = {c: columns.index(c) for c in COLUMNS if c in columns}
    seen: dict[str, int] = {}
    gazetteer = default_gazetteer()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(str(path), reader.line_num, "csv", f"CSV 格式错误：{exc}"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values = {c: clean_name(row[i]) if i < len(row) else "" for c, i in index.items()}
        name, industry, region = values["name"], values["industry"].lower(), values.get("region", "")
        if not name:
            problems.append(Problem(str(path), line, "name", "名称为空"))
        elif len(name) > MAX_NAME:
            problems.append(Problem(str(path), line, "name", f"名称过长（{len(name)} 字，上限 {MAX_NAME} 字）"))
        elif name_key(name) in seen:
            problems.append(Problem(str(path), line, "name", f"与第 {seen[name_key(name)]} 行名称重复：“{name}”"))
        else:
            seen[name_key(name)] = line
        if industry and industry != UNKNOWN and industry not in INDUSTRY_CODES:
            problems.append(Problem(str(path), line, "industry",
                                    f"未知行业代码“{industry}”；可选：{', '.join(INDUSTRY_CODES)}（或留空）"))
        if region and gazetteer.find(region, relaxed=True) is None:
            problems.append(Problem(str(path), line, "region", f"无法识别的地区“{region}”；请写省、市或区县名称"))
        report.entries.append(
            DirectoryEntry(name=name, industry=industry or UNKNOWN, region=region, notes=values.get("notes", ""))
        )
    if problems:
        report.entries = []
    return report


class CustomerDirectory:
    """Exact-name lookup and CSV import over the `customers` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def lookup(self, name: str) -> DirectoryEntry | None:
        key = name_key(name)
        if not key:
            return None
        with self._sessions() as session:
            row = session.scalars(select(CustomerRow).where(CustomerRow.name_key == key)).first()
            return None if row is None else _entry(row)

    def all(self) -> list[DirectoryEntry]:
        with self._sessions() as session:
            return [_entry(r) for r in session.scalars(select(CustomerRow).order_by(CustomerRow.name))]

    def import_csv(self, path: Path) -> ImportReport:
        """Validate everything, then upsert in one transaction; nothing is written if any row is bad."""
        report = parse_customers_csv(path)
        if report.problems:
            return report
        with self._sessions.begin() as session:
            for entry in report.entries:
                key = name_key(entry.name)
                row = session.scalars(select(CustomerRow).where(CustomerRow.name_key == key)).first()
                if row is None:
                    row = CustomerRow(name_key=key)
                    session.add(row)
                    report.added += 1
                else:
                    report.updated += 1
                row.name, row.industry, row.region, row.notes = entry.name, entry.industry, entry.region, entry.notes
                row.updated_at = utcnow()
        return report


def _entry(row: CustomerRow) -> DirectoryEntry:
    return DirectoryEntry(name=row.name, industry=row.industry, region=row.region, notes=row.notes)
