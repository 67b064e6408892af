"""Which tablets are connected (best effort, for the secretary's roster)."""

from __future__ import annotations

from sqlalchemy import update

from .clock import utcnow
from .db import unit_of_work
from .models import Seat


def connected(seat_id: int) -> None:
    with unit_of_work() as s:
        s.exec(update(Seat).where(Seat.id == seat_id).values(connections=Seat.connections + 1, last_seen_at=utcnow()))


def disconnected(seat_id: int) -> None:
    with unit_of_work() as s:
        s.exec(
            update(Seat)
            .where(Seat.id == seat_id, Seat.connections > 0)
            .values(connections=Seat.connections - 1, last_seen_at=utcnow())
        )


def reset_all() -> None:
    """At the start of a single-process server no tablet is connected yet."""
    with unit_of_work() as s:
        s.exec(update(Seat).values(connections=0))
