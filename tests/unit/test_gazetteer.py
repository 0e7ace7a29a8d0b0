"""The region gazetteer: full names, short forms with context, and no false places."""

from __future__ import annotations

import time

import pytest

from assistant.gazetteer import Gazetteer, default_gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


def region(g: Gazetteer, text: str, **kw: bool) -> tuple[str | None, str | None, str | None] | None:
    match = g.find(text, **kw)
    return None if match is None else (match.region.province, match.region.city, match.region.district)


def test_table_covers_every_provincial_unit_and_the_prefecture_cities(gazetteer: Gazetteer) -> None:
    provinces = {p.province for places in gazetteer.full.values() for p in places}
    assert len(provinces) == 34  # 23 provinces, 5 autonomous regions, 4 municipalities, 2 SARs
    cities = {p.city for places in gazetteer.full.values() for p in places if p.level == "city"}
    assert {"佛山市", "延边朝鲜族自治州", "阿克苏地区", "锡林郭勒盟", "东莞市"} <= cities
    assert len(cities) > 320


def test_full_province_city_and_district_names_resolve_to_one_region(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "广东省佛山市顺德区某某医院") == ("广东省", "佛山市", "顺德区")
    assert region(gazetteer, "某某市顺德区某某中学") == ("广东省", "佛山市", "顺德区")


def test_municipality_is_province_and_city(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "上海市某某医院") == ("上海市", "上海市", None)
    match = gazetteer.find("上海市某某医院")
    assert match is not None and match.region.label == "上海市"


def test_province_short_forms_count_anywhere(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "广东某某能源") == ("广东省", None, None)
    assert region(gazetteer, "内蒙古某某电力") == ("内蒙古自治区", None, None)


def test_city_short_form_counts_only_before_an_org_word(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "佛山农商银行") == ("广东省", "佛山市", None)
    assert region(gazetteer, "佛山第一人民医院") == ("广东省", "佛山市", None)
    assert region(gazetteer, "佛山青禾") is None  # a brand that starts with a city name


