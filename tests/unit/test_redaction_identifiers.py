"""Checksums and structured identifiers of the redaction engine."""

from __future__ import annotations

import random

import pytest

from community.redaction import FindingKind, is_valid_id, is_valid_uscc, luhn_ok, redact
from community.redaction.checksums import id_check_char, make_card, make_id, make_uscc, uscc_check_char


def kinds(text: str, **kwargs: object) -> dict[str, str]:
    return {f.original: f.kind.value for f in redact(text, **kwargs).findings}


# -- checksums -------------------------------------------------------------------------------------


def test_id_check_digit_follows_gb11643() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id("11010519491231002X")
    assert is_valid_id("11010519491231002x")
    assert not is_valid_id("110105194912310021")  # wrong check digit
    assert not is_valid_id("11010519491331002X")  # month 13


def test_uscc_check_character_follows_gb32100() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert is_valid_uscc("91350100M000100Y43")
    assert not is_valid_uscc("91350100M000100Y44")
    assert not is_valid_uscc("91350100M000100I43")  # I is not in the character set


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


@pytest.mark.parametrize("seed", range(20))
def test_made_identifiers_pass_their_checks(seed: int) -> None:
    rng = random.Random(seed)
    assert is_valid_id(make_id(rng))
    assert is_valid_uscc(make_uscc(rng))
    assert luhn_ok(make_card(rng))


# -- detection, one kind at a time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "original", "kind"),
    [
        ("对接人手机 13800138000，随时联系", "13800138000", "phone"),
        ("手机：138 0013 8000。", "138 0013 8000", "phone"),
        ("电话 +86 139-5731-2846", "+86 139-5731-2846", "phone"),
        ("座机 0571-88886666 转 8023", "0571-88886666", "phone"),
        ("总机(010)62958831", "(010)62958831", "phone"),
        ("服务热线 400-820-1234", "400-820-1234", "phone"),
        ("证件号码 11010519491231002X 已登记", "11010519491231002X", "id_card"),
        ("信用代码91350100M000100Y43", "91350100M000100Y43", "credit_code"),
        ("发邮件到 zhang.wei@hzsy.com.cn 即可", "zhang.wei@hzsy.com.cn", "email"),
        ("卡号 6222 0212 3456 7890 128", "6222 0212 3456 7890 128", "bank_card"),
        ("对公账户：1202 0012 0900 0123 456", "1202 0012 0900 0123 456", "bank_card"),
        ("车牌浙A12345进出", "浙A12345", "plate"),
        ("新能源车粤BD12345", "粤BD12345", "plate"),
        ("服务器 10.12.1.1 上的", "10.12.1.1", "ip"),
        ("网段 192.168.10.0/24 已隔离", "192.168.10.0/24", "ip"),
        ("门户 www.hzsyy.com.cn 被篡改", "www.hzsyy.com.cn", "domain"),
        ("登录 https://oa.abcd.cn/login 后", "https://oa.abcd.cn/login", "domain"),
        ("合同编号：HZSY-2023-0158，", "HZSY-2023-0158", "project_no"),
        ("招标编号 ZJCG2023G1234 已公示", "ZJCG2023G1234", "project_no"),
    ],
)
def test_each_identifier_kind_is_found(text: str, original: str, kind: str) -> None:
    assert kinds(text).get(original) == kind
    assert original not in redact(text).text


def test_an_18_digit_number_with_a_wrong_check_digit_is_not_an_id() -> None:
    assert "110105194912310021" not in kinds("流水 110105194912310021 已入账")


def test_a_cue_catches_an_id_even_with_a_typo_in_it() -> None:
    assert kinds("身份证号：110105194912310021")["110105194912310021"] == "id_card"


def test_public_codes_and_versions_survive() -> None:
    text = "按 GB/T 22239-2019 三级要求，修复 CVE-2021-44228，版本 v1.2.3.4，通过 ISO 27001 认证，访问 www.gov.cn"
    assert redact(text).text == text


def test_full_width_and_spaced_digits_are_read() -> None:
    text = "手機：１３８　００１３　８０００，郵箱ＺＨＡＮＧ＠ＡＢＣ．ＣＯＭ"
    found = {f.kind for f in redact(text).findings}
    assert found == {FindingKind.phone, FindingKind.email}
    assert "１３８" not in redact(text).text
