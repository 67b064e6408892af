"""The ledger's pages for the office, the secretary, units and leaders (thin: validate, call a service, respond).

A refused form shows its one-sentence reason on the page it came from and changes nothing; another unit's
assignment is "not found" (404), never "forbidden", so that its existence is not disclosed.
"""

from __future__ import annotations

from datetime import date
from functools import wraps
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext
from sqlmodel import col, select

from meeting.auth import account_actor, check_csrf
from meeting.db import read_only, unit_of_work
from meeting.errors import NotFound, NotSignedIn, PermissionDenied, YishiError
from meeting.models import Body, Meeting, Person
from meeting.schemas import query_day, query_int
from minutes.models import APPROVED, ARCHIVED, Minutes
from voting.vocabulary import ITEM_CATEGORY_LABELS

from . import access, assignments, attachments, closeout, ledger, reports, units
from .audit import label
from .models import Attachment, ExtensionRequest, Unit
from .schemas import (
    EXTENSION_LABELS,
    PROPOSAL_LABELS,
    RECOMMENDATION_LABELS,
    ROLE_LABELS,
    TRIGGER_LABELS,
    AccountIn,
    AccountUpdateIn,
    AssignmentEditIn,
    EvaluationIn,
    ExtensionDecisionIn,
    ExtensionIn,
    PlaceProposalIn,
    PlanIn,
    ProgressIn,
    ProposalIn,
    SignOffIn,
    UnitIn,
    parse,
)
from .service import AssignmentIn, create_assignment, today

bp = Blueprint("execution", __name__, url_prefix="/execution")

LABELS = {"status": ledger.STATUS_LABELS, "warning": ledger.WARNING_LABELS, "category": ITEM_CATEGORY_LABELS,
          "proposal": PROPOSAL_LABELS, "trigger": TRIGGER_LABELS, "recommendation": RECOMMENDATION_LABELS,
          "extension": EXTENSION_LABELS, "role": ROLE_LABELS}


def folder() -> Path:
    return Path(current_app.config["EXECUTION_DIR"])


def zone() -> str:
    return current_app.config["YISHI_TIMEZONE"]


