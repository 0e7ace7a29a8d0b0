"""api/compute.py: the computing threads take openings before the rest of replies under way, never starving them."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from api import compute
from api.compute import ComputeQueue, Later


def _occupied(queue: ComputeQueue) -> threading.Event:
    """Hold the queue's only thread until the returned event is set, so jobs submitted meanwhile queue up."""
    release, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(5)

    queue.submit(hold)
    assert started.wait(5)
    return release


def _reply(name: str, log: list[str]) -> Callable[[], Any]:
    def opening() -> Later:
        log.append(f"{name} opening")
        return Later(lambda: log.append(f"{name} rest") or name)

    return opening


def test_a_new_opening_goes_before_the_rest_of_a_reply_under_way() -> None:
    queue, log = ComputeQueue(1), []
    release = _occupied(queue)
    first = queue.submit(_reply("a", log))
    second = queue.submit(_reply("b", log))
    release.set()
    assert first.result(5) == "a" and second.result(5) == "b"
    assert log == ["a opening", "b opening", "a rest", "b rest"]  # first come, first served would be a, a, b, b
    queue.shutdown()


def test_the_rest_of_a_reply_does_not_wait_for_newer_openings_beyond_the_deferral(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compute, "REST_DEFERRAL", 0.05)
    queue, log = ComputeQueue(1), []
    release = _occupied(queue)
    first = queue.submit(_reply("a", log))
    release.set()
    deadline = time.monotonic() + 5
    while "a opening" not in log and time.monotonic() < deadline:
        time.sleep(0.001)
    release = _occupied(queue)  # a's rest is queued; hold the thread past its due time
    time.sleep(0.1)
    late = queue.submit(_reply("late", log))
    release.set()
    assert first.result(5) == "a" and late.result(5) == "late"
    assert log.index("a rest") < log.index("late opening")
    queue.shutdown()


def test_failures_and_context_reach_the_caller() -> None:
    queue = ComputeQueue(2)
    request = contextvars.ContextVar("request", default="none")
    request.set("r-1")

    def fails() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        queue.submit(fails).result(5)
    assert queue.submit(request.get).result(5) == "r-1"
    assert queue.submit(lambda: Later(request.get)).result(5) == "r-1"  # the rest runs in the same context
    queue.shutdown()


def test_configure_shares_the_cores_between_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compute, "available_cores", lambda: 4)
    try:
        compute.configure(workers=2)
        assert compute.threads() == 2 and compute.queue().size == 2
        compute.configure(workers=8)
        assert compute.threads() == 1
    finally:
        monkeypatch.undo()
        compute.configure(workers=1)


def test_settle_heap_freezes_what_start_up_loaded() -> None:
    import gc

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    loaded = [{"kept": i} for i in range(1000)]  # noqa: F841 - alive while settle_heap runs
    try:
        compute.settle_heap()
        assert gc.get_threshold() == compute.GC_THRESHOLDS
        assert gc.get_freeze_count() >= frozen + 1000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
