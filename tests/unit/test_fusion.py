"""Score fusion (`retrieval.hybrid.fuse`): pure logic, no stores."""

from __future__ import annotations

from retrieval.hybrid import FusionWeights, RankedLists, _doc_of, fuse

NO_DOC_BOOST = FusionWeights(document=0.0)


def doc_of(*lists: list[tuple[str, float]]) -> dict[str, str]:
    return {cid: _doc_of(cid) for scored in lists for cid, _ in scored}


def ids(fused: list[tuple[str, float]]) -> list[str]:
    return [cid for cid, _ in fused]


def test_chunk_ranked_high_in_all_lists_wins() -> None:
    words = [("a:1", 10.0), ("b:1", 9.0), ("c:1", 1.0)]
    grams = [("c:1", 30.0), ("b:1", 28.0), ("a:1", 5.0)]
    dense = [("d:1", 0.90), ("b:1", 0.88), ("a:1", 0.50), ("c:1", 0.40)]
    lists = RankedLists(words=words, grams=grams, dense=dense)

    for weights in (NO_DOC_BOOST, FusionWeights()):
        fused = fuse(lists, weights, doc_of(words, grams, dense))
        assert ids(fused)[0] == "b:1"  # never first anywhere, near the top everywhere


def test_empty_lists_fuse_to_nothing() -> None:
    assert fuse(RankedLists([], [], []), FusionWeights(), {}) == []


def test_one_list_alone_keeps_its_order() -> None:
    words = [("a:1", 3.0), ("b:1", 2.0), ("c:1", 1.0)]
    for lists in (RankedLists(words, [], []), RankedLists([], words, [])):
        assert ids(fuse(lists, NO_DOC_BOOST, doc_of(words))) == ["a:1", "b:1", "c:1"]
    dense = [("a:1", 0.9), ("b:1", 0.5), ("c:1", 0.1)]
    assert ids(fuse(RankedLists([], [], dense), NO_DOC_BOOST, doc_of(dense))) == ["a:1", "b:1", "c:1"]


def test_scores_are_weighted_sums_of_normalised_scores() -> None:
    words = [("a:1", 4.0), ("b:1", 2.0)]
    grams = [("b:1", 10.0)]
    dense = [("a:1", 0.8), ("b:1", 0.6), ("c:1", 0.4)]
    w = NO_DOC_BOOST
    fused = dict(fuse(RankedLists(words, grams, dense), w, doc_of(words, grams, dense)))

    # keyword scores are divided by the best score, dense scores are min-max scaled
    assert abs(fused["a:1"] - (w.words * 1.0 + w.dense * 1.0)) < 1e-9
    assert abs(fused["b:1"] - (w.words * 0.5 + w.grams * 1.0 + w.dense * 0.5)) < 1e-9
    assert abs(fused["c:1"] - 0.0) < 1e-9


def test_result_is_sorted_best_first_with_ties_broken_by_id() -> None:
    words = [("z:1", 1.0), ("a:1", 1.0), ("m:1", 0.5)]
    fused = fuse(RankedLists(words, [], []), NO_DOC_BOOST, doc_of(words))
    assert ids(fused) == ["a:1", "z:1", "m:1"]
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)


def test_document_boost_lifts_a_chunk_whose_document_has_other_good_matches() -> None:
    # x:1 and y:1 tie on their own; y's document also has y:2 and y:3 matching
    words = [("x:1", 5.0), ("y:1", 5.0), ("y:2", 4.0), ("y:3", 4.0)]
    lists = RankedLists(words, [], [])

    without = fuse(lists, NO_DOC_BOOST, doc_of(words))
    with_boost = fuse(lists, FusionWeights(document=0.2), doc_of(words))

    assert ids(without)[:2] == ["x:1", "y:1"]  # tie, broken by id
    assert ids(with_boost)[0] == "y:1"
    assert dict(with_boost)["y:1"] > dict(with_boost)["x:1"]


def test_document_boost_uses_the_doc_of_mapping() -> None:
    words = [("p", 5.0), ("q", 5.0), ("r", 4.0)]
    # p and r belong to the same document although their ids do not say so
    fused = fuse(RankedLists(words, [], []), FusionWeights(document=0.2), {"p": "doc-1", "q": "doc-2", "r": "doc-1"})
    assert ids(fused)[0] == "p"


def test_doc_of_reads_the_document_from_the_chunk_id() -> None:
    assert _doc_of("reg-csl-2017:0123456789abcdef") == "reg-csl-2017"
    assert _doc_of("reg-csl-2017:0123456789abcdef-3") == "reg-csl-2017"
