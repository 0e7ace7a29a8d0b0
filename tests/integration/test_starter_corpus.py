"""The starter corpus shipped in corpus/starter: valid, large enough, and covering every
industry × need pair."""

from __future__ import annotations

import itertools

import pytest

from corpus import INDUSTRY_CODES, NEED_CATEGORIES, STARTER_DIR, CorpusLoad, load_corpus
from corpus.document import Document, Kind, Status


@pytest.fixture(scope="module")
def starter() -> CorpusLoad:
    return load_corpus(STARTER_DIR)


@pytest.fixture(scope="module")
def published(starter: CorpusLoad) -> list[Document]:
    return [d for d in starter.documents if d.meta.status is Status.published]


def test_starter_corpus_validates_with_zero_problems(starter: CorpusLoad) -> None:
    assert [str(p) for p in starter.problems] == []
    assert starter.bad_files == []


def test_starter_corpus_has_at_least_120_documents(starter: CorpusLoad, published: list[Document]) -> None:
    assert len(starter.documents) >= 120
    assert len(published) >= 120


def test_every_industry_and_need_pair_is_covered_by_a_published_document(published: list[Document]) -> None:
    missing = [
        (industry, need)
        for industry, need in itertools.product(INDUSTRY_CODES, NEED_CATEGORIES)
        if not any(d.meta.covers_industry(industry) and any(n.value == need for n in d.meta.need_categories) for d in published)
    ]
    assert missing == []


def test_every_industry_is_covered_by_industry_specific_material(published: list[Document]) -> None:
    """`all` documents alone do not make an industry covered in practice: each has its own material."""
    for industry in INDUSTRY_CODES:
        own = [d for d in published if any(i.value == industry for i in d.meta.industries)]
        assert len(own) >= 2, industry


def test_at_least_20_cases_all_illustrative(starter: CorpusLoad) -> None:
    cases = [d for d in starter.documents if d.meta.kind is Kind.case]
    assert len(cases) >= 20
    assert [d.id for d in cases if not d.meta.illustrative] == []


def test_cases_say_they_are_illustrative_at_the_top(starter: CorpusLoad) -> None:
    cases = [d for d in starter.documents if d.meta.kind is Kind.case]
    assert [d.id for d in cases if "示例案例" not in d.body[:400]] == []


def test_industry_profile_exists_for_each_of_the_13_codes(published: list[Document]) -> None:
    assert len(INDUSTRY_CODES) == 13
    profiles = [d for d in published if d.meta.kind is Kind.industry_profile]
    covered = {i.value for d in profiles for i in d.meta.industries}
    assert covered >= set(INDUSTRY_CODES)


def test_every_kind_is_represented(published: list[Document]) -> None:
    assert {d.meta.kind for d in published} == set(Kind)


def test_ids_are_unique_and_file_names_match_ids(starter: CorpusLoad) -> None:
    ids = [d.id for d in starter.documents]
    assert len(ids) == len(set(ids))
    mismatched = [d.path for d in starter.documents if d.path and not d.path.endswith(f"/{d.id}.md")]
    assert mismatched == []
