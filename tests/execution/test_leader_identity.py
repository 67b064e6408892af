"""Hole 2 of issue 13: leaders are people (ids), not names. Two people called 刘海军: the second one's account can
neither read nor sign off the first one's assignment; a sign-off names the person who signed (id and name)."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from execution import access, closeout, reports
from execution.attachments import Upload
from execution.errors import NotResponsibleLeader
from execution.migrate import upgrade
from execution.models import Assignment, ExecutionEvent, SignOff
from execution.schemas import ProgressIn
from meeting.db import unit_of_work
from meeting.errors import NotFound
from tests.execution.core import OFFICE, account, actor_of, assignment_in, client, create, decided_meeting

PDF = Upload("签字件.pdf", b"%PDF-1.4 signed", "application/pdf")
TODAY = date(2024, 3, 20)


def _do(app, fn, *args):
    with app.app_context(), unit_of_work() as s:
        return fn(s, *args)


@pytest.fixture
def namesakes(factory):
    """A decided meeting, two different people both called 刘海军 (different units), an account for each."""
    d = decided_meeting(factory)
    first = factory.person("刘海军", title="副区长", unit="区政府")
    second = factory.person("刘海军", title="科员", unit="区农业农村局")
    acc1 = account(factory, "liuhaijun", "leader", person_id=first.id, display_name="刘海军")
    acc2 = account(factory, "liuhaijun2", "leader", person_id=second.id, display_name="刘海军")
    lead = account(factory, "zhujian", "unit", unit="区住建局")
    return d, first, second, actor_of(acc1, "leader"), actor_of(acc2, "leader"), actor_of(lead, "unit")


def _completed(app, data, lead):
    a = create(app, data)
    _do(app, reports.report_progress, lead, a.id, ProgressIn(reported_on=TODAY, content="完成", completes=True), TODAY)
    return a


def test_a_namesake_can_neither_read_nor_sign_off(app, namesakes, tmp_path):
    d, first, second, mine, namesake, lead = namesakes
    a = _completed(app, assignment_in(d, responsible_leader="刘海军", leader_person_id=first.id), lead)

    with app.app_context(), unit_of_work() as s:
        assert a.id not in access.visible_ids(s, namesake)
        assert a.id in access.visible_ids(s, mine)
    with pytest.raises(NotFound):
        _do(app, access.assignment_for, namesake, a.id)
    with pytest.raises(NotFound):
        _do(app, closeout.sign_off, namesake, a.id, "", TODAY, "同意", [PDF], tmp_path, TODAY)

    # the same through the pages: not listed, not found, and a posted sign-off records nothing
    other = client(app, "liuhaijun2")
    assert a.number not in other.get("/execution/leader").get_data(as_text=True)
    assert other.get(f"/execution/assignments/{a.id}").status_code == 404
    other.post(
        f"/execution/assignments/{a.id}/signoff",
        data={
            "csrf_token": other.csrf,
            "signed_on": "2024-03-20",
            "opinion": "同意销号",
            "files": (io.BytesIO(b"%PDF-1.4 forged"), "签字件.pdf"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context(), unit_of_work() as s:
        assert s.exec(select(SignOff)).all() == []

    # the real 刘海军 signs; the sign-off names him: his person id, not only the name both share
    assert a.number in client(app, "liuhaijun").get("/execution/leader").get_data(as_text=True)
    so = _do(app, closeout.sign_off, mine, a.id, "", TODAY, "同意销号", [PDF], tmp_path, TODAY)
    with app.app_context(), unit_of_work() as s:
        row = s.get(SignOff, so.id)
        assert (row.leader, row.person_id) == ("刘海军", first.id)
        ev = s.exec(select(ExecutionEvent).where(ExecutionEvent.kind == "signoff.recorded")).one()
        assert f'"person_id": {first.id}' in ev.data


def test_a_name_two_people_share_binds_no_one(app, namesakes, tmp_path):
    """Created with the name only, while two people bear it: neither account sees it until the office picks the
    person; the office's paper sign-off then names that person."""
    d, first, second, mine, namesake, lead = namesakes
    a = _completed(app, assignment_in(d, responsible_leader="刘海军"), lead)
    assert a.leader_person_id is None
    with app.app_context(), unit_of_work() as s:
        assert a.id not in access.visible_ids(s, mine) and a.id not in access.visible_ids(s, namesake)
    with pytest.raises(NotFound):
        _do(app, closeout.sign_off, mine, a.id, "", TODAY, "", [PDF], tmp_path, TODAY)
    office = client(app, _office(app))
    office.post(
        f"/execution/assignments/{a.id}/edit",
        data={
            "csrf_token": office.csrf,
            "title": a.title,
            "responsible_leader": "刘海军",
            "leader_person_id": str(first.id),
        },
    )
    with app.app_context(), unit_of_work() as s:
        assert s.get(Assignment, a.id).leader_person_id == first.id
        assert a.id in access.visible_ids(s, mine) and a.id not in access.visible_ids(s, namesake)
    so = _do(app, closeout.sign_off, OFFICE, a.id, "刘海军", TODAY, "", [PDF], tmp_path, TODAY)
    assert so.person_id == first.id


