"""Append to the event log. Called inside the service's transaction, so the event and the change commit together."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from .actors import Actor
from .models import Event


def record(session: Session, actor: Actor, kind: str, meeting_id: int | None = None, /, **payload: Any) -> Event:
    ev = Event(
        meeting_id=meeting_id,
        actor_kind=actor.kind,
        actor_id=actor.audit_id,
        actor_name=actor.name[:64],
        device=actor.device[:200],
        kind=kind,
        payload=json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True),
    )
    session.add(ev)
    return ev
