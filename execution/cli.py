"""The execution part's commands of ``python run.py``: create-user (an account of any role, a unit account linked
to its unit, a leader account linked to its person) and execution-sweep (added to ``app.cli`` by :func:`init_app`)."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import click
from sqlmodel import select

from meeting.auth import hash_password
from meeting.cli import pass_app, password_option, read_password, username_taken
from meeting.db import unit_of_work
from meeting.models import Person, User

from . import supervision
from .calendar import today
from .models import AccountLink
from .service import unit_by_name


def create_user(app, args) -> int:
    if args.role == "unit" and not args.unit:
        print("执行单位账号须用 --unit 指定单位 / a unit account needs --unit", file=sys.stderr)
        return 2
    person_id = getattr(args, "person_id", None)
    if args.role == "leader" and not args.person and not person_id:
        print("分管领导账号须用 --person 指定人员 / a leader account needs --person", file=sys.stderr)
        return 2
    password = read_password(args)
    if password is None:
        return 2
    with app.app_context(), unit_of_work() as s:
        if username_taken(s, args.username):
            return 2
        person = None
        if args.role == "leader" and person_id:
            person = s.get(Person, person_id)
            if person is None:
                print(f"人员 id {person_id} 不存在 / no such person", file=sys.stderr)
                return 2
        elif args.role == "leader":
            people = s.exec(select(Person).where(Person.name == args.person)).all()
            if len(people) != 1:
                print(
                    f"人员“{args.person}”{'不存在' if not people else '重名，请用 --person-id 指定'}"
                    " / person not found or ambiguous (use --person-id)",
                    file=sys.stderr,
                )
                return 2
            person = people[0]
        user = User(
            username=args.username,
            display_name=args.display_name or args.username,
            password_hash=hash_password(password),
            role=args.role,
        )
        s.add(user)
        s.flush()
        if args.role == "unit":
            s.add(AccountLink(user_id=user.id, unit_id=unit_by_name(s, args.unit, create=True).id))
        elif args.role == "leader":
            s.add(AccountLink(user_id=user.id, person_id=person.id))
    print(f"已创建账号 {args.username}（{args.role}）/ account created")
    return 0


@click.command("create-user", help="create an account of any role (unit: --unit; leader: --person)")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "secretary", "supervisor", "unit", "leader"]))
@click.option("--display-name", default="")
@click.option("--unit", help="role unit: the unit's name (created if new)")
@click.option("--person", help="role leader: the person's name as entered in 人员 (refused if two share it)")
@click.option("--person-id", type=int, help="role leader: the person's id (when two people share a name)")
@password_option
@pass_app
def create_user_command(app, **options) -> int:
    return create_user(app, SimpleNamespace(**options))


@click.command(
    "execution-sweep",
    help="today's due-soon / overdue / plan-overdue notifications to units (idempotent: run it daily, e.g. from cron)",
)
@pass_app
def execution_sweep(app) -> int:
    with app.app_context(), unit_of_work() as s:
        n = supervision.sweep(s, today())
    print(f"已生成{n}条通知 / {n} notifications created")
    return 0


def init_app(app) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(execution_sweep)
