"""Names of people and organisations, the customer's aliases, and what must survive."""

from __future__ import annotations

from community.redaction import FindingKind, Redactor, propose_aliases, redact

DOMAIN_TEXT = (
    "等保三级整改包括下一代防火墙、堡垒机、日志审计、数据库审计和数据分类分级；二期上零信任、态势感知、"
    "安全运营中心 SOC、威胁情报和攻防演练。依据《网络安全法》《数据安全法》《个人信息保护法》和 GB/T 22239-2019，"
    "关键信息基础设施要做密评和商用密码改造（SM2/SM4）。HIS、PACS、LIS 三大核心系统要做主机安全和容器安全。"
)


def people(text: str) -> dict[str, str]:
    return {f.original: f.replacement for f in redact(text).findings if f.kind is FindingKind.person}


def test_domain_terms_are_not_touched() -> None:
    result = redact(DOMAIN_TEXT)
    assert result.findings == []
    assert result.text == DOMAIN_TEXT


def test_titles_and_roles_reveal_people() -> None:
    found = people("信息科科长张伟牵头，联系人：王小明，李建国总经理拍板；刘院长、陈科长和李工都参加了。")
    assert {"张伟", "王小明", "李建国", "刘", "陈", "李"} <= set(found)


def test_word_like_surnames_are_not_people() -> None:
    assert people("安全总监和常务副院长很重视，党委书记和支部书记也来了，单位主任签字。") == {}


def test_the_same_person_gets_the_same_placeholder() -> None:
    result = redact("联系人张伟负责对接。后来张伟又确认了方案，张主任很满意。")
    names = [f.replacement for f in result.findings if f.kind is FindingKind.person]
    assert names == ["张某", "张某", "张某"]


def test_two_people_with_one_surname_get_different_placeholders() -> None:
    found = people("科长张伟和工程师张敏一起来了，张伟负责方案，张敏负责实施。")
    assert found["张伟"] != found["张敏"]
    assert {found["张伟"], found["张敏"]} == {"张某甲", "张某乙"}


def test_other_organisations_are_replaced_and_lettered() -> None:
    result = redact("我们击败了杭州明远信息技术有限公司，后来又和嘉兴银行、温州市第二人民医院合作。明远信息技术有限公司不服。")
    orgs = {f.original: f.replacement for f in result.findings if f.kind is FindingKind.org}
    assert orgs["杭州明远信息技术有限公司"] == "某公司A"
    assert orgs["嘉兴银行"] == "某银行A"
    assert orgs["温州市第二人民医院"] == "某医院A"


def test_vendors_and_regulators_are_kept() -> None:
    text = "最终选了奇安信和深信服的方案，公安部第三研究所做了测评，国家网信办发文后启明星辰也来了。"
    assert redact(text).text == text


def test_generic_mentions_of_organisations_are_kept() -> None:
    text = "这是一家三甲医院，数据中心和安全运营中心都在院内，另一家安全公司报价更低，城商行和农商行也有类似需求。"
    assert redact(text).text == text


def test_aliases_are_derived_from_the_name() -> None:
    assert "市一院" in propose_aliases("杭州市第一人民医院")
    assert "杭州一院" in propose_aliases("杭州市第一人民医院")
    assert {"明远", "明远信息技术", "杭州明远"} <= set(propose_aliases("杭州明远信息技术有限公司"))
    assert "浙大一院" in propose_aliases("浙江大学医学院附属第一医院")
    assert "人民医院" not in propose_aliases("江苏省人民医院")


def test_customer_name_and_aliases_are_all_replaced() -> None:
    text = "杭州市第一人民医院（下称市一院）上线了零信任。市一院的信息科很满意，杭一院另有安排。"
    result = redact(text, customer="杭州市第一人民医院", aliases=["杭一院"])
    assert {f.original for f in result.findings if f.kind is FindingKind.customer} == {"杭州市第一人民医院", "市一院", "杭一院"}
    assert "某医院" in result.text and "一院" not in result.text


def test_an_organisation_containing_the_customer_is_the_customer() -> None:
    result = redact("嘉兴银行杭州分行的科技部", customer="嘉兴银行股份有限公司")
    assert result.findings[0].kind is FindingKind.customer
    assert result.findings[0].original == "嘉兴银行杭州分行"


def test_an_alias_source_adds_names_rules_cannot_derive() -> None:
    class KnowledgeBase:
        def aliases(self, name: str) -> list[str]:
            return ["三快在线"] if name.startswith("北京三快") else []

    redactor = Redactor(alias_sources=[KnowledgeBase()])
    result = redactor.redact("三快在线的安全团队", customer="北京三快在线科技有限公司")
    assert result.text == "某公司的安全团队"


def test_traditional_characters_are_read() -> None:
    text = "聯繫人：張偉（資訊科主任），另有鄭州市中心醫院的劉院長。"
    result = redact(text)
    originals = {f.original for f in result.findings}
    assert {"張偉", "鄭州市中心醫院", "劉"} <= originals
    assert all(text[f.start : f.end] == f.original for f in result.findings)


def test_pinyin_and_english_names() -> None:
    found = people("Contact: Zhang Wei and Tony Wang; also Mr. Chen.")
    assert {"Zhang Wei", "Tony Wang", "Chen"} <= set(found)


def test_a_short_name_the_text_defines_is_replaced_too() -> None:
    text = "签约主体：温州瓯越数码科技有限公司（以下简称“瓯越数码”），瓯越数码负责实施。"
    result = redact(text)
    assert "瓯越" not in result.text
    assert {f.replacement for f in result.findings if f.kind is FindingKind.org} == {"某公司A"}


def test_names_typed_with_spaces_after_a_form_label() -> None:
    result = redact("联系人 蔺 晓 峰（手机：13905770123）")
    assert result.text.startswith("联系人 蔺某（")


def test_transliterated_names_before_a_role_or_an_action() -> None:
    result = redact("帕提古丽负责采购；艾合买提工程师带队；联系人：努尔兰·别克，电话 0991-4582307。")
    assert [f.original for f in result.findings if f.kind is FindingKind.person] == ["帕提古丽", "艾合买提", "努尔兰·别克"]
    assert redact("阿里云、塔吉克族和尼克松都不是这里要删的名字。").findings == []
