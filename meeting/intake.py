"""Opinions in a burst: group commit. Persist, then acknowledge, then broadcast — for many tablets at once.

When 3,000 tablets give their opinion within a second, one transaction per opinion (≈10 SQL statements and a
commit each) costs many times what the transport does. The socket handlers therefore hand members' opinions to
an :class:`OpinionIntake`: one drainer per meeting takes every opinion that has arrived, applies the rules of
:func:`meeting.room.give_opinion` to each in arrival order against rows read once for the whole batch, writes the
accepted ones with one driver-level ``executemany`` per table (opinions, revisions, event log) in one
transaction, commits, and only then releases each tablet's acknowledgement. While a batch is written the next
arrivals queue up, so the batch size follows the load: an opinion alone is written at once; a burst in a few
large transactions.

A refusal is still per opinion and changes nothing. The chair's statement needs the whole room (has everyone
else spoken? seed 003 §四(二)2): it ends the batch before it, which is committed first, and goes through
:func:`meeting.room.give_opinion` in a transaction of its own. If a batch fails as a whole (a unique key taken
by another worker at the same moment, or any other error), it is rolled back and each of its opinions is retried
alone through :func:`meeting.room.give_opinion`, which answers such a race with its typed refusal: one bad request
is refused alone, the others are written.
"""

from __future__ import annotations

import functools
import logging
import operator
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, select

from voting import speaking

from . import audit, chain, room
from .actors import Actor
from .clock import utcnow
from .db import unit_of_work
from .errors import InvalidPayload, YishiError
from .models import AgendaItem, Event, Meeting, Opinion, OpinionRevision, Recusal, Seat
from .room import Outcome
from .schemas import OpinionIn

log = logging.getLogger(__name__)

ALONE = object()  # this request needs the whole room: give_opinions stops before it
# unique per opinion: how the revisions of a new opinion find it
OPINION_KEY = ("item_id", "round_number", "person_id")
# placeholders of the drivers Yishi runs on: sqlite3 (qmark), psycopg / psycopg2 (pyformat, positional %s)
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


# ---------------------------------------------------------------- the batch: the same rules, one transaction


def _mark(dialect) -> str:
    """The driver's placeholder for one parameter."""
    mark = _MARKS.get(dialect.paramstyle)
    if mark is None:
        raise RuntimeError(
            f"database driver {dialect.driver!r} (paramstyle {dialect.paramstyle}) is not "
            "supported: Yishi runs on SQLite (sqlite3) and PostgreSQL (psycopg)"
        )
    return mark


def _stored_client_ids(conn: Connection, client_ids: list[str]) -> set[str]:
    """Which of these client ids are stored already (a resend)."""
    return {row[0] for row in _rows_in(conn, _client_ids_query(conn.dialect), (), client_ids)}


def _rows_in(conn: Connection, sql: str, params: tuple, values: list) -> list:
    """``sql`` (ending in ``… IN``) for this batch's values, as one driver-level query: SQLAlchemy would render
    the list's placeholders anew for every batch."""
    if not values:
        return []
    marks = ", ".join([_mark(conn.dialect)] * len(values))
    return conn.exec_driver_sql(f"{sql} ({marks})", params + tuple(values)).fetchall()


@functools.lru_cache(maxsize=8)
def _client_ids_query(dialect) -> str:
    prep = dialect.identifier_preparer
    client_id = prep.quote("client_id")
    return f"SELECT {client_id} FROM {prep.format_table(OpinionRevision.__table__)} WHERE {client_id} IN"


@functools.lru_cache(maxsize=8)
def _attendance_query(dialect) -> str:
    """Members → their seat's attendance (one meeting, this batch's members)."""
    prep, mark = dialect.identifier_preparer, _mark(dialect)
    person, attendance = prep.quote("person_id"), prep.quote("attendance")
    return (
        f"SELECT {person}, {attendance} FROM {prep.format_table(Seat.__table__)} "
        f"WHERE {prep.quote('meeting_id')} = {mark} AND {person} IN"
    )


@functools.lru_cache(maxsize=8)
def _spoken_query(dialect) -> str:
    """Members → their opinion's id (one item's round, this batch's members)."""
    prep, mark = dialect.identifier_preparer, _mark(dialect)
    person = prep.quote("person_id")
    return (
        f"SELECT {person}, {prep.quote('id')} FROM {prep.format_table(Opinion.__table__)} "
        f"WHERE {prep.quote('item_id')} = {mark} AND {prep.quote('round_number')} = {mark} AND {person} IN"
    )


