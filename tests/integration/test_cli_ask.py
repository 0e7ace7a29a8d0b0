"""`top-advisor ask`: briefs and answers on the command line, against a real (small) index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import write_doc

from api.cli import cli
from api.settings import Settings

PROFILE = """# 医疗卫生行业画像

## 监管驱动

《网络安全法》第二十三条要求网络运营者落实等级保护制度，并留存网络日志不少于六个月。

## 网络安全需求

医院网络安全需求以等保三级建设和年度测评整改为主线，常见采购包括防火墙、日志审计和堡垒机。

## 数据安全需求

医院数据安全需求首先是数据分类分级，其次是数据库审计和数据脱敏。

## 拜访时值得问的问题

- 最近一次等保测评的主要扣分项是什么？
"""

SOLUTION = """# 日志审计方案指南

## 解决什么问题

日志审计要解决安全事件发生后无法追溯、日志分散且保存期不足的问题。

## 合规依据

日志审计的依据是《网络安全法》第二十三条，要求留存相关网络日志不少于六个月。

## 核心能力

日志审计的核心能力包括多源日志采集、归一化、关联分析和六个月以上的集中存储。

## 可选产品与厂商

提供日志审计产品的厂商包括甲安科技、乙盾网络、丙川信息等，排名不分先后。
"""


def run(args: list[str], settings: Settings) -> Result:
    return CliRunner().invoke(cli, args, obj=settings)


@pytest.fixture
def indexed(settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, embedder) -> Settings:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("api.container.UseEmbedder", lambda threads=None: embedder)
    write_doc(corpus_dir, "ind-healthcare-t", PROFILE, kind="industry_profile", industries=["healthcare"],
              need_categories=["network_security", "data_security"], title="医疗卫生行业画像")
    write_doc(corpus_dir, "sol-log-audit-t", SOLUTION, kind="solution", industries=["all"],
              need_categories=["network_security"], title="日志审计方案指南")
    configured = settings.model_copy(update={"corpus_dir": corpus_dir})
    assert run(["corpus", "ingest"], configured).exit_code == 0
    return configured


def test_ask_a_hospital_name_prints_a_cited_brief_and_its_sources(indexed: Settings) -> None:
    result = run(["ask", "临江市第一人民医院"], indexed)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "客户画像（系统推断" in out and "医疗卫生" in out
    assert "## 监管驱动" in out and "第二十三条" in out
    assert "### 1. 日志审计" in out and "甲安科技" in out
    assert "## 来源" in out
    for n in {int(n) for n in re.findall(r"\[(\d+)\]", out.split("## 来源")[0])}:
        assert f"[{n}] 《" in out, f"source {n} is listed"


def test_ask_json_has_profile_sections_text_and_sources(indexed: Settings) -> None:
    result = run(["ask", "临江市第一人民医院", "--json"], indexed)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["profile"]["industry"] == "healthcare"
    assert {s["category"] for s in data["sections"]} == {"it", "network_security", "data_security", "business"}
    needs = [n for s in data["sections"] for n in s["needs"]]
    assert needs[0]["title"].startswith("日志审计") and needs[0]["vendors"] == ["甲安科技", "乙盾网络", "丙川信息"]
    assert data["text"].startswith("# 临江市第一人民医院")
    assert {"n", "doc_id", "title", "locator", "text"} <= set(data["sources"][0])
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", data["text"])}
    assert cited == {s["n"] for s in data["sources"]}


def test_ask_a_question_outside_the_corpus_says_so(indexed: Settings) -> None:
    result = run(["ask", "足球比赛的越位规则是什么？", "--json"], indexed)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mode"] == "not_found"
    assert "知识库中没有找到" in data["text"]


def test_ask_an_unrecognisable_name_asks_the_user(indexed: Settings) -> None:
    result = run(["ask", "星河湾"], indexed)
    assert result.exit_code == 0, result.output
    assert "请补充" in result.output


def test_ask_with_an_empty_message_is_a_usage_error(indexed: Settings) -> None:
    result = run(["ask", "  "], indexed)
    assert result.exit_code == 2
    assert "消息不能为空" in result.output and "Traceback" not in result.output
