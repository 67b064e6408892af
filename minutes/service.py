"""Minutes: build, edit the secretary's texts, approve, archive (SHA-256, read-only), amend, verify.

Load → decide → save inside the caller's transaction (``with unit_of_work() as s``), raising the typed refusals
of :mod:`meeting.errors` before anything changes; every change is also an event in the meeting's log.
Archiving and amending are the exception: they render documents, which no open transaction may wait for, so they
own their transactions (read, render with none open, write: see "archive and amend" below).
Rendering (python-docx) is pure CPU work on already-loaded data: ``offload`` runs it off the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta
from pathlib import Path

from flask_babel import gettext, pgettext
from pydantic import Field as PField
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from meeting import audit, chain
from meeting.actors import Actor
from meeting.clock import cn_time, utcnow
from meeting.db import read_only, unit_of_work
from meeting.errors import NotFound, PermissionDenied
from meeting.models import AgendaItem, Event, Meeting, Observer, Person, Seat
from meeting.schemas import Id, Payload
from meeting.tokens import hash_token
from voting import conclusion, decided_text

from . import docx as render_docx
from . import load, record
from .errors import (
    AmendDraftDirectly,
    DecisionContradictsResult,
    InvalidDeadline,
    ItemsStillOpen,
    MinutesAlreadyApproved,
    MinutesArchived,
    MinutesChangedMeanwhile,
    MinutesItemChangedMeanwhile,
    MinutesNotApproved,
    MinutesNotDraft,
    NotTheChair,
)
from .models import (
    APPROVED,
    ARCHIVED,
    DRAFT,
    KINDS,
    PDF_SUFFIX,
    ArchivedDocument,
    Minutes,
    MinutesAmendment,
    MinutesItem,
    base_kind,
)

TEXT_FIELDS = ("discussion", "considered", "decided", "lead_unit", "supporting_units", "deadline")
FIELD_LABELS = {
    "discussion": "讨论情况",
    "considered": "会议认为",
    "decided": "会议议定",
    "lead_unit": "牵头单位",
    "supporting_units": "配合单位",
    "deadline": "完成时限",
    "base_version": "所依据的版本",
}


class MinutesItemIn(Payload):
    """The secretary's texts for one item (any subset)."""

    discussion: str | None = PField(default=None, max_length=20000)
    considered: str | None = PField(default=None, max_length=20000)
    decided: str | None = PField(default=None, max_length=20000)
    lead_unit: str | None = PField(default=None, max_length=100)
    supporting_units: str | None = PField(default=None, max_length=500)
    deadline: date | None = None
    base_version: str | None = PField(
        default=None,
        max_length=64,
        description="所依据的版本（上次读取或保存时得到的 version；空字符串表示尚无文字）。"
        "与当前版本不一致时拒绝保存（已被他人修改），不覆盖他人的文字；不提供则不核对",
    )


class MinutesHeaderIn(Payload):
    """The 纪要's 版头 and 版记 (GB/T 9704-2012 §10.3, §7.4), any subset; an empty text puts the default back
    (期号 〔年〕第N期 from the session, 编发单位 the body's 办公室, 分送 the body's members and 各有关单位, no 抄送)."""

    issue_label: str | None = PField(default=None, max_length=40, description="期号，如 第5期、〔2026〕5号")
    issuing_office: str | None = PField(default=None, max_length=100, description="编发单位（印发机关）")
    distribution: str | None = PField(default=None, max_length=500, description="分送")
    copy_to: str | None = PField(default=None, max_length=500, description="抄送")


HEADER_FIELDS = ("issue_label", "issuing_office", "distribution", "copy_to")
HEADER_LABELS = {"issue_label": "期号", "issuing_office": "编发单位", "distribution": "分送", "copy_to": "抄送"}


