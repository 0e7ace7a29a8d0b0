"""corpus.numerals: the one Chinese-numeral parser (citations, date suggestions, redaction bands)."""

from __future__ import annotations

import re

import pytest

from corpus.numerals import CN_NUMERALS, cn_int


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("五", 5), ("十", 10), ("十二", 12), ("二十", 20), ("三十一", 31), ("一百零五", 105), ("一百二十", 120),
     ("两千", 2000), ("三万五千", 35000), ("一亿", 100_000_000), ("二〇二五", 2025), ("二零二一", 2021)],
)
def test_values(numeral: str, value: int) -> None:
    assert cn_int(numeral) == value


@pytest.mark.parametrize("text", ["", "第三", "三条", "12", "十五点"])
def test_not_a_numeral_is_none(text: str) -> None:
    assert cn_int(text) is None


def test_article_class_matches_what_the_parser_reads() -> None:
    article = re.fullmatch(rf"第([{CN_NUMERALS}]+)条", "第二十三条")
    assert article is not None and cn_int(article.group(1)) == 23