@pytest.mark.parametrize("name", ["中国青禾集团", "华润某某", "长城某某汽车", "东方某某证券", "中山某某大学"])
def test_common_words_and_brands_are_not_places(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.find(name) is None


def test_county_level_city_short_form_followed_by_xian_is_not_that_city(gazetteer: Gazetteer) -> None:
    # 昆山 is a county-level city (昆山市); 昆山县 would be a different unit, so no match.
    assert region(gazetteer, "昆山县某某医院") is None
    assert region(gazetteer, "昆山农村商业银行") == ("江苏省", "苏州市", "昆山市")


def test_autonomous_prefecture_short_forms(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "延边第九中学") == ("吉林省", "延边朝鲜族自治州", None)
    assert region(gazetteer, "黔南州某某医院") == ("贵州省", "黔南布依族苗族自治州", None)


def test_ambiguous_district_needs_its_city(gazetteer: Gazetteer) -> None:
    # 朝阳区 exists in Beijing and in Changchun: alone it names no district.
    assert region(gazetteer, "朝阳区某某小学") is None
    assert region(gazetteer, "北京市朝阳区某某小学") == ("北京市", "北京市", "朝阳区")
    assert region(gazetteer, "长春市朝阳区某某小学") == ("吉林省", "长春市", "朝阳区")


def test_two_character_county_names_do_not_match_alone(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("城区某某") is None


def test_relaxed_mode_reads_a_hint_like_guangdong_foshan(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "广东佛山", relaxed=True) == ("广东省", "佛山市", None)
    assert region(gazetteer, "杭州", relaxed=True) == ("浙江省", "杭州市", None)


def test_detail_names_what_was_seen(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("佛山农商银行")
    assert match is not None and match.detail == "名称含“佛山”（佛山市）"


@pytest.mark.parametrize("junk", ["", "\x00\x01\xff", "某" * 500, "🙂🙂"])
def test_junk_finds_nothing_and_never_raises(gazetteer: Gazetteer, junk: str) -> None:
    assert gazetteer.find(junk) is None


def test_lookup_is_fast(gazetteer: Gazetteer) -> None:
    started = time.perf_counter()
    for _ in range(200):
        gazetteer.find("广东省佛山市顺德区第一人民医院附属门诊部")
    assert (time.perf_counter() - started) / 200 < 0.002


# -- the place that opens a company name (opening=True) -------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("杭州青禾科技有限公司", ("浙江省", "杭州市", None)),
        ("深圳前海青禾科技有限公司", ("广东省", "深圳市", None)),
        ("武汉青禾生物技术有限公司", ("湖北省", "武汉市", None)),
        ("义乌青禾贸易有限公司", ("浙江省", "金华市", "义乌市")),  # county-level city
        ("长兴青禾纺织有限公司", ("浙江省", "湖州市", "长兴县")),  # county, without 县
        ("萧山青禾机械有限公司", ("浙江省", "杭州市", "萧山区")),  # district, without 区
    ],
)
def test_a_short_place_opening_a_company_name_is_its_region(gazetteer: Gazetteer, name: str, expected: tuple) -> None:
    assert region(gazetteer, name, opening=True) == expected
    assert gazetteer.leading(name) and name.startswith(gazetteer.leading(name))


def test_opening_places_need_more_name_after_them(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "长兴县", opening=True) == ("浙江省", "湖州市", "长兴县")  # the full name, as always
    assert gazetteer.find("萧山路", opening=True) is None  # a street, not a company
    assert gazetteer.find("青禾杭州科技有限公司", opening=True) is None  # only where it opens the name


def test_a_short_county_name_shared_by_two_places_resolves_only_with_context(gazetteer: Gazetteer) -> None:
    shared = [s for s, places in gazetteer.opening_short.items() if len({p.province for p in places}) > 1]
    assert shared
    name = shared[0] + "青禾科技有限公司"
    assert gazetteer.find(name, opening=True) is None  # not guessed
    place = gazetteer.opening_short[shared[0]][0]
    with_context = place.province + name  # the province first says which one
    assert region(gazetteer, with_context, opening=True) == (place.province, place.city, place.district)


@pytest.mark.parametrize("name", ["光明青禾乳业有限公司", "平安青禾保险有限公司", "城关青禾商店", "金山青禾软件有限公司"])
def test_word_like_district_names_never_open_a_name_as_a_place(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.find(name, opening=True) is None


@pytest.mark.parametrize("name", ["白沙湾水务集团", "小杭州青禾电力公司", "太湖青禾丝绸股份有限公司", "泰山青禾体育器材有限公司"])
def test_a_short_form_inside_a_word_or_a_famous_landmark_is_not_a_region(gazetteer: Gazetteer, name: str) -> None:
    # 白沙湾 is a word of its own (not 沙湾市 with 白 in front); 太湖 and 泰山 name a lake and a mountain first
    assert gazetteer.find(name, opening=True) is None
    assert gazetteer.find(name) is None


def test_a_short_form_after_a_group_name_is_still_read(gazetteer: Gazetteer) -> None:
    assert region(gazetteer, "国网沙湾供电公司") == ("新疆维吾尔自治区", "塔城地区", "沙湾市")
    assert region(gazetteer, "青禾银行杭州分行") == ("浙江省", "杭州市", None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("伊犁青禾牧业有限公司", ("新疆维吾尔自治区", "伊犁哈萨克自治州", None)),  # 哈萨克 without 族
        ("巴音郭楞青禾石油有限公司", ("新疆维吾尔自治区", "巴音郭楞蒙古自治州", None)),
        ("浦东青禾软件有限公司", ("上海市", "上海市", "浦东新区")),  # …新区 → 浦东
        ("龙岗青禾五金有限公司", ("广东省", "深圳市", "龙岗区")),
    ],
)
def test_more_short_forms_open_company_names(gazetteer: Gazetteer, name: str, expected: tuple) -> None:
    assert region(gazetteer, name, opening=True) == expected


def test_a_short_form_two_well_known_places_share_is_not_guessed(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("朝阳青禾文化有限公司", opening=True) is None  # Liaoning's city or Beijing's district
    assert region(gazetteer, "朝阳市青禾农业有限公司", opening=True) == ("辽宁省", "朝阳市", None)
    assert region(gazetteer, "北京市朝阳区青禾文化有限公司", opening=True) == ("北京市", "北京市", "朝阳区")
