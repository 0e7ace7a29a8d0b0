"""corpus/industries.py is the one table of industries: every consumer reads it, and it agrees with the
front-matter codes and the starter corpus's industry profiles."""

from __future__ import annotations

from assistant import intent_words, name_rules
from corpus import STARTER_DIR, suggest
from corpus.document import INDUSTRY_CODES
from corpus.industries import INDUSTRIES
from corpus.labels import INDUSTRY_LABELS
from corpus.validate import load_corpus


def test_the_table_and_the_front_matter_codes_agree() -> None:
    # corpus.document.Industry is the front-matter enum; a row added here needs its member there too.
    assert [i.code for i in INDUSTRIES] == list(INDUSTRY_CODES)


def test_every_row_is_complete() -> None:
    for row in INDUSTRIES:
        assert row.label and row.document_words and row.user_words and row.regulators, row.code
        assert row.mlps is None or (row.mlps[0] in (1, 2, 3, 4, 5) and row.mlps[1]), row.code


def test_every_consumer_reads_the_table() -> None:
    for row in INDUSTRIES:
        assert INDUSTRY_LABELS[row.code] == row.label
        assert suggest.INDUSTRY_KEYWORDS[row.code] == row.document_words
        assert intent_words.INDUSTRY_WORDS[row.code] == row.user_words
        assert name_rules.REGULATORS[row.code] == list(row.regulators)
        assert name_rules.MLPS_BY_INDUSTRY.get(row.code) == row.mlps


def test_every_industry_has_a_profile_in_the_starter_corpus() -> None:
    profiles = [d for d in load_corpus(STARTER_DIR).documents if d.meta.kind == "industry_profile"]
    covered = {code for d in profiles for code in (i.value for i in d.meta.industries)}
    assert {i.code for i in INDUSTRIES} <= covered
