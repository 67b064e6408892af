"""Who is asking: the secretary by password session or API token; tablets, observers and the projector by the
personal link's token (bound to one meeting and one person; it stops working when the meeting closes).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from .actors import Actor
from .clock import as_utc, utcnow
from .connections import end_after_commit
from .db import engine, read_only
from .errors import CsrfFailed, InvalidToken, NotSignedIn, PermissionDenied
from .models import STAFF_ROLES, ApiToken, LoginSession, Meeting, Observer, Person, Seat, User

log = logging.getLogger(__name__)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(s: Session, username: str, password: str) -> User | None:
    user = s.exec(select(User).where(User.username == username, User.active == True)).first()  # noqa: E712
    if user is None:
        _hasher.hash(password)  # same work whether or not the user exists
        return None
    if not verify_password(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        s.add(user)
    return user


def new_api_token(s: Session, user: User, name: str) -> str:
    token = "ysk_" + secrets.token_urlsafe(32)
    s.add(ApiToken(user_id=user.id, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest()))
    return token


def device() -> str:
    try:
        ua = request.headers.get("User-Agent", "")[:150]
        return f"{request.remote_addr or ''} {ua}".strip()
    except RuntimeError:
        return ""


def staff_actor(s: Session) -> Actor | None:
    """The signed-in secretary (session) or an API client (``Authorization: Bearer ysk_…``).

    An account of another role (督查室, 执行单位, 分管领导) is not staff: None, as for nobody signed in.
    """
    actor = account_actor(s)
    return actor if actor is not None and actor.is_staff else None


def api_token_of(s: Session) -> ApiToken | None:
    """The request's valid API token (``Authorization: Bearer``), None without one; an invalid one is refused."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    tok = s.exec(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked == False)).first()  # noqa: E712
    if tok is None:
        raise InvalidToken()
    user = s.get(User, tok.user_id)
    if user is None or not user.active:
        raise InvalidToken()
    return tok


def account_actor(s: Session) -> Actor | None:
    """Whoever is signed in (session or API token), whatever the role; kind ``account`` unless staff."""
    tok = api_token_of(s)
    if tok is not None:
        user = s.get(User, tok.user_id)
        tok.last_used_at = utcnow()  # saved with the caller's transaction (best effort on read-only requests)
        s.add(tok)
        return Actor(
            kind="api" if user.role in STAFF_ROLES else "account",
            name=user.display_name,
            user_id=user.id,
            device=device(),
            role=user.role,
        )
    user = signed_in_user(s)
    if user is None:
        return None
    return Actor(
        kind="user" if user.role in STAFF_ROLES else "account",
        name=user.display_name,
        user_id=user.id,
        device=device(),
        role=user.role,
    )


# ---------------------------------------------------------------- sign-in sessions, ended on the server


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _minutes(name: str, default: float) -> timedelta:
    try:
        return timedelta(minutes=float(current_app.config.get(name, default)))
    except (TypeError, ValueError):
        return timedelta(minutes=default)


def idle_timeout() -> timedelta:
    """``YISHI_IDLE_TIMEOUT_MINUTES`` (default 30): a sign-in with no request (page or console action) for that
    long has ended."""
    return _minutes("YISHI_IDLE_TIMEOUT_MINUTES", 30)


def max_age() -> timedelta:
    """``YISHI_SESSION_MAX_HOURS`` (default 12): a sign-in ends that long after the password was typed."""
    return _minutes("YISHI_SESSION_MAX_HOURS", 12) * 60


def start_login(s: Session, user: User) -> None:
    """A new sign-in: the browser's session cookie gets a fresh random key (no fixation); its hash is stored."""
    key = secrets.token_urlsafe(32)
    row = LoginSession(key_hash=_digest(key), user_id=user.id, device=device()[:200])
    s.add(row)
    s.flush()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["user_id"] = user.id
    session["role"] = user.role
    session["login"] = key
    session.permanent = True
    g.yishi_login = SignIn(row.id, user.id, as_utc(row.authenticated_at))


def end_logins(s: Session, user_id: int, reason: str) -> list[int]:
    """End every sign-in of the account (logout everywhere, deactivation, a new password) and, once ``s``
    commits, every socket it opened."""
    now = utcnow()
    rows = s.exec(select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at == None)).all()  # noqa: E711
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason
        s.add(row)
    end_after_commit(s, "account", user_id)
    return [r.id for r in rows]


def revoke_api_tokens(s: Session, user_id: int) -> int:
    """A deactivated account's API tokens stop working (and stay revoked if it is reactivated)."""
    rows = s.exec(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked == False)).all()  # noqa: E712
    for row in rows:
        row.revoked = True
        s.add(row)
    end_after_commit(s, "account", user_id)
    return len(rows)


def account_deactivated(s: Session, user: User) -> None:
    """Everything the account had opened ends: sign-ins, sockets, API tokens."""
    end_logins(s, user.id, "deactivated")
    revoke_api_tokens(s, user.id)


def password_changed(s: Session, user: User) -> None:
    end_logins(s, user.id, "password_changed")