def signed_in(view):
    """Any signed-in account (the views decide by role); nobody → the sign-in page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if session.get("user_id") is None:
            return redirect(url_for("views.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper


def actor_now():
    with read_only() as s:
        actor = account_actor(s)
    if actor is None:
        raise NotSignedIn()
    return actor


def uploads(name: str = "files") -> list[attachments.Upload]:
    return [attachments.Upload(f.filename or "", f.read(), f.mimetype or "")
            for f in request.files.getlist(name) if f and f.filename]


def form_data(*fields: str, bools: tuple[str, ...] = ()) -> dict:
    data = {f: request.form.get(f, "") for f in fields if request.form.get(f, "") != ""}
    for b in bools:
        data[b] = request.form.get(b) in ("1", "on", "true", "yes")
    return data


def posted(back):
    """A form action: CSRF, run, flash the outcome, go back. A refusal of 401/403/404 is shown as its page."""

    def deco(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if session.get("user_id") is None:
                return redirect(url_for("views.login"))
            check_csrf()
            target = back(*args, **kwargs)
            try:
                message = view(*args, **kwargs)
            except YishiError as err:
                if err.http_status in (401, 403, 404):
                    raise
                flash(err.message + (gettext("（依据：%(source)s）", source=err.source) if err.source else ""),
                      "error")
                return redirect(target, code=303)
            if isinstance(message, tuple):
                message, target = message
            if message:
                flash(message, "ok")
            return redirect(target, code=303)

        return wrapper

    return deco


def _page(assignment_id: int) -> str:
    return url_for("execution.assignment", assignment_id=assignment_id)


# ---------------------------------------------------------------- the ledger and homes


def ledger_filter() -> ledger.LedgerFilter:
    def num(name):
        return query_int(request.args, name)  # beyond the database's integer: no filter, not an overflow

    def day(name):
        return query_day(request.args, name)

    return ledger.LedgerFilter(
        unit_id=num("unit_id"), leader=request.args.get("leader") or None, meeting_id=num("meeting_id"),
        category=request.args.get("category") or None, status=request.args.get("status") or None,
        warning=request.args.get("warning") or None, due_before=day("due_before"), due_after=day("due_after"),
        source=request.args.get("source") or None, keyword=(request.args.get("q") or "").strip()[:100] or None,
    )


@bp.get("/", endpoint="ledger")
@signed_in
def ledger_page():
    actor = actor_now()
    if actor.role == "unit":
        return redirect(url_for("execution.unit_home"))
    if actor.role == "leader":
        return redirect(url_for("execution.leader_home"))
    if actor.role not in access.CREATOR_ROLES:
        raise PermissionDenied()
    f = ledger_filter()
    day = today()
    with read_only() as s:
        rows = ledger.rows(s, day, f)
        unit_list = list(s.exec(select(Unit).order_by(col(Unit.name))))
        meetings = s.exec(select(Meeting, Body).join(Body, col(Body.id) == Meeting.body_id)
                          .where(col(Meeting.id).in_(select(Minutes.meeting_id).where(
                              col(Minutes.status).in_((APPROVED, ARCHIVED)))))
                          .order_by(col(Meeting.starts_at).desc())).all()
        leaders = sorted({r.assignment.responsible_leader for r in ledger.rows(s, day) if r.assignment.responsible_leader})
    return render_template("execution/ledger.html", rows=rows, f=f, args=request.args, units=unit_list,
                           meetings=meetings, leaders=leaders, today=day, labels=LABELS, actor=actor)


@bp.get("/unit")
@signed_in
def unit_home():
    actor = actor_now()
    day = today()
    with unit_of_work() as s:
        unit = access.unit_of(s, actor)
        if unit is None:
            raise PermissionDenied(gettext("本账号未关联执行单位，请联系督查室。"))
        ids = access.visible_ids(s, actor) or []
        rows = ledger.rows(s, day, only_ids=ids)
        roles = {aid: access.unit_role(s, unit.id, aid) for aid in ids}
        notes, unread = _notifications(s, unit.id, day)
    due = [r for r in rows if r.warning in ("red", "yellow", "blue")]
    return render_template("execution/unit_home.html", unit=unit, rows=rows, roles=roles, due=due, today=day,
                           labels=LABELS, notes=notes, unread=unread, actor=actor)


def _notifications(s, unit_id: int, day: date):
    """The office's in-app notices to this unit (execution.supervision), refreshed for today."""
    try:
        from . import supervision
    except ImportError:  # pragma: no cover - the supervision module ships with the app
        return [], 0
    supervision.sweep(s, day)
    return supervision.notifications_for(s, unit_id, limit=10), supervision.unread_count(s, unit_id)


@bp.get("/leader")
@signed_in
def leader_home():
    actor = actor_now()
    day = today()
    with read_only() as s:
        person = access.leader_of(s, actor)
        if person is None:
            raise PermissionDenied(gettext("本账号未关联分管领导，请联系督查室。"))
        rows = ledger.rows(s, day, only_ids=access.visible_ids(s, actor) or [])
        signed = {so.assignment_id for so in (closeout.signoff_of(s, r.assignment.id) for r in rows) if so}
    to_sign = [r for r in rows if r.assignment.status == "completed" and r.assignment.id not in signed]
    return render_template("execution/leader_home.html", person=person, rows=rows, to_sign=to_sign, signed=signed,
                           today=day, labels=LABELS, actor=actor)


# ---------------------------------------------------------------- one assignment


@bp.get("/assignments/<int:assignment_id>")
@signed_in
def assignment(assignment_id: int):
    actor = actor_now()
    day = today()
    with read_only() as s:
        d = assignments.detail(s, actor, assignment_id, day)
        later = []
        if d.may("place_proposal") and d.proposals:
            q = select(Meeting, Body).join(Body, col(Body.id) == Meeting.body_id).where(Meeting.status != "closed")
            if d.meeting is not None:
                q = q.where(Meeting.body_id == d.meeting.body_id)
            later = s.exec(q.order_by(col(Meeting.starts_at))).all()
        people = list(s.exec(select(Person).order_by(col(Person.name)))) if d.may("edit") else []
    return render_template("execution/assignment.html", d=d, a=d.a, today=day, labels=LABELS, later=later,
                           people=people, actor=actor, event_label=label)


@bp.post("/assignments/<int:assignment_id>/plan")
@posted(_page)
def plan(assignment_id: int):
    actor = actor_now()
    data = parse(PlanIn, form_data("internal_unit", "responsible_leader", "person_responsible", "measures",
                                   "schedule"))
    with unit_of_work() as s:
        p = reports.file_plan(s, actor, assignment_id, data)
    return gettext("执行工作方案（第%(v)s版）已报送。", v=p.version)


