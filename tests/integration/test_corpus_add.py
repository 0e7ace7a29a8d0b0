"""`top-advisor corpus add FILE`, end to end: convert, write, refuse, ingest, then search."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pdf_writer import make_pdf

from api.cli import cli
from api.settings import Settings
from corpus.validate import load_corpus

PROBLEM_LINE = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+): (?P<field>[a-z_][a-z_.0-9 ]*): (?P<message>.+)$")
PAGES = [
    ["网络安全等级保护管理办法", "公安部 国家保密局 国家密码管理局", "第一章 总则",
     "第一条 为了规范网络安全等级保护工作，保障网络安全，维护国家安全和社会公共利益，根据《中华人民", "共和国网络安全法》，制定本办法。",
     "第二条 第三级以上网络的运营者应当每年至少开展一次等级测评，发现不符合相应等级保护标准要求的，", "应当及时整改，并将测评报告报送受理备案的公安机关。"],
    ["第二章 附则", "第三条 本办法自2019年12月1日起施行。"],
]  # fmt: skip


def run(args: list[str], settings: Settings | None = None) -> Result:
    return CliRunner().invoke(cli, args, obj=settings)


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@pytest.fixture
def cli_settings(settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, embedder) -> Settings:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("api.container.UseEmbedder", lambda threads=None: embedder)
    return settings.model_copy(update={"corpus_dir": corpus_dir})


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "uploads" / "等保办法.pdf"
    path.parent.mkdir()
    path.write_bytes(make_pdf(PAGES))
    return path


def test_add_writes_the_document_in_its_kind_folder(cli_settings: Settings, corpus_dir: Path, pdf_file: Path) -> None:
    result = run(["corpus", "add", str(pdf_file)], cli_settings)

    assert result.exit_code == 0, result.output
    written = list(corpus_dir.rglob("*.md"))
    assert len(written) == 1 and written[0].parent.name == "regulations" and written[0].stem.startswith("reg-")
    assert result.stdout.startswith("---\nid: reg-") and "kind: regulation" in result.stdout
    assert "status: draft" in result.stdout and "依据" in result.stderr
    loaded = load_corpus(corpus_dir)
    assert loaded.ok and loaded.documents[0].meta.source.articles == ["第一条", "第二条", "第三条"]


def test_add_refuses_an_existing_id_unless_forced(cli_settings: Settings, corpus_dir: Path, pdf_file: Path) -> None:
    assert run(["corpus", "add", str(pdf_file), "--id", "reg-mlps-measures"], cli_settings).exit_code == 0

    again = run(["corpus", "add", str(pdf_file), "--id", "reg-mlps-measures"], cli_settings)
    assert_clean_failure(again)
    line = PROBLEM_LINE.match(again.stdout.splitlines()[0])
    assert line and line["path"] == "等保办法.pdf" and line["field"] == "id" and "--force" in line["message"]

    forced = run(["corpus", "add", str(pdf_file), "--id", "reg-mlps-measures", "--force", "--status", "published"], cli_settings)
    assert forced.exit_code == 0, forced.output
    assert [d.meta.status.value for d in load_corpus(corpus_dir).documents] == ["published"]


@pytest.mark.parametrize(
    ("name", "data", "field", "words"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file", ["扩展名为 .pdf", "PNG"]),
        ("empty.md", b"", "file", ["文件为空"]),
        ("scanned.pdf", None, "file", ["扫描件"]),
        ("bad.md", "---\nid: Bad Id\n---\n\n正文。\n".encode(), "id", ["slug"]),
    ],
)
def test_refused_input_exits_1_with_problem_lines_and_writes_nothing(
    cli_settings: Settings, corpus_dir: Path, tmp_path: Path, name: str, data: bytes | None, field: str, words: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(make_pdf([[], []]) if data is None else data)

    result = run(["corpus", "add", str(path)], cli_settings)

    assert_clean_failure(result)
    parsed = [PROBLEM_LINE.match(line) for line in result.stdout.strip().splitlines()]
    assert parsed and all(parsed), result.stdout
    assert parsed[0]["path"] == name and parsed[0]["field"] == field  # type: ignore[index]
    assert all(w in result.stdout for w in words), result.stdout
    assert list(corpus_dir.rglob("*.md")) == []


def _docx() -> bytes:
    import io

    from docx import Document

    doc = Document()
    doc.add_heading("银行终端安全方案", level=1)
    doc.add_paragraph("城商行网点终端众多，银行应部署终端检测与响应，金融监管要求日志留存。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "folder", "checks"),
    [
        ("guide.docx", _docx, "solutions", {"kind": "solution", "industries": ["finance"]}),
        ("case.html", "<html><body><h1>某三级医院勒索病毒处置案例</h1><p>示例案例：医院HIS被勒索加密，医院恢复备份。</p></body></html>",
         "cases", {"kind": "case", "illustrative": True}),
        ("law.txt", "数据出境安全评估办法\n国家互联网信息办公室令第11号\n第一条 目的。\n第二条 范围。\n第三条 本办法自2022年9月1日起施行。",
         "regulations", {"kind": "regulation", "effective_date": "2022-09-01"}),
        ("own.md", "---\nid: faq-own-id\ntitle: 自带\nkind: faq\n---\n\n问：什么？答：这样。", "faq", {"id": "faq-own-id"}),
    ],
)
def test_each_supported_type_lands_in_its_kind_folder(
    cli_settings: Settings, corpus_dir: Path, tmp_path: Path, name: str, content, folder: str, checks: dict  # type: ignore[no-untyped-def,type-arg]
) -> None:
    path = tmp_path / name
    path.write_bytes(content() if callable(content) else content.encode())

    result = run(["corpus", "add", str(path), "--json"], cli_settings)

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert Path(payload["written"]).parent == corpus_dir / folder
    assert {k: payload["front_matter"][k] for k in checks} == checks
    assert load_corpus(corpus_dir).ok


def test_bad_id_option_is_refused(cli_settings: Settings, pdf_file: Path) -> None:
    result = run(["corpus", "add", str(pdf_file), "--id", "Not An Id"], cli_settings)
    assert_clean_failure(result)
    assert ": id: " in result.stdout


def test_unwritable_default_dir_requires_dir(settings: Settings, tmp_path: Path, pdf_file: Path) -> None:
    result = run(["corpus", "add", str(pdf_file)], settings.model_copy(update={"corpus_dir": tmp_path / "missing"}))
    assert result.exit_code == 2 and "--dir" in result.output and "Traceback" not in result.output


def test_json_output_reports_front_matter_and_path(cli_settings: Settings, tmp_path: Path, pdf_file: Path) -> None:
    target = tmp_path / "elsewhere"
    result = run(["corpus", "add", str(pdf_file), "--dir", str(target), "--json"], cli_settings)

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["type"] == "pdf" and payload["problems"] == []
    assert payload["front_matter"]["effective_date"] == "2019-12-01"
    assert Path(payload["written"]).is_file() and Path(payload["written"]).is_relative_to(target)
    assert "kind" in payload["suggestions"]


def test_add_with_ingest_makes_the_article_searchable(cli_settings: Settings, pdf_file: Path) -> None:
    result = run(["corpus", "add", str(pdf_file), "--status", "published", "--ingest"], cli_settings)
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.stderr

    hits = json.loads(run(["search", "等级测评 每年 公安机关 测评报告", "--json", "-k", "3"], cli_settings).stdout)
    assert hits and hits[0]["title"] == "网络安全等级保护管理办法"
    assert hits[0]["text"].startswith("第二条 第三级以上网络的运营者应当每年至少开展一次等级测评")


def test_draft_with_ingest_warns_it_is_not_searchable(cli_settings: Settings, pdf_file: Path) -> None:
    result = run(["corpus", "add", str(pdf_file), "--ingest"], cli_settings)
    assert result.exit_code == 0, result.output
    assert "未发布 1" in result.stderr and "published" in result.stderr


# -- the real statute texts in ../shared/data/laws ------------------------------------------------


@pytest.fixture
def laws_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "laws"
    if not path.is_dir() or not list(path.glob("*.md")):
        pytest.skip(f"shared evaluation data not present at {path}")
    return path


@pytest.mark.shared
def test_real_law_texts_are_imported_and_searchable_by_article(cli_settings: Settings, corpus_dir: Path, laws_dir: Path) -> None:
    amended = "网络安全法(2025修正).md"
    laws = sorted((p for p in laws_dir.glob("*.md") if p.name != "README.md"), key=lambda p: (p.name == amended, p.name))
    for path in laws:
        args = ["corpus", "add", str(path), "--status", "published"]
        if path.name == amended and (laws_dir / "网络安全法.md").exists():  # same title and date as 2016: same id
            refused = run(args, cli_settings)
            assert_clean_failure(refused)
            assert "已被" in refused.stdout
            args += ["--id", "reg-csl-2025"]
        result = run(args, cli_settings)
        assert result.exit_code == 0, f"{path.name}: {result.output}"

    loaded = load_corpus(corpus_dir)
    assert loaded.ok and len(loaded.documents) == len(laws)
    assert all(d.meta.kind.value == "regulation" for d in loaded.documents)
    ingest = run(["corpus", "ingest", str(corpus_dir)], cli_settings)
    assert ingest.exit_code == 0, ingest.output

    hits = json.loads(run(["search", "网络日志 留存 不少于六个月", "--json", "-k", "5"], cli_settings).stdout)
    assert any(h["title"] == "中华人民共和国网络安全法" and "不少于六个月" in h["text"] for h in hits[:3]), hits[:3]
    hits = json.loads(run(["search", "关键信息基础设施 运营者 网络安全事件 报告", "--json", "-k", "5"], cli_settings).stdout)
    assert any("关键信息基础设施" in h["title"] for h in hits[:3])


def test_what_the_text_does_not_say_is_asked_for_not_guessed(cli_settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "办法.txt"
    path.write_text("某某数据管理办法\n第一条 目的。\n第二条 范围。\n第三条 解释。", encoding="utf-8")
    refused = run(["corpus", "add", str(path)], cli_settings)
    assert_clean_failure(refused)
    fields = {m["field"] for m in (PROBLEM_LINE.match(line) for line in refused.stdout.strip().splitlines()) if m}
    assert fields == {"source.issuer", "effective_date"}
    assert "--issuer" in refused.stderr and "--effective-date" in refused.stderr
    assert list(corpus_dir.rglob("*.md")) == []

    given = run(["corpus", "add", str(path), "--issuer", "某某市数据局", "--effective-date", "2025-03-01", "--json"], cli_settings)
    assert given.exit_code == 0, given.output
    meta = load_corpus(corpus_dir).documents[0].meta
    assert meta.source.issuer == "某某市数据局" and str(meta.effective_date) == "2025-03-01"