class AmendmentIn(Payload):
    """A correction after approval: one field of one item, with the reason (kept in the record)."""

    item_id: Id
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
        return Actor(
            kind=kind,
            name=person.name if person else f"p{seat.person_id}",
            person_id=seat.person_id,
            seat_id=seat.id,
            meeting_id=meeting_id,
        )
    obs = s.exec(
        select(Observer).where(Observer.token_hash == hash_token(token), Observer.meeting_id == meeting_id)
    ).first()
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
    m = record.build(load.load(s, meeting_id, zone))
    m.chain_seq, m.chain_hash = chain.head_of(s, meeting_id)  # what it is built from: printed as 校验码
    return m


def _item_texts(s: Session, minutes: Minutes, item_id: int) -> MinutesItem:
    item = s.get(AgendaItem, item_id)
    if item is None or item.meeting_id != minutes.meeting_id:
        raise NotFound(what=pgettext("what", "议题"))
    t = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id, MinutesItem.item_id == item_id)).first()
    if t is None:
        t = MinutesItem(minutes_id=minutes.id, item_id=item_id, discussion=item.notes)
    return t


def version_of(t: MinutesItem | None) -> str:
    """The version of an item's texts, as the editor carries it back with a save: the moment they were last saved
    (microseconds, UTC), or "" while none were ever saved."""
    if t is None or t.id is None:
        return ""
    return t.updated_at.astimezone(UTC).isoformat(timespec="microseconds")


def item_texts(s: Session, meeting_id: int, item_id: int) -> MinutesItem | None:
    """The stored texts of one item of this meeting, or None while none were saved (a read: nothing is created)."""
    item = s.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound(what=pgettext("what", "议题"))
    return s.exec(
        select(MinutesItem)
        .join(Minutes, col(Minutes.id) == MinutesItem.minutes_id)
        .where(Minutes.meeting_id == meeting_id, MinutesItem.item_id == item_id)
    ).first()


def edit_texts(
    s: Session, actor: Actor, meeting_id: int, item_id: int, data: MinutesItemIn, zone: str = "Asia/Shanghai"
) -> MinutesItem:
    """What only a person can write; structured facts are not editable here at all.

    With ``data.base_version`` (the editor always sends it) the save is refused with
    :class:`MinutesItemChangedMeanwhile` when the texts were saved by someone else since that version was read:
    another tab's or another secretary's text is never overwritten unseen. The refusal carries the texts now stored,
    so both can be shown."""
    _require_staff(actor)
    minutes = ensure(s, meeting_id)
    if minutes.status != DRAFT:
        raise MinutesNotDraft()
    t = _item_texts(s, minutes, item_id)
    if data.base_version is not None and data.base_version != version_of(t):
        raise MinutesItemChangedMeanwhile(current=texts_out(t, zone), version=version_of(t), by=t.updated_by)
    changed = {}
    for f in TEXT_FIELDS:
        v = getattr(data, f)
        if v is not None or (f == "deadline" and f in data.model_fields_set):
            setattr(t, f, v)
            changed[f] = v
    now = utcnow()
    if t.id is not None and t.updated_at is not None and now <= t.updated_at:
        now = t.updated_at + timedelta(microseconds=1)  # a version is never given twice (a coarse or fake clock)
    t.updated_at, t.updated_by = now, actor.name[:64]
    s.add(t)
    s.flush()
    audit.record(s, actor, "minutes.texts_set", meeting_id, item_id=item_id, fields=sorted(changed))
    return t


def set_header(s: Session, actor: Actor, meeting_id: int, data: MinutesHeaderIn) -> Minutes:
    """The secretary sets the 纪要's 期号, 编发单位, 分送, 抄送 while the minutes are a draft (they are part of what
    the chair approves). A field left out stays; an empty one returns to its default."""
    _require_staff(actor)
    minutes = ensure(s, meeting_id)
    if minutes.status != DRAFT:
        raise MinutesNotDraft()
    changed = []
    for f in HEADER_FIELDS:
        if f in data.model_fields_set and getattr(data, f) is not None:
            setattr(minutes, f, getattr(data, f).strip() or None)
            changed.append(f)
    s.add(minutes)
    audit.record(s, actor, "minutes.header_set", meeting_id, fields=changed)
    return minutes


