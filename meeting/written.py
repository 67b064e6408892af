"""The scan of an absent member's signed written opinion (书面意见原件扫描件): filed as one of the item's files
and attached to the opinion it records, in the caller's transaction.

A module of its own because it joins :mod:`meeting.setup` (where files are stored) and :mod:`meeting.room`
(where written opinions are), and room already builds on setup.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import pgettext
from sqlmodel import Session

from .actors import Actor
from .errors import NotFound
from .models import AgendaItem, Material, WrittenOpinion
from .room import attach_written_scan
from .setup import store_material


def file_written_scan(
    s: Session,
    actor: Actor,
    meeting_id: int,
    written_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    folder: Path,
) -> Material:
    """Store the scan and attach it; a written opinion of another meeting is not found (404)."""
    written = s.get(WrittenOpinion, written_id)
    item = s.get(AgendaItem, written.item_id) if written else None
    if item is None or item.meeting_id != meeting_id:
        raise NotFound(what=pgettext("what", "书面意见"))
    mat = store_material(
        s, actor, item.id, filename or "书面意见.pdf", content_type, data, folder, kind="written_opinion"
    )
    attach_written_scan(s, actor, written.id, mat.id)
    return mat