def _office(app) -> str:
    from tests.execution.core import PASSWORD
    from tests.factories import Factory

    Factory(app).user("ducha", PASSWORD, display_name="督查室", role="supervisor")
    return "ducha"


def test_a_later_namesake_gains_nothing(app, factory, tmp_path):
    """The one 刘海军 at creation is bound by id; a second 刘海军 created afterwards, with an account, sees nothing
    and cannot sign; nor can the coordinating leader's namesake."""
    d = decided_meeting(factory)
    first = factory.person("刘海军", title="副区长")
    coord = factory.person("陈晓东", title="副区长")
    lead = actor_of(account(factory, "zhujian", "unit", unit="区住建局"), "unit")
    a = _completed(app, assignment_in(d, responsible_leader="刘海军", coordinating_leader="陈晓东"), lead)
    assert (a.leader_person_id, a.coordinating_person_id) == (first.id, coord.id)
    late = factory.person("刘海军", title="科员")
    late_coord = factory.person("陈晓东", title="科员")
    for username, person in (("late", late), ("latecoord", late_coord)):
        actor = actor_of(account(factory, username, "leader", person_id=person.id), "leader")
        with pytest.raises(NotFound):
            _do(app, closeout.sign_off, actor, a.id, "", TODAY, "", [PDF], tmp_path, TODAY)
    coordinator = actor_of(account(factory, "chen", "leader", person_id=coord.id), "leader")
    so = _do(app, closeout.sign_off, coordinator, a.id, "", TODAY, "", [PDF], tmp_path, TODAY)
    assert (so.leader, so.person_id) == ("陈晓东", coord.id)


def test_a_coordinating_leader_bound_by_id_signs_and_is_named(app, namesakes, tmp_path):
    """The coordinating leader is whoever coordinating_person_id says, whatever name is printed."""
    d, first, second, mine, namesake, lead = namesakes
    a = _completed(app, assignment_in(d, responsible_leader="刘海军", leader_person_id=first.id), lead)
    with app.app_context(), unit_of_work() as s:
        row = s.get(Assignment, a.id)
        row.coordinating_person_id = second.id  # second sees it as coordinating leader, named nowhere on it
        s.add(row)
    so = _do(app, closeout.sign_off, namesake, a.id, "", TODAY, "", [PDF], tmp_path, TODAY)
    assert so.person_id == second.id and so.leader == "刘海军"


def test_a_leader_who_sees_but_does_not_lead_cannot_sign(app, namesakes, tmp_path):
    """The office names a leader not on the assignment: refused (the check is on the assignment's leaders)."""
    d, first, second, mine, namesake, lead = namesakes
    a = _completed(app, assignment_in(d, responsible_leader="刘海军", leader_person_id=first.id), lead)
    with pytest.raises(NotResponsibleLeader):
        _do(app, closeout.sign_off, OFFICE, a.id, "某某", TODAY, "", [PDF], tmp_path, TODAY)


def test_upgrade_adds_the_columns_and_binds_only_unambiguous_names(tmp_path):
    """An older database: no coordinating_person_id / signoff.person_id columns; leaders known by name only."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR(64))"))
        c.execute(
            sa.text(
                "CREATE TABLE assignment (id INTEGER PRIMARY KEY, responsible_leader VARCHAR(64), "
                "leader_person_id INTEGER, coordinating_leader VARCHAR(64))"
            )
        )
        c.execute(sa.text("CREATE TABLE signoff (id INTEGER PRIMARY KEY, leader VARCHAR(64))"))
        c.execute(sa.text("INSERT INTO person VALUES (1, '刘海军'), (2, '刘海军'), (3, '张建国'), (4, '陈晓东')"))
        c.execute(
            sa.text(
                "INSERT INTO assignment VALUES (1, '刘海军', NULL, ''), (2, '张建国', NULL, '陈晓东'), "
                "(3, '张建国', 1, '刘海军')"
            )
        )
    assert upgrade(engine) == ["assignment.coordinating_person_id", "signoff.person_id"]
    assert upgrade(engine) == []  # idempotent
    with engine.begin() as c:
        rows = c.execute(sa.text("SELECT id, leader_person_id, coordinating_person_id FROM assignment ORDER BY id"))
        assert [tuple(r) for r in rows] == [(1, None, None), (2, 3, 4), (3, 1, None)]
    engine.dispose()
