"""Conversation storage on real SQLite and PostgreSQL: turns, context, privacy, feedback, deletion, one turn at a time."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.conversations import ConversationBusy, ConversationNotFound, ConversationStore, MessageNotFound
from assistant.models import Profile
from assistant.tables import migrate_assistant
from assistant.turn_lock import DatabaseTurnLock, RedisTurnLock, TurnLock
from corpus.store import make_engine


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def turn_lock(request: pytest.FixtureRequest) -> TurnLock:
    """Both implementations of one turn at a time: the database lease alone, and Redis in front of it."""
    if request.param == "database":
        return DatabaseTurnLock()
    from accounts.redis_store import connect

    return RedisTurnLock(connect(request.getfixturevalue("redis_url")), prefix=request.getfixturevalue("redis_prefix"))


@pytest.fixture
def store(database_url: str, turn_lock: TurnLock):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate_assistant(engine)
    yield ConversationStore(engine, turn_lock=turn_lock)
    engine.dispose()


BANK = Profile(name="青禾农村商业银行", industry="finance", segment="农商行", confidence=0.9)


def test_a_known_customer_becomes_the_context_of_the_next_turn(store: ConversationStore) -> None:
    conversation, reply, state = store.start_turn("青禾农村商业银行", None, None)
    assert state.customer is None and state.pending is None
    store.finish_turn(reply, content="# 简报[1]", status="complete", mode="brief", profile=BANK)
    same, _, state = store.start_turn("那他们的数据安全呢？", conversation, None)
    assert same == conversation and state.customer == BANK
    detail = store.get(conversation, None)
    assert detail.customer == "青禾农村商业银行"
    assert [m.role for m in detail.messages] == ["user", "assistant", "user", "assistant"]
    assert detail.messages[3].status == "pending"


def test_an_unknown_profile_does_not_replace_the_context_but_is_the_one_asked_about(store: ConversationStore) -> None:
    conversation, reply, _ = store.start_turn("青禾农村商业银行", None, None)
    store.finish_turn(reply, content="…", status="complete", profile=BANK)
    _, reply, _ = store.start_turn("星河湾", conversation, None)
    store.finish_turn(reply, content="请补充行业", status="complete", mode="ask_user", profile=Profile(name="星河湾"))
    _, reply, state = store.start_turn("制造业", conversation, None)
    assert state.customer == BANK and state.pending == Profile(name="星河湾")
    store.finish_turn(reply, content="…", status="complete", mode="answer")
    _, _, state = store.start_turn("那网络安全呢？", conversation, None)
    assert state.customer == BANK and state.pending is None, "only the reply right after the question asks"


def test_conversations_are_private_to_their_owner(store: ConversationStore) -> None:
    mine, reply, _ = store.start_turn("青禾农村商业银行", None, "partner-a")
    with pytest.raises(ConversationNotFound):
        store.get(mine, "partner-b")
    with pytest.raises(ConversationNotFound):
        store.start_turn("继续", mine, None)
    with pytest.raises(ConversationNotFound):
        store.delete(mine, "partner-b")
    with pytest.raises(MessageNotFound):
        store.set_feedback(reply, "partner-b", "up")
    assert store.list("partner-b").total == 0 and store.list(None).total == 0
    assert store.list("partner-a").items[0].id == mine


def test_list_is_newest_first_and_paginated(store: ConversationStore) -> None:
    ids = [store.start_turn(f"问题{i}", None, None)[0] for i in range(5)]
    page = store.list(None, limit=2, offset=1)
    assert page.total == 5
    assert [c.id for c in page.items] == [ids[3], ids[2]]
    assert all(c.message_count == 2 for c in page.items)


def test_feedback_is_replaced_and_deleted_with_the_conversation(store: ConversationStore) -> None:
    conversation, reply, _ = store.start_turn("青禾农村商业银行", None, None)
    store.set_feedback(reply, None, "down", "缺少案例")
    store.set_feedback(reply, None, "up")
    assert store.get(conversation, None).messages[1].feedback.rating == "up"  # type: ignore[union-attr]
    user_message = store.get(conversation, None).messages[0].id
    with pytest.raises(MessageNotFound):
        store.set_feedback(user_message, None, "up")  # only replies are rated
    store.delete(conversation, None)
    with pytest.raises(ConversationNotFound):
        store.get(conversation, None)
    store.finish_turn(reply, content="late", status="complete")  # a reply finishing after deletion is dropped


# -- one turn at a time per conversation, across workers and replicas ------------------------------------------
def test_a_conversation_takes_one_turn_at_a_time_and_a_dead_writers_lease_runs_out(store: ConversationStore) -> None:
    conversation, first, _ = store.start_turn("临江市第一人民医院", None, "u-1")
    with pytest.raises(ConversationBusy):  # the first reply is still being written
        store.start_turn("他们的数据安全呢？", conversation, "u-1")
    store.finish_turn(first, content="答", status="complete")
    _, second, _ = store.start_turn("他们的数据安全呢？", conversation, "u-1")
    assert store.pending() == 1
    store.lease = dt.timedelta(seconds=-1)
    store.renew(second)  # its lease ends in the past: as if its writer had died a while ago
    _, third, _ = store.start_turn("再问一次", conversation, "u-1")  # its reply becomes interrupted
    statuses = {m.id: m.status for m in store.get(conversation, "u-1").messages}
    assert statuses[second] == "interrupted" and statuses[third] == "pending"
    assert store.interrupt_stale() == 1 and store.pending() == 0
    store.finish_turn(third, content="晚到的回答", status="complete")  # a late writer still stores its reply
    assert {m.id: m.status for m in store.get(conversation, "u-1").messages}[third] == "complete"


def test_concurrent_turns_of_one_conversation_admit_exactly_one(store: ConversationStore) -> None:
    conversation, first, _ = store.start_turn("临江市第一人民医院", None, "u-1")
    store.finish_turn(first, content="答", status="complete")
    barrier = threading.Barrier(6)

    def ask(n: int) -> str:
        barrier.wait()
        try:
            store.start_turn(f"问题 {n}", conversation, "u-1")
            return "admitted"
        except ConversationBusy:
            return "busy"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(ask, range(6)))
    assert sorted(outcomes) == ["admitted"] + ["busy"] * 5
    assert len(store.get(conversation, "u-1").messages) == 4  # first question and reply, one more of each


def test_with_redis_a_turn_held_on_another_replica_is_refused_and_an_outage_falls_back_to_the_lease(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    from accounts.redis_store import connect

    engine = make_engine(database_url)
    migrate_assistant(engine)
    lock = RedisTurnLock(connect(redis_url), prefix=redis_prefix)
    here, there = ConversationStore(engine, turn_lock=lock), ConversationStore(engine, turn_lock=lock)
    conversation, first, _ = here.start_turn("临江市第一人民医院", None, "u-1")
    here.finish_turn(first, content="答", status="complete")
    key = f"{conversation}:u-1"  # the store's lock key: the conversation and its owner
    held = lock.acquire(key, 10_000)  # another replica holds the Redis lock, nothing pending in the database
    with pytest.raises(ConversationBusy):
        there.start_turn("他们的数据安全呢？", conversation, "u-1")
    lock.release(key, "not-its-token")  # only the holder's token lets go
    with pytest.raises(ConversationBusy):
        there.start_turn("他们的数据安全呢？", conversation, "u-1")
    lock.release(key, held)
    _, second, _ = there.start_turn("他们的数据安全呢？", conversation, "u-1")
    assert lock.client.pttl(redis_prefix + key) > 0  # held while the reply is written ...
    there.finish_turn(second, content="答", status="complete")
    assert lock.client.exists(redis_prefix + key) == 0  # ... and released once it is stored

    down = ConversationStore(engine, turn_lock=RedisTurnLock(connect("redis://127.0.0.1:1/0", ping=False)))
    _, third, _ = down.start_turn("再问一次", conversation, "u-1")  # Redis unreachable: the turn goes ahead
    with pytest.raises(ConversationBusy):  # and the database lease still keeps one turn at a time
        down.start_turn("又问一次", conversation, "u-1")
    down.finish_turn(third, content="答", status="complete")
    engine.dispose()
