"""The event log proves itself: every event is sealed into a hash chain, one chain per meeting.

An event's hash is the SHA-256 of its canonical form (:func:`canonical`): the meeting, its sequence number in the
meeting's chain, kind, actor (kind, id, name), device, moment (ISO 8601 UTC, microseconds), payload as stored,
and the hash of the meeting's event before it (``prev_hash``; the first event's is 64 zeros). Changing any
stored field of any event, deleting one or inserting one breaks the chain from there on; the chain's head (its
last sequence number and hash) is recorded with every archived document (minutes/service.py), so rewriting the
whole chain after a document was archived is caught too (minutes/verify.py).

Events of no meeting (bodies, people, relations: the setup of the register) form one chain of their own, kept
under the key 0. The execution ledger's log (execution/audit.py, ``ExecutionEvent``) is one chain for the whole
ledger, under the key -1 (:func:`seal_execution`): its events are few, so one chain costs nothing in contention.

Concurrency: the appending transaction takes its chain's head row (:class:`meeting.models.ChainHead`) with an
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` — on PostgreSQL this locks the row until commit, so two workers
appending to one meeting at once are serialised and the chain never forks; SQLite serialises writers anyway.
The head is read once per transaction and kept in ``Session.info`` (dropped when the transaction ends), so a
batch of opinions (meeting/intake.py) costs one head read and one head write, and one SHA-256 per event.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlmodel import Session, SQLModel

from .models import ChainHead, Event

GENESIS = "0" * 64
NO_MEETING = 0  # the chain key of events of no meeting
EXECUTION = -1  # the chain key of the execution ledger's events
_CACHE = "yishi.chain_heads"
_CANON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_SHA = hashlib.sha256


def iso_utc(at: datetime) -> str:
    """The moment as it enters the hash: UTC, microseconds, ``Z`` (a naive value read back is UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def canonical(
    meeting_id: int | None,
    seq: int,
    kind: str,
    actor_kind: str,
    actor_id: int | None,
    actor_name: str,
    device: str,
    at: datetime,
    payload: str,
    prev_hash: str,
) -> bytes:
    """The bytes hashed for one event: a JSON array of its fields in a fixed order, UTF-8."""
    return _CANON.encode(
        [
            "yishi-event/1",
            meeting_id,
            seq,
            kind,
            actor_kind,
            actor_id,
            actor_name,
            device,
            iso_utc(at),
            payload,
            prev_hash,
        ]
    ).encode()


def digest(meeting_id, seq, kind, actor_kind, actor_id, actor_name, device, at, payload, prev_hash) -> str:
    return _SHA(
        canonical(meeting_id, seq, kind, actor_kind, actor_id, actor_name, device, at, payload, prev_hash)
    ).hexdigest()


def event_digest(ev: Event) -> str:
    """The hash an event (as stored) should carry."""
    return digest(
        ev.meeting_id,
        ev.seq,
        ev.kind,
        ev.actor_kind,
        ev.actor_id,
        ev.actor_name,
        ev.device,
        ev.at,
        ev.payload,
        ev.prev_hash,
    )


# ---------------------------------------------------------------- the head, once per transaction


@functools.lru_cache(maxsize=8)
def _take_sql(dialect) -> str:
    prep = dialect.identifier_preparer
    t = prep.format_table(ChainHead.__table__)
    c, q, h = prep.quote("chain"), prep.quote("seq"), prep.quote("hash")
    # an upsert that changes nothing: creates the head if missing, and on PostgreSQL locks it (as FOR UPDATE)
    return (
        f"INSERT INTO {t} ({c}, {q}, {h}) VALUES (:chain, 0, :genesis) "
        f"ON CONFLICT ({c}) DO UPDATE SET {q} = {t}.{q} RETURNING {q}, {h}"
    )


@functools.lru_cache(maxsize=8)
def _put_sql(dialect) -> str:
    prep = dialect.identifier_preparer
    t = prep.format_table(ChainHead.__table__)
    return (
        f"UPDATE {t} SET {prep.quote('seq')} = :seq, {prep.quote('hash')} = :hash WHERE {prep.quote('chain')} = :chain"
    )


def _head(s: Session, chain: int) -> list:
    """[seq, hash] of the chain's head in this transaction (taken, and locked, on first use)."""
    heads = s.info.get(_CACHE)
    if heads is None:
        heads = s.info[_CACHE] = {}
    head = heads.get(chain)
    if head is None:
        conn = s.connection()
        row = conn.execute(text(_take_sql(conn.dialect)), {"chain": chain, "genesis": GENESIS}).one()
        head = heads[chain] = [row[0], row[1]]
    return head


def _put(s: Session, chain: int, head: list) -> None:
    conn = s.connection()
    conn.execute(text(_put_sql(conn.dialect)), {"seq": head[0], "hash": head[1], "chain": chain})


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_heads(session, _transaction) -> None:
    """A head is only known inside its transaction (and a rolled-back savepoint takes its appends with it)."""
    session.info.pop(_CACHE, None)


def head_of(s: Session, meeting_id: int | None) -> tuple[int, str]:
    """(last seq, its hash) of a meeting's chain as this transaction sees it; (0, GENESIS) before its first
    event. Not locked."""
    chain = meeting_id or NO_MEETING
    head = (s.info.get(_CACHE) or {}).get(chain)
    if head is not None:
        return head[0], head[1]
    row = s.connection().execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.chain == chain)).first()
    return (row[0], row[1]) if row is not None else (0, GENESIS)