@dataclass
class _New:
    """An opinion written by this batch."""

    row: dict


@functools.lru_cache(maxsize=64)
def _insert_plan(dialect, table: Table, columns: tuple[str, ...], opinion_ref: bool) -> tuple[str, tuple]:
    """The INSERT's text and the bind conversions (column index, processor, type) of its columns: the same for
    every batch of one shape, so built once."""
    mark = _mark(dialect)
    convert = []
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            convert.append((i, bind, repr(column_type)))
    prep = dialect.identifier_preparer
    names = [prep.quote(c) for c in columns]
    values = [mark] * len(columns)
    if opinion_ref:
        names.insert(0, prep.quote("opinion_id"))
        opinion = prep.format_table(Opinion.__table__)
        values.insert(
            0, f"(SELECT id FROM {opinion} WHERE item_id = {mark} AND round_number = {mark} AND person_id = {mark})"
        )
    sql = f"INSERT INTO {prep.format_table(table)} ({', '.join(names)}) VALUES ({', '.join(values)})"
    return sql, tuple(convert)


def _insert_many(
    conn: Connection, table: Table, rows: list[dict], *, opinion_ref: bool = False, memo: dict | None = None
) -> None:
    """One INSERT executed for many rows by the database driver itself (``executemany``).

    SQLAlchemy's own INSERT of a list of rows converts every value of every row in Python (≈ 30 µs an opinion
    with its revision and event); here each column's bind processor — the same conversion, e.g. a datetime to
    SQLite's text form — is looked up once and applied to the values that need it. With ``opinion_ref`` the
    rows are revisions of opinions inserted just before: ``opinion_id`` is read by the database from the
    opinion's unique key (item, round, member) in the same statement, so no ids go back and forth. ``memo``
    keeps converted values (timestamps, flags) across the calls of one batch: an opinion's moment is in all
    three of its rows.
    """
    columns = tuple(c for c in rows[0] if not (opinion_ref and c in OPINION_KEY))
    sql, convert = _insert_plan(conn.dialect, table, columns, opinion_ref)
    memo = {} if memo is None else memo
    names = OPINION_KEY + columns if opinion_ref else columns
    values_of = operator.itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    shift = len(OPINION_KEY) if opinion_ref else 0
    params = []
    for row in rows:
        vals = list(values_of(row))
        for i, bind, kind in convert:  # a column's values repeat (a batch's moments, is_chair): converted once
            seen = (kind, vals[i + shift])
            converted = memo.get(seen, memo)
            if converted is memo:
                converted = memo[seen] = bind(seen[1])
            vals[i + shift] = converted
        params.append(tuple(vals))
    conn.exec_driver_sql(sql, params)


@dataclass
class _Writes:
    opinions: list[_New] = field(default_factory=list)
    revisions: list[tuple[_New | int, dict]] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    def flush(self, s: Session) -> None:
        """The batch's rows in a few driver-level INSERTs: new opinions, their revisions (each naming its
        opinion by the unique key), revisions of opinions stored before, and the events."""
        conn = s.connection()
        memo: dict = {}
        if self.opinions:
            _insert_many(conn, Opinion.__table__, [o.row for o in self.opinions], memo=memo)
        new = [dict(r, **{k: ref.row[k] for k in OPINION_KEY}) for ref, r in self.revisions if isinstance(ref, _New)]
        if new:
            _insert_many(conn, OpinionRevision.__table__, new, opinion_ref=True, memo=memo)
        stored = [dict(r, opinion_id=ref) for ref, r in self.revisions if not isinstance(ref, _New)]
        if stored:
            s.flush()  # the corrected opinions themselves (ORM objects) before their revisions
            _insert_many(conn, OpinionRevision.__table__, stored, memo=memo)
        if self.events:  # one meeting's: sealed into its chain in one pass, one head read and write
            chain.seal_rows(s, self.events[0]["meeting_id"], self.events)
            _insert_many(conn, Event.__table__, self.events, memo=memo)


def _event_row(actor: Actor, kind: str, meeting_id: int, payload: dict, at) -> dict:
    """The columns :func:`meeting.audit.record` writes for one event, as a row for a multi-row INSERT."""
    return {
        "meeting_id": meeting_id,
        "at": at,
        "actor_kind": actor.kind,
        "actor_id": actor.audit_id,
        "actor_name": actor.name[:64],
        "device": actor.device[:200],
        "kind": kind,
        "payload": audit.payload_json(payload),
    }


