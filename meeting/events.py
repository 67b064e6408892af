"""Socket.IO handlers, kept thin: authenticate the connection, validate the payload, call the service, ack,
broadcast. A refusal is a typed acknowledgement ``{"ok": false, "error": {"code", "message", "source"}}``.

Client → server events: every name in :data:`meeting.actions.ACTIONS` (payload as in ``docs/api.md``) and
``sync`` (ask for a fresh snapshot). Server → client: ``snapshot`` {state, me} on connect and on ``sync``;
``state`` (a view's full state after any change); ``progress`` (coalesced counts while opinions come in; the full
view also gets the opinions and tally); ``me`` (a member's personal block when someone else changed it).
"""

from __future__ import annotations

import logging

from flask import current_app, request
from flask_babel import force_locale, get_locale
from flask_socketio import SocketIO, join_room

from . import presence, throttle
from .actions import ACTIONS, perform, prepare
from .actors import Actor
from .auth import api_token_of, credential_valid, current_login, staff_actor, token_actor, touch_login
from .broadcast import person_room, room_name
from .connections import Connections, Credential
from .db import read_only
from .errors import InvalidPayload, InvalidToken, NotFound, PermissionDenied, YishiError
from .models import Meeting
from .schemas import DB_INT_MAX, ItemRef, parse, unsafe_char
from .state import chair_view, me, participant_item_detail, recused_from_last_closed, withhold

log = logging.getLogger(__name__)


def server_error() -> dict:
    """What a tablet is answered when an action failed for a reason of the server's own: nothing was done."""
    return {"ok": False, "error": {"code": "server_error", "message": "服务器内部错误，操作未完成，请重试。"}}


SIGNED_OUT = {"ok": False, "error": {"code": "not_signed_in", "message": "登录已失效，请重新登录。"}}


def credential_of(s, actor: Actor) -> Credential:
    """What let a staff socket in: the API token of the request, else the browser's sign-in."""
    tok = api_token_of(s)
    if tok is not None:
        return Credential("api_token", tok.id, tok.user_id)
    found = current_login(s)
    return Credential("login", found.id, found.user_id)


