"""corpus/suggest.py: the metadata an import suggests (title, kind, industries, needs, issuer, region, number,
articles, effective date, id) and the reasons the editor reads beside them."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.importers import convert
from corpus.suggest import (
    suggest_articles,
    suggest_document_number,
    suggest_effective_date,
    suggest_id,
    suggest_industries,
    suggest_issuer,
    suggest_kind,
    suggest_needs,
    suggest_regions,
    suggest_title,
)

TODAY = dt.date(2026, 1, 15)

HOSPITAL = "# 三级医院等保测评方案\n\n" + "医院的HIS、电子病历和患者数据需要按等保三级保护，部署防火墙与数据库审计。" * 4
BANK = "# 城商行数据安全实践\n\n" + "银行应当开展数据分类分级，对个人信息进行脱敏和加密，证券和保险机构同样适用。" * 3


def test_title_from_heading_hint_or_first_line() -> None:
    assert suggest_title("# 标题一\n\n正文")[0] == "标题一"
    assert suggest_title("正文没有标题。第二句。", hint="元数据标题")[0] == "元数据标题"
    assert suggest_title("第一行就是说明。后面还有")[0] == "第一行就是说明"


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("信息安全技术 网络安全等级保护基本要求", "GB/T 22239-2019 代替 GB/T 22239-2008", "standard"),
        ("个人金融信息保护技术规范", "JR/T 0171—2020", "standard"),
        ("中华人民共和国数据安全法", "第一条 目的。\n第二条 范围。\n第三条 原则。", "regulation"),
        ("网络安全审查办法", "第一条 a\n第二条 b\n第三条 c\n第四条 d", "regulation"),
        ("某三级医院勒索病毒处置案例", "示例案例。", "case"),
        ("等保测评常见问题", "问：……", "faq"),
        ("零信任远程办公方案", "方案介绍。", "solution"),
        ("金融行业画像", "银行、证券。", "industry_profile"),
        ("关于渠道合作的一些想法", "没有特别结构的文字。", "solution"),
    ],
)
def test_kind_is_recognised(title: str, body: str, kind: str) -> None:
    assert suggest_kind(title, body)[0] == kind


def test_industries_by_keyword_density() -> None:
    assert suggest_industries("三级医院等保测评方案", HOSPITAL)[0] == ["healthcare"]
    assert suggest_industries("城商行数据安全实践", BANK)[0] == ["finance"]
    value, reasons = suggest_industries("网络安全通用要求", "网络运营者应当履行安全义务。" * 20)
    assert value == ["all"] and "没有突出的行业" in reasons[0]
    many = "医院、银行、学校、电力、工厂、政务、运营商、交通。" * 10
    assert suggest_industries("通用", many)[0] == ["all"]


def test_need_categories_by_keywords() -> None:
    assert suggest_needs("三级医院等保测评方案", HOSPITAL)[0][0] == "network_security"
    assert suggest_needs("城商行数据安全实践", BANK)[0][0] == "data_security"
    assert suggest_needs("私有云建设", "建设私有云平台和数据中心机房，推进上云。")[0] == ["it"]
    assert suggest_needs("数字化转型", "以数字化转型推动业务发展，建设智慧校园。")[0] == ["business"]
    assert suggest_needs("无关", "没有关键词")[0] == ["it"]


def test_issuer_near_the_start_or_our_editorial_team() -> None:
    head = "# 网络数据安全管理条例\n\n2024年9月24日中华人民共和国国务院令第790号公布\n\n第一条 国家网信部门……"
    assert suggest_issuer(head)[0] == "国务院"
    assert suggest_issuer("# 办法\n\n（国家网信办 公安部 联合发布）")[0] == "国家互联网信息办公室"
    assert suggest_issuer("# 通知\n\n国务院办公厅关于……")[0] == "国务院办公厅"
    assert suggest_issuer("# 指南\n\n本指南介绍零信任。")[0] == "渠道参谋编辑部"
    assert suggest_issuer("第一条 …", "中华人民共和国密码法", "regulation")[0] == "全国人民代表大会常务委员会"


def test_the_corpus_teaches_issuers_their_short_forms_and_numbers() -> None:
    # a short form stands for the one corpus issuer whose name holds its characters in order
    assert suggest_issuer("# 通知\n\n国家市场监管总局关于……")[0] == "国家市场监督管理总局"
    # an issuer field of the corpus (广东省人民政府) makes its decrees' numbers known
    assert suggest_document_number("规定", "广东省人民政府令第290号")[0] == "广东省人民政府令第290号"
    # a regulation number's agency code, learned from the corpus's regulations
    assert suggest_issuer("各有关单位：", "关于加强监管的通知", "solution", "金规〔2030〕7号")[0] == "国家金融监督管理总局"


def test_a_national_organ_the_corpus_does_not_know_is_taken_as_written() -> None:
    assert suggest_issuer("# 通知\n\n国家低空经济局关于试点的通知")[0] == "国家低空经济局"
    assert suggest_issuer("数字经济部令第3号\n\n第一条 ……")[0] == "数字经济部"
    assert suggest_document_number("办法", "数字经济部令第3号\n\n第一条")[0] == "数字经济部令第3号"
    assert suggest_issuer("# 规范\n\n本部门关于……")[0] == "渠道参谋编辑部"  # not an organ's name


@pytest.mark.parametrize(
    ("text", "title", "kind", "number", "issuer"),
    [
        # a government instrument that names no body is never ours: the editor fills the issuer in
        ("第一条 …", "网络安全审查办法", "regulation", None, None),
        ("各有关单位：现将有关事项通知如下。", "关于开展数据安全检查的通知", "solution", None, None),
        ("正文。", "某某指引", "solution", "某发〔2024〕3号", None),
        # provincial bodies, as written or from the title
        ("# 浙江省公共数据条例\n\n（2022年1月21日浙江省第十三届人民代表大会第六次会议通过）", "浙江省公共数据条例", "regulation",
         None, "浙江省人民代表大会"),
        ("广东省通信管理局关于加强数据中心安全管理的通知", "关于加强数据中心安全管理的通知", "solution", None, "广东省通信管理局"),
        ("第一条 为了……，结合本省实际，制定本条例。", "江苏省数据条例", "regulation", None, "江苏省人民代表大会常务委员会"),
        ("第一条 为了……，结合本市实际，制定本办法。", "上海市公共数据开放办法", "regulation", None, "上海市人民政府"),
        # a standard by its number's prefix, a notice by its number's issuing-body code
        ("范围。", "个人金融信息保护技术规范", "standard", "JR/T 0171-2020", "中国人民银行"),
        ("范围。", "基本要求", "standard", "GB/T 22239-2019", "国家市场监督管理总局、国家标准化管理委员会"),
        ("各省、自治区、直辖市人民政府：", "关于加强数字政府建设的指导意见", "solution", "国发〔2022〕14号", "国务院"),
    ],
)
def test_issuer_of_a_government_instrument_is_its_body_or_left_blank(
    text: str, title: str, kind: str, number: str | None, issuer: str | None
) -> None:
    value, reasons = suggest_issuer(text, title, kind, number)
    assert value == issuer, reasons
    assert value != "渠道参谋编辑部" and reasons


@pytest.mark.parametrize(
    ("title", "text", "issuer", "regions"),
    [
        ("浙江省公共数据条例", "第一条 …", None, ["浙江省"]),
        ("广东数字政府网络安全指数评估办法", "第一条 …", None, ["广东省"]),
        ("关于加强数据中心安全管理的通知", "各单位：……", "广东省通信管理局", ["广东省"]),
        ("公共数据授权运营管理办法", "# 公共数据授权运营管理办法\n\n北京市经济和信息化局\n\n第一条 为了推动本市公共数据……", None, ["北京市"]),
        ("中华人民共和国网络安全法", "第一条 … 上海证券交易所、北京证券交易所……", "全国人民代表大会常务委员会", []),
        ("医院数据安全方案", "某省三甲医院的做法。", "渠道参谋编辑部", []),
    ],
)
def test_a_province_is_suggested_when_the_text_applies_to_one(title: str, text: str, issuer: str | None, regions: list[str]) -> None:
    value, reasons = suggest_regions(title, text, issuer)
    assert value == regions and reasons


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2021年7月30日中华人民共和国国务院令第745号公布", "中华人民共和国国务院令第745号"),
        ("国令第745号", "国令第745号"),
        ("国办发〔2022〕29号 各省、自治区", "国办发〔2022〕29号"),
        ("信息安全技术 GB/T 22239-2019", "GB/T 22239-2019"),
        ("国家互联网信息办公室令第12号", "国家互联网信息办公室令第12号"),
        ("没有文号的指南", None),
    ],
)
def test_document_number(text: str, number: str | None) -> None:
    assert suggest_document_number("", text)[0] == number


def test_articles_in_order_unique_first_twenty() -> None:
    cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    numbers = cn + [f"十{c}" for c in cn[:9]] + ["二十", "二十一", "二十二"]
    text = "\n\n".join(f"第{n}条 内容。" for n in numbers) + "\n\n第一条 重复。\n\n## 第二十三条 标题里的条"
    articles, reasons = suggest_articles(text)
    assert articles[:3] == ["第一条", "第二条", "第三条"] and len(articles) == 20 and "共 23 条" in reasons[0]
    assert suggest_articles("依照第三条规定")[0] == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("第五十五条 本法自2021年9月1日起施行。", dt.date(2021, 9, 1)),
        ("本标准自二〇二一年十二月一日起实施。", dt.date(2021, 12, 1)),
        ("2019-12-01 实施", dt.date(2019, 12, 1)),
        ("1994年2月18日国务院令第147号发布\n\n第三十一条 本条例自发布之日起施行。", dt.date(1994, 2, 18)),
        ("各单位：\n\n请认真贯彻执行。\n\n工业和信息化部办公厅\n\n2024年3月15日\n", dt.date(2024, 3, 15)),
        ("没有日期。", None),
    ],
)
def test_effective_date_is_read_from_the_text_never_today(text: str, date: dt.date | None) -> None:
    value, reasons = suggest_effective_date(text)
    assert value == date and reasons
    assert "今天" not in reasons[0]


def test_own_material_without_a_date_takes_the_import_date_and_says_so() -> None:
    imported = convert("# 零信任落地方案\n\n零信任的做法。".encode(), "guide.md", today=TODAY)
    assert imported.front_matter["source"]["issuer"] == "渠道参谋编辑部"
    assert imported.front_matter["effective_date"] == TODAY and "导入日期" in imported.suggestions["effective_date"][0]


def test_id_has_kind_prefix_is_stable_and_valid() -> None:
    first = suggest_id("regulation", "网络安全审查办法", None, dt.date(2022, 2, 15))[0]
    assert first == suggest_id("regulation", "网络安全审查办法", None, dt.date(2022, 2, 15))[0]
    assert first.startswith("reg-") and first != suggest_id("regulation", "网络安全审查办法")[0]
    assert suggest_id("case", "案例")[0].startswith("case-")
    assert suggest_id("standard", "基本要求", "GB/T 22239-2019")[0] == "std-gb-t-22239-2019"


def test_reasons_name_fields_and_codes_in_chinese() -> None:
    """What the editor reads under 导入时的预填依据: no industry, need or kind codes."""
    from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES

    imported = convert(f"# 三级医院等保测评方案\n\n{HOSPITAL}".encode(), "方案.md", today=TODAY)
    codes = {*INDUSTRY_CODES, *NEED_CATEGORIES, "industry_profile", "regulation", "solution"}
    for field, reasons in imported.suggestions.items():
        for reason in reasons:
            assert not any(code in reason for code in codes), (field, reason)
    assert "医疗卫生：" in imported.suggestions["industries"][0]
