"""Thin HTML views: sign-in, the dashboard, the live screens (console, tablet, projector), materials, QR codes.
Setting-up pages are in :mod:`meeting.setup_views`."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext, pgettext
from sqlmodel import col, select

from . import lan, throttle
from .actors import Actor
from .auth import (
    authenticate,
    change_own_password,
    check_csrf,
    confirm_password,
    end_this_login,
    fresh_login_required,
    login_required,
    signed_in_user,
    staff_actor,
    start_login,
    token_actor,
)
from .db import read_only, unit_of_work
from .errors import InvalidToken, NotFound, PermissionDenied, Recused, TooManyAttempts, YishiError
from .http import tell_room
from .models import (
    AgendaItem,
    Body,
    Material,
    Meeting,
    Observer,
    Person,
    Recusal,
    Seat,
)
from .room import load_room
from .state import build, chair_view, me, meeting_title, reading_ahead, title_of
from .tokens import hash_token
from .written import file_written_scan

bp = Blueprint("views", __name__)


def error_page(err: YishiError):
    return render_template("error.html", error=err.to_dict()["error"]), err.http_status


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("views.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in (CSRF-protected like every form). Failures are counted per user name and per address: past
    ``YISHI_LOGIN_USER_LIMIT`` / ``YISHI_LOGIN_IP_LIMIT`` the sign-in is refused, with the wait
    (meeting/throttle.py)."""
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            throttle.check_login(username)
        except TooManyAttempts as err:
            return render_template("login.html", error=err.message), err.http_status
        with unit_of_work() as s:
            user = authenticate(s, username, password)
            if user is not None:
                start_login(s, user)
        if user is not None:
            throttle.login_succeeded(username)
            return redirect(_safe_next(request.args.get("next")), code=303)
        throttle.login_failed(username)
        error = gettext("用户名或密码错误。")
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    """This browser's sign-in ends on the server, and the sockets it opened are disconnected."""
    check_csrf()
    with unit_of_work() as s:
        end_this_login(s)
    return redirect(url_for("views.login"), code=303)


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth():
    """Type the password again before a page that shows every tablet link (``YISHI_REAUTH_MINUTES``)."""
    error = None
    if request.method == "POST":
        with read_only() as s:
            user = signed_in_user(s)
        username = user.username if user else ""
        try:
            throttle.check_login(username)
        except TooManyAttempts as err:
            return render_template("reauth.html", error=err.message), err.http_status
        with unit_of_work() as s:
            ok = confirm_password(s, request.form.get("password", ""))
        if ok:
            throttle.login_succeeded(username)
            return redirect(_safe_next(request.args.get("next")), code=303)
        throttle.login_failed(username)
        error = gettext("密码错误。")
    return render_template("reauth.html", error=error), (401 if error else 200)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """The signed-in user sets a new password: every sign-in of the account ends (other browsers, open consoles),
    and this browser is signed in afresh."""
    with read_only() as s:
        user = signed_in_user(s)
    if user is None:
        return redirect(url_for("views.login", next=request.full_path))
    error = done = None
    if request.method == "POST":
        current, new = request.form.get("current_password", ""), request.form.get("new_password", "")
        try:
            throttle.check_login(user.username)
        except TooManyAttempts as err:
            return render_template("change_password.html", error=err.message), err.http_status
        with unit_of_work() as s:
            why = change_own_password(s, user.id, current, new, request.form.get("confirm_password", ""))
        if why is None:
            done = gettext("密码已修改；该账号的其他登录已全部退出。")
        else:
            error = {
                "wrong_current": gettext("当前密码不正确。"),
                "length": gettext("新密码须为8至200个字符。"),
                "mismatch": gettext("两次输入的新密码不一致。"),
                "same": gettext("新密码不能与当前密码相同。"),
            }[why]
            if why == "wrong_current":
                throttle.login_failed(user.username)
    return render_template("change_password.html", error=error, done=done), (400 if error else 200)


@bp.get("/")
@login_required
def index():
    with read_only() as s:
        meetings = s.exec(
            select(Meeting, Body).join(Body, col(Body.id) == Meeting.body_id).order_by(col(Meeting.starts_at).desc())
        ).all()
        bodies = s.exec(select(Body).order_by(col(Body.id))).all()
        titles = {m.id: title_of(m, b) for m, b in meetings}
    return render_template("index.html", meetings=meetings, bodies=bodies, titles=titles)


