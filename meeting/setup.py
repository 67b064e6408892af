"""Setting up: bodies, people, relations, meetings, observers, agenda items, preparation steps, materials.

Each function runs inside the caller's unit of work (``with unit_of_work() as s``), validates, changes, and
appends to the event log; it raises a typed error before changing anything.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask_babel import gettext, pgettext
from sqlmodel import Session, col, func, or_, select

from voting import conclusion
from voting import recusal as recusal_rules
from voting.profiles import ProfileError, load_profile, relation_types
from voting.vocabulary import ItemCategory, ItemResult, MeetingKind, PreparationStep, StepState

from . import audit
from .actors import Actor
from .clock import from_local
from .connections import end_after_commit
from .errors import Conflict, InvalidPayload, InvalidState, ItemOnOpenedAgenda, NotFound
from .models import (
    AgendaItem,
    Body,
    ItemStep,
    ItemSubject,
    Material,
    Meeting,
    Membership,
    Observer,
    Person,
    Recusal,
    Relation,
    Round,
    Seat,
    WrittenOpinion,
)
from .schemas import (
    BodyIn,
    CopyItemsIn,
    ItemIn,
    MeetingIn,
    MembersIn,
    ObserverIn,
    PersonIn,
    RelationIn,
    StepIn,
    check_text,
)

MAX_MATERIAL_BYTES = 50 * 1024 * 1024
ALLOWED_MATERIAL_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def new_token() -> str:
    """A link not issued yet (its hash only; meeting.tokens.issue gives the plain token, once)."""
    from .tokens import unissued

    return unissued()


def get(session: Session, model, ident: int, what: str):
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(what=what)
    return obj


# ---------------------------------------------------------------- bodies and people


def create_body(s: Session, actor: Actor, data: BodyIn) -> Body:
    try:
        load_profile(data.profile)
    except ProfileError:
        raise InvalidPayload(detail=gettext("所选规则配置不存在，请从列表中选择")) from None
    body = Body(**data.model_dump())
    s.add(body)
    s.flush()
    audit.record(s, actor, "body.created", body_id=body.id, **data.model_dump(mode="json"))
    return body


def update_body(s: Session, actor: Actor, body_id: int, data: BodyIn) -> Body:
    body = get(s, Body, body_id, "领导班子")
    rules_change = (data.decision_mode, data.profile) != (body.decision_mode, body.profile)
    in_session = s.exec(select(Meeting.id).where(Meeting.body_id == body_id, Meeting.status == "in_session")).first()
    if rules_change and in_session is not None:
        raise InvalidState(detail="本领导班子有会议正在进行，决策方式和规则配置不能在会议中更改。")
    try:
        load_profile(data.profile)
    except ProfileError:
        raise InvalidPayload(detail=gettext("所选规则配置不存在，请从列表中选择")) from None
    for k, v in data.model_dump().items():
        setattr(body, k, v)
    s.add(body)
    audit.record(s, actor, "body.updated", body_id=body.id, **data.model_dump(mode="json"))
    return body


def create_person(s: Session, actor: Actor, data: PersonIn) -> Person:
    person = Person(**data.model_dump())
    s.add(person)
    s.flush()
    audit.record(s, actor, "person.created", person_id=person.id, **data.model_dump())
    return person


def update_person(s: Session, actor: Actor, person_id: int, data: PersonIn) -> Person:
    person = get(s, Person, person_id, "人员")
    for k, v in data.model_dump().items():
        setattr(person, k, v)
    s.add(person)
    audit.record(s, actor, "person.updated", person_id=person.id, **data.model_dump())
    return person


def members_of(s: Session, body_id: int) -> list[tuple[Membership, Person]]:
    rows = s.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(Membership.body_id == body_id)
        .order_by(col(Membership.seniority), col(Membership.id))
    ).all()
    return list(rows)


def set_members(s: Session, actor: Actor, body_id: int, data: MembersIn) -> list[Membership]:
    """Replace the body's membership with ``person_ids`` in seniority order (the first is the head)."""
    get(s, Body, body_id, "领导班子")
    found = set(s.exec(select(Person.id).where(col(Person.id).in_(data.person_ids))).all())
    missing = [p for p in data.person_ids if p not in found]
    if missing:
        raise NotFound(what=f"人员 {missing[0]}")
    existing = {m.person_id: m for m in s.exec(select(Membership).where(Membership.body_id == body_id)).all()}
    for person_id, m in existing.items():
        if person_id not in data.person_ids:
            s.delete(m)
    result = []
    for order, person_id in enumerate(data.person_ids, start=1):
        m = existing.get(person_id) or Membership(body_id=body_id, person_id=person_id)
        m.seniority = order
        s.add(m)
        result.append(m)
    audit.record(s, actor, "body.members_set", body_id=body_id, person_ids=data.person_ids)
    return result


