"""Opinions: a member's own in the room (the chair last), and an absent member's written one. The rule of who may
speak when is voting/speaking.py; this loads its facts, asks it, and saves."""

from __future__ import annotations

import dataclasses

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voting import speaking
from voting.vocabulary import (
    STANCE_LABELS,
    Stance,
)

from .. import audit
from ..actors import Actor
from ..clock import iso_utc, utcnow
from ..errors import (
    Conflict,
    InvalidPayload,
    InvalidState,
    MeetingClosed,
    NotFound,
    NotPresentForWritten,
    ObserverCannotVote,
    PermissionDenied,
)
from ..models import (
    AgendaItem,
    Meeting,
    Opinion,
    OpinionRevision,
    Recusal,
    Seat,
    WrittenOpinion,
)
from ..schemas import (
    OpinionIn,
    ProxyOpinionIn,
    WrittenOpinionIn,
)
from ..setup import get
from .facts import (
    Outcome,
    chair_recused,
    current_round,
    item_facts,
    load_room,
)
from .guards import (
    _item_of,
    _require_staff,
    refuse_opinion,
)
from .recusals import (
    _recusal_grounds_now,
)


def _opinion_ack(op: Opinion, item: AgendaItem, duplicate: bool) -> dict:
    return {
        "ok": True,
        "duplicate": duplicate,
        "opinion": {
            "item_id": item.id,
            "round": op.round_number,
            "person_id": op.person_id,
            "stance": op.stance,
            "stance_label": STANCE_LABELS[Stance(op.stance)],
            "reason": op.reason,
            "version": op.version,
            "is_chair": op.is_chair,
            "at": iso_utc(op.updated_at),
            "proxy_by": op.proxy_by,  # 代录: who recorded it for the member ("" when he gave it himself)
        },
    }