def _texts_dict(t: MinutesItem) -> dict:
    return {f: ("" if getattr(t, f) is None else str(getattr(t, f))) for f in TEXT_FIELDS}


def texts_out(t: MinutesItem, zone: str = "Asia/Shanghai") -> dict:
    """An item's texts as the editor reads them back after a save: the texts, their version, when and by whom."""
    return _texts_dict(t) | {
        "item_id": t.item_id,
        "version": version_of(t),
        "saved_at": cn_time(t.updated_at, zone),
        "saved_by": t.updated_by,
    }


def saved_texts(s: Session, meeting_id: int, zone: str = "Asia/Shanghai") -> dict[int, dict]:
    """Each item's saved texts as :func:`texts_out` gives them (items without saved texts are absent: their version
    is "")."""
    rows = s.exec(
        select(MinutesItem)
        .join(Minutes, col(Minutes.id) == MinutesItem.minutes_id)
        .where(Minutes.meeting_id == meeting_id)
    ).all()
    return {t.item_id: texts_out(t, zone) for t in rows}


@dataclass(frozen=True)
class MissingDecision:
    """An item decided with a result (passed, not passed, the head's decision) whose 会议议定 is not written yet."""

    item_id: int
    number: int  # 1-based, in agenda order, as the record numbers items
    title: str


def missing_decisions(s: Session, meeting_id: int) -> list[MissingDecision]:
    """The items the chair cannot yet be asked to approve: closed with a result, and no 会议议定 text written.

    A deferred item needs none: its decision is "该事项暂缓决策" by the rule itself (minutes.summary.decision); an
    item still open is named by :func:`open_items`. The 会议议定 is what the minutes decide and what execution
    assigns (《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）: the result and the
    decision are recorded in the minutes), so the secretary writes it before the chair approves."""
    minutes = s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()
    written: dict[int, str] = {}
    if minutes is not None:
        for item_id, decided in s.exec(
            select(MinutesItem.item_id, MinutesItem.decided).where(MinutesItem.minutes_id == minutes.id)
        ).all():
            written[item_id] = decided or ""
    items = s.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(col(AgendaItem.position))
    ).all()
    return [
        MissingDecision(it.id, n, it.title)
        for n, it in enumerate(items, 1)
        if it.status == "closed" and not written.get(it.id, "").strip()
    ]


def missing_text(entry: MissingDecision) -> str:
    """第3项《关于……的议题》尚无会议议定 (in the request's language; in Chinese outside a request)."""
    try:
        return gettext("第%(n)s项《%(title)s》尚无会议议定", n=entry.number, title=entry.title)
    except (RuntimeError, KeyError):
        return f"第{entry.number}项《{entry.title}》尚无会议议定"


def item_warnings(s: Session, meeting_id: int) -> dict[int, list[str]]:
    """Warnings about an item's texts the editor shows beside them and under the preview, by item id: a 会议议定 that
    contradicts the item's result (:func:`contradictions`; approval is refused while there is one)."""
    warnings: dict[int, list[str]] = {}
    for c in contradictions(s, meeting_id):
        warnings.setdefault(c["item_id"], []).append(c["message"])
    return warnings


def open_items(s: Session, meeting_id: int) -> list[str]:
    """Titles of the items neither closed nor deferred, in agenda order: the minutes wait for them."""
    return list(
        s.exec(
            select(AgendaItem.title)
            .where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.status).not_in(conclusion.CONCLUDED))
            .order_by(col(AgendaItem.position))
        ).all()
    )


