"""`top-advisor cases redact`, driven through click's CliRunner: no database, no embedder."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from click.testing import CliRunner

from api.cli import cli

CASE = (
    "# 杭州市第一人民医院零信任项目\n\n"
    "市一院信息科科长张伟（手机 138 0013 8000，zhangwei@hzsy.com.cn）牵头，杭一院分院也参与了。\n"
    "| 预算 | 128.5万元 |\n|---|---|\n| 上线 | 2024年5月20日 |\n"
)


def test_redact_prints_text_and_findings_as_json(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text(CASE, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["cases", "redact", "--file", str(path), "--customer", "杭州市第一人民医院", "--alias", "杭一院", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"text", "findings"}
    for f in out["findings"]:
        assert set(f) == {"kind", "original", "replacement", "start", "end"}
        assert CASE[f["start"] : f["end"]] == f["original"]
    kinds = {f["original"]: f["kind"] for f in out["findings"]}
    assert kinds["杭州市第一人民医院"] == kinds["市一院"] == kinds["杭一院"] == "customer"
    assert kinds["张伟"] == "person" and kinds["138 0013 8000"] == "phone" and kinds["zhangwei@hzsy.com.cn"] == "email"
    for secret in ("杭州", "一院", "张伟", "138 0013 8000", "hzsy", "128.5万元", "5月20日"):
        assert secret not in out["text"]
    assert "零信任" in out["text"]


def test_redact_reads_docx_and_stdin(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("联系人：王小明，电话 0571-88886666。")
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "case.docx"
    path.write_bytes(buffer.getvalue())
    result = CliRunner().invoke(cli, ["cases", "redact", "--file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert "王小明" not in json.loads(result.output)["text"]
    piped = CliRunner().invoke(cli, ["cases", "redact", "--file", "-", "--json"], input="李建国总经理的邮箱 li@abc.cn")
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.output)["text"] == "李某总经理的邮箱 [邮箱]"


def test_redact_with_uniqueness_options_warns_in_json(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text("某城商行的数据安全项目。", encoding="utf-8")
    args = ["cases", "redact", "--file", str(path), "--industry", "finance", "--segment", "城商行",
            "--province", "宁夏回族自治区", "--year", "2024", "--json"]  # fmt: skip
    out = json.loads(CliRunner().invoke(cli, args).output)
    assert out["uniqueness"]["suggested_region"] in ("西北", "全国")
    bad = CliRunner().invoke(cli, ["cases", "redact", "--file", str(path), "--industry", "finance", "--province", "火星"])
    assert bad.exit_code == 2 and "未知的省份" in bad.output


def test_bad_input_fails_cleanly_in_chinese(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["cases", "redact", "--file", str(tmp_path / "nope.md")])
    assert missing.exit_code != 0 and "无法读取文件" in missing.output and "Traceback" not in missing.output
    binary = tmp_path / "case.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    refused = CliRunner().invoke(cli, ["cases", "redact", "--file", str(binary)])
    assert refused.exit_code != 0 and "UTF-8" in refused.output
    empty = tmp_path / "empty.md"
    empty.write_text("   \n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["cases", "redact", "--file", str(empty)]).exit_code != 0


def test_human_output_shows_each_change(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text("联系人张伟，手机13800138000。", encoding="utf-8")
    result = CliRunner().invoke(cli, ["cases", "redact", "--file", str(path)])
    assert result.exit_code == 0
    assert "联系人张某，手机[电话]。" in result.output
    assert "13800138000" in result.output  # the table of changes, for the author
