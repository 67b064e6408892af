"""create_app(config=None): the one place that wires every package's views together."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, jsonify, request
from flask_socketio import SocketIO

from . import clock, headers, i18n
from .broadcast import Broadcaster
from .db import create_schema, make_engine
from .errors import YishiError
from .intake import OpinionIntake

ROOT = Path(__file__).resolve().parent.parent
ASYNC_MODES = ("eventlet", "gevent", "threading")


def _secret_key(instance: Path) -> str:
    """A per-installation secret kept in the instance folder (sessions survive restarts)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    instance = Path(config.get("INSTANCE_PATH") or os.environ.get("YISHI_INSTANCE") or ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(instance.resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'yishi.db'}",
        YISHI_ASYNC_MODE=os.environ.get("YISHI_ASYNC_MODE", "threading"),
        SOCKETIO_MESSAGE_QUEUE=os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        SOCKETIO_CHANNEL=os.environ.get("SOCKETIO_CHANNEL", "yishi"),
        YISHI_TIMEZONE=os.environ.get("YISHI_TIMEZONE", clock.DEFAULT_ZONE),
        YISHI_BROADCAST_INTERVAL=float(os.environ.get("YISHI_BROADCAST_INTERVAL", "0.15")),
        YISHI_MAX_CONNECTIONS=int(os.environ.get("YISHI_MAX_CONNECTIONS", "10000")),
        MATERIALS_DIR=str(instance / "materials"),
        MAX_CONTENT_LENGTH=60 * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        JSON_AS_ASCII=False,
        # where an account of a role other than secretary lands (meeting.auth.login_required)
        YISHI_ROLE_HOMES={"supervisor": "execution.ledger", "unit": "execution.unit_home",
                          "leader": "execution.leader_home"},
        EXECUTION_DIR=str(instance / "execution"),
    )
    app.config.update(config)
    if "SECRET_KEY" not in config:
        app.config["SECRET_KEY"] = os.environ.get("YISHI_SECRET_KEY") or _secret_key(instance)
    app.json.ensure_ascii = False

    mode = app.config["YISHI_ASYNC_MODE"]
    if mode not in ASYNC_MODES:
        raise ValueError(f"YISHI_ASYNC_MODE must be one of {ASYNC_MODES}, not {mode!r}")

    import execution.models  # noqa: F401  (the one place meeting/ points up: register the other packages' tables)
    import minutes.models  # noqa: F401

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["yishi.engine"] = engine
    create_schema(engine)

    i18n.init(app)
    headers.init(app)  # CSP, frame, sniffing and referrer headers on every response
    _template_helpers(app)

    from . import api, setup_views, views
    from execution import public_views, supervision_views
    from execution import views as execution_views
    from minutes import views as minutes_views  # before api.bp is registered: it adds the /api/v1 minutes routes

    app.register_blueprint(views.bp)
    app.register_blueprint(setup_views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(minutes_views.bp)
    app.register_blueprint(execution_views.bp)
    app.register_blueprint(supervision_views.bp)
    app.register_blueprint(public_views.bp)

    @app.errorhandler(YishiError)
    def _yishi_error(err: YishiError):
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return jsonify(err.to_dict()), err.http_status
        return views.error_page(err)

    socketio = SocketIO(
        app,
        async_mode=mode,
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        manage_session=True,
        ping_interval=10,
        ping_timeout=20,
        max_http_buffer_size=1_000_000,
        # a tablet's events are handled one after another, in the greenlet that read them: in the order sent
        # (a correction, then a sync, answers with the correction), and without a new greenlet per event that
        # waits for its batch's commit; in a 1,000-tablet burst those greenlets were a third of the server's
        # time (docs/performance.md). Every handler is short: a few queries, or a wait for the batch.
        async_handlers=False,
    )
    headers.wrap_socketio(app)  # Engine.IO's HTTP answers bypass after_request
    broadcaster = app.extensions["yishi.broadcaster"] = Broadcaster(app, socketio)
    # members' opinions, a batch per transaction; the room is told once per batch
    intake = app.extensions["yishi.intake"] = OpinionIntake(app, socketio, written=broadcaster.opinions_written)
    broadcaster.writing = intake.writing  # counts wait while a burst is being written
    from . import events

    events.register(socketio)
    return app


def socketio_of(app: Flask) -> SocketIO:
    return app.extensions["socketio"]


def _template_helpers(app: Flask) -> None:
    zone = lambda: app.config["YISHI_TIMEZONE"]  # noqa: E731
    app.jinja_env.filters["cn_date"] = lambda dt: clock.cn_date(dt, zone())
    app.jinja_env.filters["cn_datetime"] = lambda dt: clock.cn_datetime(dt, zone())
    app.jinja_env.filters["cn_time"] = lambda dt: clock.cn_time(dt, zone())

    from .auth import csrf_token

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        from voting import vocabulary

        return {"csrf_token": csrf_token, "vocab": vocabulary, "get_locale": get_locale}
