"""Personal-link tokens (tablets, observers, the projector): stored hashed, shown once, re-issuable.

A token is 256 random bits (``secrets.token_urlsafe(32)``); the database keeps only its SHA-256 (hex, indexed
and unique), so a copy of the database or a backup opens no tablet. The plain token exists only in the answer to
the call that issues it — the printable links sheet right after 签发 / 重新生成 — and is never stored or logged.
Re-issuing replaces the hash: the old link stops working at once. Every issue is an event (``links.issued``) naming
what was issued; the links page shows from those events which link was issued when.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from . import audit
from .actors import Actor
from .connections import end_after_commit
from .errors import NotFound
from .models import Event, Meeting, Observer, Person, Seat

MAX_TOKEN_LENGTH = 64  # longer input is refused before hashing


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def unissued() -> str:
    """The stored value of a link not issued yet: the hash of a token nobody ever saw."""
    return hash_token(new_token())


@dataclass
class IssuedLinks:
    """The plain tokens of one issue, for the sheet; never stored."""

    meeting: Meeting
    seats: list[tuple[Seat, Person, str]] = field(default_factory=list)
    observers: list[tuple[Observer, str]] = field(default_factory=list)
    projector: str | None = None

    def by_person(self) -> dict[int, str]:
        return {seat.person_id: tok for seat, _p, tok in self.seats}

    def by_observer(self) -> dict[int, str]:
        return {o.id: tok for o, tok in self.observers}


def issue(
    s: Session,
    actor: Actor,
    meeting_id: int,
    *,
    seat_ids: list[int] | None = None,
    observer_ids: list[int] | None = None,
    projector: bool = False,
    every: bool = False,
) -> IssuedLinks:
    """New tokens for the given seats / observers / the projector (``every``: all of them); the old ones stop
    working. Recorded as one ``links.issued`` event (which links, never the tokens)."""
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="会议")
    out = IssuedLinks(meeting=meeting)
    q = (
        select(Seat, Person)
        .join(Person, col(Person.id) == Seat.person_id)
        .where(Seat.meeting_id == meeting_id)
        .order_by(col(Seat.seniority), col(Seat.id))
    )
    for seat, person in s.exec(q).all():
        if every or (seat_ids and seat.id in seat_ids):
            tok = new_token()
            seat.token_hash = hash_token(tok)
            s.add(seat)
            end_after_commit(s, "seat", seat.id)  # a tablet still open with the old link is disconnected
            out.seats.append((seat, person, tok))
    for obs in s.exec(select(Observer).where(Observer.meeting_id == meeting_id).order_by(col(Observer.id))).all():
        if every or (observer_ids and obs.id in observer_ids):
            tok = new_token()
            obs.token_hash = hash_token(tok)
            s.add(obs)
            end_after_commit(s, "observer", obs.id)
            out.observers.append((obs, tok))
    if every or projector:
        out.projector = new_token()
        meeting.projector_token_hash = hash_token(out.projector)
        s.add(meeting)
        end_after_commit(s, "projector", meeting.id)
    if (seat_ids and len(out.seats) != len(seat_ids)) or (observer_ids and len(out.observers) != len(observer_ids)):
        raise NotFound(what="个人链接")
    audit.record(
        s,
        actor,
        "links.issued",
        meeting_id,
        every=every,
        seats=[seat.id for seat, _p, _t in out.seats],
        observers=[o.id for o, _t in out.observers],
        projector=out.projector is not None,
    )
    return out


def issued_at(s: Session, meeting_id: int) -> dict[str, dict]:
    """When each link of the meeting was last issued: {"seat": {id: at}, "observer": {id: at}, "projector": at}."""
    import json

    out: dict = {"seat": {}, "observer": {}, "projector": None}
    for ev in s.exec(
        select(Event).where(Event.meeting_id == meeting_id, Event.kind == "links.issued").order_by(col(Event.id))
    ).all():
        data = json.loads(ev.payload or "{}")
        for sid in data.get("seats", []):
            out["seat"][sid] = ev.at
        for oid in data.get("observers", []):
            out["observer"][oid] = ev.at
        if data.get("projector"):
            out["projector"] = ev.at
    return out


def upgrade(bind: Engine | Connection) -> int:
    """A database from before hashing holds plain tokens (32 characters): replace each by its SHA-256, so that
    the links already handed out keep working. Returns how many were hashed; a no-op on a fresh database.
    Run by the room's baseline migration on a database made before the migrations (``bind``: its connection)."""
    from .db import transaction

    done = 0
    with transaction(bind) as conn:
        tables = set(inspect(conn).get_table_names())
        for table, column in (("seat", "token"), ("observer", "token"), ("meeting", "projector_token")):
            if table not in tables:
                continue
            rows = conn.execute(text(f"SELECT id, {column} FROM {table} WHERE length({column}) <> 64")).all()
            for row_id, plain in rows:
                conn.execute(
                    text(f"UPDATE {table} SET {column} = :h WHERE id = :i"), {"h": hash_token(plain), "i": row_id}
                )
                done += 1
    return done


__all__ = ["IssuedLinks", "hash_token", "issue", "issued_at", "new_token", "unissued", "upgrade"]