@bp.get("/meetings/<int:meeting_id>/console")
@login_required
def console(meeting_id: int):
    with read_only() as s:
        meeting = s.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(what=pgettext("what", "会议"))
        state = build(s, meeting_id, "full", current_app.config["YISHI_TIMEZONE"])
    return render_template("console.html", state=state, meeting_id=meeting_id)


@bp.get("/t/<token>")
def tablet(token: str):
    """A personal link: a member's or the chair's tablet, an observer's view, or the projector."""
    zone = current_app.config["YISHI_TIMEZONE"]
    throttle.check_link()  # an address that guessed too many links waits (YISHI_LINK_IP_LIMIT)
    with read_only() as s:
        try:
            try:
                actor = token_actor(s, token)
            except InvalidToken:
                actor = _after_the_meeting(s, token)  # the room is over: the "会议已结束" page and the minutes
        except InvalidToken:
            throttle.link_failed()
            raise
        view = chair_view(s, actor.meeting_id) if actor.kind == "chair" else actor.view
        state = build(s, actor.meeting_id, view, zone)
        mine = me(s, actor.meeting_id, actor.person_id, zone) if actor.is_seat else None
    template = "projector.html" if actor.kind == "projector" else "tablet.html"
    return render_template(
        template, token=token, actor=actor, state=state, me=mine, closed=state["meeting"]["status"] == "closed"
    )


