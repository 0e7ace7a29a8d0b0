"""The neutrality check: a need whose only material comes from one vendor is flagged as such."""

from __future__ import annotations

from pathlib import Path
from statistics import median

from helpers import Stack, make_profiler, write_doc

from assistant.advisor import Advisor
from assistant.composer import ComposerWriter
from assistant.events import DeltaEvent
from assistant.models import Profile
from assistant.planner import Planner
from corpus import STARTER_DIR, load_corpus
from corpus.neutrality import vendor_report

PROFILE_BODY = """# 交通行业画像

本画像用于测试。

## 网络安全需求

港口码头的网络安全需求集中在生产网隔离和工控安全监测，很多码头正在建设统一的安全运营平台。

## 监管驱动

《网络安全法》第二十三条要求落实等级保护制度，并留存网络日志不少于六个月。
"""

VENDOR_BODY = """# 码头工控安全一体机方案

## 解决什么问题

码头工控安全一体机要解决岸桥和场桥控制网缺少监测、无法发现异常指令的问题。

## 合规依据

码头工控安全建设的依据是《网络安全法》第二十三条规定的等级保护义务。

## 核心能力

码头工控安全一体机的核心能力包括协议深度解析、异常指令告警和资产自动发现。

## 可选产品与厂商

提供码头工控安全一体机的厂商包括远帆科技等，该资料由远帆科技提供。
"""


def _brief_text(stack: Stack) -> tuple[str, object]:
    advisor = Advisor(profiler=make_profiler(stack), planner=Planner(stack.retriever), retriever=stack.retriever)
    profile = Profile(name="临港某集装箱码头", industry="transport", segment="港口/航运", confidence=0.9)
    request = advisor.brief(profile, ("network_security",))
    text = "".join(e.text for e in ComposerWriter().write(request) if isinstance(e, DeltaEvent))
    return text, request


def test_single_vendor_material_is_flagged_not_presented_as_the_industry_answer(
    stack: Stack, corpus_dir: Path
) -> None:
    write_doc(corpus_dir, "ind-transport-test", PROFILE_BODY, kind="industry_profile", industries=["transport"],
              need_categories=["network_security"], title="交通行业画像")
    write_doc(corpus_dir, "sol-vendor-ics-box", VENDOR_BODY, kind="solution", industries=["transport"],
              need_categories=["network_security"], title="码头工控安全一体机方案", vendor="远帆科技")
    stack.indexer.ingest(corpus_dir)
    text, request = _brief_text(stack)
    needs = [n for c in request.plan.categories for n in c.needs]  # type: ignore[union-attr]
    assert needs and needs[0].single_vendor == "远帆科技"
    assert "全部来自“远帆科技”一家厂商" in text
    assert "不代表行业通行做法" in text


def test_vendor_neutral_material_is_not_flagged(stack: Stack, corpus_dir: Path) -> None:
    write_doc(corpus_dir, "ind-transport-test", PROFILE_BODY, kind="industry_profile", industries=["transport"],
              need_categories=["network_security"], title="交通行业画像")
    neutral = VENDOR_BODY.replace("提供码头工控安全一体机的厂商包括远帆科技等，该资料由远帆科技提供。",
                                  "提供码头工控安全产品的厂商包括甲安科技、乙盾网络、丙川信息等，排名不分先后。")
    write_doc(corpus_dir, "sol-neutral-ics", neutral, kind="solution", industries=["transport"],
              need_categories=["network_security"], title="码头工控安全方案")
    stack.indexer.ingest(corpus_dir)
    text, request = _brief_text(stack)
    needs = [n for c in request.plan.categories for n in c.needs]  # type: ignore[union-attr]
    assert needs and needs[0].single_vendor is None
    assert needs[0].vendors == ["甲安科技", "乙盾网络", "丙川信息"]
    assert "中立性提示" not in text


def test_starter_corpus_names_vendors_in_balance_and_always_with_the_disclaimer() -> None:
    """The issue-15 finding (one vendor in 60% of vendor-naming documents, twice its peers) stays fixed."""
    report = vendor_report(load_corpus(STARTER_DIR).documents)
    assert report.undisclaimed == []
    top = report.counts[:5]
    assert report.share(top[0].name) <= 0.45, [(c.name, len(c.documents)) for c in top]
    assert len(top[0].documents) <= 1.5 * median(len(c.documents) for c in top)
