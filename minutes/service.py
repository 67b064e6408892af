"""Minutes: build, edit the secretary's texts, approve, archive (SHA-256, read-only), amend, verify.

Load → decide → save inside the caller's transaction (``with unit_of_work() as s``), raising the typed refusals
of :mod:`meeting.errors` before anything changes; every change is also an event in the meeting's log.
Rendering (python-docx) is pure CPU work on already-loaded data: :func:`offload` runs it off the event loop.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

from pydantic import Field as PField
from sqlmodel import Session, col, select

from meeting import audit
from meeting.actors import Actor
from meeting.clock import utcnow
from flask_babel import pgettext

from meeting.errors import NotFound, PermissionDenied
from meeting.models import AgendaItem, Meeting, Observer, Person, Seat
from meeting.schemas import Payload
from meeting.tokens import hash_token

from . import docx as render_docx
from . import load, record
from .errors import (
    AmendDraftDirectly,
    InvalidDeadline,
    ItemsStillOpen,
    MinutesAlreadyApproved,
    MinutesArchived,
    MinutesNotApproved,
    MinutesNotDraft,
    NotTheChair,
)
from .models import (
    APPROVED,
    ARCHIVED,
    DRAFT,
    KINDS,
    ArchivedDocument,
    Minutes,
    MinutesAmendment,
    MinutesItem,
)

TEXT_FIELDS = ("discussion", "considered", "decided", "lead_unit", "supporting_units", "deadline")
FIELD_LABELS = {"discussion": "讨论情况", "considered": "会议认为", "decided": "会议议定", "lead_unit": "牵头单位",
                "supporting_units": "配合单位", "deadline": "完成时限"}


class MinutesItemIn(Payload):
    """The secretary's texts for one item (any subset)."""

    discussion: str | None = PField(default=None, max_length=20000)
    considered: str | None = PField(default=None, max_length=20000)
    decided: str | None = PField(default=None, max_length=20000)
    lead_unit: str | None = PField(default=None, max_length=100)
    supporting_units: str | None = PField(default=None, max_length=500)
    deadline: date | None = None


class AmendmentIn(Payload):
    """A correction after approval: one field of one item, with the reason (kept in the record)."""

    item_id: int
    field: str = PField(pattern="^(discussion|considered|decided|lead_unit|supporting_units|deadline)$")
    value: str = PField(default="", max_length=20000)
    reason: str = PField(min_length=1, max_length=2000)


# ---------------------------------------------------------------- who may see what


def token_viewer(s: Session, meeting_id: int, token: str) -> Actor | None:
    """A personal link of this meeting (it keeps opening the meeting's minutes after the meeting closes): a member's
    seat → that member, the chair of the meeting → ``kind="chair"``, an observer's link → an observer. A link of
    another meeting, even of the same body, or an unknown one → None (the public): a link is bound to one member and
    one meeting."""
    if not token or len(token) > 64:
        return None
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=pgettext("what", "会议"))
    seat = s.exec(select(Seat).where(Seat.token_hash == hash_token(token), Seat.meeting_id == meeting_id)).first()
    if seat is not None:
        person = s.get(Person, seat.person_id)
        kind = "chair" if seat.person_id == meeting.chair_person_id else "member"
        return Actor(kind=kind, name=person.name if person else f"p{seat.person_id}", person_id=seat.person_id,
                     seat_id=seat.id, meeting_id=meeting_id)
    obs = s.exec(select(Observer).where(Observer.token_hash == hash_token(token),
                                        Observer.meeting_id == meeting_id)).first()
    if obs is not None:
        return Actor(kind="observer", name=obs.name, observer_id=obs.id, meeting_id=meeting_id)
    return None


def meeting_of_token(s: Session, token: str) -> int | None:
    """The meeting a personal link (member, chair or observer) belongs to, whatever its status; None if unknown."""
    if not token or len(token) > 64:
        return None
    found = s.exec(select(Seat.meeting_id).where(Seat.token_hash == hash_token(token))).first()
    if found is None:
        found = s.exec(select(Observer.meeting_id).where(Observer.token_hash == hash_token(token))).first()
    return found


def may_see_record(actor: Actor | None) -> bool:
    """会议记录: the secretary, the chair and members of the body; observers and the public see the 公开版 only."""
    return actor is not None and (actor.is_staff or actor.kind in ("chair", "member"))


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied()


