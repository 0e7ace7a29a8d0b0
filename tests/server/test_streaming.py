"""`api.streaming`: a sync iterator relayed from a worker thread to the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from api.streaming import iterate_batches, iterate_closing


def _numbers(n: int, log: list[str], *, delay: float = 0.0) -> Iterator[int]:
    try:
        for i in range(n):
            if delay:
                time.sleep(delay)
            yield i
        log.append("end")
    finally:
        log.append(f"closed in {threading.current_thread().name}")


@pytest.mark.parametrize("cpu_bound", [False, True])
def test_items_arrive_in_order_and_in_batches(cpu_bound: bool) -> None:
    log: list[str] = []

    async def main() -> list[list[int]]:
        batches = []
        async with aclosing(iterate_batches(_numbers(500, log), cpu_bound=cpu_bound)) as stream:
            async for batch in stream:
                batches.append(batch)
                await asyncio.sleep(0.001)  # a slow client: what piles up meanwhile comes as one batch
        return batches

    batches = asyncio.run(main())
    assert [i for batch in batches for i in batch] == list(range(500))
    assert all(batches) and len(batches) < 500
    assert log[0] == "end" and log[1].startswith("closed in compute_" if cpu_bound else "closed in stream-io")


def test_first_item_on_the_loop_then_the_rest_from_a_worker() -> None:
    seen: list[str] = []

    def events() -> Iterator[str]:
        seen.append(threading.current_thread().name)
        yield "meta"
        seen.append(threading.current_thread().name)
        yield "reply"

    async def main() -> list[list[str]]:
        async with aclosing(iterate_batches(events(), cpu_bound=True, first_on_loop=True)) as stream:
            return [batch async for batch in stream]

    assert asyncio.run(main()) == [["meta"], ["reply"]]
    assert seen[0] == "MainThread" and seen[1].startswith("compute_")


def test_a_consumer_that_stops_early_closes_the_iterator_in_its_thread() -> None:
    log: list[str] = []

    async def main() -> list[int]:
        got = []
        async with aclosing(iterate_closing(_numbers(1000, log, delay=0.001))) as stream:
            async for item in stream:
                got.append(item)
                if item == 2:
                    break
        return got

    assert asyncio.run(main()) == [0, 1, 2]
    assert log and "end" not in log and log[-1].startswith("closed in stream-io")


def test_an_error_reaches_the_consumer_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("boom")

    async def collect() -> list[object]:
        items: list[object] = []
        try:
            async for item in iterate_closing(failing()):
                items.append(item)
        except ValueError as exc:
            items.append(str(exc))
        return items

    assert asyncio.run(collect()) == [1, 2, "boom"]


def test_cancelled_consumer_waits_for_the_generator_cleanup() -> None:
    log: list[str] = []

    async def main() -> None:
        async def consume() -> None:
            async for _ in iterate_closing(_numbers(10_000, log, delay=0.002)):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert log and log[-1].startswith("closed in"), "cleanup ran before the cancelled consumer returned"

    asyncio.run(main())


def test_a_computing_stream_never_waits_for_a_slow_client() -> None:
    """Its thread is shared with other replies: it runs to the end whatever the client reads."""
    log: list[str] = []

    async def main() -> tuple[list[str], list[str]]:
        async with aclosing(iterate_batches(_numbers(1000, log), cpu_bound=True)) as stream:
            await stream.__anext__()
            deadline = time.monotonic() + 5
            while "end" not in log and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # the client reads nothing meanwhile
            finished_unread = list(log)
        return finished_unread, log

    finished_unread, _ = asyncio.run(main())
    assert "end" in finished_unread


def test_a_computing_stream_yields_its_thread_after_its_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one computing thread, the second stream's opening comes before the rest of the first."""
    from api import compute

    monkeypatch.setattr(compute, "available_cores", lambda: 1)
    compute.configure(workers=1)
    log: list[str] = []

    def reply(name: str) -> Iterator[str]:
        for part in ("opening", "rest"):
            log.append(f"{name} {part}")
            yield part

    async def read(name: str) -> list[str]:
        async with aclosing(iterate_closing(reply(name), cpu_bound=True)) as stream:
            return [item async for item in stream]

    async def main() -> list[list[str]]:
        return list(await asyncio.gather(read("a"), read("b")))

    try:
        assert asyncio.run(main()) == [["opening", "rest"], ["opening", "rest"]]
        assert log == ["a opening", "b opening", "a rest", "b rest"]
    finally:
        monkeypatch.undo()
        compute.configure(workers=1)