def give_opinion(s: Session, actor: Actor, data: OpinionIn, proxy: Actor | None = None) -> Outcome:
    """A present, non-recused member states 同意 / 不同意 / 缓议 with a reason; the chair last.

    Persisted before it is acknowledged. A resend with the same ``client_id`` returns the original
    acknowledgement and counts nothing twice; a new ``client_id`` from the same member corrects the opinion
    (until the chair has spoken) and every version stays in the record.

    With ``proxy`` (the secretary, :func:`record_opinion`), ``actor`` is the member whose spoken opinion it is:
    the same rules, the version marked 代录 with who recorded it and when.
    """
    # A resend is recognised before anything else: the first send was persisted and acknowledged.
    prior = s.exec(select(OpinionRevision).where(OpinionRevision.client_id == data.client_id)).first()
    if prior is not None:
        op = s.get(Opinion, prior.opinion_id)
        if op.person_id != actor.person_id or bool(op.proxy_by) != (proxy is not None):
            raise InvalidPayload(detail="client_id 已被使用")
        item = s.get(AgendaItem, op.item_id)
        return Outcome(item.meeting_id, ack=_opinion_ack(op, item, duplicate=True), broadcast=None)

    # One vote touches only the voter's own rows, so a 3,000-seat burst stays linear; only the presiding member's
    # statement needs the whole room (who is eligible, who has spoken). The rule itself: voting/speaking.py.
    meeting = s.get(Meeting, actor.meeting_id) if actor.is_seat else None
    item = s.get(AgendaItem, data.item_id) if meeting is not None else None
    found = item is not None and item.meeting_id == meeting.id
    facts = speaking.OpinionFacts(
        observer=actor.kind == "observer",
        member=actor.is_seat,
        item_found=found,
        meeting_status=meeting.status if found else "",
        item_status=item.status if found else "",
        current_round=found and data.round == item.round,
        stance=data.stance,
        reason=data.reason,
    )
    refuse_opinion(s, speaking.item_refusal(facts), facts, item)
    rnd = current_round(s, item, lock=True)  # serialises the chair-last check across workers
    seat = s.exec(select(Seat).where(Seat.meeting_id == meeting.id, Seat.person_id == actor.person_id)).first()
    recused = (
        s.exec(select(Recusal.id).where(Recusal.item_id == item.id, Recusal.person_id == actor.person_id)).first()
        is not None
    )
    is_chair = actor.person_id == meeting.chair_person_id
    room_facts = None
    if not is_chair and chair_recused(s, meeting, item.id):
        # the chair left this item: the acting chair presides over it and speaks last in his place (四（二）2、5)
        room_facts = item_facts(s, load_room(s, meeting.id), item, rnd)
        is_chair = actor.person_id == room_facts.presiding
    waiting = 0
    if is_chair:
        room_facts = room_facts or item_facts(s, load_room(s, meeting.id), item, rnd)
        waiting = speaking.round_counts_of(
            presiding=actor.person_id, eligible=room_facts.eligible, spoken=room_facts.spoken
        ).waiting
    facts = dataclasses.replace(
        facts,
        attendance=None if seat is None else seat.attendance,
        recused=recused,
        presides=is_chair,
        waiting=waiting,
        presiding_has_spoken=rnd.chair_spoke_at is not None,
    )
    refuse_opinion(s, speaking.speaker_refusal(facts), facts, item)
    if is_chair:
        op = next((o for o in room_facts.opinions if o.person_id == actor.person_id), None)
    else:  # present and not recused, checked above: the voter is eligible
        op = s.exec(
            select(Opinion).where(
                Opinion.item_id == item.id, Opinion.round_number == rnd.number, Opinion.person_id == actor.person_id
            )
        ).first()

    if proxy is not None and not speaking.may_record_for(own_opinion=op is not None and not op.proxy_by):
        raise InvalidState(detail="该成员已在本人平板上发表意见，不能代录；如需更正，请该成员在平板上更正。")
    now = utcnow()
    if op is None:
        op = Opinion(
            item_id=item.id,
            round_number=rnd.number,
            person_id=actor.person_id,
            stance=data.stance,
            reason=data.reason,
            is_chair=is_chair,
            given_at=now,
            updated_at=now,
        )
    else:
        op.stance, op.reason, op.version, op.updated_at = data.stance, data.reason, op.version + 1, now
    # 代录 (deadends): who recorded this version for the member; his own confirmation or correction clears it
    op.proxy_by, op.proxy_at = (proxy.name[:64] or "会议秘书", now) if proxy is not None else ("", None)
    s.add(op)
    try:
        s.flush()
    except IntegrityError:  # the same member from two devices at once: the database keeps one
        raise Conflict(detail="您的意见正在从另一台设备提交，请稍候刷新。") from None
    s.add(
        OpinionRevision(
            opinion_id=op.id,
            version=op.version,
            stance=op.stance,
            reason=op.reason,
            client_id=data.client_id,
            device=actor.device[:200],
            at=now,
        )
    )
    if is_chair and rnd.chair_spoke_at is None:
        rnd.chair_spoke_at = now
        s.add(rnd)
    audit.record(
        s,
        proxy or actor,
        "opinion.given" if op.version == 1 else "opinion.corrected",
        meeting.id,
        item_id=item.id,
        round=rnd.number,
        person_id=actor.person_id,
        stance=op.stance,
        reason=op.reason,
        version=op.version,
        is_chair=is_chair,
        client_id=data.client_id,
        **({"proxy_by": op.proxy_by} if proxy is not None else {}),
    )
    ack = _opinion_ack(op, item, duplicate=False)
    # the chair's statement changes what the room may do next: send everyone the new state
    return Outcome(
        meeting.id,
        ack=ack,
        broadcast="state" if is_chair else "progress",
        opinion=ack["opinion"],
        # 代录: the member's own tablet (if it is there, or when it comes back) is told what was recorded for him
        notify_people=[actor.person_id] if proxy is not None else [],
    )


