"""The organisation knowledge base: its tables, and matching names against them."""

from __future__ import annotations

import csv

import pytest

from assistant.gazetteer import default_gazetteer
from assistant.models import INDUSTRY_LABELS
from assistant.orgs.knowledge import ALIAS, DATA_DIR, LEGAL, OrgKnowledge, default_knowledge
from assistant.orgs.names import is_trade, key, parse, st_abbreviations, st_residue, strip_decorations


@pytest.fixture(scope="module")
def kb() -> OrgKnowledge:
    return default_knowledge()


def industry(kb: OrgKnowledge, name: str) -> str | None:
    match = kb.lookup(name)
    return None if match is None or match.ambiguous else match.entity.industry


# -- the tables -----------------------------------------------------------------------------------


def _rows(file: str) -> list[list[str]]:
    text = (DATA_DIR / file).read_text(encoding="utf-8").splitlines()
    return list(csv.reader((t for t in text if t and not t.startswith("#")), delimiter="\t"))


def test_every_board_of_the_listed_table_is_mapped_to_one_of_our_codes_or_to_none() -> None:
    boards = {r[0]: r[1] for r in _rows("boards.tsv")}
    assert len(boards) == 86
    assert set(boards.values()) <= set(INDUSTRY_LABELS) | {""}
    used = {r[7] for r in _rows("listed.tsv")[1:] if r[7]}
    assert used <= set(boards)


def test_listed_table_covers_the_a_share_market_and_hong_kong() -> None:
    rows = _rows("listed.tsv")[1:]
    a_shares = [r for r in rows if r[0] in ("sh", "sz", "bj")]
    assert len(a_shares) > 5000 and sum(1 for r in a_shares if r[7]) > 5000  # with a board
    assert sum(1 for r in rows if r[0] == "hk") > 2000


def test_hand_written_tables_never_repeat_an_a_share_company(kb: OrgKnowledge) -> None:
    """A-share companies come from the generated table only: no curated name is an A-share name or alias."""
    listed = {k for k, ids in kb._index.keys.items()
              if any(i.split(":")[0] in ("sh", "sz", "bj") and q >= ALIAS for i, q in ids.items())}  # fmt: skip
    for file in ("central_soes.tsv", "groups.tsv"):
        for ident, code, names, legal, *_ in _rows(file):
            assert code in INDUSTRY_LABELS or code == "", (file, ident, code)
            for name in names.split("|") + legal.split("|"):
                assert not name or key(strip_decorations(name)) not in listed, (file, ident, name)


def test_curated_tables_hold_the_central_soes_and_a_few_hundred_groups(kb: OrgKnowledge) -> None:
    soes = [e for e in kb.entities.values() if e.kind == "soe"]
    groups = [e for e in kb.entities.values() if e.kind == "group"]
    assert len(soes) >= 90 and len(groups) >= 300
    assert all(e.note for e in groups)  # each with its source


def test_provenance_names_every_package_version_licence_and_hash() -> None:
    text = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for package, version, licence, _, sha in _rows("sources.tsv")[1:]:
        assert package in text and version in text and licence in text and sha in text
        assert (DATA_DIR / "licenses" / f"{package}.txt").read_text(encoding="utf-8").strip()


# -- matching -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("比亚迪", "manufacturing"),  # listed short name
        ("比亚迪股份有限公司", "manufacturing"),  # legal name: 字号 + 组织形式
        ("万科企业股份有限公司", "real_estate"),  # 字号 + trade word 企业 + 组织形式
        ("北京快手科技有限公司", "internet"),  # place + 字号 + trade word
        ("快手", "internet"),
        ("中国华电集团有限公司", "energy"),  # central SOE by legal name
        ("华为", "manufacturing"),  # private group by brand
        ("美团", "internet"),
        ("北京三快在线科技有限公司", "internet"),  # a brand's legal entity
        ("拼多多", "internet"),
        ("上海寻梦信息技术有限公司", "internet"),
        ("腾讯科技（深圳）有限公司", "internet"),  # full-width brackets
        ("腾讯科技(深圳)有限公司", "internet"),  # half-width brackets
        ("Tencent", "internet"),
        ("美的", "manufacturing"),  # a common short name (alias)
        ("顺丰", "transport"),
        ("贵州茅台酒股份有限公司", "manufacturing"),
    ],
)
def test_names_short_names_brands_and_legal_names_match(kb: OrgKnowledge, name: str, code: str) -> None:
    assert industry(kb, name) == code