# ---------------------------------------------------------------- build and edit


def ensure(s: Session, meeting_id: int) -> Minutes:
    m = s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()
    if m is None:
        if s.get(Meeting, meeting_id) is None:
            raise NotFound(what=pgettext("what", "会议"))
        m = Minutes(meeting_id=meeting_id)
        s.add(m)
        s.flush()
    return m


def structured(s: Session, meeting_id: int, zone: str = "Asia/Shanghai") -> record.StructuredMinutes:
    return record.build(load.load(s, meeting_id, zone))


def _item_texts(s: Session, minutes: Minutes, item_id: int) -> MinutesItem:
    item = s.get(AgendaItem, item_id)
    if item is None or item.meeting_id != minutes.meeting_id:
        raise NotFound(what=pgettext("what", "议题"))
    t = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id, MinutesItem.item_id == item_id)).first()
    if t is None:
        t = MinutesItem(minutes_id=minutes.id, item_id=item_id, discussion=item.notes)
    return t


def edit_texts(s: Session, actor: Actor, meeting_id: int, item_id: int, data: MinutesItemIn) -> MinutesItem:
    """What only a person can write; structured facts are not editable here at all."""
    _require_staff(actor)
    minutes = ensure(s, meeting_id)
    if minutes.status != DRAFT:
        raise MinutesNotDraft()
    t = _item_texts(s, minutes, item_id)
    changed = {}
    for f in TEXT_FIELDS:
        v = getattr(data, f)
        if v is not None or (f == "deadline" and f in data.model_fields_set):
            setattr(t, f, v)
            changed[f] = v
    t.updated_at, t.updated_by = utcnow(), actor.name[:64]
    s.add(t)
    audit.record(s, actor, "minutes.texts_set", meeting_id, item_id=item_id, fields=sorted(changed))
    return t


def open_items(s: Session, meeting_id: int) -> list[str]:
    """Titles of the items neither closed nor deferred, in agenda order: the minutes wait for them."""
    return list(s.exec(select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id,
                                                      col(AgendaItem.status).not_in(("closed", "deferred")))
                       .order_by(col(AgendaItem.position))).all())


def may_approve(actor: Actor | None, meeting: Meeting) -> bool:
    """The chair of this meeting (from the tablet link) or the secretary on the chair's word."""
    return actor is not None and (actor.is_staff or (actor.kind == "chair" and actor.meeting_id == meeting.id
                                                     and actor.person_id == meeting.chair_person_id))


def approve(s: Session, actor: Actor, meeting_id: int) -> Minutes:
    """The chair approves (from the tablet), or the secretary on the laptop; only once every item is closed or
    deferred."""
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=pgettext("what", "会议"))
    if not may_approve(actor, meeting):
        raise NotTheChair()
    minutes = ensure(s, meeting_id)
    if minutes.status != DRAFT:
        raise MinutesAlreadyApproved()
    still_open = open_items(s, meeting_id)
    if still_open:
        raise ItemsStillOpen(titles="、".join(still_open))
    minutes.status, minutes.approved_at, minutes.approved_by = APPROVED, utcnow(), actor.name[:64]
    s.add(minutes)
    audit.record(s, actor, "minutes.approved", meeting_id)
    return minutes


def overview(s: Session, actor: Actor | None, meeting_id: int) -> dict:
    """What a tablet shows after the meeting: the minutes' status, what is still open, whether this person may
    approve now, may read the record, and the archived documents they may download."""
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=pgettext("what", "会议"))
    minutes = s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()
    status = minutes.status if minutes else DRAFT
    still_open = open_items(s, meeting_id)
    docs = [d for d in documents(s, meeting_id) if d.kind == "public" or may_see_record(actor)]
    return {
        "meeting_id": meeting_id, "meeting_status": meeting.status, "status": status,
        "approved_at": minutes.approved_at if minutes else None, "approved_by": minutes.approved_by if minutes else "",
        "open_items": still_open, "is_chair": actor is not None and actor.kind == "chair",
        "may_approve": status == DRAFT and may_approve(actor, meeting),
        "may_approve_now": status == DRAFT and may_approve(actor, meeting) and not still_open,
        "may_see_record": may_see_record(actor), "documents": docs,
    }