@dataclass
class _ItemContext:
    item: AgendaItem
    status: str  # the item's columns, read once: an ORM attribute costs a lookup every time
    round_number: int  # the item's current round
    round: object = None  # meeting.models.Round, locked
    chair_has_spoken: bool = False
    recused: set[int] = field(default_factory=set)
    spoken: dict[int, int | _New] = field(default_factory=dict)  # this batch's members who have spoken in the
    # round: their opinion's id, or the row this batch writes


def give_opinions(s: Session, meeting_id: int, requests: list[tuple[Actor, OpinionIn]]) -> list:
    """:func:`meeting.room.give_opinion` for many members of one meeting, in order, in the caller's transaction.

    Returns, per request, an :class:`Outcome` or the :class:`YishiError` refusing it — for the requests before
    the first one that needs the whole room (the chair's statement), which is returned as :data:`ALONE` and ends
    the list: write and commit what came before it, then give it to :func:`meeting.room.give_opinion`.
    """
    out: list = []
    conn = s.connection()
    priors = _stored_client_ids(conn, [data.client_id for _, data in requests])
    meeting = s.get(Meeting, meeting_id)
    members = sorted({actor.person_id for actor, _ in requests if actor.person_id is not None})
    # the rows of this batch's members only, by driver-level queries: a batch costs what it holds, not what the
    # room holds (a 3,000-seat plenary's burst is written in several batches)
    attendance = dict(_rows_in(conn, _attendance_query(conn.dialect), (meeting_id,), members))
    chair_id = meeting.chair_person_id if meeting is not None else None
    contexts: dict[int, _ItemContext | None] = {}
    in_batch: dict[str, tuple[int | None, dict]] = {}  # client_id → (person, ack): a resend inside the batch
    writes = _Writes()
    decided: dict[tuple, tuple] = {}  # the facts of an opinion → (its refusal or None, the facts)

    def context(item_id: int) -> _ItemContext | None:
        if item_id not in contexts:
            item = s.get(AgendaItem, item_id)
            if meeting is None or item is None or item.meeting_id != meeting.id:
                contexts[item_id] = None
            else:
                contexts[item_id] = _ItemContext(item, item.status, item.round)
        return contexts[item_id]

    def open_round(ctx: _ItemContext) -> None:
        if ctx.round is None:  # read once per item, when the first opinion on it is accepted so far
            ctx.round = room.current_round(s, ctx.item, lock=True)  # serialises the chair-last check
            ctx.chair_has_spoken = ctx.round.chair_spoke_at is not None
            ctx.recused = set(conn.execute(select(Recusal.person_id).where(Recusal.item_id == ctx.item.id)).scalars())
            ctx.spoken = dict(_rows_in(conn, _spoken_query(conn.dialect), (ctx.item.id, ctx.round_number), members))

    def acting_chair(ctx: _ItemContext) -> int | None:
        """Who presides over an item the chair is recused from (voting/presiding.py): read once per item."""
        if not hasattr(ctx, "presiding"):
            ctx.presiding = room.presiding_of(room.load_room(s, meeting_id), ctx.recused)
        return ctx.presiding

    for actor, data in requests:
        try:
            # a resend is recognised before anything else: the first send was persisted and acknowledged
            if data.client_id in priors:
                out.append(room.give_opinion(s, actor, data))  # the stored acknowledgement, unchanged
                continue
            if data.client_id in in_batch:
                person_id, ack = in_batch[data.client_id]
                if person_id != actor.person_id:
                    raise InvalidPayload(detail="client_id 已被使用")
                out.append(Outcome(meeting_id, ack=dict(ack, duplicate=True), broadcast=None))
                continue
            if actor.person_id == chair_id and actor.is_seat:
                out.append(ALONE)
                break
            ctx = context(data.item_id) if actor.is_seat else None
            # the rule of room.give_opinion (voting/speaking.py), from the facts read once for the batch; a burst's
            # opinions share a few combinations of facts, so each combination is decided once
            key = (actor.kind == "observer", actor.is_seat, data.item_id, data.round)
            verdict = decided.get(key)
            if verdict is None:
                facts = speaking.OpinionFacts(
                    observer=key[0],
                    member=actor.is_seat,
                    item_found=ctx is not None,
                    meeting_status=meeting.status if ctx is not None else "",
                    item_status=ctx.status if ctx is not None else "",
                    current_round=ctx is not None and data.round == ctx.round_number,
                )
                verdict = decided[key] = (speaking.item_refusal(facts), facts)
            room.refuse_opinion(s, *verdict, None if ctx is None else ctx.item)
            item = ctx.item
            open_round(ctx)
            if chair_id in ctx.recused and actor.person_id == acting_chair(ctx):
                out.append(ALONE)  # the acting chair's statement, like the chair's, needs the whole room
                break
            # not the one who presides (he went ALONE above): he waits for no one; has the presiding one spoken?
            key = (
                attendance.get(actor.person_id),
                actor.person_id in ctx.recused,
                data.stance,
                not data.reason,
                ctx.chair_has_spoken,
            )
            verdict = decided.get(key)
            if verdict is None:
                facts = speaking.OpinionFacts(
                    attendance=key[0],
                    recused=key[1],
                    stance=data.stance,
                    reason=data.reason,
                    presiding_has_spoken=key[4],
                )
                verdict = decided[key] = (speaking.speaker_refusal(facts), facts)
            room.refuse_opinion(s, *verdict, item)

            now = utcnow()
            stance = str(data.stance)
            existing = ctx.spoken.get(actor.person_id)
            if existing is None:
                ref = _New(
                    {
                        "item_id": data.item_id,
                        "round_number": ctx.round_number,
                        "person_id": actor.person_id,
                        "stance": stance,
                        "reason": data.reason,
                        "is_chair": False,
                        "version": 1,
                        "given_at": now,
                        "updated_at": now,
                        "proxy_by": "",  # his own (代录 goes one by one: meeting.room.record_opinion)
                    }
                )
                writes.opinions.append(ref)
                ctx.spoken[actor.person_id] = ref
                row = ref.row
            elif isinstance(existing, _New):  # corrected within this batch
                ref, row = existing, existing.row
                row.update(stance=stance, reason=data.reason, version=row["version"] + 1, updated_at=now)
            else:  # a stored opinion (its id), corrected
                existing = s.get(Opinion, existing)
                existing.stance, existing.reason = stance, data.reason
                existing.version, existing.updated_at = existing.version + 1, now
                existing.proxy_by, existing.proxy_at = "", None  # his own correction or confirmation of a 代录
                s.add(existing)
                ref = existing.id
                row = {
                    "round_number": existing.round_number,
                    "person_id": actor.person_id,
                    "stance": stance,
                    "reason": data.reason,
                    "is_chair": existing.is_chair,
                    "version": existing.version,
                    "updated_at": now,
                    "proxy_by": "",
                }
            writes.revisions.append(
                (
                    ref,
                    {
                        "version": row["version"],
                        "stance": stance,
                        "reason": data.reason,
                        "client_id": data.client_id,
                        "device": actor.device[:200],
                        "at": now,
                    },
                )
            )
            writes.events.append(
                _event_row(
                    actor,
                    "opinion.given" if row["version"] == 1 else "opinion.corrected",
                    meeting_id,
                    {
                        "item_id": data.item_id,
                        "round": ctx.round_number,
                        "person_id": actor.person_id,
                        "stance": stance,
                        "reason": data.reason,
                        "version": row["version"],
                        "is_chair": False,
                        "client_id": data.client_id,
                    },
                    now,
                )
            )
            ack = room._opinion_ack(SimpleNamespace(**row), item, duplicate=False)
            in_batch[data.client_id] = (actor.person_id, ack)
            out.append(Outcome(meeting_id, ack=ack, broadcast="progress", opinion=ack["opinion"]))
        except YishiError as err:
            out.append(err)
    writes.flush(s)
    return out