class MeetingTextsIn(Payload):
    """The secretary's texts for the whole meeting: 会议要求/会议强调 (optional) and the 密级 (optional)."""

    requirements: str | None = PField(default=None, max_length=20000)
    classification: str | None = PField(default=None, max_length=16)


def set_meeting_texts(s: Session, actor: Actor, meeting_id: int, data: MeetingTextsIn) -> Minutes:
    """会议要求/会议强调 and 密级, while the minutes are a draft (shown in the 纪要 after the items; the 密级 marks the
    record and the internal 纪要)."""
    _require_staff(actor)
    minutes = ensure(s, meeting_id)
    if minutes.status != DRAFT:
        raise MinutesNotDraft()
    changed = []
    for f in ("requirements", "classification"):
        v = getattr(data, f)
        if v is not None:
            setattr(minutes, f, v.strip())
            changed.append(f)
    s.add(minutes)
    audit.record(s, actor, "minutes.meeting_texts_set", meeting_id, fields=changed)
    return minutes


def contradictions(s: Session, meeting_id: int, zone: str = "Asia/Shanghai") -> list[dict]:
    """Items whose 议定 text contradicts their result (voting.decided_text), in agenda order: ``item_id``,
    ``number``, ``title``, ``message``. The editor shows them; :func:`approve` refuses while there are any."""
    return structured(s, meeting_id, zone).contradictions


def _refuse_contradiction(s: Session, meeting_id: int, item_id: int, text: str, zone: str) -> None:
    """An amendment of approved minutes may not make an item's 议定 text contradict its result (as approval may
    not: :func:`approve`)."""
    item = next(it for it in structured(s, meeting_id, zone).items if it.id == item_id)
    found = decided_text.contradiction(item.result, text)
    if found:
        raise DecisionContradictsResult(items=f"{item.title}（{decided_text.MESSAGES[found]}）")


def default_decisions(s: Session, meeting_id: int, zone: str = "Asia/Shanghai") -> dict[int, str]:
    """item id → the 议定 sentence offered for an empty text, by the item's result (record.default_decision):
    "原则同意……" / "该事项暂缓决策。……" / "会议未通过……"; "" for an item still open."""
    return {it.id: it.default_decision for it in structured(s, meeting_id, zone).items}


def may_approve(actor: Actor | None, meeting: Meeting) -> bool:
    """The chair of this meeting (from the tablet link) or the secretary on the chair's word."""
    return actor is not None and (
        actor.is_staff
        or (actor.kind == "chair" and actor.meeting_id == meeting.id and actor.person_id == meeting.chair_person_id)
    )


def approve(s: Session, actor: Actor, meeting_id: int) -> Minutes:
    """The chair approves (from the tablet), or the secretary on the laptop; only once every item is closed or
    deferred. The chair is not *asked* until every item decided with a result has its 会议议定
    (:func:`missing_decisions`: ``may_approve_now`` in :func:`overview`, the page's and the tablet's button); an
    approval without it is still taken, its decision then being the result in words (minutes.summary.decision)."""
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
    wrong = contradictions(s, meeting_id)
    if wrong:
        raise DecisionContradictsResult(items="；".join(f"{w['title']}（{w['message']}）" for w in wrong))
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
    docs = [d for d in documents(s, meeting_id) if d.document == "public" or may_see_record(actor)]
    missing = [missing_text(e) for e in missing_decisions(s, meeting_id)] if status == DRAFT else []
    docs = [d for d in documents(s, meeting_id) if d.kind == "public" or may_see_record(actor)]
    return {
        "meeting_id": meeting_id,
        "meeting_status": meeting.status,
        "status": status,
        "approved_at": minutes.approved_at if minutes else None,
        "approved_by": minutes.approved_by if minutes else "",
        "open_items": still_open,
        "missing_decisions": missing,
        "is_chair": actor is not None and actor.kind == "chair",
        "may_approve": status == DRAFT and may_approve(actor, meeting),
        "may_approve_now": status == DRAFT and may_approve(actor, meeting) and not still_open and not missing,
        "may_see_record": may_see_record(actor),
        "documents": docs,
    }


