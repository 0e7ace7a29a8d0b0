"""Which passages fit a customer: its segment and its province."""

from __future__ import annotations

from assistant.models import Profile, Region
from assistant.scope import Scope
from retrieval.models import Chunk

CITY_BANK = Profile(name="西川市商业银行", industry="finance", segment="城商行", region=Region(province="浙江省", city="杭州市"))
GD_HOSPITAL = Profile(name="南江市人民医院", industry="healthcare", segment="三级医院", region=Region(province="广东省", city="佛山市"))


def chunk(regions: str = "", title: str = "某文档") -> Chunk:
    return Chunk(chunk_id="d:1", doc_id="d", ordinal=0, text="", locator="", heading=title, metadata={"regions": regions, "title": title})


def test_a_city_bank_is_not_told_about_rural_banks() -> None:
    scope = Scope.of(CITY_BANK)
    assert not scope.fits_text("普惠金融对农商行的线上渠道提出新要求。")
    assert scope.fits_text("城商行、农商行是渠道伙伴常接触的法人机构。"), "it names the customer's segment too"
    assert scope.fits_text("国有大行、城商行、农商行、村镇银行都要落实。")
    assert scope.fits_text("银行要落实数据分类分级。")
    assert not scope.fits(chunk(title="某农商行勒索病毒应急与备份案例"))


def test_a_province_document_fits_that_province_only() -> None:
    guangdong = chunk("广东省")
    assert Scope.of(GD_HOSPITAL).fits_region(guangdong) and Scope.of(GD_HOSPITAL).local(guangdong)
    assert not Scope.of(CITY_BANK).fits_region(guangdong) and not Scope.of(CITY_BANK).local(guangdong)
    assert Scope.of(CITY_BANK).fits_region(chunk("")), "nationwide documents fit everyone"
    assert Scope.of(GD_HOSPITAL).fits_region(chunk("广东")), "short province names too"
    assert not Scope.of(GD_HOSPITAL).fits_region(chunk("广东省深圳市")), "a city's rules are for that city"
    unplaced = Profile(name="某医院", industry="healthcare")
    assert not Scope.of(unplaced).fits_region(guangdong), "a brief without a place leaves regional rules out"
    assert Scope.of(unplaced, strict=False).fits_region(guangdong), "a free question may use them"