PASSWORD_MIN, PASSWORD_MAX = 8, 200


def change_own_password(s: Session, user_id: int, current: str, new: str, confirm: str) -> str | None:
    """The signed-in user sets a new password: every sign-in of the account ends (other browsers, open
    consoles), this browser is signed in afresh, and the change is audited. Returns None when changed, or why
    not (nothing changed): ``wrong_current``, ``length``, ``mismatch`` or ``same``."""
    from .audit import record  # audit builds on the models only; auth is imported by almost everything

    row = s.get(User, user_id)
    if not verify_password(row, current):
        return "wrong_current"
    if not PASSWORD_MIN <= len(new) <= PASSWORD_MAX:
        return "length"
    if new != confirm:
        return "mismatch"
    if new == current:
        return "same"
    row.password_hash = hash_password(new)
    s.add(row)
    password_changed(s, row)
    record(
        s,
        Actor(
            kind="user" if row.role in STAFF_ROLES else "account",
            name=row.display_name,
            user_id=row.id,
            device=device(),
            role=row.role,
        ),
        "account.password_changed",
        None,
        user_id=row.id,
    )
    start_login(s, row)  # the other sign-ins are over; this browser carries on
    return None


def _ended(row: LoginSession, now) -> str:
    """Why a sign-in is over ("" while it lasts)."""
    if row.revoked_at is not None:
        return row.revoked_reason or "revoked"
    if now - as_utc(row.last_seen_at) > idle_timeout():
        return "idle"
    if now - as_utc(row.created_at) > max_age():
        return "expired"
    return ""


def _mark_ended(row_id: int, reason: str) -> None:
    with Session(engine()) as w:
        w.exec(
            update(LoginSession)
            .where(LoginSession.id == row_id, LoginSession.revoked_at == None)  # noqa: E711
            .values(revoked_at=utcnow(), revoked_reason=reason)
        )
        w.commit()


