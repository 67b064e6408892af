"""Append to the event log. Called inside the service's transaction, so the event and the change commit together;
each event is sealed into its meeting's hash chain (:mod:`meeting.chain`)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from . import chain
from .actors import Actor
from .models import Event

# one encoder for every event (json.dumps with options builds a new one per call): sorted keys, Chinese as is
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)


def payload_json(payload: dict[str, Any]) -> str:
    """An event's payload as stored: JSON with sorted keys, Chinese text as is, other values as ``str()``."""
    return _PAYLOAD.encode(payload)


def record(session: Session, actor: Actor, kind: str, meeting_id: int | None = None, /, **payload: Any) -> Event:
    ev = Event(
        meeting_id=meeting_id,
        actor_kind=actor.kind,
        actor_id=actor.audit_id,
        actor_name=actor.name[:64],
        device=actor.device[:200],
        kind=kind,
        payload=payload_json(payload),
    )
    chain.seal(session, ev)
    session.add(ev)
    return ev
