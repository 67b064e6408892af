"""The demo: a nine-member district government in the style of seed 003, a relation that forces a recusal, and a
meeting with three items (personnel, large funds, major decision), ready to run on one laptop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, func, select

from . import setup
from .actors import Actor
from .auth import hash_password
from .clock import to_local, utcnow
from .db import unit_of_work
from .models import Body, Meeting, Person, User
from .schemas import BodyIn, ItemIn, MeetingIn, MembersIn, ObserverIn, PersonIn, RelationIn, StepIn

DEMO_BODY = "洮北区人民政府（演示）"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-yishi-2023"
MEMBERS = [
    ("张建国", "区长"),
    ("李红梅", "常务副区长"),
    ("王志强", "副区长"),
    ("赵丽华", "副区长"),
    ("刘海军", "副区长"),
    ("陈晓东", "副区长"),
    ("杨秀英", "副区长"),
    ("周文斌", "区政府党组成员"),
    ("吴国平", "区政府办公室主任"),
]


@dataclass
class DemoInfo:
    meeting_id: int
    title: str
    members: list[tuple[str, str, str]] = field(default_factory=list)  # name, title, token
    observers: list[tuple[str, str]] = field(default_factory=list)
    projector_token: str = ""

    def describe(self, base: str) -> str:
        lines = [
            f"演示会议 / demo meeting: {self.title}",
            f"秘书控制台 / secretary console: {base}/meetings/{self.meeting_id}/console",
            f"  登录 / sign in: {DEMO_USER} / {DEMO_PASSWORD}",
            f"投影 / projector: {base}/t/{self.projector_token}",
            "成员平板 / member tablets:",
        ]
        lines += [f"  {n}（{t}）: {base}/t/{tok}" for n, t, tok in self.members]
        lines += ["列席 / observers:"] + [f"  {n}: {base}/t/{tok}" for n, tok in self.observers]
        return "\n".join(lines)


def create_demo() -> DemoInfo:
    """Idempotent: the body, the account and an unfinished demo meeting are reused; a new meeting (next session
    number) is made only when every earlier demo meeting has closed."""
    actor = Actor(kind="system", name="演示数据")
    with unit_of_work() as s:
        if not s.exec(select(User).where(User.username == DEMO_USER)).first():
            s.add(
                User(
                    username=DEMO_USER,
                    display_name="演示秘书",
                    password_hash=hash_password(DEMO_PASSWORD),
                    role="admin",
                )
            )
        body = s.exec(select(Body).where(Body.name == DEMO_BODY)).first()
        if body is None:
            body = setup.create_body(s, actor, BodyIn(name=DEMO_BODY, kind="government", decision_mode="majority"))
            ids = [
                setup.create_person(s, actor, PersonIn(name=n, title=t, unit="洮北区人民政府")).id for n, t in MEMBERS
            ]
            setup.set_members(s, actor, body.id, MembersIn(person_ids=ids))
        members = setup.members_of(s, body.id)
        by_name = {p.name: p for _, p in members}
        subject = s.exec(select(Person).where(Person.name == "王晓明")).first()
        if subject is None:
            subject = setup.create_person(s, actor, PersonIn(name="王晓明", title="区发改局副局长", unit="区发改局"))
            # 王志强 is the subject's father: LINEAL → he must recuse from the personnel item
            setup.add_relation(
                s,
                actor,
                RelationIn(person_a_id=by_name["王志强"].id, person_b_id=subject.id, type="LINEAL", reason="父子"),
            )
        unfinished = s.exec(
            select(Meeting)
            .where(Meeting.body_id == body.id, Meeting.status != "closed")
            .order_by(col(Meeting.id).desc())
        ).first()
        if unfinished is not None:
            return _info(s, actor, unfinished)
        last = s.exec(select(func.max(Meeting.session_number)).where(Meeting.body_id == body.id)).one() or 0
        start = to_local(utcnow() + timedelta(minutes=10)).replace(second=0, microsecond=0, tzinfo=None)
        meeting = setup.create_meeting(
            s,
            actor,
            MeetingIn(
                body_id=body.id,
                kind="executive",
                session_number=last + 1,
                starts_at=datetime(*start.timetuple()[:5]),
                place="区政府三楼第一会议室",
                recorder_name="演示秘书",
            ),
            "Asia/Shanghai",
        )
        setup.add_observer(s, actor, meeting.id, ObserverIn(name="孙立新", unit="区人大常委会", role="人大代表"))
        setup.add_observer(s, actor, meeting.id, ObserverIn(name="钱律师", unit="区政府法律顾问室", role="法律顾问"))
        personnel = setup.add_item(
            s,
            actor,
            meeting.id,
            ItemIn(
                title="关于王晓明同志任职的议题",
                category="personnel",
                presenter="区委组织部",
                submitting_unit="区委组织部",
                summary="拟任命王晓明同志为区发展和改革局局长。",
                subjects=[{"person_id": subject.id, "action": "拟任区发展和改革局局长"}],
            ),
        )
        funds = setup.add_item(
            s,
            actor,
            meeting.id,
            ItemIn(
                title="关于2024年老旧小区改造专项资金安排的议题",
                category="large_funds",
                presenter="刘海军",
                submitting_unit="区住建局",
                amount_yuan=18_500_000,
                summary="年度预算外安排专项资金1850万元，用于12个老旧小区改造。",
            ),
        )
        decision = setup.add_item(
            s,
            actor,
            meeting.id,
            ItemIn(
                title="关于制定《洮北区城区停车管理办法》的议题",
                category="major_decision",
                presenter="陈晓东",
                submitting_unit="区城管局",
                summary="规范城区停车秩序；已公开征求意见30日并举行听证会。",
            ),
        )
        for item, steps in (
            (funds, ("legality_review", "risk_assessment")),
            (decision, ("legality_review", "public_participation", "expert_review")),
        ):
            for step in steps:
                setup.set_step(s, actor, item.id, StepIn(step=step, state="done", note="演示：已完成"))
        del personnel
        s.flush()
        return _info(s, actor, meeting)


def _info(s, actor: Actor, meeting: Meeting) -> DemoInfo:
    """Every link of the meeting, issued now (tokens are stored hashed, so printing them means issuing them; links
    printed by an earlier start of the demo stop working)."""
    from .room import load_room
    from .state import meeting_title
    from .tokens import issue

    links = issue(s, actor, meeting.id, every=True)
    return DemoInfo(
        meeting_id=meeting.id,
        title=meeting_title(load_room(s, meeting.id)),
        members=[(p.name, p.title, tok) for _seat, p, tok in links.seats],
        observers=[(o.name, tok) for o, tok in links.observers],
        projector_token=links.projector,
    )
