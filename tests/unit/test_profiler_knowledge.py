"""The profiler with the organisation knowledge base: order of sources, evidence, regions, candidates."""

from __future__ import annotations

import pytest

from assistant.profiler import Profiler, corpus_issuers
from corpus import STARTER_DIR


@pytest.fixture(scope="module")
def profiler() -> Profiler:
    return Profiler(regulators=corpus_issuers(STARTER_DIR))


def deciding(profile) -> str:  # type: ignore[no-untyped-def]
    return next(e.source for e in reversed(profile.evidence) if e.field == "industry" and e.value == profile.industry)


@pytest.mark.parametrize(
    ("name", "industry"),
    [("快手", "internet"), ("比亚迪", "manufacturing"), ("万科", "real_estate"), ("华为", "manufacturing"),
     ("美的", "manufacturing"), ("顺丰", "transport"), ("北京快手科技有限公司", "internet"),
     ("比亚迪股份有限公司", "manufacturing"), ("中国华电集团有限公司", "energy"), ("万科企业股份有限公司", "real_estate")],
)  # fmt: skip
def test_brands_a_new_user_tries_first_are_known(profiler: Profiler, name: str, industry: str) -> None:
    profile = profiler.profile(name)
    assert profile.industry == industry and profile.question is None and deciding(profile) == "knowledge"


def test_evidence_names_the_deciding_source(profiler: Profiler) -> None:
    profile = profiler.profile("比亚迪")
    detail = next(e.detail for e in profile.evidence if e.field == "industry" and e.source == "knowledge")
    assert detail == "上市公司名录：比亚迪（002594），汽车整车"
    assert next(e for e in profile.evidence if e.field == "regulators").source == "knowledge"
    detail = next(e.detail for e in profiler.profile("快手").evidence if e.field == "industry")
    assert detail.startswith("大型企业集团名录：快手（港股 01024）")
    detail = next(e.detail for e in profiler.profile("中国华电集团有限公司").evidence if e.field == "industry")
    assert detail.startswith("中央企业名录：")


@pytest.mark.parametrize(
    ("name", "industry"),
    [
        ("中国医学科学院北京协和医院", "healthcare"),  # a hospital, not a ministry
        ("中国石油化工集团有限公司", "energy"),
        ("中国联合网络通信集团有限公司", "telecom"),
        ("上海市大数据中心", "government"),  # a municipal public institution
        ("杭州市数据资源管理局", "government"),
        ("国家港务局", "government"),  # still an organ: 国家…局, though 港务局 is a port's word
    ],
)
def test_known_rule_misses_are_fixed(profiler: Profiler, name: str, industry: str) -> None:
    assert profiler.profile(name).industry == industry


def test_a_telecom_branch_is_telecom_with_the_branch_region(profiler: Profiler) -> None:
    profile = profiler.profile("中国联合网络通信有限公司杭州市分公司")
    assert profile.industry == "telecom" and profile.region.city == "杭州市"
    profile = profiler.profile("中国联合网络通信有限公司温州分公司")  # 温州 without 市, before 分公司
    assert profile.industry == "telecom" and profile.region.city == "温州市"


def test_region_in_brackets_is_read(profiler: Profiler) -> None:
    profile = profiler.profile("腾讯科技（深圳）有限公司")
    assert profile.industry == "internet" and profile.region.city == "深圳市"
    assert any("括号" in e.detail for e in profile.evidence if e.field == "region")
    assert profiler.profile("某某信息技术(苏州)有限公司").region.city == "苏州市"


@pytest.mark.parametrize(
    ("name", "province", "city"),
    [
        ("杭州青禾远山科技有限公司", "浙江省", "杭州市"),
        ("苏州青禾精密机械有限公司", "江苏省", "苏州市"),
        ("深圳前海青禾金融服务有限公司", "广东省", "深圳市"),
        ("义乌青禾日用品有限公司", "浙江省", "金华市"),  # a county-level city
        ("拉萨青禾商贸有限公司", "西藏自治区", "拉萨市"),
    ],
)
def test_region_from_the_place_that_opens_a_company_name(profiler: Profiler, name: str, province: str, city: str) -> None:
    region = profiler.profile(name).region
    assert (region.province, region.city) == (province, city)