def test_subsidiaries_that_open_with_a_group_name_resolve_through_the_group(kb: OrgKnowledge) -> None:
    match = kb.lookup("国网浙江省电力有限公司")
    assert match is not None and match.how == "brand" and match.surface == "国网" and match.entity.industry == "energy"
    match = kb.lookup("中国石油天然气股份有限公司大庆油田分公司")
    assert match is not None and match.entity.industry == "energy" and match.entity.kind == "soe"
    match = kb.lookup("华为终端有限公司")
    assert match is not None and match.entity.id == "group:huawei"


def test_a_branch_is_its_parent(kb: OrgKnowledge) -> None:
    match = kb.lookup("中国联合网络通信有限公司杭州市分公司")
    assert match is not None and match.entity.industry == "telecom" and match.quality == LEGAL
    assert kb.lookup("阿里巴巴(中国)有限公司上海分公司").entity.id == "group:alibaba"  # type: ignore[union-attr]


def test_stock_decorations_do_not_hide_a_company(kb: OrgKnowledge) -> None:
    plain = kb.lookup("万科")
    assert plain is not None
    for decorated in ("万  科Ａ", "XD万科Ａ", "*ST万 科"):
        match = kb.lookup(decorated)
        assert match is not None and match.entity.id == plain.entity.id


def test_an_ambiguous_short_name_gives_candidates_not_a_guess(kb: OrgKnowledge) -> None:
    match = kb.lookup("格力")  # the appliance maker, and a property developer of the same 字号
    assert match is not None
    if not match.ambiguous:  # matchina's alias says 格力 is the maker: then only the maker
        assert match.entity.industry == "manufacturing"
    match = kb.lookup("时代")  # a word that opens several listed names: not one company
    assert match is None or match.ambiguous or match.quality <= 1


def test_a_brand_is_read_only_before_trade_words(kb: OrgKnowledge) -> None:
    assert kb.lookup("华为民间艺术团") is None  # 华为 + 民间艺术团: not trade words
    assert kb.lookup("北京协和医院") is None
    assert kb.lookup("南方医科大学") is None
    assert kb.lookup("青禾远山科技有限公司") is None


def test_a_brand_we_only_derived_is_not_read_before_another_sectors_word(kb: OrgKnowledge) -> None:
    """A 字号 derived from a listed short name (XX股份 → XX) may belong to another company in another sector."""
    derived = [k for k, ids in kb._index.keys.items() if max(ids.values()) == 2 and len(ids) == 1 and len(k) == 2]
    assert derived
    brand = derived[0]
    entity = kb.entities[next(iter(kb._index.keys[brand]))]
    other = "置业" if entity.industry != "real_estate" else "传媒"  # a sector that neighbours none of the others
    match = kb.lookup(brand + other + "有限公司")
    assert match is None or match.entity.id != entity.id


def test_names_parse_into_place_brand_trade_words_and_form() -> None:
    g = default_gazetteer()
    parsed = parse("北京快手科技有限公司", g)
    assert (parsed.stem, parsed.core, parsed.opening) == ("北京快手科技", "快手科技", "北京")
    parsed = parse("腾讯科技（深圳）有限公司", g)
    assert parsed.stem == "腾讯科技" and parsed.bracket_places == ("深圳",)
    parsed = parse("中国联合网络通信有限公司杭州市分公司", g)
    assert parsed.base == "中国联合网络通信有限公司" and parsed.unit == "杭州市分公司"
    parsed = parse("内蒙古蒙牛乳业（集团）股份有限公司", g)
    assert parsed.stem == "内蒙古蒙牛乳业" and parsed.core == "蒙牛乳业"
    assert is_trade("科技", g) and is_trade("浙江省电力", g) and is_trade("", g)
    assert not is_trade("民间艺术团", g)


