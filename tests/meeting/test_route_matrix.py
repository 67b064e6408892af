"""The role × route matrix: every page and API operation, called as every role (see tests/route_matrix.py)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlmodel import select

from meeting import setup
from meeting.models import Material, Relation, WrittenOpinion
from meeting.schemas import ObserverIn
from minutes import service as minutes_service
from minutes.models import ArchivedDocument
from tests.execution.core import account, assignment_in, create, decided_meeting
from tests.execution.supervision_fixtures import run
from tests.factories import STAFF
from tests.route_matrix import HTTP_ROLES, expected

PASSWORD = "correct horse battery"
D = date.fromisoformat


class World(dict):
    """Ids of one record of every kind, and a signed-in client per role."""


def build_world(app, factory) -> World:
    from pathlib import Path

    from execution import calendar, disclosure, npc, reports, supervision
    from execution.attachments import Upload
    from execution.models import Attachment, ChangeProposal, ExtensionRequest, Unit
    from execution.schemas import ExtensionIn, PlanIn, ProgressIn, ProposalIn
    from tests.execution.core import actor_of

    w = World()
    # a decided meeting with approved, archived minutes, and an assignment from it
    d = decided_meeting(factory)
    w["meeting_id"], w["item_id"] = d.meeting_id, d.passed
    namesake = factory.person("成员02", title="副区长")  # the leader is 成员02 (d.ids[1]); another man of that name
    users = {
        "secretary": factory.user("mishu", PASSWORD, display_name="王秘书", role="secretary"),
        "supervisor": account(factory, "ducha", "supervisor"),
        "unit": account(factory, "zhujian", "unit", unit="区住建局"),
        "other_unit": account(factory, "jiaoyu", "unit", unit="区教育局"),
        "leader": account(factory, "leader", "leader", person_id=d.ids[1]),
        "other_leader": account(factory, "namesake", "leader", person_id=namesake.id),
    }
    w["user_id"] = account(factory, "spare", "unit", unit="区教育局").id  # an account the office may change
    a = create(app, assignment_in(d, public=True))
    w["assignment_id"] = a.id
    unit = actor_of(users["unit"], "unit")
    office = actor_of(users["supervisor"], "supervisor")
    run(
        app,
        lambda s: reports.file_plan(
            s,
            unit,
            a.id,
            PlanIn(
                internal_unit="城建科", responsible_leader="王局长", person_responsible="李科长", measures="分三批实施"
            ),
        ),
    )
    w["report_id"] = run(
        app,
        lambda s: (
            reports.report_progress(
                s,
                unit,
                a.id,
                ProgressIn(reported_on=D("2023-12-20"), content="第一批已开工"),
                D("2023-12-20"),
                [Upload("进度.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
                Path(app.config["EXECUTION_DIR"]),
            ).id
        ),
    )
    w["attachment_id"] = run(app, lambda s: s.exec(select(Attachment.id)).first())
    run(
        app,
        lambda s: reports.request_extension(
            s, unit, a.id, ExtensionIn(reason="雨季影响施工", new_deadline=D("2024-04-30")), D("2024-03-20")
        ),
    )
    w["request_id"] = run(app, lambda s: s.exec(select(ExtensionRequest.id)).one())
    run(
        app,
        lambda s: reports.submit_proposal(
            s, unit, a.id, ProposalIn(kind="adjust", circumstances="情况变化", proposal="调整实施范围")
        ),
    )
    w["proposal_id"] = run(app, lambda s: s.exec(select(ChangeProposal.id)).one())
    w["reminder_id"] = run(
        app,
        lambda s: (
            supervision.issue_reminder(
                s, office, a.id, supervision.ReminderIn(content="请抓紧办理。"), D("2024-04-02")
            ).id
        ),
    )
    w["complaint_id"] = run(
        app,
        lambda s: (
            disclosure.submit_complaint(
                s, disclosure.ComplaintIn(content="小区改造进度缓慢，请督促落实。", assignment_id=a.id), D("2024-01-10")
            ).id
        ),
    )
    w["case_id"] = run(
        app,
        lambda s: (
            npc.register_case(
                s,
                office,
                npc.NpcCaseIn(
                    kind="review_opinion",
                    title="关于城区停车难问题的审议意见",
                    content="建议加快公共停车场建设。",
                    received_on=D("2024-01-31"),
                    department="区住建局",
                ),
                D("2024-02-01"),
            ).id
        ),
    )
    w["override_id"] = run(
        app, lambda s: calendar.add_override(s, office, calendar.HolidayIn(day=D("2031-01-01"), name="元旦")).id
    )
    w["unit_id"] = run(app, lambda s: s.exec(select(Unit.id).where(Unit.name == "区住建局")).one())
    with app.app_context():
        minutes_service.archive(STAFF, d.meeting_id, minutes_service.archive_dir(app.instance_path))
    w["doc_id"] = run(
        app, lambda s: s.exec(select(ArchivedDocument.id).where(ArchivedDocument.kind == "record")).first()
    )
    decided_links = factory.tokens(d.meeting_id)

    # the room's own records, in a meeting under way: a body, people, relations, materials, observers, items
    body, ids = factory.body(5, name="某某区人民政府（第二届）")
    w["body_id"], w["person_id"] = body.id, ids[2]
    factory.relation(ids[2], namesake.id, "SPOUSE")
    factory.relation(ids[3], namesake.id, "SPOUSE")
    w["relation_id"], w["relation2_id"] = run(
        app, lambda s: list(s.exec(select(Relation.id).order_by(Relation.id)).all())[-2:]
    )
    m = factory.meeting(body.id, session_number=2)
    w["live_meeting_id"] = m.id
    item = factory.item(m.id, title="关于某某工程的议题")
    w["live_item_id"] = item.id
    w["item3_id"] = factory.item(m.id, title="关于待删议题甲的议题").id
    w["item4_id"] = factory.item(m.id, title="关于待删议题乙的议题").id
    sec = login(app, "mishu")
    for name in ("方案.pdf", "附件.pdf"):
        resp = sec.post(
            f"/items/{item.id}/materials",
            data={"csrf_token": sec.csrf, "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), name)},
            content_type="multipart/form-data",
        )
        assert resp.status_code < 400, resp.status_code
    w["material_id"], w["material2_id"] = run(
        app, lambda s: list(s.exec(select(Material.id).order_by(Material.id)).all())
    )
    observers = [
        run(app, lambda s, n=n: setup.add_observer(s, STAFF, m.id, ObserverIn(name=n, role="人大代表")))
        for n in ("人大代表甲", "人大代表乙")
    ]
    w["observer_id"], w["observer2_id"] = observers[0].id, observers[1].id
    live_links = factory.tokens(m.id)  # links are stored hashed: the factory issues them and keeps them
    observer_link = factory.observer_token(m.id, observers[0].id)
    w["links"] = {
        "live": {"member": live_links[ids[1]], "observer": observer_link, "projector": factory.projector_token(m.id)},
        # (the decided meeting is closed: no observer can be added to it; an observer's link of another meeting)
        "decided": {
            "member": decided_links[d.ids[1]],
            "observer": observer_link,
            "projector": factory.projector_token(d.meeting_id),
        },
    }
    factory.act("roll_call", m.id, {"person_id": ids[4], "attendance": "absent", "reason": "出差"})
    factory.present(m.id, ids[:4])
    factory.act("open_meeting", m.id)
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    factory.act("written_opinion", m.id, {"item_id": item.id, "person_id": ids[4], "stance": "agree"})
    w["written_id"] = run(app, lambda s: s.exec(select(WrittenOpinion.id)).one())
    w["clients"] = {role: login(app, users[role].username) for role in users}
    w["clients"]["anonymous"] = anonymous(app)
    for role in TOKEN_ROLES:  # a tablet's browser: it opened its own link
        w["clients"][role] = anonymous(app, f"/t/{w['links']['live'][role]}")
    return w


def login(app, username):
    from tests.factories import sign_in

    c = app.test_client()
    resp = sign_in(c, username, PASSWORD)
    assert resp.status_code in (302, 303), resp.data
    return c


def form_token(c, path: str) -> str:
    """The CSRF token a page's form carries, as a browser would send it back."""
    html = c.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