def register(socketio: SocketIO, connections: Connections) -> None:
    actors: dict[str, Actor] = connections.actors  # sid → who; the staff's credential in connections.credentials
    locales: dict[str, object] = {}  # sid → the babel Locale chosen when the tablet connected

    def still_signed_in(sid: str) -> bool:
        """A staff socket acts only while its sign-in (or API token) holds; the check counts as activity."""
        cred = connections.credentials.get(sid)
        if cred is None:
            return True
        with read_only() as s:
            ok = credential_valid(s, cred)
        if not ok:
            connections.disconnect(sid)
            return False
        if cred.kind == "login":
            touch_login(cred.ident)
        return True

    def view_of(s, actor: Actor) -> str:
        return chair_view(s, actor.meeting_id) if actor.kind == "chair" else actor.view

    def snapshot(actor: Actor) -> dict:
        zone = current_app.config["YISHI_TIMEZONE"]
        broadcaster = current_app.extensions["yishi.broadcaster"]
        with read_only() as s:  # the member and public views are shared copies, built once per change
            out = {"state": broadcaster.view_state(s, actor.meeting_id, view_of(s, actor)), "me": None}
            if actor.is_seat:
                out["me"] = me(s, actor.meeting_id, actor.person_id, zone)
                if actor.person_id in recused_from_last_closed(s, out["state"]):  # not that item's tally
                    out["state"] = withhold(out["state"], {out["state"]["last_closed"]["id"]})
        return out

    @socketio.on("connect")
    def on_connect(auth=None):
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("token") or request.args.get("token")
        credential = None
        try:
            if token is not None and (not isinstance(token, str) or len(token) > 200 or unsafe_char(token)):
                raise InvalidToken()  # a NUL in a token would reach PostgreSQL (which refuses it in text)
            with read_only() as s:
                if token:
                    throttle.check_link()  # an address that guessed too many links waits
                    try:
                        actor = token_actor(s, str(token))
                    except InvalidToken:
                        throttle.link_failed()
                        raise
                else:
                    actor = staff_actor(s)
                    if actor is None:
                        raise PermissionDenied()
                    credential = credential_of(s, actor)
                    try:
                        meeting_id = int(auth.get("meeting_id") or request.args.get("meeting_id"))
                    except (TypeError, ValueError):
                        raise InvalidPayload(detail="meeting_id") from None
                    if not 1 <= meeting_id <= DB_INT_MAX:
                        raise NotFound(what="会议")
                    if s.get(Meeting, meeting_id) is None:
                        raise NotFound(what="会议")
                    actor = Actor(
                        kind=actor.kind,
                        name=actor.name,
                        user_id=actor.user_id,
                        meeting_id=meeting_id,
                        device=actor.device,
                    )
        except YishiError as err:
            from flask_socketio import ConnectionRefusedError

            raise ConnectionRefusedError(err.to_dict()["error"]) from None
        connections.add(request.sid, actor, credential)
        locales[request.sid] = get_locale()  # as each event's Flask request would choose it (?lang=, session)
        join_room(room_name(actor.meeting_id))
        # the chair has a room of its own: full view, or the member view while recused from the item under way
        join_room(room_name(actor.meeting_id, "chair" if actor.kind == "chair" else actor.view))
        if actor.is_seat:
            join_room(person_room(actor.meeting_id, actor.person_id))
            presence.connected(actor.seat_id)
        socketio.emit("snapshot", snapshot(actor), to=request.sid)
        turned = current_app.extensions["yishi.broadcaster"].presented.get(actor.meeting_id)
        if turned is not None and (actor.is_seat or actor.is_staff):  # 跟随翻页: where the presenter is now
            socketio.emit("page_turned", turned, to=request.sid)
        if actor.is_seat:  # the secretary's roster shows who is connected (only the full view shows it)
            current_app.extensions["yishi.broadcaster"].presence_changed(actor.meeting_id)

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        actor = connections.remove(request.sid)
        locales.pop(request.sid, None)
        if actor is not None and actor.is_seat:
            presence.disconnected(actor.seat_id)
            current_app.extensions["yishi.broadcaster"].presence_changed(actor.meeting_id)

    @socketio.on("sync")
    def on_sync(*_args):
        actor = actors.get(request.sid)
        if actor is None:
            return {"ok": False, "error": {"code": "invalid_token", "message": "连接未认证，请重新打开链接。"}}
        if not still_signed_in(request.sid):
            return SIGNED_OUT
        return {"ok": True, **snapshot(actor)}

    @socketio.on("item_detail")
    def on_item_detail(*args):
        """A participant asks for the item's summary, materials and history; refused while recused."""
        actor = actors.get(request.sid)
        if actor is None:
            return {"ok": False, "error": {"code": "invalid_token", "message": "连接未认证，请重新打开链接。"}}
        if not still_signed_in(request.sid):
            return SIGNED_OUT
        try:
            payload = parse(ItemRef, args[0] if len(args) == 1 else None)
            with read_only() as s:
                return {
                    "ok": True,
                    **participant_item_detail(s, actor, payload.item_id, current_app.config["YISHI_TIMEZONE"]),
                }
        except YishiError as err:
            return err.to_dict()
        except Exception:  # never a traceback for the tablet's transport: an answer (or none, without an ack)
            log.exception("item_detail failed")
            return server_error()

    def make_handler(name: str):
        def handler(sid: str, *args):
            actor = actors.get(sid)
            if actor is None:
                return {"ok": False, "error": {"code": "invalid_token", "message": "连接未认证，请重新打开链接。"}}
            if not still_signed_in(sid):  # logged out, deactivated, password changed or idle meanwhile
                return SIGNED_OUT
            try:
                if len(args) > 1:  # a payload is one JSON object; anything else gets a typed refusal, not silence
                    raise InvalidPayload(detail="应为一个 JSON 对象")
                outcome = perform(name, actor, actor.meeting_id, args[0] if args else None)
            except YishiError as err:  # in the tablet's language (an acknowledgement has no text to translate)
                with force_locale(locales.get(sid) or "zh"):
                    return err.to_dict()
            except Exception:  # never leave a tablet without an answer
                log.exception("action %s failed", name)
                return server_error()
            current_app.extensions["yishi.broadcaster"].after(outcome)
            return outcome.ack

        handler.__name__ = f"on_{name}"
        return handler

    def queue_opinion(app, sid: str, actor: Actor, *args):
        """A member's opinion, handed to the meeting's intake (meeting/intake.py) and acknowledged after its
        batch has committed; the intake tells the room, once per batch. It needs neither a Flask request nor the
        app's context: in a burst of 3,000 the context alone would be a few percent of the server's time. A
        refusal is translated in one."""
        try:
            if len(args) > 1:
                raise InvalidPayload(detail="应为一个 JSON 对象")
            # the room's coalescing window opens when the opinion arrives, not when its batch commits (progress
            # is still sent only after the commit, and read from the database then)
            intake = app.extensions["yishi.intake"]
            arrived = intake.clock()  # the broadcaster's clock: it compares this instant with its own
            _, payload = prepare("give_opinion", actor, actor.meeting_id, args[0] if args else None)
            outcome = intake.submit(actor, payload, arrived)
        except YishiError as err:
            with app.app_context(), force_locale(locales.get(sid) or "zh"):
                return err.to_dict()
        except Exception:  # never leave a tablet without an answer
            log.exception("action give_opinion failed")
            return server_error()
        return outcome.ack

    def direct(name: str):
        """An action needs the app and the tablet's language, not a Flask request: Flask-SocketIO would build
        one per event (request, URL adapter, cookie session, signing serializer) — in a 3,000-tablet burst a
        tenth of the server's time, for nothing these handlers read."""
        handler = make_handler(name)

        def dispatch(sid: str, *args):
            environ = socketio.server.get_environ(sid)
            if not environ:  # not (or no longer) connected
                return None
            app = environ["flask.app"]
            if name == "give_opinion":
                actor = actors.get(sid)
                if actor is not None and actor.kind == "member":
                    # many members at once are written a batch per transaction; the chair's statement, which
                    # needs the whole room, goes the one-at-a-time way (make_handler)
                    return queue_opinion(app, sid, actor, *args)
            with app.app_context():
                return handler(sid, *args)

        dispatch.__name__ = f"on_{name}"
        return dispatch

    for name in ACTIONS:
        socketio.server.on(name, direct(name), namespace="/")

    guard_packets(socketio, authenticated=lambda sid: sid in actors)


