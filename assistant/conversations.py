"""Conversations, their messages and feedback, in the application database.

Each conversation remembers the customer it is about (the last known profile), so a follow-up like
"那他们的数据安全呢？" is answered for that customer; and the customer its last reply asked about, so
"制造业" right after "未能判断行业" completes that customer instead of naming a new one.

Owners and audiences are opaque strings (a user id, `anon:…`, an organisation id): this package does
not know accounts. The owner may share a conversation with an audience; a reader presenting that
audience may then read it (read-only), nobody else.

One turn at a time per conversation, whichever worker or replica serves it: a turn's transaction first
writes the conversation row (a row lock in PostgreSQL, the write lock in SQLite), then refuses with
ConversationBusy while a `pending` reply holds its lease. The writer renews the lease while it streams
(`renew`); a lease that ran out belongs to a worker that died mid-stream, and its reply becomes
`interrupted` (when the conversation continues, and in `interrupt_stale`, which every replica runs).
With Redis, a per-conversation lock is taken before that transaction as well (assistant/turn_lock.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.conversation_tables import (
    ConversationPage,
    ConversationPublic,
    ConversationRow,
    ConversationSummary,
    FeedbackPublic,
    FeedbackRow,
    MessagePublic,
    MessageRow,
    new_id,
)
from assistant.intents import ConversationState
from assistant.models import Profile
from assistant.tables import utcnow
from assistant.turn_lock import DatabaseTurnLock, LockHeld, TurnLock
from corpus.store import rows_affected

TITLE_CHARS = 40
TURN_LEASE = dt.timedelta(seconds=15)  # a reply's writer renews its lease well within this while it streams


class ConversationNotFound(LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"对话不存在：{conversation_id}")


class ConversationBusy(RuntimeError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"该对话正在生成上一条回答，请稍候再提问（{conversation_id}）。")


class MessageNotFound(LookupError):
    def __init__(self, message_id: str) -> None:
        super().__init__(f"消息不存在：{message_id}")


class ConversationStore:
    """Every method is one transaction. `owner=None` is the anonymous local user."""

    def __init__(self, engine: Engine, *, lease: dt.timedelta = TURN_LEASE, turn_lock: TurnLock | None = None) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._session = self._sessions.begin  # one transaction per `with`
        self.lease = lease
        self.turn_lock: TurnLock = turn_lock or DatabaseTurnLock()
        self._writing: dict[str, tuple[str, str | None]] = {}  # reply -> (lock key, token) while this process writes it

    def _lease_ms(self) -> int:
        return int(self.lease.total_seconds() * 1000)

    @staticmethod
    def _owned(session: Session, conversation_id: str, owner: str | None) -> ConversationRow:
        row = session.get(ConversationRow, conversation_id)
        if row is None or row.owner != owner:  # another owner's conversation does not exist for you
            raise ConversationNotFound(conversation_id)
        return row

    def transfer(self, from_owner: str, to_owner: str) -> int:
        """Give every conversation of `from_owner` to `to_owner` (a visitor's chats when they log in);
        returns how many moved."""
        with self._session() as session:
            moved = session.execute(
                update(ConversationRow).where(ConversationRow.owner == from_owner).values(owner=to_owner)
            )
            return rows_affected(moved)

    # -- writing a turn -------------------------------------------------------------------
    def start_turn(
        self, message: str, conversation_id: str | None, owner: str | None
    ) -> tuple[str, str, ConversationState]:
        """Store the user's message and reserve the assistant's; returns (conversation, assistant message, state).
        Raises ConversationBusy while another turn of the conversation is being written."""
        target = conversation_id or new_id()
        key = f"{target}:{owner or ''}"  # a stranger's key differs: told "not found" by the database, not "busy"
        try:
            token = self.turn_lock.acquire(key, self._lease_ms())
        except LockHeld:
            raise ConversationBusy(target) from None
        try:
            started = self._start_turn(message, target, conversation_id is None, owner)
        except BaseException:
            self.turn_lock.release(key, token)
            raise
        self._writing[started[1]] = (key, token)
        return started

    def _start_turn(self, message: str, conversation_id: str, new: bool, owner: str | None) -> tuple[str, str, ConversationState]:
        with self._session() as session:
            pending: Profile | None = None
            if new:
                row = ConversationRow(id=conversation_id, owner=owner, title=message[:TITLE_CHARS])
                session.add(row)
                seq = 0
            else:
                # Write first: the conversation row is locked until this turn is stored (see the module doc).
                session.execute(update(ConversationRow).where(ConversationRow.id == conversation_id)
                                .values(updated_at=utcnow()))  # fmt: skip
                row = self._owned(session, conversation_id, owner)
                self._claim(session, row.id)
                seq = session.scalar(select(func.count()).where(MessageRow.conversation_id == row.id)) or 0
                pending = _asked_about(session, row.id)
            session.add(MessageRow(id=new_id(), conversation_id=row.id, seq=seq, role="user", content=message))
            reply = MessageRow(id=new_id(), conversation_id=row.id, seq=seq + 1, role="assistant", status="pending",
                               lease_until=utcnow() + self.lease)  # fmt: skip
            session.add(reply)
            row.updated_at = utcnow()
            customer = Profile.model_validate_json(row.profile_json) if row.profile_json else None
            return row.id, reply.id, ConversationState(customer=customer, pending=pending)

    @staticmethod
    def _claim(session: Session, conversation_id: str) -> None:
        """ConversationBusy while a reply holds its lease; a reply whose lease ran out is marked interrupted."""
        pending = session.scalars(select(MessageRow).where(
            MessageRow.conversation_id == conversation_id, MessageRow.status == "pending")).all()  # fmt: skip
        now = utcnow()
        for reply in pending:
            if reply.lease_until is not None and _aware(reply.lease_until) > now:
                raise ConversationBusy(conversation_id)
            reply.status = "interrupted"

    def renew(self, message_id: str) -> None:
        """The writer of a pending reply is alive: extend its lease."""
        with self._session() as session:
            session.execute(update(MessageRow).where(MessageRow.id == message_id, MessageRow.status == "pending")
                            .values(lease_until=utcnow() + self.lease))  # fmt: skip
        if (held := self._writing.get(message_id)) is not None:
            self.turn_lock.renew(*held, self._lease_ms())

    def interrupt_stale(self) -> int:
        """Mark every pending reply whose lease ran out interrupted (its worker died); returns how many."""
        with self._session() as session:
            expired = (MessageRow.lease_until < utcnow()) | MessageRow.lease_until.is_(None)
            done = session.execute(
                update(MessageRow).where(MessageRow.status == "pending", expired).values(status="interrupted")
            )
            return rows_affected(done)

    def pending(self) -> int:
        """Replies still being written (for the scale bench and operators)."""
        with self._session() as session:
            return int(session.scalar(select(func.count()).where(MessageRow.status == "pending")) or 0)

    def finish_turn(
        self,
        message_id: str,
        *,
        content: str,
        status: str,
        mode: str | None = None,
        writer: str | None = None,
        intent: str | None = None,
        choices: list[dict[str, Any]] | None = None,
        sources: list[dict[str, Any]] | None = None,
        profile: Profile | None = None,
        notices: list[dict[str, Any]] | None = None,
        timing_ms: dict[str, float] | None = None,
    ) -> None:
        """Record the assistant's reply; a known customer becomes the conversation's context."""
        with self._letting_go(message_id), self._session() as session:  # the turn lock goes once this commits
            reply = session.get(MessageRow, message_id)
            if reply is None:  # the conversation was deleted meanwhile
                return
            reply.content, reply.status, reply.mode, reply.writer, reply.intent = content, status, mode, writer, intent
            reply.lease_until = None
            reply.choices_json = json.dumps(choices or [], ensure_ascii=False)
            reply.sources_json = json.dumps(sources or [], ensure_ascii=False)
            reply.notices_json = json.dumps(notices or [], ensure_ascii=False)
            reply.timing_json = json.dumps(timing_ms or {})
            if profile is not None:
                reply.profile_json = profile.model_dump_json()
                if profile.known:
                    conversation = session.get(ConversationRow, reply.conversation_id)
                    if conversation is not None:
                        conversation.profile_json = reply.profile_json
                        conversation.customer = profile.name
                        conversation.updated_at = utcnow()

    @contextmanager
    def _letting_go(self, message_id: str) -> Iterator[None]:
        try:
            yield
        finally:
            if (held := self._writing.pop(message_id, None)) is not None:
                self.turn_lock.release(*held)

    # -- reading ------------------------------------------------------------------------------
    def list(self, owner: str | None, *, limit: int = 20, offset: int = 0) -> ConversationPage:
        with self._session() as session:
            mine = ConversationRow.owner.is_(None) if owner is None else ConversationRow.owner == owner
            total = session.scalar(select(func.count()).select_from(ConversationRow).where(mine)) or 0
            counts = (
                select(MessageRow.conversation_id, func.count().label("n"))
                .group_by(MessageRow.conversation_id)
                .subquery()
            )
            rows = session.execute(
                select(ConversationRow, counts.c.n)
                .outerjoin(counts, counts.c.conversation_id == ConversationRow.id)
                .where(mine)
                .order_by(ConversationRow.updated_at.desc(), ConversationRow.id)
                .limit(limit)
                .offset(offset)
            ).all()
            items = [_summary(row, n or 0) for row, n in rows]
            return ConversationPage(items=items, total=total)

    def get(self, conversation_id: str, owner: str | None) -> ConversationPublic:
        with self._session() as session:
            return _public(session, self._owned(session, conversation_id, owner), read_only=False)

    def get_shared(self, conversation_id: str, audience: str) -> ConversationPublic:
        """A conversation shared with `audience`, read-only; ConversationNotFound for anyone else."""
        with self._session() as session:
            return _public(session, self._readable(session, conversation_id, audience), read_only=True)

    def share(self, conversation_id: str, owner: str | None, audience: str | None) -> None:
        """Let readers presenting `audience` read the conversation (None: stop sharing)."""
        with self._session() as session:
            self._owned(session, conversation_id, owner).shared_with = audience

    def message(self, message_id: str, *, owner: str | None, audience: str | None = None) -> tuple[ConversationSummary, MessagePublic]:
        """An assistant message with its conversation, for its owner or the audience it is shared with."""
        with self._session() as session:
            row = session.get(MessageRow, message_id)
            if row is None or row.role != "assistant":
                raise MessageNotFound(message_id)
            conversation = session.get(ConversationRow, row.conversation_id)
            if conversation is None or not (
                conversation.owner == owner or (audience is not None and conversation.shared_with == audience)
            ):
                raise MessageNotFound(message_id)
            count = session.scalar(select(func.count()).where(MessageRow.conversation_id == conversation.id)) or 0
            return _summary(conversation, count), _message(row, None)

    @staticmethod
    def _readable(session: Session, conversation_id: str, audience: str) -> ConversationRow:
        row = session.get(ConversationRow, conversation_id)
        if row is None or not audience or row.shared_with != audience:
            raise ConversationNotFound(conversation_id)
        return row

    def delete(self, conversation_id: str, owner: str | None) -> None:
        with self._session() as session:
            row = self._owned(session, conversation_id, owner)
            message_ids = select(MessageRow.id).where(MessageRow.conversation_id == row.id)
            session.execute(delete(FeedbackRow).where(FeedbackRow.message_id.in_(message_ids)))
            session.execute(delete(MessageRow).where(MessageRow.conversation_id == row.id))
            session.delete(row)

    def set_feedback(self, message_id: str, owner: str | None, rating: str, comment: str = "") -> None:
        with self._session() as session:
            message = session.get(MessageRow, message_id)
            if message is None or message.role != "assistant":
                raise MessageNotFound(message_id)
            try:
                self._owned(session, message.conversation_id, owner)
            except ConversationNotFound:
                raise MessageNotFound(message_id) from None
            existing = session.scalar(select(FeedbackRow).where(FeedbackRow.message_id == message_id))
            if existing is None:
                session.add(FeedbackRow(message_id=message_id, rating=rating, comment=comment))
            else:
                existing.rating, existing.comment, existing.updated_at = rating, comment, utcnow()


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _asked_about(session: Session, conversation_id: str) -> Profile | None:
    """The customer the conversation's last reply asked about (mode ask_user), if it did."""
    last = session.scalars(
        select(MessageRow).where(MessageRow.conversation_id == conversation_id, MessageRow.role == "assistant")
        .order_by(MessageRow.seq.desc()).limit(1)
    ).first()
    if last is None or last.mode != "ask_user" or not last.profile_json:
        return None
    profile = Profile.model_validate_json(last.profile_json)
    return None if profile.known else profile


def _public(session: Session, row: ConversationRow, *, read_only: bool) -> ConversationPublic:
    messages = session.scalars(select(MessageRow).where(MessageRow.conversation_id == row.id).order_by(MessageRow.seq)).all()
    feedback = {
        f.message_id: FeedbackPublic(rating=f.rating, comment=f.comment)  # type: ignore[arg-type]
        for f in session.scalars(select(FeedbackRow).where(FeedbackRow.message_id.in_([m.id for m in messages])))
    } if messages and not read_only else {}
    return ConversationPublic(
        **_summary(row, len(messages)).model_dump(),
        profile=json.loads(row.profile_json) if row.profile_json else None,
        messages=[_message(m, feedback.get(m.id)) for m in messages],
        shared=row.shared_with is not None,
        read_only=read_only,
    )


def _summary(row: ConversationRow, count: int) -> ConversationSummary:
    return ConversationSummary(
        id=row.id, title=row.title, customer=row.customer, created_at=row.created_at,
        updated_at=row.updated_at, message_count=count,
    )


def _message(row: MessageRow, feedback: FeedbackPublic | None) -> MessagePublic:
    return MessagePublic(
        id=row.id,
        role=row.role,  # type: ignore[arg-type]
        content=row.content,
        status=row.status,
        mode=row.mode,
        writer=row.writer,
        intent=row.intent,
        choices=json.loads(row.choices_json or "[]"),
        sources=json.loads(row.sources_json or "[]"),
        profile=json.loads(row.profile_json) if row.profile_json else None,
        notices=json.loads(row.notices_json or "[]"),
        timing_ms=json.loads(row.timing_json or "{}"),
        feedback=feedback,
        created_at=row.created_at,
    )