def add_relation(s: Session, actor: Actor, data: RelationIn) -> Relation:
    get(s, Person, data.person_a_id, "人员")
    get(s, Person, data.person_b_id, "人员")
    problem = recusal_rules.relation_valid(
        recusal_rules.Relation(data.person_a_id, data.person_b_id, data.type, data.reason), relation_types()
    )
    messages = {
        "unknown_type": gettext("所选关系类型不存在，请从列表中选择"),
        "same_person": "关系的双方不能是同一人（本人为任免对象时系统自动回避）",
        "reason_required": "“其他可能影响公正的关系”须写明理由（《中华人民共和国公务员法》第七十六条（三））",
    }
    if problem:
        raise InvalidPayload(detail=messages[problem])
    dup = s.exec(
        select(Relation).where(
            Relation.type == data.type,
            or_(
                (Relation.person_a_id == data.person_a_id) & (Relation.person_b_id == data.person_b_id),
                (Relation.person_a_id == data.person_b_id) & (Relation.person_b_id == data.person_a_id),
            ),
        )
    ).first()
    if dup:
        raise Conflict(detail="该关系已登记")
    rel = Relation(**data.model_dump())
    s.add(rel)
    s.flush()
    audit.record(s, actor, "relation.added", relation_id=rel.id, **data.model_dump())
    return rel


def delete_relation(s: Session, actor: Actor, relation_id: int) -> None:
    rel = get(s, Relation, relation_id, "关系")
    audit.record(
        s,
        actor,
        "relation.deleted",
        relation_id=rel.id,
        person_a_id=rel.person_a_id,
        person_b_id=rel.person_b_id,
        type=rel.type,
    )
    s.delete(rel)


# ---------------------------------------------------------------- meetings


def create_meeting(s: Session, actor: Actor, data: MeetingIn, zone: str) -> Meeting:
    """A meeting with its roster fixed from the body's members (N = the seats), each with a personal link."""
    body = get(s, Body, data.body_id, "领导班子")
    members = members_of(s, body.id)
    if not members:
        raise InvalidState(detail="该领导班子尚无成员，请先设置成员名单。")
    member_ids = [m.person_id for m, _ in members]
    head_id = member_ids[0]
    chair_id = data.chair_person_id or head_id
    if chair_id not in member_ids:
        raise InvalidPayload(detail="主持人须为本领导班子成员")
    meeting = Meeting(
        body_id=body.id,
        kind=data.kind,
        session_number=data.session_number,
        starts_at=from_local(data.starts_at, zone),
        place=data.place,
        chair_person_id=chair_id,
        delegated_by_person_id=head_id if chair_id != head_id else None,
        recorder_name=data.recorder_name or actor.name,
        projector_token_hash=new_token(),
    )
    s.add(meeting)
    s.flush()
    for m, _ in members:
        s.add(Seat(meeting_id=meeting.id, person_id=m.person_id, seniority=m.seniority, token_hash=new_token()))
    if data.copy_observers_from_meeting_id:
        for o in s.exec(select(Observer).where(Observer.meeting_id == data.copy_observers_from_meeting_id)):
            s.add(Observer(meeting_id=meeting.id, name=o.name, unit=o.unit, role=o.role, token_hash=new_token()))
    audit.record(s, actor, "meeting.created", meeting.id, **data.model_dump(mode="json"))
    return meeting


def update_meeting(s: Session, actor: Actor, meeting_id: int, data: MeetingIn, zone: str) -> Meeting:
    """Correct a meeting's details before it opens. The roster (N) stays as set up; the chair must hold a seat."""
    meeting = get(s, Meeting, meeting_id, "会议")
    if meeting.status != "scheduled":
        raise InvalidState(detail="会议已开始，会议信息不能再修改。")
    if data.body_id != meeting.body_id:
        raise InvalidPayload(detail="不能更改会议所属的领导班子")
    ids = list(s.exec(select(Seat.person_id).where(Seat.meeting_id == meeting_id).order_by(col(Seat.seniority))))
    head_id = setup_head(s, meeting.body_id, ids)
    chair_id = data.chair_person_id or head_id
    if chair_id not in ids:
        raise InvalidPayload(detail="主持人须为本次会议成员")
    meeting.kind, meeting.session_number, meeting.place = data.kind, data.session_number, data.place
    meeting.starts_at = from_local(data.starts_at, zone)
    meeting.chair_person_id = chair_id
    meeting.delegated_by_person_id = head_id if chair_id != head_id else None
    meeting.recorder_name = data.recorder_name or meeting.recorder_name
    s.add(meeting)
    audit.record(s, actor, "meeting.updated", meeting.id, **data.model_dump(mode="json"))
    return meeting