# ---------------------------------------------------------------- archive and amend: read, render, write
#
# Rendering a 40-item meeting's three documents takes about a second. On SQLite a transaction that has written holds
# the database's only write lock, so a transaction open meanwhile holds up every other writer — every tablet's
# opinion (issue 13, hole 5: an amendment rendered inside its transaction and froze the server for 30–60 s). So no
# transaction is open while a document is rendered or a file written. Archiving and amending own their
# transactions (the callers pass no session) and go in three steps:
#
#   1. read  (``read_only``, short): who may, in what state; the meeting's *stamp* (its events: every change of the
#            minutes or of the room's record is an event in the meeting's log) and the record, loaded;
#   2. render outside any transaction (off the event loop through ``offload``), and write each file under a
#            temporary name in the archive folder (``.tmp-…``), still outside any transaction;
#   3. write (``unit_of_work``, short): take the minutes row's lock first, then re-check — the stamp and the status
#            as step 1 saw them — store the rows and the event, give each file its final name (a hard link: never
#            overwrites), commit. If anything changed meanwhile the work is redone from step 1 (``ATTEMPTS`` times,
#            then refused with :class:`MinutesChangedMeanwhile`); if the write fails, the files it named are
#            removed; the temporary names are always removed.
#
# The stamp (:class:`_Snapshot`) is what the documents were built from: the place for anything else an archived
# document records about its source (e.g. the head of the meeting's event chain).

ATTEMPTS = 3


def archive_dir(instance_path: str | Path) -> Path:
    return Path(instance_path) / "archive"


def render_all(m: record.StructuredMinutes) -> dict[str, bytes]:
    return {kind: render_docx.render(m, kind) for kind in KINDS}


def with_pdf_copies(docs: dict[str, bytes], convert) -> dict[str, bytes]:
    """The docx files and, when ``convert`` (:func:`minutes.pdf.convert`, or None: no copies) made them, their PDF
    copies under kind …-pdf. A conversion that fails leaves the docx files alone: archiving never waits on it."""
    if convert is None:
        return docs
    try:
        pdfs = convert(docs)
    except Exception:  # noqa: BLE001 - the PDF is a copy: its failure must not lose the archive
        logging.getLogger(__name__).exception("PDF copies not made")
        pdfs = {}
    return docs | {kind + PDF_SUFFIX: data for kind, data in pdfs.items() if kind in docs}


def _direct(fn, *args):
    return fn(*args)


@dataclass(frozen=True)
class _Stamp:
    """The meeting's event log as step 1 read it: how many events and the newest id. Both, because on PostgreSQL
    ids are taken before commit, so a transaction committing late can add an event with a lower id."""

    events: int
    last_event_id: int


def _stamp(s: Session, meeting_id: int) -> _Stamp:
    count, last = s.exec(select(func.count(Event.id), func.max(Event.id)).where(Event.meeting_id == meeting_id)).one()
    return _Stamp(count or 0, last or 0)


@dataclass
class _Snapshot:
    """Step 1's reading: the minutes' status, the stamp, each kind's next version, and the record to render."""

    status: str
    stamp: _Stamp
    versions: dict[str, int]
    head: tuple[int, str]  # the meeting's chain head the documents are built from (printed as 校验码)
    source: record.Source | None = None


class _Changed(Exception):
    """Step 3 found the meeting changed since step 1: roll back, redo from step 1."""


def _read(s: Session, meeting_id: int, zone: str, *, with_source: bool) -> _Snapshot:
    stamp = _stamp(s, meeting_id)  # first: whatever is loaded below is at least this new
    minutes = ensure_read(s, meeting_id)
    versions = {}
    for kind in KINDS:
        last = s.exec(
            select(func.max(ArchivedDocument.version)).where(
                ArchivedDocument.meeting_id == meeting_id, ArchivedDocument.kind == kind
            )
        ).one()
        versions[kind] = (last or 0) + 1
    return _Snapshot(
        minutes.status if minutes else DRAFT,
        stamp,
        versions,
        chain.head_of(s, meeting_id),
        load.load(s, meeting_id, zone) if with_source else None,
    )