# ---------------------------------------------------------------- sealing


def seal(s: Session, ev: Event) -> Event:
    """Give one event (about to be added) its place in its meeting's chain: seq, prev_hash, hash."""
    chain = ev.meeting_id or NO_MEETING
    head = _head(s, chain)
    ev.seq, ev.prev_hash = head[0] + 1, head[1]
    ev.hash = event_digest(ev)
    head[0], head[1] = ev.seq, ev.hash
    _put(s, chain, head)
    return ev


def seal_rows(s: Session, meeting_id: int | None, rows: list[dict]) -> None:
    """The same for a batch of event rows (dicts of :class:`Event`'s columns) of one meeting, in order: one head
    read and one head write for the whole batch, one SHA-256 per row."""
    if not rows:
        return
    chain = meeting_id or NO_MEETING
    head = _head(s, chain)
    seq, prev = head
    encode, sha = _CANON.encode, _SHA
    for row in rows:
        seq += 1
        row["seq"], row["prev_hash"] = seq, prev
        prev = row["hash"] = sha(
            encode(
                [
                    "yishi-event/1",
                    meeting_id,
                    seq,
                    row["kind"],
                    row["actor_kind"],
                    row["actor_id"],
                    row["actor_name"],
                    row["device"],
                    iso_utc(row["at"]),
                    row["payload"],
                    prev,
                ]
            ).encode()
        ).hexdigest()
    head[0], head[1] = seq, prev
    _put(s, chain, head)


def execution_digest(ev) -> str:
    """The hash an execution ledger event (``ExecutionEvent``, as stored) should carry."""
    return _SHA(
        _CANON.encode(
            [
                "yishi-execution-event/1",
                ev.assignment_id,
                ev.seq,
                ev.kind,
                ev.actor,
                ev.actor_role,
                ev.device,
                iso_utc(ev.at),
                ev.data,
                ev.prev_hash,
            ]
        ).encode()
    ).hexdigest()


def ledger_event_model() -> type | None:
    """The execution ledger's event model (``ExecutionEvent``), or None when that part is not installed. It is
    execution/'s, a part built on this package: sealed and checked here, found by its table, never imported."""
    return next((m.class_ for m in SQLModel._sa_registry.mappers if m.local_table.name == "executionevent"), None)


def seal_execution(s: Session, ev) -> None:
    """Give one execution ledger event its place in the ledger's chain."""
    head = _head(s, EXECUTION)
    ev.seq, ev.prev_hash = head[0] + 1, head[1]
    ev.hash = execution_digest(ev)
    head[0], head[1] = ev.seq, ev.hash
    _put(s, EXECUTION, head)


# ---------------------------------------------------------------- a database made before the chain


_COLUMNS = {
    "event": ("seq", "prev_hash", "hash"),
    "executionevent": ("seq", "prev_hash", "hash"),
    "archiveddocument": ("chain_seq", "chain_hash"),
}


def upgrade(bind, tables=tuple(_COLUMNS)) -> bool:
    """A database made before the event chain: add its columns, and — once, when they are added — seal the events
    already stored, in the order written (per meeting by id; the ledger by id). The chain then proves the record
    from the upgrade on; that earlier events were sealed at the upgrade is visible as their moment versus the
    upgrade's. Events written later without a number are never sealed here: 核验 names them. True if upgraded.
    ``bind``: an engine, or the connection of a migration (its transaction); ``tables``: which of the three."""
    from sqlalchemy import inspect

    from .db import transaction

    added: set[str] = set()
    with transaction(bind) as conn:
        insp = inspect(conn)
        prep = conn.dialect.identifier_preparer
        for name in tables:
            columns = _COLUMNS[name]
            table = SQLModel.metadata.tables.get(name)
            if table is None or not insp.has_table(name):
                continue
            have = {c["name"] for c in insp.get_columns(name)}
            for column in columns:
                if column not in have:
                    kind = table.c[column].type.compile(conn.dialect)
                    conn.execute(text(f"ALTER TABLE {prep.format_table(table)} ADD COLUMN {prep.quote(column)} {kind}"))
                    added.add(name)
        if "event" in added:
            conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ix_event_meeting_seq ON event (meeting_id, seq)"))
        if "executionevent" in added:
            conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ix_executionevent_seq ON executionevent (seq)"))
        if not added & {"event", "executionevent"}:
            return bool(added)
        from sqlmodel import col

        with Session(bind=conn) as s:
            if "event" in added:
                for ev in s.scalars(select(Event).order_by(col(Event.id))).all():
                    seal(s, ev)
                    s.add(ev)
            ledger = ledger_event_model()
            if "executionevent" in added and ledger is not None:
                for ev in s.scalars(select(ledger).order_by(col(ledger.id))).all():
                    seal_execution(s, ev)
                    s.add(ev)
            s.commit()
    return True
