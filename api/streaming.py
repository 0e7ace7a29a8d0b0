"""Run a synchronous event iterator off the event loop, and stop it when the client goes.

A worker thread runs the iterator and hands its items to the event loop in
batches: the loop is woken once when items become available and takes everything
produced since. The alternative, one thread-pool call per item (starlette's
iterate_in_threadpool), costs the loop a limiter round, a queue hand-off and a
wake-up per item; with a brief's ~130 events and 50 concurrent chats that kept
the loop busy and every reply late (docs/benchmarks.md, Load).

Which threads:
- an iterator that waits on the network (an LLM writer) gets a thread of its own
  (up to IO_THREADS streams at once) and runs at most LOOKAHEAD items ahead of
  its client;
- an iterator that only computes (`cpu_bound=True`, the composer) queues for the
  computing threads (api/compute.py: one per core, earliest due first). Its first
  item computed there is its *opening*, what its client waits for (the profile or
  an answer's sources); the rest of it queues again behind newer openings, for a
  bounded time. With the GIL, more threads computing at once add no throughput,
  but each of them makes every other thread (the event loop, a request storing its
  question) wait longer for the GIL each time it blocks on I/O. It never waits for
  its client: its thread is shared, so a slow reader must not hold it, and what it
  computes (a reply) is finite.

`first_on_loop=True` takes the first item on the loop itself, before the
iterator waits for a thread: for iterators whose first item costs nothing (the
chat's `meta`, the turn's receipt), so the client hears at once that its turn
was accepted even while replies are queued.

When the consumer stops early (client disconnect, cancellation) the worker stops
pulling and closes the iterator in its own thread, so the generator's `finally`
runs; the consumer waits for that, shielded from the cancellation. An exception
raised by the iterator reaches the consumer after the items produced before it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, suppress
from functools import partial
from typing import Any, Generic, TypeVar

import anyio

from api import compute
from api.compute import Later

T = TypeVar("T")
R = TypeVar("R")

LOOKAHEAD = 64  # items a stream that waits on the network may run ahead of its client
IO_THREADS = 100  # streams that wait on the network, at once; more queue
_END = object()
_io_pool: ThreadPoolExecutor | None = None
_io_lock = threading.Lock()


def _io() -> ThreadPoolExecutor:
    global _io_pool
    with _io_lock:
        if _io_pool is None:
            _io_pool = ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="stream-io")
        return _io_pool


class _Relay(Generic[T]):
    """Items from a worker thread to the event loop; the loop is woken only when the buffer was empty."""

    def __init__(self, loop: asyncio.AbstractEventLoop, lookahead: int | None) -> None:
        self._loop = loop
        self._lookahead = lookahead
        self._lock = threading.Condition()
        self._items: list[T] = []
        self._finished = False
        self._stopped = False
        self.error: BaseException | None = None
        self._ready = asyncio.Event()

    def _wake(self) -> None:
        with suppress(RuntimeError):  # the loop is closed: nobody is listening any more
            self._loop.call_soon_threadsafe(self._ready.set)

    def produce(self, iterator: Iterator[T], *, opening: bool = False) -> Later | None:
        """Runs in the worker thread: to the end, or with `opening` up to the first item; then it returns
        the rest (`Later`) unless the iterator ended meanwhile."""
        paused = False
        try:
            while True:
                with self._lock:
                    while self._lookahead is not None and len(self._items) >= self._lookahead and not self._stopped:
                        self._lock.wait()
                    if self._stopped:
                        break
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                with self._lock:
                    self._items.append(item)
                    was_empty = len(self._items) == 1
                if was_empty:
                    self._wake()
                if opening:
                    paused = True
                    return Later(partial(self.produce, iterator))
        except BaseException as exc:  # handed to the consumer, raised there
            self.error = exc
        finally:
            if not paused:
                self._finish(iterator)
        return None

    def _finish(self, iterator: Iterator[T]) -> None:
        try:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator stopped early runs its `finally` here, in this thread
        finally:
            with self._lock:
                self._finished = True
            self._wake()

    async def take(self) -> tuple[list[T], bool]:
        """Everything produced so far (waiting until there is something), and whether that was the end."""
        while True:
            self._ready.clear()  # before looking, so an item added after the look wakes the next wait
            with self._lock:
                items, self._items = self._items, []
                finished = self._finished
                if items:
                    self._lock.notify()
            if items or finished:
                return items, finished
            await self._ready.wait()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify()


async def iterate_batches(
    iterator: Iterator[T], *, cpu_bound: bool = False, first_on_loop: bool = False
) -> AsyncGenerator[list[T], None]:
    """The iterator's items in order, grouped as they became available (never an empty batch)."""
    loop = asyncio.get_running_loop()
    first = next(iterator, _END) if first_on_loop else _END
    relay: _Relay[T] = _Relay(loop, None if cpu_bound else LOOKAHEAD)
    if cpu_bound:  # the request's context vars reach the computing thread (ComputeQueue.submit copies them)
        worker = asyncio.wrap_future(compute.queue().submit(partial(relay.produce, iterator, opening=True)))
    else:
        context = contextvars.copy_context()  # as run_in_threadpool does: request context vars reach the worker
        worker = loop.run_in_executor(_io(), context.run, relay.produce, iterator)
    try:
        if first is not _END:
            yield [first]  # type: ignore[list-item]
        while True:
            items, finished = await relay.take()
            if items:
                yield items
            if finished:
                break
        if relay.error is not None:
            raise relay.error
    finally:
        relay.stop()
        with anyio.CancelScope(shield=True):
            await worker


async def run_cpu_bound(func: Callable[..., R], *args: Any) -> R:
    """A computation (a whole reply for a JSON client) on the computing threads, due as an opening is."""
    result: R = await asyncio.wrap_future(compute.queue().submit(partial(func, *args)))
    return result


async def iterate_closing(iterator: Iterator[T], *, cpu_bound: bool = False, first_on_loop: bool = False) -> AsyncIterator[T]:
    """The iterator's items one by one (see iterate_batches)."""
    async with aclosing(iterate_batches(iterator, cpu_bound=cpu_bound, first_on_loop=first_on_loop)) as batches:
        async for batch in batches:
            for item in batch:
                yield item