@bp.post("/assignments/<int:assignment_id>/progress")
@posted(_page)
def progress(assignment_id: int):
    actor = actor_now()
    data = parse(ProgressIn, form_data("reported_on", "content", "problems", bools=("completes",)))
    files = uploads()
    with unit_of_work() as s:
        reports.report_progress(s, actor, assignment_id, data, today(), files, folder())
    return gettext("已报送办结情况，待分管领导签字确认后销号。") if data.completes else gettext("进展情况已报送。")


@bp.post("/assignments/<int:assignment_id>/extensions")
@posted(_page)
def extension(assignment_id: int):
    actor = actor_now()
    data = parse(ExtensionIn, form_data("reason", "new_deadline"))
    with unit_of_work() as s:
        reports.request_extension(s, actor, assignment_id, data, today())
    return gettext("延期申请已提交，待督查室审批。")


@bp.post("/extensions/<int:request_id>/decision")
@posted(lambda request_id: _extension_page(request_id))
def decide_extension(request_id: int):
    actor = actor_now()
    data = parse(ExtensionDecisionIn, form_data("note", bools=("approve",)))
    with unit_of_work() as s:
        req = reports.decide_extension(s, actor, request_id, data)
    return gettext("已批准延期。") if req.status == "approved" else gettext("已作出不同意延期的决定。")


def _extension_page(request_id: int) -> str:
    with read_only() as s:
        req = s.get(ExtensionRequest, request_id)
    return _page(req.assignment_id) if req else url_for("execution.ledger")


@bp.post("/assignments/<int:assignment_id>/proposals")
@posted(_page)
def proposal(assignment_id: int):
    actor = actor_now()
    data = parse(ProposalIn, form_data("kind", "circumstances", "proposal"))
    with unit_of_work() as s:
        reports.submit_proposal(s, actor, assignment_id, data)
    return gettext("建议已提交。决策的停止、暂缓或调整须经会议研究决定。")


@bp.post("/proposals/<int:proposal_id>/agenda")
@posted(lambda proposal_id: request.form.get("back") or url_for("execution.ledger"))
def place_proposal(proposal_id: int):
    actor = actor_now()
    data = parse(PlaceProposalIn, form_data("meeting_id"))
    with unit_of_work() as s:
        item = reports.place_proposal(s, actor, proposal_id, data.meeting_id)
    _tell_room(item.meeting_id)
    return gettext("已列入会议议程：%(title)s", title=item.title)


def _tell_room(meeting_id: int) -> None:
    from meeting.room import Outcome

    current_app.extensions["yishi.broadcaster"].after(Outcome(meeting_id))


@bp.post("/assignments/<int:assignment_id>/evaluations")
@posted(_page)
def evaluation(assignment_id: int):
    actor = actor_now()
    data = parse(EvaluationIn, form_data("trigger", "evaluator", "method", "findings", "recommendation",
                                         "evaluated_on"))
    with unit_of_work() as s:
        reports.record_evaluation(s, actor, assignment_id, data, today(), uploads(), folder())
    return gettext("决策后评估已记录。")


@bp.post("/assignments/<int:assignment_id>/signoff")
@posted(_page)
def signoff(assignment_id: int):
    actor = actor_now()
    data = parse(SignOffIn, form_data("leader", "signed_on", "opinion"))
    with unit_of_work() as s:
        closeout.sign_off(s, actor, assignment_id, data.leader, data.signed_on, data.opinion, uploads(), folder(),
                          today())
    return gettext("分管领导签字确认已记录。")


@bp.post("/assignments/<int:assignment_id>/close")
@posted(_page)
def close(assignment_id: int):
    actor = actor_now()
    with unit_of_work() as s:
        a = closeout.close(s, actor, assignment_id, today())
    return gettext("督办事项%(number)s已销号。", number=a.number)


@bp.post("/assignments/<int:assignment_id>/edit")
@posted(_page)
def edit(assignment_id: int):
    actor = actor_now()
    data = parse(AssignmentEditIn, form_data("title", "responsible_leader", "coordinating_leader",
                                             "person_responsible", "leader_person_id", "coordinating_person_id",
                                             bools=("public",)))
    with unit_of_work() as s:
        assignments.update_assignment(s, actor, assignment_id, data)
    return gettext("已保存。")