def setup_head(s: Session, body_id: int, seat_ids: list[int]) -> int:
    """The head of the body (seniority 1) if they hold a seat, else the most senior seat."""
    members = [m.person_id for m, _ in members_of(s, body_id)]
    return members[0] if members and members[0] in seat_ids else seat_ids[0]


def next_session_numbers(s: Session, body_id: int) -> dict[str, int]:
    """第×次 per meeting type: the last session number of that type + 1."""
    last = dict(
        s.exec(
            select(Meeting.kind, func.max(Meeting.session_number))
            .where(Meeting.body_id == body_id)
            .group_by(Meeting.kind)
        ).all()
    )
    return {k.value: (last.get(k.value) or 0) + 1 for k in MeetingKind}


def require_editable(meeting: Meeting) -> None:
    if meeting.status == "closed":
        from .errors import MeetingClosed

        raise MeetingClosed()


def add_observer(s: Session, actor: Actor, meeting_id: int, data: ObserverIn) -> Observer:
    meeting = get(s, Meeting, meeting_id, "会议")
    require_editable(meeting)
    obs = Observer(meeting_id=meeting_id, token_hash=new_token(), **data.model_dump())
    s.add(obs)
    s.flush()
    audit.record(s, actor, "observer.added", meeting_id, observer_id=obs.id, **data.model_dump())
    return obs


def remove_observer(s: Session, actor: Actor, observer_id: int, meeting_id: int | None = None) -> None:
    obs = get(s, Observer, observer_id, "列席人员")
    if meeting_id is not None and obs.meeting_id != meeting_id:
        raise NotFound(what="列席人员")
    require_editable(get(s, Meeting, obs.meeting_id, "会议"))
    audit.record(s, actor, "observer.removed", obs.meeting_id, observer_id=obs.id, name=obs.name)
    end_after_commit(s, "observer", obs.id)  # the removed observer's open screens are disconnected at once
    s.delete(obs)


def copy_items(s: Session, actor: Actor, meeting_id: int, data: CopyItemsIn) -> list[AgendaItem]:
    """Put items of an earlier meeting of the same body on this agenda again (a recurring item: the same title,
    category, presenter, unit, summary, amount and confidentiality). Its preparation steps start afresh and its
    materials are not taken over: each meeting decides on what is prepared for it. A deferred item is carried over
    with its history instead (:func:`carry_over`)."""
    meeting = get(s, Meeting, meeting_id, "会议")
    items = {i.id: i for i in s.exec(select(AgendaItem).where(col(AgendaItem.id).in_(data.item_ids)))}
    copied = []
    for item_id in data.item_ids:
        old = items.get(item_id)
        if old is None:
            raise NotFound(what=gettext("要沿用的议题"))
        source = get(s, Meeting, old.meeting_id, "会议")
        if source.body_id != meeting.body_id or source.id == meeting.id:
            raise InvalidPayload(detail=gettext("只能沿用本领导班子以前会议的议题"))
        if old.status == "deferred":
            raise InvalidState(detail=gettext("暂缓决策的议题请在会议页面“暂缓议题”中列入议程，以保留审议经过。"))
        copied.append(
            add_item(
                s,
                actor,
                meeting_id,
                ItemIn(
                    title=old.title,
                    category=old.category,
                    presenter=old.presenter,
                    submitting_unit=old.submitting_unit,
                    summary=old.summary,
                    amount_yuan=old.amount_yuan,
                    confidential=old.confidential,
                ),
            )
        )
    return copied


def recurring_item_ids(s: Session, prev: Meeting) -> set[int]:
    """The items of ``prev`` that recur: the meeting of the same kind before it had an item of the same title."""
    before = s.exec(
        select(Meeting)
        .where(Meeting.body_id == prev.body_id, Meeting.kind == prev.kind, col(Meeting.id) != prev.id)
        .where(col(Meeting.starts_at) <= prev.starts_at)
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    ).first()
    if before is None:
        return set()
    titles = set(s.exec(select(AgendaItem.title).where(AgendaItem.meeting_id == before.id)).all())
    return {i.id for i in s.exec(select(AgendaItem).where(AgendaItem.meeting_id == prev.id)) if i.title in titles}