def anonymous(app, link: str | None = None):
    """A browser with no account: it opened its own link (if it has one) and the public complaint form."""
    c = app.test_client()
    if link:
        c.get(link).close()
    c.csrf = form_token(c, "/public/complaints")
    return c


BOGUS_TOKEN = "x" * 43
# path arguments that are not record ids; and the records a destructive row works on (its own, so that deleting
# one in a row of the matrix leaves the others their records)
ARGS = {"minutes.read": {"kind": "summary"}, "minutes.draft": {"kind": "record"}, "api.action": {"name": "set_notes"}}
OWN = {
    "api.deleteRelation": {"relation_id": "relation2_id"},
    "api.removeObserver": {"observer_id": "observer2_id"},
    "api.deleteMaterial": {"material_id": "material2_id"},
    "api.deleteItem": {"item_id": "item3_id"},
    "setup_views.item_delete": {"item_id": "item4_id"},
}
TOKEN_ROLES = ("member", "observer", "projector")


def takes_link(endpoint: str) -> bool:
    return endpoint in ("views.tablet", "views.material") or endpoint.startswith("minutes.")


def link_of(role: str, endpoint: str, w: World) -> str:
    """The role's personal link for the meeting the endpoint is about: the decided meeting for its minutes."""
    meeting = "decided" if endpoint.startswith("minutes.") else "live"
    return w["links"][meeting][role]


