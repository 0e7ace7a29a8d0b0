"""The customer directory (real SQLite, its own Alembic chain) and the `customers`/`profile` CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect, text

from api.cli import cli
from api.settings import Settings
from assistant.directory import CustomerDirectory, migrate_directory
from assistant.profiler import Profiler
from corpus.store import make_engine, migrate

PROBLEM = re.compile(r"^(?P<path>.+):(?P<line>\d+): (?P<field>[a-z_]+): (?P<message>.+)$")
HEADER = "name,industry,region,notes\n"


def run(args: list[str], settings: Settings) -> Result:
    return CliRunner().invoke(cli, args, obj=settings)


def write(path: Path, content: str | bytes, *, bom: bool = False) -> Path:
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def listed(settings: Settings) -> list[dict[str, str]]:
    result = run(["customers", "list", "--json"], settings)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def problems(result: Result) -> list[tuple[str, int, str, str]]:
    found = []
    for line in result.stdout.splitlines():
        match = PROBLEM.match(line)
        assert match, f"not FILE:LINE: field: message: {line!r}"
        found.append((Path(match["path"]).name, int(match["line"]), match["field"], match["message"]))
    return found


def test_migrations_have_their_own_version_table_beside_the_corpus_chain(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate_directory(engine)
        migrate_directory(engine)  # idempotent
        assert {"documents", "customers", "alembic_version", "assistant_alembic_version"} <= set(
            inspect(engine).get_table_names()
        )
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM assistant_alembic_version")).scalars().all() == ["a0004"]
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0002"]
    finally:
        engine.dispose()


def test_import_with_bom_then_list(settings: Settings, tmp_path: Path) -> None:
    csv_file = write(tmp_path / "c.csv", HEADER + "青禾远山,internet,浙江杭州,老客户\n临江县人民医院,healthcare,,\n", bom=True)
    result = run(["customers", "import", str(csv_file)], settings)
    assert result.exit_code == 0, result.output
    assert "新增 2" in result.stderr
    rows = {r["name"]: r for r in listed(settings)}
    assert rows["青禾远山"] == {"name": "青禾远山", "industry": "internet", "region": "浙江杭州", "notes": "老客户"}
    assert rows["临江县人民医院"]["industry"] == "healthcare"


def test_reimport_updates_existing_names_and_keeps_others(settings: Settings, tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", HEADER + "青禾远山,internet,,\n远山石材,manufacturing,,\n")
    assert run(["customers", "import", str(first)], settings).exit_code == 0
    second = write(tmp_path / "b.csv", HEADER + "青禾 远山,retail,广东佛山,改为零售\n")  # same name after normalising
    result = run(["customers", "import", str(second)], settings)
    assert result.exit_code == 0 and "更新 1" in result.stderr
    rows = {r["name"]: r for r in listed(settings)}
    assert set(rows) == {"青禾 远山", "远山石材"}
    assert rows["青禾 远山"]["industry"] == "retail" and rows["远山石材"]["industry"] == "manufacturing"


BAD_CASES = {
    "unknown industry": (HEADER + "青禾远山,banking,,\n", [("x.csv", 2, "industry")]),
    "empty name": (HEADER + "青禾远山,internet,,\n ,finance,,\n", [("x.csv", 3, "name")]),
    "missing column": ("name,region\n青禾远山,浙江\n", [("x.csv", 1, "header")]),
    "duplicate": (HEADER + "青禾医院（东院）,healthcare,,\n远山,retail,,\n青禾医院(东院),healthcare,,\n", [("x.csv", 4, "name")]),
    "unknown region": (HEADER + "青禾远山,internet,火星基地,\n", [("x.csv", 2, "region")]),
    "too long": (HEADER + "某" * 300 + ",internet,,\n", [("x.csv", 2, "name")]),
    "empty file": ("", [("x.csv", 1, "header")]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_csv_reports_every_problem_and_writes_nothing(settings: Settings, tmp_path: Path, case: str) -> None:
    good = write(tmp_path / "good.csv", HEADER + "远山石材,manufacturing,,\n")
    assert run(["customers", "import", str(good)], settings).exit_code == 0
    content, expected = BAD_CASES[case]
    result = run(["customers", "import", str(write(tmp_path / "x.csv", content))], settings)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert [(p[0], p[1], p[2]) for p in problems(result)] == expected
    assert [r["name"] for r in listed(settings)] == ["远山石材"]  # nothing written, nothing lost


def test_non_utf8_file_names_the_bad_line(settings: Settings, tmp_path: Path) -> None:
    content = (HEADER + "青禾远山,internet,,\n").encode("utf-8") + "远山石材,manufacturing,,\n".encode("gbk")
    result = run(["customers", "import", str(write(tmp_path / "x.csv", content))], settings)
    assert result.exit_code == 1
    [(name, line, field, message)] = problems(result)
    assert (name, line, field) == ("x.csv", 3, "encoding") and "UTF-8" in message
    assert listed(settings) == []


def test_every_bad_row_is_reported_not_just_the_first(settings: Settings, tmp_path: Path) -> None:
    content = HEADER + ",internet,,\n青禾远山,banking,,\n青禾远山,internet,,\n好名字,retail,,\n"
    result = run(["customers", "import", str(write(tmp_path / "x.csv", content))], settings)
    assert result.exit_code == 1
    assert [(p[1], p[2]) for p in problems(result)] == [(2, "name"), (3, "industry"), (4, "name")]
    assert listed(settings) == []


def test_directory_overrides_the_name_rules(settings: Settings, tmp_path: Path) -> None:
    # By name rules a university press is media; the partner knows better.
    before = json.loads(run(["profile", "青禾大学出版社", "--json"], settings).output)
    assert before["industry"] == "media"
    csv_file = write(tmp_path / "c.csv", HEADER + "青禾大学出版社（总社）,education,广东佛山,\n")
    assert run(["customers", "import", str(csv_file)], settings).exit_code == 0
    after = json.loads(run(["profile", "青禾大学出版社 (总社)", "--json"], settings).output)
    assert after["industry"] == "education" and after["confidence"] >= 0.95
    assert after["region"]["city"] == "佛山市"
    sources = {e["field"]: e["source"] for e in after["evidence"]}
    assert sources["industry"] == "directory" and sources["region"] == "directory"


def test_directory_lookup_in_the_library(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    try:
        migrate_directory(engine)
        directory = CustomerDirectory(engine)
        report = directory.import_csv(write(tmp_path / "c.csv", HEADER + "青禾远山,energy,,\n"))
        assert (report.added, report.problems) == (1, [])
        report = directory.import_csv(write(tmp_path / "d.csv", HEADER + "青禾远山,energy,,\n青禾近水,finance,,\n"))
        assert (report.added, report.updated) == (1, 1)
        profile = Profiler(directory=directory).profile("青禾远山")
        assert (profile.industry, profile.segment, profile.question) == ("energy", None, None)
        assert Profiler().profile("青禾远山").industry == "unknown"
    finally:
        engine.dispose()


def test_profile_json_has_the_documented_keys(settings: Settings) -> None:
    result = run(["profile", "佛山市顺德区人民政府", "--json"], settings)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"name", "industry", "segment", "region", "confidence", "evidence", "mlps_level", "regulators"} <= set(data)
    assert (data["industry"], data["segment"], data["region"]["district"]) == ("government", "区县政府", "顺德区")


def test_profile_json_keeps_the_input_as_given_and_the_candidates(settings: Settings) -> None:
    given = " 腾讯科技（深圳）有限公司"
    data = json.loads(run(["profile", given, "--json"], settings).output)
    assert data["input"] == given and data["name"] == "腾讯科技(深圳)有限公司"
    assert data["industry"] == "internet" and data["region"]["city"] == "深圳市" and data["candidates"] == []
    ambiguous = next((d for d in (json.loads(run(["profile", n, "--json"], settings).output) for n in ("长城", "时代", "中山"))
                      if d["candidates"]), None)  # fmt: skip
    assert ambiguous is not None and ambiguous["industry"] == "unknown" and ambiguous["question"]
    assert {"name", "industry", "region", "source"} <= set(ambiguous["candidates"][0])
    table = run(["profile", ambiguous["input"]], settings).stdout
    assert "可选机构" in table and ambiguous["candidates"][0]["name"] in table


def test_profile_human_output_is_a_table_on_stdout(settings: Settings) -> None:
    result = run(["profile", "青禾农商银行", "--region", "浙江杭州"], settings)
    assert result.exit_code == 0, result.output
    assert "金融" in result.stdout and "农商行/农信社" in result.stdout and "浙江省杭州市" in result.stdout


def test_profile_file_prints_one_json_object_per_line(settings: Settings, tmp_path: Path) -> None:
    names = write(tmp_path / "names.txt", "青禾农商银行\n\n远山置业\n青禾远山\n" + "某" * 300 + "\n", bom=True)
    result = run(["profile", "--file", str(names), "--json"], settings)
    assert result.exit_code == 1  # one name was unusable
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d.get("industry") for d in lines[:3]] == ["finance", "real_estate", "unknown"]
    assert lines[2]["question"]
    assert lines[3]["line"] == 5 and "过长" in lines[3]["error"]


@pytest.mark.parametrize("args", [["profile"], ["profile", ""], ["profile", "\x00\x01"]])
def test_profile_bad_input_fails_cleanly(settings: Settings, args: list[str]) -> None:
    result = run(args, settings)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