def ensure_read(s: Session, meeting_id: int) -> Minutes | None:
    """The minutes row, or None if none yet (a read: nothing is created)."""
    if s.get(Meeting, meeting_id) is None:
        raise NotFound(what=pgettext("what", "会议"))
    return s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()


def ensured(meeting_id: int) -> Minutes:
    """The minutes row, created in a short transaction of its own if there is none yet."""
    with read_only() as s:
        minutes = ensure_read(s, meeting_id)
    if minutes is None:
        with unit_of_work() as s:
            minutes = ensure(s, meeting_id)
    return minutes


def _lock_and_recheck(s: Session, meeting_id: int, snap: _Snapshot) -> Minutes:
    """Step 3's start: the minutes row's lock (an UPDATE: SQLite's write lock, PostgreSQL's row lock — a second
    archivist waits here, then sees the first one's event), then the stamp and status as step 1 saw them."""
    s.exec(update(Minutes).where(Minutes.meeting_id == meeting_id).values(status=Minutes.status))
    minutes = ensure(s, meeting_id)
    if minutes.status != snap.status or _stamp(s, meeting_id) != snap.stamp:
        raise _Changed()
    return minutes


@dataclass
class _Staged:
    kind: str
    version: int
    sha256: str
    size: int
    name: str
    tmp: Path
    published: Path | None = None


