"""The computing threads: one per core this process may use, taking work in order of urgency.

Replies written by the composer only compute, so with the GIL more threads than cores add nothing; they
take turns on `threads()` threads (see api/streaming.py). Which turn comes first is decided here, once:

- an *opening* (a reply up to the first item its client waits for: the profile, or an answer's sources) and
  a whole computation for a JSON client are due when they arrive;
- the *rest* of a reply whose client already has its opening is due REST_DEFERRAL seconds after the
  opening was delivered.

The earliest due runs first (first come, first served among equals). So when replies queue, a new question
gets its profile or sources after the openings ahead of it, not after every reply under way, while a reply
under way still comes after at most REST_DEFERRAL seconds of newer openings (nothing starves). The total
work and the answers per second are the same as first come, first served; what changes is who waits: the
user who is already reading, not the one still looking at an empty screen (docs/benchmarks.md, Scale).
"""

from __future__ import annotations

import contextvars
import gc
import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

R = TypeVar("R")

REST_DEFERRAL = 2.0  # seconds: how long the rest of a reply under way yields to newer openings, at most


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the platform tells)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class ComputeQueue:
    """`size` daemon threads running jobs earliest-due first. A job is a callable; when it returns a callable
    (`Later`), that is the job's rest, queued again as due REST_DEFERRAL seconds from now."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._due: list[tuple[float, int, Callable[[], Any], Future[Any], contextvars.Context]] = []  # a heap
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._closed = False
        for i in range(self.size):
            threading.Thread(target=self._run, name=f"compute_{i}", daemon=True).start()

    def submit(self, job: Callable[[], Any], *, deferred: bool = False) -> Future[Any]:
        """Queue `job` (in the caller's context); its future gets the job's final result or exception."""
        future: Future[Any] = Future()
        self._put(job, future, contextvars.copy_context(), deferred=deferred)
        return future

    def _put(self, job: Callable[[], Any], future: Future[Any], context: contextvars.Context, *, deferred: bool) -> None:
        due = time.monotonic() + (REST_DEFERRAL if deferred else 0.0)
        with self._ready:
            if self._closed:
                raise RuntimeError("the computing threads were shut down")
            heapq.heappush(self._due, (due, next(self._order), job, future, context))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._due and not self._closed:
                    self._ready.wait()
                if not self._due:  # closed and drained
                    return
                _, _, job, future, context = heapq.heappop(self._due)
            if not future.running() and not future.set_running_or_notify_cancel():
                continue  # cancelled before it started (a rest job's future is already running)
            try:
                result = context.run(job)
            except BaseException as exc:  # the job's own failure: its caller raises it
                future.set_exception(exc)
                continue
            if isinstance(result, Later):
                self._put(result.rest, future, context, deferred=True)
            else:
                future.set_result(result)

    def shutdown(self) -> None:
        """Threads stop once the jobs already queued are done."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()


class Later:
    """What a job returns when it has done its opening: the rest, to be queued as deferred work."""

    __slots__ = ("rest",)

    def __init__(self, rest: Callable[[], Any]) -> None:
        self.rest = rest


_queue: ComputeQueue | None = None
_threads = available_cores()
_lock = threading.Lock()


def threads() -> int:
    return _threads


def configure(*, workers: int) -> None:
    """Share the cores between `workers` processes serving on this machine: each computes on cores // workers
    threads (at least one), one computing thread per core in all. A second computing thread in a process adds
    no throughput (the GIL) but makes every thread that waits on I/O in it (a request storing its question,
    a reply being stored) wait longer for the GIL, and with it SQLite's one write lock, which the other
    workers then wait for (docs/benchmarks.md, Scale)."""
    global _queue, _threads
    with _lock:
        _threads = max(1, available_cores() // max(1, workers))
        old, _queue = _queue, None
    if old is not None:
        old.shutdown()


GC_THRESHOLDS = (20_000, 20, 20)  # Python's default is (700, 10, 10)


def settle_heap() -> None:
    """After start-up: the indexes, models and tables loaded so far are kept for the process's life, so the
    cycle collector stops walking them (gc.freeze), and collects young objects every 20,000 allocations
    rather than every 700. Each reply allocates many short-lived objects; with the defaults, collections
    that traverse the whole loaded heap held the GIL often enough to cost ~6% of the answers per second
    (docs/benchmarks.md, Scale)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def queue() -> ComputeQueue:
    global _queue
    with _lock:
        if _queue is None:
            _queue = ComputeQueue(_threads)
        return _queue
