"""Creating assignments from approved minutes, and every unit / office action with its refusals (nothing changes)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from execution import closeout, reports
from execution.attachments import Upload
from execution.errors import (
    AssignmentClosed,
    ConfidentialNotPublic,
    DateInFuture,
    EvidenceRequired,
    ExtensionNotLater,
    ExtensionPending,
    ItemNotDecided,
    LeadUnitOnly,
    MinutesNotApproved,
    NotCompleted,
    NotResponsibleLeader,
    NotVerbatim,
    OtherBody,
    SignOffRequired,
)
from execution.models import Assignment, AssignmentUnit, ExecutionEvent, ProgressReport
from execution.schemas import (
    EvaluationIn,
    ExtensionDecisionIn,
    ExtensionIn,
    PlanIn,
    ProgressIn,
    ProposalIn,
)
from execution.service import next_number, plan_due_for
from meeting.db import unit_of_work
from meeting.errors import InvalidPayload, NotFound, PermissionDenied
from meeting.models import AgendaItem
from tests.execution.core import OFFICE, SECRETARY, account, actor_of, assignment_in, create, decided_meeting

PDF = Upload("签字件.pdf", b"%PDF-1.4 signed", "application/pdf")


def count(app, model) -> int:
    with app.app_context(), unit_of_work() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def decided(factory):
    return decided_meeting(factory)


@pytest.fixture
def units(factory):
    """Accounts: the lead unit, a supporting unit, another unit; a leader linked to the person 成员02."""
    lead = account(factory, "zhujian", "unit", unit="区住建局")
    sup = account(factory, "caizheng", "unit", unit="区财政局")
    other = account(factory, "jiaoyu", "unit", unit="区教育局")
    return actor_of(lead, "unit"), actor_of(sup, "unit"), actor_of(other, "unit")


def test_create_numbers_computes_plan_due_and_links_units(app, decided):
    a = create(app, assignment_in(decided))
    b = create(app, assignment_in(decided, title="第二项", lead_unit="区财政局", supporting_units=[]))
    assert (a.number, b.number) == ("2023-001", "2023-002")
    assert a.plan_due == date(2024, 1, 8)  # 30 days after 9 December 2023 (seed 000 第15条)
    assert a.original_deadline == a.deadline == date(2024, 3, 31) and a.status == "not_started"
    with app.app_context(), unit_of_work() as s:
        roles = sorted(link.role for link in s.exec(select(AssignmentUnit).where(AssignmentUnit.assignment_id == a.id)))
        assert roles == ["lead", "support", "support"]
        ev = s.exec(select(ExecutionEvent).where(ExecutionEvent.assignment_id == a.id)).one()
        assert ev.kind == "assignment.created" and ev.actor == SECRETARY.name
        assert next_number(s, 2023) == "2023-003" and next_number(s, 2024) == "2024-001"
        assert plan_due_for(s, date(2024, 1, 31)) == date(2024, 3, 1)


@pytest.mark.parametrize(
    "change, error",
    [
        ({"decided_text": "由区教育局牵头"}, NotVerbatim),
        ({"decided_on": date(2023, 12, 10)}, InvalidPayload),
        ({"deadline": date(2023, 12, 1)}, Exception),
        ({"item_id": 99999}, NotFound),
    ],
)
def test_refusals_change_nothing(app, decided, change, error):
    with pytest.raises(error):
        create(app, assignment_in(decided, **change))
    assert count(app, Assignment) == 0 and count(app, AssignmentUnit) == 0


def test_not_from_draft_minutes(app, factory):
    d = decided_meeting(factory, approve=False)
    with pytest.raises(MinutesNotApproved):
        create(app, assignment_in(d))
    assert count(app, Assignment) == 0


def test_deferred_item_gets_none(app, decided):
    with pytest.raises(ItemNotDecided):
        create(app, assignment_in(decided, item_id=decided.deferred))


def test_confidential_item_is_never_public(app, decided):
    with pytest.raises(ConfidentialNotPublic):
        create(
            app, assignment_in(decided, item_id=decided.confidential, decided_text="同意，由区保密局负责", public=True)
        )
    a = create(app, assignment_in(decided, item_id=decided.confidential, decided_text="同意，由区保密局负责"))
    assert a.public is False


def test_unit_cannot_create(app, decided, units):
    with pytest.raises(PermissionDenied):
        create(app, assignment_in(decided), units[0])


def _do(app, fn, *args):
    with app.app_context(), unit_of_work() as s:
        return fn(s, *args)


def test_plan_versions_by_the_lead_unit_only(app, decided, units):
    lead, sup, other = units
    a = create(app, assignment_in(decided))
    plan = PlanIn(
        internal_unit="城建科", responsible_leader="局长甲", person_responsible="科长乙", measures="分三批改造"
    )
    assert _do(app, reports.file_plan, lead, a.id, plan).version == 1
    assert _do(app, reports.file_plan, lead, a.id, plan).version == 2
    with pytest.raises(LeadUnitOnly):
        _do(app, reports.file_plan, sup, a.id, plan)
    with pytest.raises(NotFound):  # another unit: not disclosed
        _do(app, reports.file_plan, other, a.id, plan)


def test_progress_moves_status_and_supporting_unit_reports_its_part(app, decided, units, tmp_path):
    lead, sup, _ = units
    a = create(app, assignment_in(decided))
    today = date(2024, 1, 10)
    _do(
        app,
        reports.report_progress,
        sup,
        a.id,
        ProgressIn(reported_on=today, content="资金已安排"),
        today,
        [Upload("拨款.pdf", b"%PDF x")],
        tmp_path,
    )
    with app.app_context(), unit_of_work() as s:
        assert s.get(Assignment, a.id).status == "in_progress"
    with pytest.raises(LeadUnitOnly):  # a supporting unit cannot report the whole done
        _do(
            app,
            reports.report_progress,
            sup,
            a.id,
            ProgressIn(reported_on=today, content="完成", completes=True),
            today,
        )
    with pytest.raises(DateInFuture):
        _do(app, reports.report_progress, lead, a.id, ProgressIn(reported_on=date(2024, 1, 11), content="x"), today)
    assert count(app, ProgressReport) == 1
    _do(
        app,
        reports.report_progress,
        lead,
        a.id,
        ProgressIn(reported_on=today, content="全部完成", completes=True),
        today,
    )
    with app.app_context(), unit_of_work() as s:
        row = s.get(Assignment, a.id)
        assert row.status == "completed" and row.completed_at is not None


def test_extension_approved_moves_the_deadline_and_keeps_the_original(app, decided, units):
    lead, sup, _ = units
    a = create(app, assignment_in(decided))
    today = date(2024, 3, 1)
    with pytest.raises(ExtensionNotLater):
        _do(app, reports.request_extension, lead, a.id, ExtensionIn(reason="x", new_deadline=date(2024, 3, 31)), today)
    with pytest.raises(LeadUnitOnly):
        _do(app, reports.request_extension, sup, a.id, ExtensionIn(reason="x", new_deadline=date(2024, 6, 30)), today)
    req = _do(
        app,
        reports.request_extension,
        lead,
        a.id,
        ExtensionIn(reason="征迁未完成", new_deadline=date(2024, 6, 30)),
        today,
    )
    with pytest.raises(ExtensionPending):
        _do(
            app,
            reports.request_extension,
            lead,
            a.id,
            ExtensionIn(reason="再延", new_deadline=date(2024, 7, 30)),
            today,
        )
    with pytest.raises(PermissionDenied):  # a unit never decides, not even its own request
        _do(app, reports.decide_extension, lead, req.id, ExtensionDecisionIn(approve=True))
    _do(app, reports.decide_extension, OFFICE, req.id, ExtensionDecisionIn(approve=True, note="同意"))
    with app.app_context(), unit_of_work() as s:
        row = s.get(Assignment, a.id)
        assert (row.deadline, row.original_deadline) == (date(2024, 6, 30), date(2024, 3, 31))


def test_refused_extension_leaves_the_deadline(app, decided, units):
    a = create(app, assignment_in(decided))
    req = _do(
        app,
        reports.request_extension,
        units[0],
        a.id,
        ExtensionIn(reason="x", new_deadline=date(2024, 6, 30)),
        date(2024, 3, 1),
    )
    _do(app, reports.decide_extension, OFFICE, req.id, ExtensionDecisionIn(approve=False, note="理由不充分"))
    with app.app_context(), unit_of_work() as s:
        assert s.get(Assignment, a.id).deadline == date(2024, 3, 31)


def test_proposal_goes_on_a_later_meeting_of_the_same_body(app, factory, decided, units):
    a = create(app, assignment_in(decided))
    p = _do(
        app,
        reports.submit_proposal,
        units[0],
        a.id,
        ProposalIn(kind="adjust", circumstances="原址地质条件变化", proposal="调整改造范围"),
    )
    with app.app_context(), unit_of_work() as s:
        from meeting.models import Meeting

        body_id = s.get(Meeting, decided.meeting_id).body_id
    later = factory.meeting(body_id, session_number=13)
    other_body, _ = factory.body(5, name="另一领导班子")
    elsewhere = factory.meeting(other_body.id)
    with pytest.raises(OtherBody):
        _do(app, reports.place_proposal, SECRETARY, p.id, elsewhere.id)
    with pytest.raises(PermissionDenied):
        _do(app, reports.place_proposal, OFFICE, p.id, later.id)  # the secretary sets agendas
    item = _do(app, reports.place_proposal, SECRETARY, p.id, later.id)
    with app.app_context(), unit_of_work() as s:
        row = s.get(AgendaItem, item.id)
        assert row.meeting_id == later.id and "调整" in row.title and row.submitting_unit == "区住建局"


def test_evaluation_by_the_office(app, decided, units):
    a = create(app, assignment_in(decided))
    data = EvaluationIn(
        trigger="objections",
        evaluator="区司法局",
        findings="群众意见较多",
        recommendation="modify",
        evaluated_on=date(2024, 2, 1),
    )
    with pytest.raises(PermissionDenied):
        _do(app, reports.record_evaluation, units[0], a.id, data, date(2024, 2, 2))
    ev = _do(app, reports.record_evaluation, OFFICE, a.id, data, date(2024, 2, 2))
    assert ev.recommendation == "modify"


def test_close_out_needs_completion_signoff_and_evidence(app, factory, decided, units, tmp_path):
    lead = units[0]
    a = create(app, assignment_in(decided))
    today = date(2024, 3, 20)
    with pytest.raises(NotCompleted):
        _do(app, closeout.sign_off, OFFICE, a.id, "", today, "", [PDF], tmp_path, today)
    _do(app, reports.report_progress, lead, a.id, ProgressIn(reported_on=today, content="完成", completes=True), today)
    with pytest.raises(SignOffRequired):
        _do(app, closeout.close, OFFICE, a.id, today)
    with pytest.raises(EvidenceRequired):
        _do(app, closeout.sign_off, OFFICE, a.id, "", today, "", [], tmp_path, today)
    with pytest.raises(NotResponsibleLeader):
        _do(app, closeout.sign_off, OFFICE, a.id, "成员05", today, "", [PDF], tmp_path, today)
    wrong = account(factory, "lingdao5", "leader", person_id=decided.ids[4])
    with pytest.raises(NotFound):  # not his assignment: he does not see it
        _do(app, closeout.sign_off, actor_of(wrong, "leader"), a.id, "", today, "", [PDF], tmp_path, today)
    leader = account(factory, "lingdao2", "leader", person_id=decided.ids[1])  # 成员02, the responsible leader
    _do(app, closeout.sign_off, actor_of(leader, "leader"), a.id, "", today, "同意销号", [PDF], tmp_path, today)
    with pytest.raises(PermissionDenied):
        _do(app, closeout.close, lead, a.id, today)
    _do(app, closeout.close, OFFICE, a.id, today)
    with app.app_context(), unit_of_work() as s:
        row = s.get(Assignment, a.id)
        assert row.status == "closed" and row.closed_by == OFFICE.name and row.closed_at is not None
    with pytest.raises(AssignmentClosed):
        _do(app, reports.report_progress, lead, a.id, ProgressIn(reported_on=today, content="补充"), today)
    assert list(tmp_path.iterdir())  # the evidence is stored, by its SHA-256


def test_numbers_follow_numerically_past_999(app):
    """督办编号 are numbered per year by numeric maximum: 2024-1000 follows 2024-999 (not text order)."""
    from datetime import date

    from execution.models import Assignment, Unit
    from execution.service import next_number
    from meeting.db import unit_of_work

    with app.app_context(), unit_of_work() as s:
        unit = Unit(name="区住建局")
        s.add(unit)
        s.flush()
        for number in ("2024-998", "2024-999", "2023-999"):
            s.add(
                Assignment(
                    number=number,
                    title="t",
                    decided_text="d",
                    category="other",
                    decided_on=date(2024, 1, 1),
                    lead_unit_id=unit.id,
                    created_by="test",
                )
            )
        s.flush()
        assert next_number(s, 2024) == "2024-1000"
        assert next_number(s, 2023) == "2023-1000"
        assert next_number(s, 2025) == "2025-001"
