"""One SQLite writer at a time, queued in the kernel rather than by SQLite's busy handler.

Several threads (and, with `serve --workers N`, several processes) write to one SQLite file. SQLite lets
one write transaction in at a time and makes the others poll: its busy handler sleeps 1, 2, 5, 10, 15, 20,
25 … 100 ms between tries, so a writer blocked behind a 2 ms commit often sleeps 8 ms or more, and under
load the thread that computes answers spent a third of its time asleep in `finish_turn` (py-spy, 50
users). The gate makes writers wait on locks that wake them the moment the holder commits: a thread lock
within the process, then an `flock` on a file beside the database across processes.

A connection takes the gate at its first data-changing statement (where SQLite would take its write
lock: pysqlite begins the transaction there) and gives it back after its commit or rollback, so readers
never wait. A process that dies holding it loses the `flock` with its file descriptor.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock alone, SQLite's busy handler across processes
    fcntl = None  # type: ignore[assignment]

__all__ = ["WriteGate", "gate_for", "gated_connection_factory", "is_write"]

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def is_write(statement: str) -> bool:
    """A statement that makes pysqlite open a write transaction (or is DDL)."""
    head = statement.lstrip()[:8].upper()
    return head.startswith(_WRITES) or (head.startswith("WITH") and any(w in statement.upper() for w in _WRITES[:4]))


class WriteGate:
    """A thread lock plus an `flock` on `path`: one writing connection at a time, across processes.

    Re-entrant per thread (a second connection of the holding thread passes, and meets SQLite's own lock as
    before, rather than waiting for itself); released by whichever thread ends the transaction. A thread
    waits at most `timeout` seconds for another thread of its process (as long as SQLite's busy_timeout),
    then gets SQLite's "database is locked"; across processes the `flock` waits as long as it takes (no
    process holds a write transaction while it waits for another process)."""

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._thread_lock = threading.Lock()
        self._path = path
        self._fd: int | None = None
        self._pid = 0
        self._owner: int | None = None
        self._depth = 0

    def _descriptor(self) -> int | None:
        if fcntl is None:
            return None
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own (flock is per open file)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        me = threading.get_ident()
        if self._owner == me:  # only this thread sets it to its own id
            self._depth += 1
            return
        if not self._thread_lock.acquire(timeout=self.timeout):  # as SQLite's busy_timeout would give up
            raise sqlite3.OperationalError("database is locked")
        try:
            if (fd := self._descriptor()) is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        self._owner, self._depth = me, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        self._owner = None
        try:
            if self._fd is not None and fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


_gates: dict[Path, WriteGate] = {}
_gates_lock = threading.Lock()


def gate_for(database: Path) -> WriteGate:
    """The process's one gate for a database file: every engine on that file shares it."""
    key = database.resolve()
    with _gates_lock:
        if key not in _gates:
            _gates[key] = WriteGate(key.with_name(key.name + ".writers"))
        return _gates[key]


def gated_connection_factory(gate: WriteGate) -> type[sqlite3.Connection]:
    """A `sqlite3.Connection` class whose cursors take `gate` before the first write of a transaction and
    whose commit, rollback and close give it back (pass as `connect_args={"factory": …}`)."""

    class GatedCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> GatedCursor:
            with self.connection.statement(sql):  # type: ignore[attr-defined]
                return super().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> GatedCursor:
            with self.connection.statement(sql):  # type: ignore[attr-defined]
                return super().executemany(sql, seq_of_parameters)

    class GatedConnection(sqlite3.Connection):
        _holding = False

        def cursor(self, factory: Any = GatedCursor) -> Any:  # type: ignore[override]
            return super().cursor(factory)

        # the shortcuts would make their cursors in C, past `cursor()`
        def execute(self, sql: str, parameters: Any = (), /) -> Any:  # type: ignore[override]
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:  # type: ignore[override]
            return self.cursor().executemany(sql, seq_of_parameters)

        @contextmanager
        def statement(self, sql: str) -> Iterator[None]:
            """Around one statement: the gate before a transaction's first write; given back at once when the
            statement ran outside a transaction (DDL, autocommit), which has then already committed."""
            if not self._holding and is_write(sql):
                gate.acquire()
                self._holding = True
            try:
                yield
            finally:
                if self._holding and not self.in_transaction:
                    self._leave()

        def _leave(self) -> None:
            if self._holding:
                self._holding = False
                gate.release()

        def _ending(self, end: Callable[[], None]) -> None:
            try:
                end()
            finally:
                self._leave()

        def commit(self) -> None:
            self._ending(super().commit)

        def rollback(self) -> None:
            self._ending(super().rollback)

        def close(self) -> None:
            self._ending(super().close)

    return GatedConnection