def previous_meeting(s: Session, body_id: int, before_id: int | None = None) -> Meeting | None:
    q = select(Meeting).where(Meeting.body_id == body_id)
    if before_id:
        q = q.where(Meeting.id < before_id)
    return s.exec(q.order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())).first()


# ---------------------------------------------------------------- agenda


def _check_subjects(s: Session, data: ItemIn) -> None:
    if data.subjects and data.category != ItemCategory.PERSONNEL:
        raise InvalidPayload(detail="只有干部任免议题才有任免对象")
    for subj in data.subjects:
        get(s, Person, subj.person_id, "任免对象")
    if len({x.person_id for x in data.subjects}) != len(data.subjects):
        raise InvalidPayload(detail="任免对象重复")


def add_item(s: Session, actor: Actor, meeting_id: int, data: ItemIn, carried_from: int | None = None) -> AgendaItem:
    meeting = get(s, Meeting, meeting_id, "会议")
    require_editable(meeting)
    _check_subjects(s, data)
    last = s.exec(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)).one()
    item = AgendaItem(
        meeting_id=meeting_id,
        position=(last or 0) + 1,
        carried_from_item_id=carried_from,
        **data.model_dump(exclude={"subjects"}),
    )
    s.add(item)
    s.flush()
    for subj in data.subjects:
        s.add(ItemSubject(item_id=item.id, person_id=subj.person_id, action=subj.action))
    for step in PreparationStep:
        s.add(ItemStep(item_id=item.id, step=step))
    s.add(Round(item_id=item.id, number=1))
    audit.record(
        s, actor, "item.added", meeting_id, item_id=item.id, carried_from=carried_from, **data.model_dump(mode="json")
    )
    return item


def add_prepared_item(
    s: Session,
    actor: Actor,
    meeting_id: int,
    data: ItemIn,
    steps: list[StepIn],
    files: list[tuple[str, str, bytes]],
    storage: Path,
) -> tuple[AgendaItem, list[Material]]:
    """An item with its preparation steps and materials as the item form gives them, all in the caller's one
    transaction: a refused file or step leaves no item behind. ``files``: (filename, content type, bytes)."""
    item = add_item(s, actor, meeting_id, data)
    s.flush()
    set_steps(s, actor, item.id, steps)
    materials = [store_material(s, actor, item.id, name, ctype, body, storage) for name, ctype, body in files]
    return item, materials


def pending_item(s: Session, item_id: int) -> AgendaItem:
    item = get(s, AgendaItem, item_id, "议题")
    require_editable(get(s, Meeting, item.meeting_id, "会议"))
    if item.status != "pending":
        raise InvalidState(detail="议题已开始审议，不能再修改。")
    return item


def update_item(s: Session, actor: Actor, item_id: int, data: ItemIn) -> AgendaItem:
    item = pending_item(s, item_id)
    _check_subjects(s, data)
    for k, v in data.model_dump(exclude={"subjects"}).items():
        setattr(item, k, v)
    s.add(item)
    for old in s.exec(select(ItemSubject).where(ItemSubject.item_id == item_id)):
        s.delete(old)
    s.flush()
    for subj in data.subjects:
        s.add(ItemSubject(item_id=item.id, person_id=subj.person_id, action=subj.action))
    audit.record(s, actor, "item.updated", item.meeting_id, item_id=item.id, **data.model_dump(mode="json"))
    return item


def delete_item(s: Session, actor: Actor, item_id: int) -> None:
    item = pending_item(s, item_id)
    if not conclusion.may_delete(s.get(Meeting, item.meeting_id).status):  # deadends: it stays in the record
        raise ItemOnOpenedAgenda()
    if s.exec(select(WrittenOpinion.id).where(WrittenOpinion.item_id == item_id)).first() is not None:
        raise InvalidState(detail="该议题已收到书面意见，不能删除；如不再审议，请在会上暂缓决策。")
    # a pending item may already carry a recusal added by hand
    for model in (ItemSubject, ItemStep, Recusal, Round, Material):
        for row in s.exec(select(model).where(model.item_id == item_id)):
            s.delete(row)
    audit.record(s, actor, "item.deleted", item.meeting_id, item_id=item.id, title=item.title)
    s.delete(item)


