"""``python run.py create-user``: a unit account linked to its unit, a leader account linked to its person."""

from __future__ import annotations

from argparse import Namespace

from sqlmodel import select

from execution.cli import create_user
from execution.models import AccountLink, Unit
from meeting.db import unit_of_work
from meeting.models import User


def _args(**kw):
    base = dict(username="zhujian", role="unit", display_name="", unit=None, person=None, password="long-enough-1")
    base.update(kw)
    return Namespace(**base)


def test_unit_and_leader_accounts(app, factory):
    assert create_user(app, _args(unit="区住建局")) == 0
    factory.person("张三", title="副区长")
    assert create_user(app, _args(username="zhangsan", role="leader", person="张三")) == 0
    with app.app_context(), unit_of_work() as s:
        links = {s.get(User, link.user_id).username: link for link in s.exec(select(AccountLink))}
        assert s.get(Unit, links["zhujian"].unit_id).name == "区住建局"
        assert links["zhangsan"].person_id is not None


def test_refusals_create_nothing(app, capsys):
    assert create_user(app, _args(unit=None)) == 2
    assert create_user(app, _args(role="leader", person="无此人")) == 2
    assert create_user(app, _args(unit="区住建局", password="short")) == 2
    with app.app_context(), unit_of_work() as s:
        assert s.exec(select(User)).all() == []
    assert "须用 --unit" in capsys.readouterr().err