def url_for_role(rule, endpoint: str, role: str, w: World) -> str:
    def value(m):
        name = m.group(1).split(":")[-1]
        if name == "token":
            if "token" in w["groups"](endpoint):
                return link_of(role, endpoint, w) if role in TOKEN_ROLES else BOGUS_TOKEN
            return w["links"]["live"]["member"]  # the secretary's QR code of a member's link
        if name in ARGS.get(endpoint, {}):
            return ARGS[endpoint][name]
        key = OWN.get(endpoint, {}).get(name, name)
        if name in ("meeting_id", "item_id") and endpoint.startswith(("views.", "setup_views.")) and key == name:
            key = f"live_{name}"
        return str(w[key])

    url = re.sub(r"<([^>]+)>", value, rule.rule)
    if role in TOKEN_ROLES and "<token>" not in rule.rule and takes_link(endpoint):
        url += f"?token={link_of(role, endpoint, w)}"
    return url


HOMES = {
    "supervisor": "/execution",
    "unit": "/execution/unit",
    "other_unit": "/execution/unit",
    "leader": "/execution/leader",
    "other_leader": "/execution/leader",
}


def refused(resp, endpoint: str, role: str, *, not_found: bool = True) -> bool:
    """Refused as this role: 401 / 403 (or 404, a record not disclosed), or sent to sign in or to its own home."""
    if resp.status_code in (401, 403) or (not_found and resp.status_code == 404):
        return True
    if resp.status_code in (301, 302, 303) and endpoint != "views.logout":
        loc = resp.headers.get("Location", "").split("?")[0].rstrip("/")
        return loc.endswith("/login") or (role in HOMES and loc.endswith(HOMES[role]))
    return False


def call(app, rule, endpoint, role, w):
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    method = "GET" if "GET" in methods else methods[0]
    c = w["clients"][role]
    url = url_for_role(rule, endpoint, role, w)
    if method == "GET":
        resp = c.open(url, method="GET")
    elif url.startswith("/api/"):
        resp = c.open(url, method=method, json={}, headers={"X-CSRF-Token": c.csrf})
    else:
        resp = c.open(url, method=method, data={"csrf_token": c.csrf})
    resp.close()
    return resp


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app and one world for the whole matrix (each cell only reads it, or is refused, or works on its own
    records — see ``OWN``)."""
    from meeting import policy
    from tests.conftest import fresh_database, make_app, quick_argon2
    from tests.factories import Factory

    tmp = tmp_path_factory.mktemp("matrix")
    with fresh_database(tmp) as url, quick_argon2():
        app = make_app(tmp, url)
        try:
            w = build_world(app, Factory(app))
            w["app"] = app
            w["groups"] = lambda endpoint: policy.groups_for(app, endpoint) or frozenset()
            w["rules"] = {r.endpoint: r for r in app.url_map.iter_rules()}
            yield w
        finally:
            app.extensions["yishi.engine"].dispose()


def cells() -> list[tuple[str, str]]:
    """Every (endpoint, role): reading rows first, then writing rows, deleting rows and signing out last; in each
    row the refused roles before the allowed ones (so an allowed write cannot change what a refusal meets)."""
    from tests.access_matrix import app_endpoints

    rows = app_endpoints()

    def order(row):
        method, _, endpoint = row
        return (endpoint == "views.logout", method != "GET", endpoint in OWN or method == "DELETE")

    out = []
    for _, _, endpoint in sorted(rows, key=order):
        allowed = expected(endpoint) or frozenset()
        roles = sorted(HTTP_ROLES, key=lambda r: (r in allowed, HTTP_ROLES.index(r)))
        out += [(endpoint, role) for role in roles]
    return out


def test_every_endpoint_has_a_row_and_an_access_rule(world):
    from meeting import policy

    app = world["app"]
    assert policy.undeclared(app) == []
    assert [e for e in world["rules"] if e != "static" and expected(e) is None] == []


@pytest.mark.parametrize(("endpoint", "role"), cells())
def test_route_cell(world, endpoint, role):
    resp = call(world["app"], world["rules"][endpoint], endpoint, role, world)
    assert resp.status_code < 500, f"{role} → {endpoint}: {resp.status_code}"
    allowed = role in (expected(endpoint) or frozenset())
    if allowed:  # (an empty form may name no record: a 404 is then about the form, not the role)
        assert not refused(resp, endpoint, role, not_found=False), (
            f"{role} should reach {endpoint}: {resp.status_code} {resp.location}"
        )
    else:
        assert refused(resp, endpoint, role), f"{role} must not reach {endpoint}: {resp.status_code} {resp.location}"