def test_a_known_companys_registered_place_beats_a_place_shaped_brand(profiler: Profiler) -> None:
    profile = profiler.profile("阿里巴巴（中国）有限公司")  # 阿里 is also a prefecture in Tibet
    assert profile.industry == "internet" and profile.region.province == "浙江省"


def test_an_ambiguous_short_name_is_not_guessed(profiler: Profiler) -> None:
    ambiguous = [n for n in ("长城", "时代", "中山", "平安", "华夏", "东方") if profiler.profile(n).candidates]
    assert ambiguous  # at least one of these short names fits several organisations
    for name in ambiguous:
        profile = profiler.profile(name)
        assert profile.industry == "unknown" and profile.question and profile.candidates
        assert all(c.name and c.source for c in profile.candidates)
        assert all(c.name in profile.question for c in profile.candidates)


def test_a_sub_brand_with_its_own_sector_word_is_that_sector(profiler: Profiler) -> None:
    profile = profiler.profile("美的置业集团有限公司")  # 美的 makes appliances; 置业 is property
    assert profile.industry == "real_estate"
    assert any("美的" in e.detail and "置业" in e.detail for e in profile.evidence if e.field == "industry")
    assert profiler.profile("小米汽车科技有限公司").industry == "manufacturing"
    assert profiler.profile("京东物流").industry == "transport"


def test_input_is_kept_as_given_beside_the_normalised_name(profiler: Profiler) -> None:
    profile = profiler.profile("  腾讯科技（深圳）有限公司 ")
    assert profile.input == "  腾讯科技（深圳）有限公司 " and profile.name == "腾讯科技(深圳)有限公司"


def test_without_the_knowledge_base_brands_are_unknown() -> None:
    assert Profiler(knowledge=False).profile("快手").industry == "unknown"


def test_directory_and_hint_outrank_the_knowledge_base(profiler: Profiler) -> None:
    assert profiler.profile("快手", industry_hint="media").industry == "media"


def test_a_special_treatment_short_name_is_the_one_listed_company_it_cuts_down(profiler: Profiler) -> None:
    """*ST + 字号 is how a stock list writes a company in special treatment: 字号 + sector word is its short name."""
    kb = profiler.knowledge
    assert kb is not None
    cut = next(k for k, ids in kb._index.keys.items()
               if len(ids) == 1 and max(ids.values()) == 1 and len(k) == 2 and kb.entities[next(iter(ids))].industry
               and profiler.profile(k).candidates)  # fmt: skip
    entity = kb.entities[next(iter(kb._index.keys[cut]))]
    assert profiler.profile(cut).industry == "unknown"  # the bare 字号 is only offered
    decided = profiler.profile("*ST" + cut)
    assert decided.industry == entity.industry and decided.input == "*ST" + cut


def test_a_special_treatment_abbreviation_is_read_or_asked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Made-up companies: one fits *ST鹭汀 (its name's last two), two fit *ST鸣泉 (their 字号)."""
    from assistant.orgs.knowledge import DATA_DIR, OrgKnowledge

    (tmp_path / "boards.tsv").write_text((DATA_DIR / "boards.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    rows = ["source\tcode\tnames\taliases\tlegal\ten\tprovince\tboard", "sz\t990001\t岚峰鹭汀\t\t\t\t\t文化传媒",
            "sz\t990003\t鸣泉博远\t\t\t\t\t通信设备", "sz\t990004\t鸣泉恒昌\t\t\t\t\t钢铁行业"]  # fmt: skip
    (tmp_path / "listed.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for file in ("central_soes.tsv", "groups.tsv"):
        (tmp_path / file).write_text("", encoding="utf-8")
    profiler = Profiler(knowledge=OrgKnowledge(tmp_path))

    read = profiler.profile("*ST鹭汀")
    assert read.industry == "media" and read.question is None and deciding(read) == "knowledge"
    assert any("“*ST鹭汀”按ST简称规则读作岚峰鹭汀" in e.detail for e in read.evidence)

    asked = profiler.profile("*ST鸣泉")
    assert asked.industry == "unknown" and {c.name for c in asked.candidates} == {"鸣泉博远", "鸣泉恒昌"}
    assert asked.question is not None and "鸣泉博远" in asked.question
    assert any(e.detail.startswith("“*ST鸣泉”可能指：") for e in asked.evidence)

    assert profiler.profile("鹭汀").industry == "unknown" and not profiler.profile("鹭汀").candidates