def test_lookup_is_fast_enough_to_run_on_every_message(kb: OrgKnowledge) -> None:
    # Not a timing assertion (those live in bench/): the index answers without scanning the tables.
    assert len(kb._index.keys) > 20000 and kb._prefix_max < 40


# -- special-treatment names read by abbreviation (made-up companies) -------------------------------


_MADE_UP = [  # source, code, names, aliases, legal, en, province, board
    ("sz", "990001", "岚峰鹭汀", "", "", "", "", "文化传媒"),  # 4 characters: *ST鹭汀 (its last two)
    ("sz", "990002", "东方鸣", "", "", "", "", "软件开发"),  # 3 characters: *ST东鸣 (first and last)
    ("sz", "990003", "鸣泉博远", "", "", "", "", "通信设备"),  # two 字号 鸣泉, the same industry: *ST鸣泉 is asked
    ("sz", "990004", "鸣泉恒昌", "", "", "", "", "钢铁行业"),
    ("sz", "990005", "青禾", "", "", "", "", "房地产开发"),  # an exact short name …
    ("sz", "990006", "青禾田园", "", "", "", "", "中药"),  # … that another name's 字号 also cuts down to
]


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> OrgKnowledge:
    data = tmp_path_factory.mktemp("orgs")
    (data / "boards.tsv").write_text((DATA_DIR / "boards.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    header = "source\tcode\tnames\taliases\tlegal\ten\tprovince\tboard"
    (data / "listed.tsv").write_text("\n".join([header, *("\t".join(r) for r in _MADE_UP)]) + "\n", encoding="utf-8")
    for file in ("central_soes.tsv", "groups.tsv"):
        (data / file).write_text("", encoding="utf-8")
    return OrgKnowledge(data)


def test_st_abbreviation_conventions() -> None:
    assert dict(st_abbreviations("岚峰鹭汀", False)) == {"岚峰": 2, "鹭汀": 1, "岚汀": 1, "岚鹭": 1, "峰鹭": 1}
    assert dict(st_abbreviations("临江鹭汀", True))["鹭汀"] == 2  # a place first: the 字号 is the last two
    assert dict(st_abbreviations("东方鸣", False)) == {"东方": 2, "方鸣": 1, "东鸣": 1}
    assert st_abbreviations("鸣泉股份", False, neutral_tail=True) == [("鸣泉", 2)]
    assert st_abbreviations("青禾", False) == [] and st_abbreviations("岚峰鹭汀科技", False) == []
    assert st_residue("*st鹭汀") == "鹭汀" and st_residue("st鹭汀a") == "鹭汀" and st_residue("s*st鹭汀") == "鹭汀"
    assert st_residue("鹭汀") is None and st_residue("xd鹭汀") is None and st_residue("*st岚峰鹭汀") is None


@pytest.mark.parametrize(("written", "code"), [("*ST鹭汀", "990001"), ("ST鹭汀", "990001"), ("*ST东鸣", "990002")])
def test_a_special_treatment_abbreviation_one_company_fits_is_that_company(made_up: OrgKnowledge, written: str, code: str) -> None:
    match = made_up.lookup(written)
    assert match is not None and match.how == "st" and match.listed_form and match.written == written
    assert [c.code for c in match.candidates] == [code]


def test_a_special_treatment_abbreviation_several_companies_fit_is_not_guessed(made_up: OrgKnowledge) -> None:
    match = made_up.lookup("*ST鸣泉")
    assert match is not None and match.how == "st"
    assert sorted(c.code for c in match.candidates) == ["990003", "990004"]
    assert not match.ambiguous  # one industry: the reading, not the industry, is what asks (see test_profiler_knowledge)


def test_an_exact_short_name_after_st_is_read_as_before(made_up: OrgKnowledge) -> None:
    match = made_up.lookup("*ST青禾")
    assert match is not None and match.how == "exact" and [c.code for c in match.candidates] == ["990005"]


def test_abbreviations_are_read_only_after_a_special_treatment_prefix(made_up: OrgKnowledge) -> None:
    for name in ("鹭汀", "东鸣", "鸣泉", "XD鹭汀", "鹭汀股份有限公司"):
        match = made_up.lookup(name)
        assert match is None or match.how != "st", name
    assert made_up.lookup("*ST雪松") is None  # no company fits: unchanged