@bp.get("/attachments/<int:attachment_id>")
@signed_in
def attachment(attachment_id: int):
    """An evidence file, to whoever may see the report, sign-off or evaluation it belongs to."""
    actor = actor_now()
    with read_only() as s:
        att = s.get(Attachment, attachment_id)
        row = attachments.owner_row(s, att) if att else None
        if row is None:
            raise NotFound(what=gettext("附件"))
        d = assignments.detail(s, actor, row.assignment_id, today())
        if att.owner == "progress" and row not in d.reports:
            raise NotFound(what=gettext("附件"))
        if att.owner in ("signoff", "evaluation") and d.viewer == "support":
            raise NotFound(what=gettext("附件"))
    path = folder() / att.stored_name
    if not path.is_file():
        raise NotFound(what=gettext("附件"))
    return send_file(path, mimetype=att.content_type, download_name=att.filename, as_attachment=False)


# ---------------------------------------------------------------- from approved minutes


@bp.get("/meetings/<int:meeting_id>")
@signed_in
def from_minutes(meeting_id: int):
    actor = actor_now()
    access.require_creator(actor)
    with read_only() as s:
        meeting, items = assignments.candidates(s, meeting_id, zone())
        title = s.get(Body, meeting.body_id).name
    return render_template("execution/from_minutes.html", meeting=meeting, body_name=title, items=items,
                           labels=LABELS, actor=actor)


def _split(text: str) -> list[str]:
    import re

    return [x.strip() for x in re.split(r"[、，,;；\n]", text or "") if x.strip()]


def _milestones(text: str) -> list[list[str]]:
    """One per line: "2024-03-31 完成初步设计"."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            day, _, title = line.partition(" ")
            out.append([title.strip() or day, day])
    return out


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>")
@posted(lambda meeting_id, item_id: url_for("execution.from_minutes", meeting_id=meeting_id) + f"#item-{item_id}")
def create_from_item(meeting_id: int, item_id: int):
    actor = actor_now()
    data = form_data("title", "decided_text", "category", "decided_on", "lead_unit", "responsible_leader",
                     "coordinating_leader", "person_responsible", "deadline", bools=("public",))
    data.update(meeting_id=meeting_id, item_id=item_id, source="meeting",
                supporting_units=_split(request.form.get("supporting_units", "")),
                milestones=_milestones(request.form.get("milestones", "")))
    payload = parse(AssignmentIn, data)
    with unit_of_work() as s:
        a = create_assignment(s, actor, payload)
    return gettext("已生成督办事项%(number)s。", number=a.number)


# ---------------------------------------------------------------- units and accounts


@bp.get("/units")
@signed_in
def units_page():
    actor = actor_now()
    access.require_office(actor)
    with read_only() as s:
        rows = units.unit_rows(s)
        accounts = units.account_rows(s)
        people = list(s.exec(select(Person).order_by(col(Person.name))))
    return render_template("execution/units.html", rows=rows, accounts=accounts, people=people, labels=LABELS,
                           actor=actor)


def _units_page(*_, **__) -> str:
    return url_for("execution.units_page")


@bp.post("/units")
@posted(_units_page)
def unit_create():
    actor = actor_now()
    data = parse(UnitIn, {**form_data("name"), "active": True})
    with unit_of_work() as s:
        u = units.create_unit(s, actor, data)
    return gettext("已新增单位：%(name)s", name=u.name)


@bp.post("/units/<int:unit_id>")
@posted(_units_page)
def unit_update(unit_id: int):
    actor = actor_now()
    data = parse(UnitIn, form_data("name", bools=("active",)))
    with unit_of_work() as s:
        u = units.update_unit(s, actor, unit_id, data)
    return gettext("已保存：%(name)s", name=u.name)


@bp.post("/accounts")
@posted(_units_page)
def account_create():
    actor = actor_now()
    data = form_data("username", "display_name", "password", "role", "unit_id", "person_id")
    if data.get("role") != "unit":
        data.pop("unit_id", None)
    if data.get("role") != "leader":
        data.pop("person_id", None)
    payload = parse(AccountIn, data)
    with unit_of_work() as s:
        u = units.create_account(s, actor, payload)
    return gettext("已新增账号：%(name)s", name=u.username)


@bp.post("/accounts/<int:user_id>")
@posted(_units_page)
def account_update(user_id: int):
    actor = actor_now()
    data = parse(AccountUpdateIn, form_data("password", bools=("active",)))
    with unit_of_work() as s:
        u = units.update_account(s, actor, user_id, data)
    return gettext("已保存账号：%(name)s", name=u.username)


