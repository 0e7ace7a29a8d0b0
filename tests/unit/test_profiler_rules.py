"""Name rules and the profiler without a directory: invented names only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import write_doc

from assistant.models import UNKNOWN
from assistant.name_rules import clean_name, match_words, name_key, strip_tails
from assistant.profiler import ProfileInputError, Profiler, corpus_issuers, read_name
from corpus import STARTER_DIR


@pytest.fixture(scope="module")
def profiler() -> Profiler:
    return Profiler(regulators=corpus_issuers(STARTER_DIR))


@pytest.mark.parametrize(
    ("name", "industry", "segment"),
    [
        ("临江县人民医院", "healthcare", "二级医院"),
        ("青禾大学医学院附属第一医院", "healthcare", "三级医院"),  # head word decides: a hospital, not a university
        ("青禾镇卫生院", "healthcare", "基层医疗机构"),
        ("某某市疾病预防控制中心", "healthcare", "疾控/公共卫生"),
        ("某某县妇幼保健院", "healthcare", "疾控/公共卫生"),
        ("青禾大学出版社", "media", "传媒/出版"),  # a university press is media
        ("东岭电力大学", "education", "高校"),  # an organisation type beats a sector word
        ("青禾职业技术学院", "education", "职业院校"),
        ("某某县第三中学", "education", "中小学"),
        ("某某市教育局", "education", "教育行政部门"),
        ("青禾农商银行", "finance", "农商行/农信社"),
        ("青禾农村商业银行股份有限公司", "finance", "农商行/农信社"),
        ("远山村镇银行", "finance", "村镇银行"),
        ("远山证券股份有限公司", "finance", "证券公司"),
        ("青禾人寿保险", "finance", "保险公司"),
        ("远山信托", "finance", "基金/信托"),
        ("青禾电网公司", "energy", "电网公司"),
        ("远山燃气集团", "energy", "燃气/水务"),
        ("青禾石化", "energy", "石油石化"),
        ("远山煤业", "energy", "煤炭"),
        ("青禾汽车制造有限公司", "manufacturing", "汽车制造"),
        ("远山制药", "manufacturing", "制药"),
        ("青禾半导体", "manufacturing", "电子/半导体"),
        ("远山软件股份有限公司", "internet", None),
        ("青禾港务集团", "transport", "港口/航运"),
        ("远山国际机场", "transport", "机场/航空"),
        ("青禾高速公路", "transport", "高速公路"),
        ("远山物流", "transport", "物流"),
        ("青禾百货", "retail", "零售/商超"),
        ("远山传媒", "media", "传媒/出版"),
        ("青禾广播电视台", "media", "广电"),
        ("远山置业", "real_estate", "房地产开发"),
        ("青禾物业服务", "real_estate", "物业服务"),
        ("远山种业", "agriculture", "农业企业"),
        ("青禾移动通信", "telecom", "电信运营商"),
    ],
)
def test_name_rules_read_industry_and_segment(profiler: Profiler, name: str, industry: str, segment: str | None) -> None:
    profile = profiler.profile(name)
    assert (profile.industry, profile.segment) == (industry, segment)
    assert profile.question is None
    assert any(e.field == "industry" and e.source == "name" for e in profile.evidence)


def test_head_word_evidence_names_the_deciding_word(profiler: Profiler) -> None:
    profile = profiler.profile("青禾大学医学院附属第一医院")
    detail = next(e.detail for e in profile.evidence if e.field == "industry")
    assert detail.startswith("名称以“医院”结尾")


@pytest.mark.parametrize(
    ("name", "segment", "mlps"),
    [
        ("国家星际探索管理局", "国务院部委", 3),
        ("青禾省人民政府", "省级政府", 3),
        ("广东省某某人民政府", "省级政府", 3),
        ("广东省某某厅", "省级部门", 3),
        ("佛山市人民政府", "地市级政府", 3),
        ("佛山市顺德区人民政府", "区县政府", 2),
        ("某某省某某县人民政府", "区县政府", 2),
    ],
)
def test_government_level_from_region_and_prefix(profiler: Profiler, name: str, segment: str, mlps: int) -> None:
    profile = profiler.profile(name)
    assert (profile.industry, profile.segment, profile.mlps_level) == ("government", segment, mlps)
    assert "公安机关（等级保护）" in profile.regulators


def _corpus_with_issuer(tmp_path: Path, issuer: str) -> Path:
    directory = tmp_path / "corpus"
    write_doc(directory, "reg-x", kind="regulation", issuer=issuer)
    return directory


def test_corpus_issuers_are_government_even_when_named_like_a_bank(tmp_path: Path) -> None:
    issuers = corpus_issuers(_corpus_with_issuer(tmp_path, "青禾中央储备银行、远山监管委员会等七部门"))
    assert issuers == {"青禾中央储备银行", "远山监管委员会"}
    profiler = Profiler(regulators=issuers)
    assert Profiler().profile("青禾中央储备银行").industry == "finance"  # without the corpus: a bank
    regulator = profiler.profile("青禾中央储备银行")
    assert (regulator.industry, regulator.segment) == ("government", "国务院部委")
    assert regulator.evidence[0].source == "corpus"
    branch = profiler.profile("青禾中央储备银行佛山市分行")
    assert branch.industry == "government" and branch.segment == "地市级政府"


def test_starter_corpus_issuers_exclude_the_editorial_board() -> None:
    issuers = corpus_issuers(STARTER_DIR)
    assert issuers and not any("编辑部" in i or "Advisor" in i for i in issuers)


def test_region_inference_and_region_hint(profiler: Profiler) -> None:
    profile = profiler.profile("佛山第一人民医院")
    assert profile.region.city == "佛山市" and profile.segment == "三级医院"
    hinted = profiler.profile("青禾农商银行", region_hint="浙江杭州")
    assert (hinted.region.province, hinted.region.city) == ("浙江省", "杭州市")
    assert any(e.field == "region" and e.source == "hint" for e in hinted.evidence)


def test_place_names_are_not_read_as_sector_words(profiler: Profiler) -> None:
    # 云南 contains 云, 海南 does not make a shipping company: the place is masked first.
    assert profiler.profile("云南青禾").industry == UNKNOWN


def test_industry_hint_wins_over_weak_names(profiler: Profiler) -> None:
    profile = profiler.profile("青禾远山", industry_hint="retail")
    assert profile.industry == "retail" and profile.confidence == pytest.approx(0.9)
    assert profile.evidence[0].source == "hint"


@pytest.mark.parametrize("name", ["青禾远山", "青禾科技", "远山发展股份有限公司", "\x00\x01\x02青", "🙂🙂🙂"])
def test_weak_evidence_gives_unknown_and_a_question(profiler: Profiler, name: str) -> None:
    profile = profiler.profile(name)
    assert profile.industry == UNKNOWN
    assert profile.confidence < 0.5
    assert profile.question is not None and "请补充" in profile.question
    assert profile.segment is None and profile.mlps_level is None and profile.regulators == []


@pytest.mark.parametrize("name", ["", "   ", "\x00\x01", "某" * 500])
def test_unusable_names_raise_a_clear_error(profiler: Profiler, name: str) -> None:
    with pytest.raises(ProfileInputError) as info:
        profiler.profile(name)
    assert "名称" in str(info.value)


def test_stock_list_decorations_and_legal_tails_are_stripped() -> None:
    assert strip_tails(name_key("*ST青禾股份")) == "青禾"
    assert strip_tails(name_key("青禾电力A")) == "青禾电力"
    assert strip_tails(name_key("远山软件-U")) == "远山软件"
    assert strip_tails("青禾港(集团)有限公司") == "青禾港"


def test_names_are_normalised_for_width_and_spaces() -> None:
    assert clean_name("青禾　医院（东院）") == "青禾 医院(东院)"
    assert name_key(" 青禾 医院（东院） ") == name_key("青禾医院(东院)")


def test_tier_one_words_never_decide_alone() -> None:
    reading = read_name("青禾科技")
    assert reading.industry == UNKNOWN and [m.rule.word for m in reading.clues] == ["科技"]


def test_longest_word_at_an_end_position_hides_shorter_ones() -> None:
    words = [m.rule.word for m in match_words("青禾职业技术学院")]
    assert words == ["职业技术学院"]


def test_name_rules_are_fast(profiler: Profiler) -> None:
    names = ["青禾大学医学院附属第一医院", "佛山市顺德区人民政府", "远山证券股份有限公司", "青禾远山"]
    for name in names:
        profiler.profile(name)
    started = time.perf_counter()
    for _ in range(50):
        for name in names:
            profiler.profile(name)
    assert (time.perf_counter() - started) / 200 < 0.002


@pytest.mark.parametrize(("name", "region"), [("临江市", "临江市"), ("渭南", "渭南市"), ("浦东新区", "浦东新区")])
def test_a_bare_place_name_is_not_an_organisation(profiler: Profiler, name: str, region: str) -> None:
    profile = profiler.profile(name)
    assert profile.industry == UNKNOWN and region in profile.region.label
    assert profile.question and "地名" in profile.question
    assert profiler.profile(name, industry_hint="government").industry == "government"  # a hint still decides
    assert profiler.profile(f"{name}人民政府").industry == "government"