def record_opinion(s: Session, actor: Actor, meeting_id: int, data: ProxyOpinionIn) -> Outcome:
    """代录: the secretary records a present member's spoken opinion (stance and reason) on his behalf when his
    tablet cannot — the same rules as the member's own (voting/speaking.py: present, not recused, the chair last,
    final once the chair has spoken), marked 代录 with who recorded it and when. The member may confirm or correct
    it on his tablet until the chair speaks."""
    _require_staff(actor)
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="会议")
    seat = s.exec(select(Seat).where(Seat.meeting_id == meeting_id, Seat.person_id == data.person_id)).first()
    if seat is None:
        raise NotFound(what="该成员")
    speaker = Actor(
        kind="chair" if data.person_id == meeting.chair_person_id else "member",
        name=actor.name,
        person_id=data.person_id,
        seat_id=seat.id,
        meeting_id=meeting_id,
        device=actor.device,
    )
    spoken = OpinionIn(
        client_id=data.client_id, item_id=data.item_id, round=data.round, stance=data.stance, reason=data.reason
    )
    return give_opinion(s, speaker, spoken, proxy=actor)


def written_opinion(s: Session, actor: Actor, meeting_id: int, data: WrittenOpinionIn) -> Outcome:
    """书面意见 of an absent member: entered by the secretary, or sent through the member's own link, before the
    item closes (seed 003 §四(二)2). Recorded and shown; counted only if the profile says so.
    """
    if actor.kind == "observer":
        raise ObserverCannotVote()
    if data.client_id:
        prior = s.exec(select(WrittenOpinion).where(WrittenOpinion.client_id == data.client_id)).first()
        if prior is not None:
            if prior.person_id != (data.person_id or actor.person_id):
                raise InvalidPayload(detail="client_id 已被使用")
            return Outcome(
                meeting_id, ack={"ok": True, "duplicate": True, "written_opinion_id": prior.id}, broadcast=None
            )
    if actor.is_staff:
        if data.person_id is None:
            raise InvalidPayload(detail="person_id: 请选择提交书面意见的成员")
        person_id, submitted_by = data.person_id, "secretary"
    elif actor.is_seat:
        if data.person_id not in (None, actor.person_id):
            raise PermissionDenied()
        person_id, submitted_by = actor.person_id, "self"
    else:
        raise PermissionDenied()
    room = load_room(s, meeting_id)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    item = _item_of(s, room, data.item_id)
    seat = room.seat_of(person_id)
    facts = speaking.WrittenFacts(
        item_status=item.status,
        attendance=None if seat is None else seat.attendance,
        stance=data.stance,
        reason=data.reason,
    )
    if speaking.written_refusal(facts) in (None, speaking.OpinionRefusal.REASON_REQUIRED):
        # recused wins over the reason; who is recused from an item not yet opened is computed, so only now
        facts = dataclasses.replace(facts, recused=person_id in _recusal_grounds_now(s, room, item))
    refusal = speaking.written_refusal(facts)
    if refusal == speaking.OpinionRefusal.NO_SEAT:
        raise NotFound(what="该成员")
    if refusal == speaking.OpinionRefusal.IN_THE_ROOM:
        raise NotPresentForWritten()
    refuse_opinion(s, refusal, facts, item)
    existing = s.exec(
        select(WrittenOpinion).where(
            WrittenOpinion.item_id == item.id,
            WrittenOpinion.round_number == item.round,
            WrittenOpinion.person_id == person_id,
        )
    ).first()
    if existing is not None:
        raise Conflict(detail="该成员对本议题已有书面意见。")
    w = WrittenOpinion(
        item_id=item.id,
        round_number=item.round,
        person_id=person_id,
        stance=data.stance,
        reason=data.reason,
        submitted_by=submitted_by,
        client_id=data.client_id,
    )
    s.add(w)
    s.flush()
    audit.record(
        s,
        actor,
        "written_opinion.recorded",
        meeting_id,
        item_id=item.id,
        round=item.round,
        person_id=person_id,
        stance=data.stance,
        reason=data.reason,
        submitted_by=submitted_by,
        counted=room.profile.count_written_opinions,
    )
    return Outcome(
        meeting_id, ack={"ok": True, "duplicate": False, "written_opinion_id": w.id}, notify_people=[person_id]
    )


def attach_written_scan(s: Session, actor: Actor, written_id: int, material_id: int) -> None:
    w = get(s, WrittenOpinion, written_id, "书面意见")
    w.material_id = material_id
    s.add(w)
    item = s.get(AgendaItem, w.item_id)
    audit.record(
        s, actor, "written_opinion.scan_attached", item.meeting_id, written_opinion_id=w.id, material_id=material_id
    )