# ---------------------------------------------------------------- the queue: one drainer per meeting


class _Slot:
    __slots__ = ("actor", "payload", "arrived", "done", "result")

    def __init__(self, actor: Actor, payload: OpinionIn, arrived: float, done) -> None:
        self.actor, self.payload, self.arrived, self.done, self.result = actor, payload, arrived, done, None


class OpinionIntake:
    """Queues members' opinions per meeting; one background drainer writes them batch by batch.

    ``written(meeting_id, outcomes, arrived, backlog)`` is called after each batch has committed, just before
    its acknowledgements are released: the batch's outcomes, when its first opinion arrived (by ``clock``, the
    broadcaster's: meeting/app.py) and how many opinions are queued behind it — the broadcaster
    (:meth:`meeting.broadcast.Broadcaster.opinions_written`) tells the room once per batch."""

    def __init__(
        self, app: Flask, socketio: SocketIO, max_batch: int = 500, written=None, clock=time.monotonic
    ) -> None:
        self.app = app
        self.socketio = socketio
        self.max_batch = max_batch
        self.written = written
        self.clock = clock
        self._queues: dict[int, list[_Slot]] = {}
        self._draining: set[int] = set()
        self._lock = threading.Lock()

    def writing(self, meeting_id: int) -> bool:
        """Are this meeting's opinions being written (a batch queued or in its transaction)?"""
        return meeting_id in self._draining

    def submit(self, actor: Actor, payload: OpinionIn, arrived: float | None = None) -> Outcome:
        """Queue one validated opinion and wait until its batch has committed; raise its refusal, if any.
        ``arrived``: when the request reached the server (by :attr:`clock`; by default now)."""
        slot = _Slot(
            actor, payload, self.clock() if arrived is None else arrived, self.socketio.server.eio.create_event()
        )
        meeting_id = actor.meeting_id
        with self._lock:
            self._queues.setdefault(meeting_id, []).append(slot)
            start = meeting_id not in self._draining
            self._draining.add(meeting_id)
        if start:
            self.socketio.start_background_task(self._drain, meeting_id)
        slot.done.wait()
        if isinstance(slot.result, BaseException):
            raise slot.result
        return slot.result

    def _drain(self, meeting_id: int) -> None:
        with self.app.app_context():
            while True:
                self.socketio.sleep(0)  # let the handlers already woken queue their opinions: fewer, larger batches
                with self._lock:
                    queue = self._queues.get(meeting_id, [])
                    batch, rest = queue[: self.max_batch], queue[self.max_batch :]
                    if rest:
                        self._queues[meeting_id] = rest
                    else:
                        self._queues.pop(meeting_id, None)
                    if not batch:
                        self._draining.discard(meeting_id)
                        return
                    backlog = len(rest)
                try:
                    results = self._persist(meeting_id, [(slot.actor, slot.payload) for slot in batch])
                except BaseException as exc:  # noqa: BLE001 - never leave a tablet without an answer
                    log.exception("opinion batch failed")
                    results = [exc] * len(batch)
                if self.written is not None:
                    # told before the acknowledgements are released, it still goes out after them: the room is
                    # told by a background task that first yields (the tablets' handlers, woken below, run
                    # first) — and with no broadcast interval (tests) at once, as one opinion alone is
                    try:
                        self.written(
                            meeting_id,
                            [r for r in results if isinstance(r, Outcome)],
                            min(slot.arrived for slot in batch),
                            backlog,
                        )
                    except Exception:  # noqa: BLE001 - a failed broadcast loses no opinion; the next one tells
                        log.exception("telling the room of an opinion batch failed")
                for slot, result in zip(batch, results, strict=True):
                    slot.result = result
                    slot.done.set()

    def _persist(self, meeting_id: int, requests: list[tuple[Actor, OpinionIn]]) -> list:
        results: list = []
        while len(results) < len(requests):
            rest = requests[len(results) :]
            try:
                with unit_of_work() as s:
                    done = give_opinions(s, meeting_id, rest)
                    if done and done[-1] is ALONE:
                        done.pop()
            except IntegrityError:  # another worker wrote the same member's opinion: one at a time
                log.info("opinion batch of %d hit a unique key; retrying one by one", len(rest))
                results += [self._alone(actor, data) for actor, data in rest]
                break
            except Exception:  # noqa: BLE001 - rolled back: nothing of this part was written
                # one bad request must not fail the others: each is retried alone, so only the one that raises
                # again is refused (and only that one is logged)
                log.warning("opinion batch of %d failed; retrying one by one", len(rest), exc_info=True)
                results += [self._alone(actor, data) for actor, data in rest]
                break
            results += done
            if len(results) < len(requests):  # the chair: the whole room, after what came before is committed
                results.append(self._alone(*requests[len(results)]))
        return results

    @staticmethod
    def _alone(actor: Actor, data: OpinionIn):
        try:
            with unit_of_work() as s:
                return room.give_opinion(s, actor, data)
        except YishiError as err:
            return err
        except (DataError, OverflowError):  # a value the database cannot hold: this request's fault, refused
            log.warning("opinion refused: a value out of the database's range", exc_info=True)
            return InvalidPayload(detail="取值超出范围")
        except Exception as exc:  # noqa: BLE001 - answered as a server error; nothing was written
            log.exception("opinion failed")
            return exc