# ---------------------------------------------------------------- malformed packets

MAX_MALFORMED = 3  # an unauthenticated connection is dropped at its third malformed packet
PACKET_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, UnicodeError)


def guard_packets(socketio: SocketIO, authenticated) -> None:
    """A packet python-socketio cannot decode or dispatch (not JSON, nested 50,000 deep, an event without a name,
    an unknown type) raises inside the transport, which logs a traceback for each: a stranger could fill the log.
    Here such a packet is dropped quietly; a connection that has not authenticated is disconnected at its
    :data:`MAX_MALFORMED`-th, with one log line; an authenticated one is logged once and kept (a tablet's bug
    must not cost a member his seat)."""
    server = socketio.server
    handle = server._handle_eio_message  # what the Engine.IO 'message' event calls
    malformed: dict[str, int] = {}

    def guarded(eio_sid, data):
        try:
            return handle(eio_sid, data)
        except PACKET_ERRORS as exc:
            n = malformed[eio_sid] = malformed.get(eio_sid, 0) + 1
            sid = server.manager.sid_from_eio_sid(eio_sid, "/")
            if sid is not None and authenticated(sid):
                if n == 1:
                    log.warning(
                        "malformed Socket.IO packet from an authenticated connection %s (%s); ignored",
                        sid,
                        type(exc).__name__,
                    )
                return None
            if n == MAX_MALFORMED:
                log.warning(
                    "Socket.IO connection %s dropped after %d malformed packets (last: %s)",
                    eio_sid,
                    n,
                    type(exc).__name__,
                )
                try:
                    server.eio.disconnect(eio_sid)
                except Exception:  # noqa: BLE001 - already gone
                    pass
            return None

    def forget(eio_sid, *_args):
        malformed.pop(eio_sid, None)
        return handle_disconnect(eio_sid, *_args)

    handle_disconnect = server._handle_eio_disconnect
    server._handle_eio_message = guarded  # the test client calls this attribute
    server.eio.on("message", guarded)  # the real transport calls the Engine.IO handler
    server._handle_eio_disconnect = forget
    server.eio.on("disconnect", forget)