def _touch(row: LoginSession, now) -> None:
    """Record activity at most once a minute (``YISHI_SESSION_TOUCH_SECONDS``), in a transaction of its own."""
    every = float(current_app.config.get("YISHI_SESSION_TOUCH_SECONDS", 60))
    if (now - as_utc(row.last_seen_at)).total_seconds() < every:
        return
    try:
        with Session(engine()) as w:
            w.exec(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
            w.commit()
        row.last_seen_at = now
    except OperationalError:  # the database is busy: the next request records it
        log.debug("could not record activity of sign-in %s", row.id, exc_info=True)


@dataclass(frozen=True)
class SignIn:
    """The request's sign-in as checked (plain values: kept for the request, never a detached row)."""

    id: int
    user_id: int
    authenticated_at: datetime


def current_login(s: Session) -> SignIn | None:
    """The request's sign-in, checked against the database once per request: None, and the cookie's session
    cleared, when it was ended, has been idle too long, or the account is inactive."""
    cached = g.get("yishi_login")
    if cached is not None:
        return cached or None
    found = _check_login(s)
    g.yishi_login = found or False
    return found


def _check_login(s: Session) -> SignIn | None:
    uid, key = session.get("user_id"), session.get("login")
    if uid is None:
        return None
    row = s.exec(select(LoginSession).where(LoginSession.key_hash == _digest(str(key or "")))).first()
    user = s.get(User, uid) if row is not None and row.user_id == uid else None
    now = utcnow()
    reason = "" if row is None else _ended(row, now)
    if row is None or user is None or reason or not user.active:
        if row is not None and row.revoked_at is None:
            _mark_ended(row.id, reason or "deactivated")
        _forget()
        return None
    _touch(row, now)
    return SignIn(row.id, user.id, as_utc(row.authenticated_at))


def _forget() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def signed_in_user(s: Session) -> User | None:
    found = current_login(s)
    return s.get(User, found.user_id) if found else None


def end_this_login(s: Session) -> None:
    """Logout: this browser's sign-in ends (and its sockets)."""
    found = current_login(s)
    if found:
        row = found
        s.exec(
            update(LoginSession).where(LoginSession.id == row.id).values(revoked_at=utcnow(), revoked_reason="logout")
        )
        end_after_commit(s, "login", row.id)
    _forget()
    g.yishi_login = False


def credential_valid(s: Session, cred) -> bool:
    """Does a staff socket's sign-in (``login``) or API token (``api_token``) still hold? Counts as activity."""
    user = s.get(User, cred.user_id)
    if user is None or not user.active:
        return False
    if cred.kind == "api_token":
        tok = s.get(ApiToken, cred.ident)
        return tok is not None and not tok.revoked
    row = s.get(LoginSession, cred.ident)
    if row is None:
        return False
    now = utcnow()
    reason = _ended(row, now)
    if reason:
        if row.revoked_at is None:
            _mark_ended(row.id, reason)
        return False
    return True


def touch_login(login_id: int) -> None:
    """A console action is activity (the idle timeout counts from the last one)."""
    with Session(engine()) as s:
        row = s.get(LoginSession, login_id)
    if row is not None:
        _touch(row, utcnow())


def fresh_sign_in_needed() -> bool:
    """The links page (every member's link) wants the password typed within ``YISHI_REAUTH_MINUTES`` (10)."""
    with read_only() as s:
        found = current_login(s)
    if found is None:
        return False  # login_required sends the visitor to the sign-in page
    return utcnow() - found.authenticated_at > _minutes("YISHI_REAUTH_MINUTES", 10)


def confirm_password(s: Session, password: str) -> bool:
    """The signed-in user typed his password again (the links page): the sign-in is fresh."""
    found = current_login(s)
    user = signed_in_user(s)
    if found is None or user is None or not verify_password(user, password):
        return False
    s.exec(update(LoginSession).where(LoginSession.id == found.id).values(authenticated_at=utcnow()))
    return True


def fresh_login_required(view):
    """For pages that show every tablet link: :func:`login_required`, and a password typed in the last minutes."""
    from flask import redirect, url_for

    @wraps(view)
    def wrapper(*args, **kwargs):
        if fresh_sign_in_needed():
            return redirect(url_for("views.reauth", next=request.full_path))
        return view(*args, **kwargs)

    return login_required(wrapper)


def token_actor(s: Session, token: str) -> Actor:
    """A tablet's, observer's or projector's link token → who it is, for which meeting."""
    from .tokens import hash_token

    if not token or len(token) > 64:
        raise InvalidToken()
    digest = hash_token(token)  # only hashes are stored (meeting.tokens)
    seat = s.exec(select(Seat).where(Seat.token_hash == digest)).first()
    if seat is not None:
        meeting = s.get(Meeting, seat.meeting_id)
        if meeting.status == "closed":
            raise InvalidToken()
        person = s.get(Person, seat.person_id)
        kind = "chair" if seat.person_id == meeting.chair_person_id else "member"
        return Actor(
            kind=kind, name=person.name, person_id=person.id, seat_id=seat.id, meeting_id=meeting.id, device=device()
        )
    obs = s.exec(select(Observer).where(Observer.token_hash == digest)).first()
    if obs is not None:
        meeting = s.get(Meeting, obs.meeting_id)
        if meeting.status == "closed":
            raise InvalidToken()
        return Actor(kind="observer", name=obs.name, observer_id=obs.id, meeting_id=meeting.id, device=device())
    meeting = s.exec(select(Meeting).where(Meeting.projector_token_hash == digest)).first()
    if meeting is not None and meeting.status != "closed":
        return Actor(kind="projector", name="投影", meeting_id=meeting.id, device=device())
    raise InvalidToken()


# ---------------------------------------------------------------- CSRF for the session-authenticated browser

csrf = CSRFProtect()  # Flask-WTF: a random secret in the session, signed tokens in forms and the X-CSRF-Token header
_exempt: set[str] = set()


def csrf_token() -> str:
    """The token for a form's ``csrf_token`` field or a script's ``X-CSRF-Token`` header (templates' helper)."""
    return generate_csrf()


def link_authenticated(view):
    """A view authenticated by a personal link's token in its URL or form, not by the cookie: no CSRF token (the
    token itself is the secret a forged request would lack). Mixed views call :func:`check_csrf` themselves on
    their cookie path."""
    _exempt.add(f"{view.__module__}.{view.__name__}")
    return view


def check_csrf() -> None:
    """Forms send ``csrf_token``; scripts send ``X-CSRF-Token``. API-token requests need neither."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    if g.get("yishi_csrf_ok"):
        return
    try:
        csrf.protect()
    except CSRFError:
        raise CsrfFailed() from None
    g.yishi_csrf_ok = True


def protect_every_form() -> None:
    """``before_request``: every unsafe request of a page (the sign-in form too) carries the CSRF token. The JSON
    API checks after authenticating (an anonymous call is told ``not_signed_in``), in ``check_csrf``."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.endpoint is None:
        return
    if request.path.startswith("/api/"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and f"{view.__module__}.{view.__name__}" in _exempt:
        return
    check_csrf()


def login_required(view):
    """For the secretary's HTML pages: redirect to the sign-in page when nobody is signed in, and an account of
    another role (督查室, 执行单位, 分管领导) to its own home page (``YISHI_ROLE_HOMES``, set by the app)."""
    from flask import current_app, redirect, url_for

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = None
        if session.get("user_id") is not None:
            with read_only() as s:
                user = signed_in_user(s)  # ended, idle or deactivated: the session is cleared
        if user is None:
            return redirect(url_for("views.login", next=request.full_path))
        role = user.role
        if role not in STAFF_ROLES:
            home = current_app.config.get("YISHI_ROLE_HOMES", {}).get(role)
            if home is None:
                raise PermissionDenied()
            return redirect(url_for(home))
        return view(*args, **kwargs)

    return wrapper


def require_staff(s: Session) -> Actor:
    actor = account_actor(s)
    if actor is None:
        raise NotSignedIn()
    if not actor.is_staff:
        raise PermissionDenied()
    return actor
