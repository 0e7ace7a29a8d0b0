"""The SQLite write gate (corpus/write_gate.py): writers queue on it, not on SQLite's busy handler.

Connections here have busy_timeout=0, so a writer that met SQLite's write lock would fail at once with
"database is locked": that it waits and succeeds instead shows the gate queued it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from corpus.store import make_engine
from corpus.write_gate import WriteGate, gate_for, gated_connection_factory, is_write


def _connect(path: Path, gate: WriteGate) -> sqlite3.Connection:
    conn = sqlite3.connect(path, factory=gated_connection_factory(gate), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=0")
    return conn


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, WriteGate]:
    path = tmp_path / "top.db"
    gate = WriteGate(tmp_path / "top.db.writers")
    with _connect(path, gate) as conn:
        conn.execute("CREATE TABLE t (v INTEGER)")
    return path, gate


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # reported to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _another_writer_gets_through(path: Path, gate: WriteGate) -> None:
    """A writer on another connection, in another thread, commits (the gate is free)."""
    other = _connect(path, gate)
    thread, outcome = _in_thread(lambda: (other.execute("INSERT INTO t VALUES (2)"), other.commit()))
    thread.join(10)
    assert outcome and not isinstance(outcome[0], Exception), outcome


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  update t set v = 2", True),
        ("DELETE FROM t", True),
        ("REPLACE INTO t VALUES (3)", True),
        ("CREATE TABLE u (a)", True),
        ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", True),
        ("SELECT * FROM t", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("PRAGMA journal_mode=WAL", False),
    ],
)
def test_which_statements_take_the_gate(statement: str, writes: bool) -> None:
    assert is_write(statement) is writes


def test_a_second_writer_waits_for_the_first_to_commit(db: tuple[Path, WriteGate]) -> None:
    path, gate = db
    first, second = _connect(path, gate), _connect(path, gate)
    first.execute("INSERT INTO t VALUES (1)")  # holds the gate (and SQLite's write lock) until commit
    thread, outcome = _in_thread(lambda: (second.execute("INSERT INTO t VALUES (2)"), second.commit()))
    thread.join(0.3)
    assert thread.is_alive() and not outcome  # queued at the gate, not failed with "database is locked"
    first.commit()
    thread.join(10)
    assert outcome and not isinstance(outcome[0], Exception), outcome
    assert sorted(v for (v,) in first.execute("SELECT v FROM t")) == [1, 2]


def test_readers_never_wait(db: tuple[Path, WriteGate]) -> None:
    path, gate = db
    writer, reader = _connect(path, gate), _connect(path, gate)
    writer.execute("INSERT INTO t VALUES (1)")
    thread, outcome = _in_thread(lambda: reader.execute("SELECT count(*) FROM t").fetchone())
    thread.join(10)
    assert outcome == [(0,)]  # WAL: the reader sees the last commit, at once
    writer.rollback()


@pytest.mark.parametrize("end", ["rollback", "close", "failed statement"])
def test_every_way_a_transaction_ends_opens_the_gate(db: tuple[Path, WriteGate], end: str) -> None:
    path, gate = db
    first = _connect(path, gate)
    first.execute("INSERT INTO t VALUES (1)")
    if end == "rollback":
        first.rollback()
    elif end == "close":
        first.close()
    else:
        with pytest.raises(sqlite3.OperationalError):
            first.execute("INSERT INTO nowhere VALUES (1)")
        first.rollback()  # what SQLAlchemy does after a failed statement
    _another_writer_gets_through(path, gate)


def test_a_statement_outside_a_transaction_lets_go_at_once(db: tuple[Path, WriteGate]) -> None:
    path, gate = db
    autocommit = _connect(path, gate)
    autocommit.isolation_level = None  # every statement commits itself: no commit() follows
    autocommit.execute("INSERT INTO t VALUES (1)")
    autocommit.execute("CREATE TABLE u (a)")
    _another_writer_gets_through(path, gate)


def test_a_second_connection_of_the_holding_thread_does_not_wait_for_itself(db: tuple[Path, WriteGate]) -> None:
    path, gate = db
    outer, inner = _connect(path, gate), _connect(path, gate)

    def nested() -> object:
        outer.execute("INSERT INTO t VALUES (1)")
        try:
            inner.execute("INSERT INTO t VALUES (2)")  # SQLite's own lock answers, as without the gate
        except sqlite3.OperationalError as exc:
            return str(exc)
        finally:
            outer.rollback()
            inner.rollback()
        return "written"

    thread, outcome = _in_thread(nested)
    thread.join(10)
    assert outcome == ["database is locked"]
    third = _connect(path, gate)  # and the gate is free afterwards
    third.execute("INSERT INTO t VALUES (3)")
    third.commit()


def _hold_in_another_process(path: str, holding: multiprocessing.synchronize.Event, release: multiprocessing.synchronize.Event) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (10)"))
        holding.set()
        release.wait(30)


def test_writers_in_two_processes_queue_on_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "top.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER)"))
    context = multiprocessing.get_context("spawn")
    holding, release = context.Event(), context.Event()
    other = context.Process(target=_hold_in_another_process, args=(str(path), holding, release))
    other.start()
    try:
        assert holding.wait(60), "the other process never began its write"
        mine = _connect(path, gate_for(path))  # the gate engines on this file use in this process
        thread, outcome = _in_thread(lambda: (mine.execute("INSERT INTO t VALUES (11)"), mine.commit()))
        thread.join(0.5)
        assert thread.is_alive() and not outcome  # waiting for the other process's transaction
        release.set()
        thread.join(30)
        assert outcome and not isinstance(outcome[0], Exception), outcome
    finally:
        release.set()
        other.join(30)
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT v FROM t")).scalars()) == [10, 11]


def test_engines_on_one_file_share_the_gate(tmp_path: Path) -> None:
    assert gate_for(tmp_path / "a.db") is gate_for(tmp_path / "." / "a.db")
    assert gate_for(tmp_path / "a.db") is not gate_for(tmp_path / "b.db")


def test_a_writer_waits_no_longer_than_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "top.db"
    gate = WriteGate(tmp_path / "top.db.writers", timeout=0.2)
    first, second = _connect(path, gate), _connect(path, gate)
    first.execute("CREATE TABLE t (v INTEGER)")
    first.execute("BEGIN")
    first.execute("INSERT INTO t VALUES (1)")
    thread, outcome = _in_thread(lambda: second.execute("INSERT INTO t VALUES (2)"))
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], sqlite3.OperationalError)
    assert str(outcome[0]) == "database is locked"  # what SQLite says when its busy_timeout runs out
    first.commit()
