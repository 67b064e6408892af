"""Who is asking: the secretary by password session or API token; tablets, observers and the projector by the
personal link's token (bound to one meeting and one person; it stops working when the meeting closes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import request, session
from sqlmodel import Session, select

from .actors import Actor
from .clock import utcnow
from .errors import InvalidToken, NotSignedIn, PermissionDenied
from .models import STAFF_ROLES, ApiToken, Meeting, Observer, Person, Seat, User

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


def account_actor(s: Session) -> Actor | None:
    """Whoever is signed in (session or API token), whatever the role; kind ``account`` unless staff."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
        tok = s.exec(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked == False)).first()  # noqa: E712
        if tok is None:
            raise InvalidToken()
        user = s.get(User, tok.user_id)
        if user is None or not user.active:
            raise InvalidToken()
        tok.last_used_at = utcnow()  # saved with the caller's transaction (best effort on read-only requests)
        s.add(tok)
        return Actor(kind="api" if user.role in STAFF_ROLES else "account", name=user.display_name,
                     user_id=user.id, device=device(), role=user.role)
    uid = session.get("user_id")
    if uid is None:
        return None
    user = s.get(User, uid)
    if user is None or not user.active:
        session.clear()
        return None
    return Actor(kind="user" if user.role in STAFF_ROLES else "account", name=user.display_name,
                 user_id=user.id, device=device(), role=user.role)


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
        return Actor(kind=kind, name=person.name, person_id=person.id, seat_id=seat.id, meeting_id=meeting.id,
                     device=device())
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


def csrf_token() -> str:
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(24)
    return tok


def check_csrf() -> None:
    """Forms send ``csrf_token``; scripts send ``X-CSRF-Token``. API-token requests need neither."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("页面已过期，请刷新后重试。")


def login_required(view):
    """For the secretary's HTML pages: redirect to the sign-in page when nobody is signed in, and an account of
    another role (督查室, 执行单位, 分管领导) to its own home page (``YISHI_ROLE_HOMES``, set by the app)."""
    from flask import current_app, redirect, url_for

    @wraps(view)
    def wrapper(*args, **kwargs):
        if session.get("user_id") is None:
            return redirect(url_for("views.login", next=request.full_path))
        role = session.get("role", "secretary")
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
