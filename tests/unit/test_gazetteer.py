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
