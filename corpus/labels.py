"""Chinese names of the corpus codes: one vocabulary for the chat, the editor, the pages and the CLI.

The web pages read these through `GET /api/labels`, so a term changed here changes everywhere.
"""

from __future__ import annotations

import re

from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES, Kind
from corpus.industries import INDUSTRIES

__all__ = [
    "ALL_INDUSTRIES_LABEL",
    "FIELD_LABELS",
    "INDUSTRY_LABELS",
    "KIND_LABELS",
    "NEED_LABELS",
    "OWN_ISSUER",
    "PROVINCES",
    "STATE_LABELS",
    "all_labels",
    "industry_label",
    "problem_message",
]

OWN_ISSUER = "渠道参谋编辑部"  # the issuer of what we write ourselves (guides, cases, profiles)

KIND_LABELS: dict[str, str] = {
    "regulation": "法规",
    "standard": "标准",
    "industry_profile": "行业画像",
    "solution": "方案指南",
    "case": "案例",
    "faq": "常见问答",
}
INDUSTRY_LABELS: dict[str, str] = {i.code: i.label for i in INDUSTRIES}  # corpus/industries.py
ALL_INDUSTRIES_LABEL = "各行业通用"  # the code `all`
NEED_LABELS: dict[str, str] = {
    "it": "IT建设",
    "network_security": "网络安全",
    "data_security": "数据安全",
    "business": "业务发展",
}
# States of an editorial version (corpus.editorial.VersionState).
STATE_LABELS: dict[str, str] = {
    "draft": "草稿",
    "in_review": "待审核",
    "published": "已发布",
    "superseded": "已被取代",
    "retired": "已下线",
    "rejected": "已退回",
}
# Front-matter fields as the editor's form names them (dotted paths as validation reports them).
FIELD_LABELS: dict[str, str] = {
    "id": "文档 ID",
    "title": "标题",
    "kind": "类型",
    "industries": "行业",
    "need_categories": "需求类别",
    "regions": "地区",
    "vendor": "厂商",
    "source": "来源",
    "issuer": "发文机关",
    "source.issuer": "发文机关",
    "document_number": "文号 / 标准号",
    "source.document_number": "文号 / 标准号",
    "articles": "条款",
    "source.articles": "条款",
    "url": "链接",
    "source.url": "链接",
    "effective_date": "施行日期",
    "version": "版本",
    "status": "状态",
    "illustrative": "示意案例",
    "review_by": "复审日期",
    "tags": "标签",
    "front matter": "元数据",
    "body": "正文",
    "file": "文件",
}
# Provincial-level divisions as the corpus writes them in `regions` (full names), with the short forms
# texts use. The profiler's gazetteer (assistant/) knows cities too; the corpus needs only this level.
PROVINCES: dict[str, str] = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆", "河北省": "河北", "山西省": "山西",
    "辽宁省": "辽宁", "吉林省": "吉林", "黑龙江省": "黑龙江", "江苏省": "江苏", "浙江省": "浙江", "安徽省": "安徽",
    "福建省": "福建", "江西省": "江西", "山东省": "山东", "河南省": "河南", "湖北省": "湖北", "湖南省": "湖南",
    "广东省": "广东", "海南省": "海南", "四川省": "四川", "贵州省": "贵州", "云南省": "云南", "陕西省": "陕西",
    "甘肃省": "甘肃", "青海省": "青海", "台湾省": "台湾", "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西",
    "西藏自治区": "西藏", "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}  # fmt: skip

assert set(INDUSTRY_LABELS) == set(INDUSTRY_CODES)
assert set(NEED_LABELS) == set(NEED_CATEGORIES)
assert set(KIND_LABELS) == {k.value for k in Kind}


def industry_label(code: str) -> str:
    return ALL_INDUSTRIES_LABEL if code == "all" else INDUSTRY_LABELS.get(code, code)


def all_labels() -> dict[str, dict[str, str]]:
    """Every vocabulary, as `GET /api/labels` serves it."""
    return {
        "kinds": dict(KIND_LABELS),
        "industries": {**INDUSTRY_LABELS, "all": ALL_INDUSTRIES_LABEL},
        "needs": dict(NEED_LABELS),
        "states": dict(STATE_LABELS),
        "fields": dict(FIELD_LABELS),
    }


_PROBLEM_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^required field is missing$", "必填，请填写"),
    (r"^unknown field$", "不是已知的字段"),
    (r"^unknown value (.+?); expected one of .*$", r"取值 \1 无效"),
    (r"^String should have at least 1 character$", "不能为空"),
    (r"^String should have at most (\d+) characters?$", r"不能超过 \1 个字符"),
    (r"^List should have at least 1 item.*$", "至少选择一项"),
    (r"^Input should be a valid date.*$", "须是有效日期，格式 YYYY-MM-DD"),
    (r"^Input should be a valid (?:string|list|boolean).*$", "格式不对"),
    (r"^Value error, 'all' cannot be combined with other industry codes$", f"“{ALL_INDUSTRIES_LABEL}”不能与其他行业同时选择"),
    (r"^Value error, duplicate .*$", "有重复的取值"),
    (r"^Value error, must be a slug.*$", "须是 3–80 个字符，只含小写字母、数字和连字符（-）"),
    (r"^document has no content after the front matter$", "正文为空"),
    (r"^invalid value ('[^']*'): .*$", r"取值 \1 无效"),
)


def problem_message(message: str) -> str:
    """A validation message (corpus.validate speaks English, as the CLI does) as the editor shows it."""
    for pattern, chinese in _PROBLEM_MESSAGES:
        if re.match(pattern, message):
            return re.sub(pattern, chinese, message)
    return message