def reorder_items(s: Session, actor: Actor, meeting_id: int, item_ids: list[int]) -> None:
    meeting = get(s, Meeting, meeting_id, "会议")
    require_editable(meeting)
    items = {i.id: i for i in s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    if sorted(items) != sorted(item_ids):
        raise InvalidPayload(detail="排序须包含本次会议的全部议题且不重复")
    for pos, iid in enumerate(item_ids, start=1):
        items[iid].position = pos
        s.add(items[iid])
    audit.record(s, actor, "agenda.reordered", meeting_id, item_ids=item_ids)


def move_item(s: Session, actor: Actor, meeting_id: int, item_id: int, shift: int) -> None:
    """One place up (-1) or down (+1): the keyboard-accessible way to reorder; at either end nothing moves."""
    order = list(
        s.exec(
            select(AgendaItem.id)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        ).all()
    )
    if item_id not in order:
        raise NotFound(what=pgettext("what", "议题"))
    i = order.index(item_id)
    j = i + shift
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
        reorder_items(s, actor, meeting_id, order)


def set_steps(s: Session, actor: Actor, item_id: int, wanted: list[StepIn]) -> int:
    """The preparation steps of one item as the form shows them; only the changed ones are recorded (and
    audited). Returns how many changed."""
    current = {st.step: st for st in s.exec(select(ItemStep).where(ItemStep.item_id == item_id))}
    changed = 0
    for data in wanted:
        st = current.get(data.step)
        if st is None or st.state != data.state or st.note != data.note:
            set_step(s, actor, item_id, data)
            changed += 1
    return changed


def set_step(s: Session, actor: Actor, item_id: int, data: StepIn) -> ItemStep:
    item = get(s, AgendaItem, item_id, "议题")
    require_editable(get(s, Meeting, item.meeting_id, "会议"))
    if item.status not in ("pending",):
        raise InvalidState(detail="议题已开始审议，决策准备情况不能再修改。")
    step = s.exec(select(ItemStep).where(ItemStep.item_id == item_id, ItemStep.step == data.step)).one()
    step.state, step.note = data.state, data.note
    from .clock import utcnow

    step.updated_at = utcnow()
    s.add(step)
    audit.record(s, actor, "item.step_set", item.meeting_id, item_id=item_id, **data.model_dump(mode="json"))
    return step


def missing_steps(s: Session, item: AgendaItem, profile_name: str) -> list[PreparationStep]:
    """Required steps (by the profile, for the item's category) that are not done or found not applicable.

    713号 第26、28条: an item not reviewed, or found unlawful, may not be submitted.
    """
    required = load_profile(profile_name).required_steps(item.category)
    states = {st.step: st.state for st in s.exec(select(ItemStep).where(ItemStep.item_id == item.id))}
    ok = (StepState.DONE, StepState.NOT_APPLICABLE)
    missing = []
    for step in required:
        state = states.get(step, StepState.NOT_STARTED)
        # a failed legality review can never be waived as "not applicable"
        if state not in ok or (step == PreparationStep.LEGALITY_REVIEW and state == StepState.NOT_APPLICABLE):
            missing.append(step)
    return missing


def store_material(
    s: Session,
    actor: Actor,
    item_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    storage: Path,
    kind: str = "material",
) -> Material:
    item = get(s, AgendaItem, item_id, "议题")
    meeting = get(s, Meeting, item.meeting_id, "会议")
    require_editable(meeting)
    check_text(filename or "", "文件名")  # shown on tablets and in the 会议记录; refused before a byte is written
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_MATERIAL_TYPES:
        raise InvalidPayload(detail="仅支持 PDF、图片、纯文本和 docx 材料")
    if not data:
        raise InvalidPayload(detail="文件为空")
    if len(data) > MAX_MATERIAL_BYTES:
        raise InvalidPayload(detail="文件超过 50 MB")
    if content_type == "application/pdf" and not data.startswith(b"%PDF"):
        raise InvalidPayload(detail="文件内容不是 PDF")
    digest = hashlib.sha256(data).hexdigest()
    stored = digest + ALLOWED_MATERIAL_TYPES[content_type]
    storage.mkdir(parents=True, exist_ok=True)
    target = storage / stored
    if not target.exists():
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    safe_name = Path(filename or "材料").name[:200] or "材料"
    mat = Material(
        item_id=item_id,
        kind=kind,
        filename=safe_name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        stored_name=stored,
    )
    s.add(mat)
    s.flush()
    audit.record(
        s,
        actor,
        "material.added",
        meeting.id,
        item_id=item_id,
        material_id=mat.id,
        filename=safe_name,
        sha256=digest,
        kind=kind,
    )
    return mat


# ---------------------------------------------------------------- deferred items return


def deferred_items(s: Session, body_id: int, exclude_meeting_id: int | None = None) -> list[AgendaItem]:
    """Items deferred (暂缓决策) at meetings of the body and not yet carried to another agenda — offered for the
    agenda of ``exclude_meeting_id`` (an item deferred at that very meeting is not offered back to it)."""
    carried = select(AgendaItem.carried_from_item_id).where(col(AgendaItem.carried_from_item_id).is_not(None))
    q = (
        select(AgendaItem)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .where(Meeting.body_id == body_id, AgendaItem.status == "deferred", col(AgendaItem.id).not_in(carried))
        .order_by(col(Meeting.starts_at), col(AgendaItem.position))
    )
    if exclude_meeting_id is not None:
        q = q.where(AgendaItem.meeting_id != exclude_meeting_id)
    return list(s.exec(q).all())


def carry_over(s: Session, actor: Actor, meeting_id: int, item_id: int) -> AgendaItem:
    """Put a deferred item on this meeting's agenda; it keeps a link to its history (carried_from_item_id)."""
    old = get(s, AgendaItem, item_id, "议题")
    meeting = get(s, Meeting, meeting_id, "会议")
    old_meeting = get(s, Meeting, old.meeting_id, "会议")
    if old.status != "deferred" or old_meeting.body_id != meeting.body_id:
        raise InvalidState(detail="只能将本领导班子暂缓决策的议题列入议程。")
    if s.exec(select(AgendaItem).where(AgendaItem.carried_from_item_id == old.id)).first():
        raise Conflict(detail="该议题已列入其他会议议程。")
    subjects = s.exec(select(ItemSubject).where(ItemSubject.item_id == old.id)).all()
    data = ItemIn(
        title=old.title,
        category=old.category,
        presenter=old.presenter,
        submitting_unit=old.submitting_unit,
        summary=old.summary,
        amount_yuan=old.amount_yuan,
        confidential=old.confidential,
        subjects=[{"person_id": x.person_id, "action": x.action} for x in subjects],
    )
    item = add_item(s, actor, meeting_id, data, carried_from=old.id)
    for st in s.exec(select(ItemStep).where(ItemStep.item_id == old.id)):
        new = s.exec(select(ItemStep).where(ItemStep.item_id == item.id, ItemStep.step == st.step)).one()
        new.state, new.note = st.state, st.note
        s.add(new)
    for mat in s.exec(select(Material).where(Material.item_id == old.id, Material.kind == "material")):
        s.add(
            Material(
                item_id=item.id,
                kind="material",
                filename=mat.filename,
                content_type=mat.content_type,
                size=mat.size,
                sha256=mat.sha256,
                stored_name=mat.stored_name,
            )
        )
    return item


def delete_material(s: Session, actor: Actor, material_id: int) -> None:
    """Withdraw a material from an item not yet discussed. The file stays (stored by content hash, maybe shared)."""
    mat = get(s, Material, material_id, "材料")
    if mat.kind != "material":  # the scan of a signed written opinion is part of the record
        raise InvalidState(detail=gettext("书面意见原件扫描件是会议记录的一部分，不能删除。"))
    item = pending_item(s, mat.item_id)
    audit.record(
        s, actor, "material.deleted", item.meeting_id, item_id=item.id, material_id=mat.id, filename=mat.filename
    )
    s.delete(mat)


def item_history(s: Session, item: AgendaItem) -> list[dict]:
    """The chain of earlier appearances of a carried-over item, oldest first."""
    chain = []
    cur = item
    while cur.carried_from_item_id:
        cur = s.get(AgendaItem, cur.carried_from_item_id)
        if cur is None:
            break
        m = s.get(Meeting, cur.meeting_id)
        rounds = s.exec(select(Round).where(Round.item_id == cur.id).order_by(col(Round.number))).all()
        last = rounds[-1] if rounds else None
        chain.append(
            {
                "item_id": cur.id,
                "meeting_id": cur.meeting_id,
                "session_number": m.session_number if m else None,
                "starts_at": m.starts_at if m else None,
                "status": cur.status,
                "defer_reason": last.defer_reason if last else "",
                "result": last.result if last else None,
            }
        )
    chain.reverse()
    return chain


__all__ = [name for name in dir() if not name.startswith("_")] + ["ItemResult"]