@bp.get("/t/<token>/reading")
def reading(token: str):
    """会前阅读: the agenda with each item's materials, from a member's or the chair's link, before the meeting
    opens (and after, and when absent); an item he is recused from without its materials (state.reading_ahead)."""
    zone = current_app.config["YISHI_TIMEZONE"]
    throttle.check_link()
    with read_only() as s:
        try:
            actor = token_actor(s, token)
        except InvalidToken:
            throttle.link_failed()
            raise
        ahead = reading_ahead(s, actor, zone)
        meeting = build(s, actor.meeting_id, "member", zone)["meeting"]
    resp = current_app.make_response(
        render_template("reading.html", token=token, actor=actor, ahead=ahead, meeting=meeting)
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _after_the_meeting(s, token: str):
    """A member's, the chair's or an observer's link of a closed meeting no longer enters the room, but opens the
    page that says the meeting is over, with its results and the minutes (read; the chair approves there)."""
    if not token or len(token) > 64:
        raise InvalidToken()
    digest = hash_token(token)
    seat = s.exec(select(Seat).where(Seat.token_hash == digest)).first()
    obs = None if seat else s.exec(select(Observer).where(Observer.token_hash == digest)).first()
    meeting = s.get(Meeting, (seat or obs).meeting_id) if (seat or obs) else None
    if meeting is None or meeting.status != "closed":
        raise InvalidToken()
    if obs is not None:
        return Actor(kind="observer", name=obs.name, observer_id=obs.id, meeting_id=meeting.id)
    person = s.get(Person, seat.person_id)
    return Actor(
        kind="chair" if seat.person_id == meeting.chair_person_id else "member",
        name=person.name,
        person_id=person.id,
        seat_id=seat.id,
        meeting_id=meeting.id,
    )


@bp.get("/materials/<int:material_id>")
def material(material_id: int):
    """A material opens inside the room page. Members see it unless recused from its item (seed 003 §四(二)5)."""
    token = request.args.get("token", "")
    with read_only() as s:
        mat = s.get(Material, material_id)
        if mat is None:
            raise NotFound(what=pgettext("what", "材料"))
        item = s.get(AgendaItem, mat.item_id)
        if token:
            actor = token_actor(s, token)
            if actor.meeting_id != item.meeting_id or actor.kind in ("projector", "observer"):
                raise PermissionDenied()
            if mat.kind != "material":  # scans of written opinions are for the secretary only
                raise PermissionDenied()
            if (
                actor.is_seat
                and s.exec(
                    select(Recusal).where(Recusal.item_id == item.id, Recusal.person_id == actor.person_id)
                ).first()
            ):
                raise Recused()
        elif staff_actor(s) is None:
            raise PermissionDenied()
    path = Path(current_app.config["MATERIALS_DIR"]) / mat.stored_name
    if not path.is_file():
        abort(410)
    resp = send_file(
        path,
        mimetype=mat.content_type,
        download_name=mat.filename,
        as_attachment=request.args.get("download") == "1",
        conditional=True,
    )
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/qr/<token>.svg")
@fresh_login_required
def qr(token: str):
    """The QR code of a personal link, to print or show to the member (behind a fresh sign-in, as the links page)."""
    throttle.check_link()
    if not token or len(token) > 64:
        throttle.link_failed()
        raise InvalidToken()
    digest = hash_token(token)
    with read_only() as s:
        known = (
            s.exec(select(Seat.id).where(Seat.token_hash == digest)).first()
            or s.exec(select(Observer.id).where(Observer.token_hash == digest)).first()
            or s.exec(select(Meeting.id).where(Meeting.projector_token_hash == digest)).first()
        )
    if not known:
        throttle.link_failed()
        raise InvalidToken()
    url = link_base().url + url_for("views.tablet", token=token)
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2)
    resp = current_app.response_class(buf.getvalue(), mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/meetings/<int:meeting_id>/links")
@fresh_login_required
def links(meeting_id: int):
    """Which personal link was issued when, with 签发 / 重新生成 per link and for all. Tokens are stored hashed:
    they are shown (with QR codes, printable) only on the page that answers the issuing POST. Behind a fresh
    sign-in: the password typed within ``YISHI_REAUTH_MINUTES`` (a console left open does not hand links out)."""
    with read_only() as s:
        return _links_page(s, meeting_id, None)


@bp.post("/meetings/<int:meeting_id>/links")
@fresh_login_required
def issue_links(meeting_id: int):
    """Issue new tokens — all (``all=1``), or one seat / observer / the projector — and show them once, as the
    printable sheet. The old tokens stop working at once."""
    check_csrf()
    from .tokens import issue

    def one(name: str) -> list[int] | None:
        value = request.form.get(name, "")
        return [int(value)] if value.isdigit() and len(value) < 12 else None

    every = request.form.get("all") == "1"
    seat_ids, observer_ids = one("seat_id"), one("observer_id")
    projector = request.form.get("projector") == "1"
    if not (every or seat_ids or observer_ids or projector):
        from .errors import InvalidPayload

        raise InvalidPayload(detail=gettext("请选择要签发的链接"))
    with unit_of_work() as s:
        actor = staff_actor(s)
        issued = issue(
            s, actor, meeting_id, seat_ids=seat_ids, observer_ids=observer_ids, projector=projector, every=every
        )
    with read_only() as s:
        resp = current_app.make_response(_links_page(s, meeting_id, issued))
    resp.headers["Cache-Control"] = "no-store"  # the plain tokens are on this page only
    return resp


def link_base() -> lan.Base:
    """Where the personal links of this request's pages point: the LAN address, not the 127.0.0.1 of a console
    opened on the server itself (meeting/lan.py)."""
    return lan.public_base(
        request.host_url, current_app.config.get("YISHI_PUBLIC_URL"), current_app.config.get("YISHI_LISTEN_HOST")
    )


def _links_page(s, meeting_id: int, issued):
    from .tokens import issued_at

    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=pgettext("what", "会议"))
    room = load_room(s, meeting_id)
    seats = s.exec(
        select(Seat, Person)
        .join(Person, col(Person.id) == Seat.person_id)
        .where(Seat.meeting_id == meeting_id)
        .order_by(col(Seat.seniority))
    ).all()
    observers = s.exec(select(Observer).where(Observer.meeting_id == meeting_id)).all()
    return render_template(
        "links.html",
        meeting=meeting,
        title=meeting_title(room),
        seats=seats,
        observers=observers,
        issued=issued,
        issued_at=issued_at(s, meeting_id),
        base=link_base(),
    )


@bp.post("/meetings/<int:meeting_id>/written-opinions/<int:written_id>/scan")
@login_required
def written_opinion_scan(meeting_id: int, written_id: int):
    """Attach the scan of an absent member's signed written opinion (书面意见原件扫描件)."""
    check_csrf()
    upload = request.files.get("file")
    if upload is None:
        from .errors import InvalidPayload

        raise InvalidPayload(detail=gettext("file: 请选择扫描件"))
    with unit_of_work() as s:
        mat = file_written_scan(
            s,
            staff_actor(s),
            meeting_id,
            written_id,
            upload.filename or "",
            upload.mimetype,
            upload.read(),
            Path(current_app.config["MATERIALS_DIR"]),
        )
        material_id = mat.id
    tell_room(meeting_id)
    if request.accept_mimetypes.best == "application/json" or request.headers.get("X-CSRF-Token"):
        return {"ok": True, "material_id": material_id}
    return redirect(url_for("views.console", meeting_id=meeting_id), code=303)