# ---------------------------------------------------------------- archive


def archive_dir(instance_path: str | Path) -> Path:
    return Path(instance_path) / "archive"


def _write_read_only(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)  # never overwrite; owner-only
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o400)


def render_all(m: record.StructuredMinutes) -> dict[str, bytes]:
    return {kind: render_docx.render(m, kind) for kind in KINDS}


def _store(s: Session, actor: Actor, meeting_id: int, docs: dict[str, bytes], folder: Path,
           reason: str) -> list[ArchivedDocument]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind, data in docs.items():
        last = s.exec(select(ArchivedDocument).where(ArchivedDocument.meeting_id == meeting_id,
                                                     ArchivedDocument.kind == kind)
                      .order_by(col(ArchivedDocument.version).desc())).first()
        version = (last.version if last else 0) + 1
        digest = hashlib.sha256(data).hexdigest()
        name = f"m{meeting_id}-{kind}-v{version}-{digest[:12]}.docx"
        _write_read_only(folder / name, data)
        doc = ArchivedDocument(meeting_id=meeting_id, kind=kind, version=version, sha256=digest, size=len(data),
                               stored_name=name, author=actor.name[:64], reason=reason)
        s.add(doc)
        out.append(doc)
    s.flush()
    audit.record(s, actor, "minutes.archived", meeting_id, reason=reason,
                 documents=[{"kind": d.kind, "version": d.version, "sha256": d.sha256} for d in out])
    return out


def archive(s: Session, actor: Actor, meeting_id: int, folder: Path, *, offload=None,
            zone: str = "Asia/Shanghai") -> list[ArchivedDocument]:
    """Approved → archived: the three documents, each stored once with its SHA-256, read-only."""
    _require_staff(actor)
    minutes = ensure(s, meeting_id)
    if minutes.status == DRAFT:
        raise MinutesNotApproved()
    if minutes.status == ARCHIVED:
        raise MinutesArchived()
    m = structured(s, meeting_id, zone)
    docs = (offload or _direct)(render_all, m)
    stored = _store(s, actor, meeting_id, docs, folder, "首次归档")
    minutes.status, minutes.archived_at = ARCHIVED, utcnow()
    s.add(minutes)
    return stored


def _direct(fn, *args):
    return fn(*args)


def amend(s: Session, actor: Actor, meeting_id: int, data: AmendmentIn, folder: Path, *, offload=None,
          zone: str = "Asia/Shanghai") -> MinutesAmendment:
    """A correction after approval: kept with its reason and author; if already archived, every document gets a
    new version and the old ones stay downloadable."""
    _require_staff(actor)
    minutes = ensure(s, meeting_id)
    if minutes.status == DRAFT:
        raise AmendDraftDirectly()
    t = _item_texts(s, minutes, data.item_id)
    old = getattr(t, data.field)
    if data.field == "deadline":
        try:
            new = date.fromisoformat(data.value) if data.value else None
        except ValueError:
            raise InvalidDeadline() from None
    else:
        new = data.value
    setattr(t, data.field, new)
    t.updated_at, t.updated_by = utcnow(), actor.name[:64]
    s.add(t)
    a = MinutesAmendment(minutes_id=minutes.id, item_id=data.item_id, field=FIELD_LABELS[data.field],
                         old_value="" if old is None else str(old), new_value="" if new is None else str(new),
                         reason=data.reason, author=actor.name[:64])
    s.add(a)
    s.flush()
    audit.record(s, actor, "minutes.amended", meeting_id, item_id=data.item_id, field=data.field,
                 reason=data.reason)
    if minutes.status == ARCHIVED:
        m = structured(s, meeting_id, zone)
        docs = (offload or _direct)(render_all, m)
        _store(s, actor, meeting_id, docs, folder, f"更正：{data.reason}")
    return a


def documents(s: Session, meeting_id: int) -> list[ArchivedDocument]:
    return list(s.exec(select(ArchivedDocument).where(ArchivedDocument.meeting_id == meeting_id)
                       .order_by(col(ArchivedDocument.kind), col(ArchivedDocument.version))))


def verify(doc: ArchivedDocument, folder: Path) -> bool:
    """True when the stored file still has the SHA-256 recorded when it was archived."""
    path = folder / doc.stored_name
    if not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == doc.sha256
