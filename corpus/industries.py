"""The industries, in one declarative table: adding an industry is one `IndustrySpec(...)` row here
(plus its corpus profile under corpus/starter/industries/ and the code in `corpus.document.Industry`,
which a test holds equal to this table).

Each row says, for one industry code:
- `label`: its Chinese name everywhere (chat, editor, pages, CLI; the web pages get it from /api/labels);
- `document_words`: words in a document's text that suggest the document concerns it (the importer's
  suggested `industries`);
- `user_words`: words a user names it by when describing a customer ("制造业", "车企", "bank");
- `regulators`: who regulates it, for the customer profile (segments may refine them, assistant/name_rules.py);
- `mlps`: the usual 等保 level of its core systems and why, when the industry alone says so.

What an organisation's *name* reveals about its industry (医院, 银行, 电力 …) is profiler knowledge with
tiers and segments; it stays in assistant/name_rules.py `LEXICON` and `SEGMENTS`, keyed by these codes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CAC", "INDUSTRIES", "POLICE", "IndustrySpec", "industry"]

POLICE = "公安机关（等级保护）"
CAC = "国家网信办"


@dataclass(frozen=True)
class IndustrySpec:
    code: str
    label: str
    document_words: tuple[str, ...]
    user_words: tuple[str, ...]
    regulators: tuple[str, ...]
    mlps: tuple[int, str] | None = None


INDUSTRIES: tuple[IndustrySpec, ...] = (
    IndustrySpec(
        "government", "政府",
        document_words=("政务", "政府机关", "数字政府", "党政机关", "机关单位"),
        user_words=("政府", "政务", "机关", "事业单位", "委办局", "党政", "街道", "government", "public sector"),
        regulators=(CAC, POLICE, "国家密码管理局（密评）"),
        mlps=(3, "政务核心系统通常定为第三级"),
    ),
    IndustrySpec(
        "finance", "金融",
        document_words=("银行", "金融", "保险", "证券", "基金", "信托", "支付机构", "城商行", "农商行"),
        user_words=("金融", "银行业", "银行", "券商", "保险", "证券", "基金", "信托", "支付", "bank", "finance", "financial", "insurance"),
        regulators=("国家金融监管总局", "人民银行", POLICE, CAC),
        mlps=(3, "金融机构核心业务系统通常定为第三级"),
    ),
    IndustrySpec(
        "healthcare", "医疗卫生",
        document_words=("医院", "卫生", "医疗", "卫健", "诊疗", "病历", "患者"),
        user_words=("医疗卫生", "医疗", "卫生", "医院", "医药卫生", "诊所", "疾控", "hospital", "healthcare", "clinic", "medical"),
        regulators=("国家卫生健康委及地方卫健部门", POLICE, CAC),
    ),
    IndustrySpec(
        "education", "教育",
        document_words=("学校", "教育行业", "教育机构", "教育系统", "高校", "校园", "学生", "教学", "中小学"),
        user_words=("教育", "学校", "高校", "大学", "中学", "小学", "学院", "职校", "school", "university", "college", "education"),
        regulators=("各级教育行政部门", POLICE, CAC),
    ),
    IndustrySpec(
        "energy", "能源",
        document_words=("电力", "能源", "电网", "发电", "石油", "燃气", "新能源"),
        user_words=("能源", "电力", "电网", "石油", "石化", "燃气", "煤炭", "新能源发电", "水务", "energy", "power", "utility", "oil"),
        regulators=("能源局及其派出机构", POLICE, CAC),
        mlps=(3, "能源企业生产监控和核心系统通常定为第三级"),
    ),
    IndustrySpec(
        "manufacturing", "制造业",
        document_words=("工业", "制造", "工厂", "生产线", "工控"),
        user_words=("制造业", "制造企业", "制造", "生产企业", "工厂", "工业", "车企", "汽车", "电子厂", "manufacturing", "manufacturer", "factory", "industrial"),
        regulators=("工信部", POLICE, CAC),
    ),
    IndustrySpec(
        "telecom", "电信",
        document_words=("电信业务", "电信运营", "运营商", "基站", "通信网"),
        user_words=("电信", "运营商", "通信", "telecom", "carrier"),
        regulators=("工信部及各地通信管理局", POLICE, CAC),
        mlps=(3, "电信运营商核心网络和业务系统通常定为第三级及以上"),
    ),
    IndustrySpec(
        "internet", "互联网/软件",
        document_words=("互联网平台", "电子商务", "电商", "平台企业", "直播"),
        user_words=("互联网", "软件", "IT企业", "科技公司", "平台企业", "电商平台", "电商", "游戏", "SaaS", "internet", "software", "tech company", "e-commerce"),
        regulators=(CAC, "工信部", POLICE),
    ),
    IndustrySpec(
        "transport", "交通运输",
        document_words=("交通", "铁路", "民航", "机场", "港口", "地铁", "物流"),
        user_words=("交通运输", "交通", "物流", "运输", "港口", "机场", "航空", "铁路", "地铁", "快递", "logistics", "transport", "airport"),
        regulators=("交通运输主管部门", POLICE, CAC),
        mlps=(3, "交通运输关键业务系统通常定为第三级"),
    ),
    IndustrySpec(
        "retail", "零售",
        document_words=("零售", "门店", "商超", "连锁"),
        user_words=("零售", "商超", "超市", "连锁", "商场", "百货", "门店", "retail", "supermarket", "store chain"),
        regulators=("市场监管部门", POLICE, CAC),
    ),
    IndustrySpec(
        "media", "传媒",
        document_words=("媒体", "广电", "新闻", "出版"),
        user_words=("传媒", "媒体", "广电", "电视台", "报社", "出版", "新闻", "media", "broadcaster", "publisher"),
        regulators=("广电总局及地方广电部门", "国家新闻出版署", CAC, POLICE),
    ),
    IndustrySpec(
        "real_estate", "房地产",
        document_words=("房地产", "物业", "地产"),
        user_words=("房地产", "地产", "物业", "开发商", "real estate", "property developer"),
        regulators=("住建部门", POLICE, CAC),
    ),
    IndustrySpec(
        "agriculture", "农业",
        document_words=("农业", "农村", "农产品", "乡村"),
        user_words=("农业", "农牧", "养殖", "种业", "农林", "农场", "farming", "agriculture"),
        regulators=("农业农村主管部门", POLICE, CAC),
    ),
)
_BY_CODE = {i.code: i for i in INDUSTRIES}


def industry(code: str) -> IndustrySpec:
    """The row of `code`; KeyError for a code that is not in the table."""
    return _BY_CODE[code]
