"""Vendor mention counting (corpus.neutrality) and its benchmark page section (bench.report)."""

from __future__ import annotations

from helpers import make_document

from bench.report import render
from corpus.neutrality import vendor_names, vendor_report


def test_mentions_and_shares_count_documents_not_sentences() -> None:
    docs = [
        make_document("sol-a", "# 甲\n\n提供防火墙的厂商包括奇安信、深信服等，排名不分先后。奇安信还提供托管服务。\n"),
        make_document("sol-b", "# 乙\n\n提供云安全的厂商包括华为云、阿里云等，排名不分先后。\n"),
        make_document("sol-c", "# 丙\n\n本方案不涉及具体产品。\n"),
    ]
    report = vendor_report(docs)
    assert report.documents == 3 and report.vendor_documents == 2
    by_name = {c.name: c for c in report.counts}
    assert by_name["奇安信"].mentions == 2 and by_name["奇安信"].documents == {"sol-a"}
    assert report.share("奇安信") == 0.5
    assert "华为" not in by_name  # 华为云 is masked before the shorter name is looked for
    assert report.counts[0].name == "奇安信"  # ties on documents break by mentions
    assert report.undisclaimed == []


def test_a_list_without_the_disclaimer_is_reported() -> None:
    docs = [make_document("std-x", "# 标准\n\n深信服、启明星辰等厂商均提供相关产品。\n")]
    assert vendor_report(docs).undisclaimed == ["std-x"]


def test_360_is_a_vendor_only_as_a_word() -> None:
    docs = [
        make_document("faq-a", "# 问\n\n全景360度视图和13600元预算都不是厂商。\n"),
        make_document("faq-b", "# 问\n\n终端安全可选360、亚信安全等厂商，排名不分先后。\n"),
    ]
    by_name = {c.name: c for c in vendor_report(docs).counts}
    assert by_name["360"].documents == {"faq-b"}


def test_a_vendors_own_material_is_not_counted_and_listed_names_are_found() -> None:
    own = make_document("sol-own", "# 方案\n\n本资料由远帆科技提供，产品包括远帆一体机等。\n", vendor="远帆科技")
    listed = make_document("sol-list", "# 方案\n\n提供码头安全产品的厂商包括甲安科技、乙盾网络等，排名不分先后。\n")
    report = vendor_report([own, listed])
    assert report.documents == 1
    assert {c.name for c in report.counts} >= {"甲安科技", "乙盾网络"}
    assert vendor_names("厂商包括甲安科技、乙盾网络以及丙川信息等") == ["甲安科技", "乙盾网络", "丙川信息"]


def test_report_keeps_sections_of_parts_not_run_and_renders_the_vendor_table() -> None:
    previous = "# Benchmarks\n\n## Customer profiler\n\nMeasured earlier: 63.5%.\n\n## Starter corpus\n\nold numbers\n"
    vendors = {
        "documents": 10, "vendor_documents": 4, "vendors_named": 3, "undisclaimed": ["std-x"], "_measured": "now",
        "top": [{"name": "甲安科技", "mentions": 5, "documents": 3, "share": 0.75}],
    }
    page = render({"vendors": vendors}, previous)
    assert "| 甲安科技 | 5 | 3 | 75% |" in page
    assert "without 排名不分先后: 1 (std-x)" in page
    assert "Measured earlier: 63.5%." in page  # kept, not replaced by "Not run yet."
    assert "Not run yet." in page  # sections never written before
    assert page.count("## Customer profiler") == 1