def _stage(folder: Path, meeting_id: int, docs: dict[str, bytes], versions: dict[str, int]) -> list[_Staged]:
    """Step 2's files: each document written (and synced) under a temporary name, read-only."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for kind, data in docs.items():
            digest = hashlib.sha256(data).hexdigest()
            version = versions[base_kind(kind)]  # a PDF copy has its docx's version
            ext = "pdf" if kind.endswith(PDF_SUFFIX) else "docx"
            name = f"m{meeting_id}-{kind}-v{version}-{digest[:12]}.{ext}"
            tmp = folder / f".tmp-{uuid.uuid4().hex}-{name}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            staged.append(_Staged(kind, version, digest, len(data), name, tmp))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o400)
    except BaseException:
        _discard(staged)
        raise
    return staged


def _publish(folder: Path, f: _Staged) -> None:
    """The final name, as a hard link to the temporary file: never overwrites a file already there. One left by a
    write that failed after naming its files (a crash between link and commit) is taken over only if it holds the
    very bytes (its name carries the digest; the bytes are checked)."""
    final = folder / f.name
    try:
        os.link(f.tmp, final)
    except FileExistsError:
        if hashlib.sha256(final.read_bytes()).hexdigest() != f.sha256:
            raise
        return  # someone else's file (same bytes): not ours to remove if the write fails
    f.published = final


def _discard(staged: list[_Staged], *, published: bool = False) -> None:
    for f in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f.tmp)
        if published and f.published is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f.published)
            f.published = None


def _store(
    s: Session, actor: Actor, meeting_id: int, staged: list[_Staged], folder: Path, reason: str, head: tuple[int, str]
) -> list[ArchivedDocument]:
    """Step 3's rows and names: one ArchivedDocument per staged file, the files named, the event. Each row and
    the archive event — itself chained — record the file's SHA-256 and the chain head it was built from
    (``head``), so a file changed together with its row is caught (minutes/verify.py)."""
    out = []
    for f in staged:
        _publish(folder, f)
        doc = ArchivedDocument(
            meeting_id=meeting_id,
            kind=f.kind,
            version=f.version,
            sha256=f.sha256,
            size=f.size,
            stored_name=f.name,
            author=actor.name[:64],
            reason=reason,
            chain_seq=head[0],
            chain_hash=head[1],
        )
        s.add(doc)
        out.append(doc)
    s.flush()
    audit.record(
        s,
        actor,
        "minutes.archived",
        meeting_id,
        reason=reason,
        documents=[{"kind": d.kind, "version": d.version, "sha256": d.sha256} for d in out],
        chain_seq=head[0],
        chain_hash=head[1],
    )
    return out


def _render_and_write(snap: _Snapshot, meeting_id: int, folder: Path, write, *, offload=None, pdf_copy=None) -> object:
    """Steps 2 and 3: render ``snap.source`` and stage the files (no transaction open), then ``write(s, staged)``
    in one short transaction after :func:`_lock_and_recheck`. Files named by a failed write are removed.

    ``pdf_copy`` (:func:`minutes.pdf.convert`, or None) adds each docx's PDF copy, still in step 2: the docx is
    rendered through ``offload``; the copy is a LibreOffice child process whose wait is cooperative (minutes.pdf),
    so neither holds the event loop, and no transaction is open meanwhile."""
    m = record.build(snap.source)
    if snap.status == APPROVED:  # archiving: the documents are the archived ones (no 送审稿 mark)
        m = replace(m, status=ARCHIVED, draft_mark="")
    # the stamp re-checked in step 3 proves no event came after this head: the documents are built from it
    m.chain_seq, m.chain_hash = snap.head
    docs = with_pdf_copies((offload or _direct)(render_all, m), pdf_copy)
    staged = _stage(folder, meeting_id, docs, snap.versions)
    try:
        with unit_of_work() as s:
            minutes = _lock_and_recheck(s, meeting_id, snap)
            return write(s, minutes, staged)
    except BaseException:
        _discard(staged, published=True)
        raise
    finally:
        _discard(staged)  # the temporary names (the final ones are hard links to the same files)


def archive(
    actor: Actor, meeting_id: int, folder: Path, *, offload=None, zone: str = "Asia/Shanghai", pdf_copy=None
) -> list[ArchivedDocument]:
    """Approved → archived: the three documents (and with ``pdf_copy`` their PDF copies), each stored once with its
    SHA-256, read-only. In its own transactions: read, render with none open, write (see above)."""
    _require_staff(actor)
    for _attempt in range(ATTEMPTS):
        with read_only() as s:  # step 1
            snap = _read(s, meeting_id, zone, with_source=True)
        if snap.status == DRAFT:
            raise MinutesNotApproved()
        if snap.status == ARCHIVED:
            raise MinutesArchived()

        def write(s: Session, minutes: Minutes, staged: list[_Staged]) -> list[ArchivedDocument]:
            stored = _store(s, actor, meeting_id, staged, folder, "首次归档", snap.head)
            minutes.status, minutes.archived_at = ARCHIVED, utcnow()
            s.add(minutes)
            return stored

        try:
            return _render_and_write(snap, meeting_id, folder, write, offload=offload, pdf_copy=pdf_copy)
        except _Changed:
            continue
    raise MinutesChangedMeanwhile()


def _amended_value(data: AmendmentIn):
    if data.field == "deadline":
        try:
            return date.fromisoformat(data.value) if data.value else None
        except ValueError:
            raise InvalidDeadline() from None
    return data.value


def _apply_amendment(s: Session, actor: Actor, minutes: Minutes, data: AmendmentIn, new, at) -> MinutesAmendment:
    """The amendment's rows (the item's texts and the amendment kept with its reason) and its event."""
    t = _item_texts(s, minutes, data.item_id)
    old = getattr(t, data.field)
    setattr(t, data.field, new)
    t.updated_at, t.updated_by = at, actor.name[:64]
    s.add(t)
    a = MinutesAmendment(
        minutes_id=minutes.id,
        item_id=data.item_id,
        field=FIELD_LABELS[data.field],
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=data.reason,
        author=actor.name[:64],
        at=at,
    )
    s.add(a)
    s.flush()
    audit.record(
        s, actor, "minutes.amended", minutes.meeting_id, item_id=data.item_id, field=data.field, reason=data.reason
    )
    return a


def _source_amended(s: Session, snap: _Snapshot, actor: Actor, data: AmendmentIn, new, at, zone: str) -> record.Source:
    """Step 1 for an amendment of archived minutes: the record as it will read once the amendment is stored — the
    item's texts with the field changed and the amendment listed — built in memory (nothing is written yet), from
    the same rows :func:`_apply_amendment` will change."""
    minutes = ensure_read(s, snap.source.meeting_id)
    t = _item_texts(s, minutes, data.item_id)  # not added to the session: a copy to read
    texts = record.Texts(t.discussion, t.considered, t.decided, t.lead_unit, t.supporting_units, t.deadline)
    old = getattr(texts, data.field)
    setattr(texts, data.field, new)
    src = snap.source
    src.items = [replace(it, texts=texts) if it.id == data.item_id else it for it in src.items]
    src.amendments = [
        *src.amendments,
        load.amendment_row(
            MinutesAmendment(
                minutes_id=minutes.id,
                item_id=data.item_id,
                field=FIELD_LABELS[data.field],
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
                reason=data.reason,
                author=actor.name[:64],
                at=at,
            ),
            zone,
        ),
    ]
    return src


def amend(
    actor: Actor,
    meeting_id: int,
    data: AmendmentIn,
    folder: Path,
    *,
    offload=None,
    zone: str = "Asia/Shanghai",
    pdf_copy=None,
) -> MinutesAmendment:
    """A correction after approval: kept with its reason and author; if already archived, every document gets a
    new version and the old ones stay downloadable — the amendment and the new versions in one transaction, the
    documents rendered before it opens (see above)."""
    _require_staff(actor)
    for _attempt in range(ATTEMPTS):
        at = utcnow()
        with read_only() as s:  # step 1
            snap = _read(s, meeting_id, zone, with_source=False)
            if snap.status == DRAFT:
                raise AmendDraftDirectly()
            minutes = ensure_read(s, meeting_id)
            _item_texts(s, minutes, data.item_id)  # an item of this meeting, or refused now
            new = _amended_value(data)
            if data.field == "decided":
                _refuse_contradiction(s, meeting_id, data.item_id, new, zone)
            if snap.status == ARCHIVED:
                snap.source = load.load(s, meeting_id, zone)
                _source_amended(s, snap, actor, data, new, at, zone)
        if snap.status != ARCHIVED:  # approved, not archived: nothing to render, one short transaction
            try:
                with unit_of_work() as s:
                    minutes = _lock_and_recheck(s, meeting_id, snap)
                    return _apply_amendment(s, actor, minutes, data, new, at)
            except _Changed:
                continue

        def write(s: Session, minutes: Minutes, staged: list[_Staged]) -> MinutesAmendment:
            a = _apply_amendment(s, actor, minutes, data, new, at)
            _store(s, actor, meeting_id, staged, folder, f"更正：{data.reason}", snap.head)
            return a

        try:
            return _render_and_write(snap, meeting_id, folder, write, offload=offload, pdf_copy=pdf_copy)
        except _Changed:
            continue
    raise MinutesChangedMeanwhile()


def documents(s: Session, meeting_id: int) -> list[ArchivedDocument]:
    return list(
        s.exec(
            select(ArchivedDocument)
            .where(ArchivedDocument.meeting_id == meeting_id)
            .order_by(col(ArchivedDocument.kind), col(ArchivedDocument.version))
        )
    )


def verify(doc: ArchivedDocument, folder: Path) -> bool:
    """True when the stored file still has the SHA-256 recorded when it was archived."""
    path = folder / doc.stored_name
    if not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == doc.sha256
