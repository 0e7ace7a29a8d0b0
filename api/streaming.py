"""Run a synchronous event iterator off the event loop, and stop it when the client goes.

Starlette's iterate_in_threadpool never closes the iterator when the response is
cancelled (client disconnect), so the generator's `finally` would not run and the
work would not stop; this wrapper closes it, shielded from the cancellation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import anyio
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")
_END = object()


async def iterate_closing(iterator: Iterator[T]) -> AsyncIterator[T]:
    try:
        while True:
            item = await run_in_threadpool(next, iterator, _END)
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(close)
