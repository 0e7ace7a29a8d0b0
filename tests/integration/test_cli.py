"""The `top-advisor` command line, driven through click's CliRunner against real stores."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import unique_collection, write_doc

from api.cli import cli
from api.settings import Settings
from corpus import STARTER_DIR

PROBLEM_LINE = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+): (?P<field>[a-z_][a-z_.0-9 ]*): (?P<message>.+)$")
HIT_KEYS = {"doc_id", "chunk_id", "title", "kind", "source", "text", "score"}


def run(args: list[str], settings: Settings | None = None) -> Result:
    return CliRunner().invoke(cli, args, obj=settings)


def assert_clean_failure(result: Result, exit_code: int | None = None) -> None:
    """Failed with a message, not with a Python traceback."""
    assert result.exit_code != 0
    if exit_code is not None:
        assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@pytest.fixture
def cli_settings(settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, embedder) -> Settings:  # type: ignore[no-untyped-def]
    """Settings for the CLI: tmp data dir, a tiny default corpus, and the session's embedder
    (the container would otherwise load the model again for every command)."""
    monkeypatch.setattr("api.container.UseEmbedder", lambda threads=None: embedder)
    return settings.model_copy(update={"corpus_dir": corpus_dir})


def small_corpus(directory: Path) -> None:
    write_doc(directory, "faq-hospital-level3", "# 医院等保三级\n\n三级医院的HIS和电子病历系统应按第三级开展等级保护测评，每年一次，并部署日志审计和数据库审计。",
              industries=["healthcare"], title="医院等保三级")
    write_doc(directory, "sol-bank-dlp", "# 银行数据防泄漏\n\n城商行的数据防泄漏方案：先做数据分类分级，再在终端、邮件和网络出口部署数据防泄漏策略。",
              kind="solution", industries=["finance"], need_categories=["data_security"], title="银行数据防泄漏")


# -- corpus validate ------------------------------------------------------------------------


def test_validate_bad_directory_exits_1_and_prints_file_line_field_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    write_doc(bad, "faq-good", title="好文档")
    write_doc(bad, "faq-kind", filename="faq/kind.md", kind="blog")
    write_doc(bad, "faq-industry", filename="faq/industry.md", industries=["healthcare", "hospital"])
    (bad / "faq" / "nofm.md").write_text("# 没有 front matter\n\n正文。\n", encoding="utf-8")
    write_doc(bad, "faq-good", filename="zz/dup.md", title="重复的 id")  # scanned after faq-good.md

    result = run(["corpus", "validate", str(bad)])

    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4
    parsed = [PROBLEM_LINE.match(line) for line in lines]
    assert all(parsed), lines
    found = {(m["path"], m["field"]) for m in parsed if m}
    assert found == {
        ("faq/kind.md", "kind"),
        ("faq/industry.md", "industries.1"),
        ("faq/nofm.md", "front matter"),
        ("zz/dup.md", "id"),
    }
    kind_line = next(m for m in parsed if m and m["path"] == "faq/kind.md")
    kind_source = (bad / "faq" / "kind.md").read_text(encoding="utf-8").splitlines()
    assert kind_source[int(kind_line["line"]) - 1].startswith("kind:")
    dup_line = next(line for line in lines if line.startswith("zz/dup.md:"))
    assert "faq-good.md" in dup_line
    assert "4 problem(s) in 4 of 5 file(s)" in result.stderr
    assert "Traceback" not in result.output


def test_validate_starter_corpus_exits_0() -> None:
    result = run(["corpus", "validate", str(STARTER_DIR)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    match = re.search(r"(\d+) document\(s\) valid", result.stderr)
    assert match and int(match.group(1)) >= 120


def test_validate_flags_an_unversioned_article_of_an_amended_law(tmp_path: Path) -> None:
    body = "# 等保\n\n## 依据\n\n《网络安全法》第二十一条要求落实等级保护。\n"
    write_doc(tmp_path, "faq-old-number", body, title="等保依据")
    write_doc(tmp_path, "faq-versioned", body.replace("》第二十一条", "》（2025年修正）第二十三条"), title="等保依据")

    result = run(["corpus", "validate", str(tmp_path)])

    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("faq-old-number.md:")
    match = PROBLEM_LINE.match(lines[0])
    assert match and match["field"] == "body"
    source = (tmp_path / "faq-old-number.md").read_text(encoding="utf-8").splitlines()
    assert "第二十一条" in source[int(match["line"]) - 1]
    assert "1 problem(s) in 1 of 2 file(s)" in result.stderr


def test_validate_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    result = run(["corpus", "validate", str(tmp_path / "nope")])
    assert_clean_failure(result, 1)
    assert "no such file or directory" in result.stdout


# -- corpus ingest + search -------------------------------------------------------------------


def test_ingest_then_search_json_prints_hits_with_citation_keys(cli_settings: Settings, corpus_dir: Path) -> None:
    small_corpus(corpus_dir)

    ingest = run(["corpus", "ingest", str(corpus_dir)], cli_settings)
    assert ingest.exit_code == 0, ingest.output
    assert "added 2" in ingest.stderr

    result = run(["search", "医院 等保三级 测评", "--json", "-k", "3"], cli_settings)

    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert isinstance(hits, list) and 1 <= len(hits) <= 3
    for hit in hits:
        assert set(hit) >= HIT_KEYS
        assert isinstance(hit["score"], float) and isinstance(hit["source"], dict)
        assert hit["chunk_id"].startswith(hit["doc_id"] + ":")
    assert hits[0]["doc_id"] == "faq-hospital-level3"
    assert "三级医院" in hits[0]["text"]


def test_search_filters_on_the_command_line(cli_settings: Settings, corpus_dir: Path) -> None:
    small_corpus(corpus_dir)
    assert run(["corpus", "ingest"], cli_settings).exit_code == 0  # default directory from settings

    result = run(["search", "数据 审计 分类分级", "--industry", "finance", "--need", "data_security", "--kind", "solution", "--json"], cli_settings)

    assert result.exit_code == 0, result.output
    assert {h["doc_id"] for h in json.loads(result.stdout)} == {"sol-bank-dlp"}


def test_search_prints_readable_hits(cli_settings: Settings, corpus_dir: Path) -> None:
    small_corpus(corpus_dir)
    run(["corpus", "ingest"], cli_settings)

    result = run(["search", "城商行 数据防泄漏"], cli_settings)

    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("[1] 银行数据防泄漏 · ") and "solution" in first
    assert "来源: 渠道参谋编辑部" in result.stdout


def test_search_on_empty_index_says_nothing_found(cli_settings: Settings) -> None:
    result = run(["search", "医院 等保三级"], cli_settings)
    assert result.exit_code == 0, result.output
    assert "no matching passages" in result.output


def test_search_json_on_empty_index_prints_an_empty_list(cli_settings: Settings) -> None:
    result = run(["search", "医院 等保三级", "--json"], cli_settings)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["search", "医院", "--industry", "bogus"], "--industry"),
        (["search", "医院", "--need", "security"], "--need"),
        (["search", "医院", "--kind", "blog"], "--kind"),
        (["search", "医院", "-k", "0"], "-k"),
        (["search", "   "], "QUERY"),
    ],
)
def test_bad_search_arguments_are_usage_errors(cli_settings: Settings, args: list[str], option: str) -> None:
    result = run(args, cli_settings)
    assert_clean_failure(result, 2)
    assert "Invalid value" in result.output and option in result.output


def test_ingest_if_missing_skips_the_second_time(cli_settings: Settings, corpus_dir: Path) -> None:
    small_corpus(corpus_dir)

    first = run(["corpus", "ingest", "--if-missing"], cli_settings)
    assert first.exit_code == 0, first.output
    assert "added 2" in first.stderr

    write_doc(corpus_dir, "faq-extra", title="新增文档")  # would be added by a real ingest
    second = run(["corpus", "ingest", "--if-missing"], cli_settings)

    assert second.exit_code == 0, second.output
    assert "skipping ingest" in second.stderr
    assert "added" not in second.stderr
    hits = json.loads(run(["search", "新增文档 等级保护", "--json"], cli_settings).stdout)
    assert "faq-extra" not in {h["doc_id"] for h in hits}


def test_ingest_no_prune_keeps_deleted_documents(cli_settings: Settings, corpus_dir: Path) -> None:
    small_corpus(corpus_dir)
    run(["corpus", "ingest"], cli_settings)
    (corpus_dir / "sol-bank-dlp.md").unlink()

    kept = run(["corpus", "ingest", "--no-prune"], cli_settings)
    assert kept.exit_code == 0 and "removed 0" in kept.stderr
    pruned = run(["corpus", "ingest"], cli_settings)
    assert pruned.exit_code == 0 and "removed 1" in pruned.stderr


def test_ingest_with_a_bad_file_reports_it_indexes_the_rest_and_exits_1(cli_settings: Settings, corpus_dir: Path) -> None:
    small_corpus(corpus_dir)
    write_doc(corpus_dir, "faq-broken", filename="broken.md", need_categories=["cloud"])

    result = run(["corpus", "ingest"], cli_settings)

    assert_clean_failure(result, 1)
    assert any(PROBLEM_LINE.match(line) and line.startswith("broken.md:") for line in result.stdout.splitlines())
    assert "added 2" in result.stderr
    hits = json.loads(run(["search", "医院 等保三级", "--json"], cli_settings).stdout)
    assert hits and hits[0]["doc_id"] == "faq-hospital-level3"


# -- settings errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["search", "医院 等保三级"], ["corpus", "ingest"], ["serve"]])
def test_bad_chroma_mode_gives_a_clear_error_without_traceback(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.setenv("TOP_CHROMA__MODE", "cloud")

    result = run(args)  # settings come from the environment

    assert_clean_failure(result)
    assert "invalid settings" in result.output
    assert "TOP_CHROMA__MODE" in result.output
    assert "persistent" in result.output and "http" in result.output  # says what is allowed


def test_bad_dotenv_value_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TOP_CHROMA__PORT=eighty\n", encoding="utf-8")
    result = run(["search", "医院"])
    assert_clean_failure(result)
    assert "TOP_CHROMA__PORT" in result.output


def test_unreachable_chroma_server_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch, data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("api.container.UseEmbedder", lambda threads=None: embedder)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TOP_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TOP_CHROMA__MODE", "http")
    monkeypatch.setenv("TOP_CHROMA__PORT", str(port))

    result = run(["search", "医院 等保三级"])

    assert_clean_failure(result)
    assert f"127.0.0.1:{port}" in result.output and "chroma run" in result.output


@pytest.mark.chroma_server
def test_ingest_and_search_against_a_chroma_server_configured_by_env(
    monkeypatch: pytest.MonkeyPatch, chroma_server: tuple[str, int], data_dir: Path, corpus_dir: Path, embedder  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr("api.container.UseEmbedder", lambda threads=None: embedder)
    host, port = chroma_server
    collection = unique_collection()
    for name, value in {
        "TOP_DATA_DIR": str(data_dir),
        "TOP_CORPUS_DIR": str(corpus_dir),
        "TOP_CHROMA__MODE": "http",
        "TOP_CHROMA__HOST": host,
        "TOP_CHROMA__PORT": str(port),
        "TOP_CHROMA__COLLECTION": collection,
    }.items():
        monkeypatch.setenv(name, value)
    small_corpus(corpus_dir)

    ingest = run(["corpus", "ingest"])
    assert ingest.exit_code == 0, ingest.output
    result = run(["search", "城商行 数据防泄漏", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["doc_id"] == "sol-bank-dlp"
    assert not (data_dir / "chroma").exists()  # nothing was written to an embedded store

    import chromadb

    client = chromadb.HttpClient(host=host, port=port)
    assert client.get_collection(collection).count() > 0
    client.delete_collection(collection)
