"""create_app(config=None): the one place that wires every package's views together."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, request
from flask_socketio import SocketIO

from . import clock, headers, i18n, redact
from .broadcast import Broadcaster
from .db import create_schema, install_outage_log_filter, make_engine
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


OWNER_ONLY_UMASK = 0o077  # data folders 0o700, files 0o600: materials, minutes, the database, the secret key


def owner_only(*paths: Path) -> None:
    """Make the data folders (0o700) and files (0o600) that exist owner-only: the umask covers what is created
    from now on; this tightens what an earlier run, or another umask, left readable."""
    for path in paths:
        try:
            if path.is_dir():
                path.chmod(0o700)
            elif path.is_file():
                path.chmod(0o600)
        except OSError:  # not ours (a shared mount): leave it, the umask still covers new files
            pass


def _sqlite_files(url: str) -> list[Path]:
    if not url.startswith("sqlite") or "///" not in url:
        return []
    db = url.split("///", 1)[-1].split("?", 1)[0]
    if not db or db == ":memory:":
        return []
    return [Path(db + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    os.umask(OWNER_ONLY_UMASK)  # before anything is created: the instance folder, the database, uploaded files
    instance = Path(config.get("INSTANCE_PATH") or os.environ.get("YISHI_INSTANCE") or ROOT / "instance")
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        # Secure when the request came over HTTPS (directly, or by X-Forwarded-Proto from a trusted proxy)
        YISHI_COOKIE_SECURE=os.environ.get("YISHI_COOKIE_SECURE", "auto"),
        YISHI_TRUSTED_PROXIES=int(os.environ.get("YISHI_TRUSTED_PROXIES", "0") or 0),
        # sign-in sessions (meeting/auth.py): ended on the server after idling, and at most this long after sign-in
        YISHI_IDLE_TIMEOUT_MINUTES=float(os.environ.get("YISHI_IDLE_TIMEOUT_MINUTES", "30")),
        YISHI_SESSION_MAX_HOURS=float(os.environ.get("YISHI_SESSION_MAX_HOURS", "12")),
        YISHI_REAUTH_MINUTES=float(os.environ.get("YISHI_REAUTH_MINUTES", "10")),
        # throttling of guesses (meeting/throttle.py); "" turns a limit off
        YISHI_LOGIN_USER_LIMIT=os.environ.get("YISHI_LOGIN_USER_LIMIT", "5 per 15 minutes"),
        YISHI_LOGIN_IP_LIMIT=os.environ.get("YISHI_LOGIN_IP_LIMIT", "20 per 15 minutes"),
        YISHI_LINK_IP_LIMIT=os.environ.get("YISHI_LINK_IP_LIMIT", "30 per 5 minutes"),
        YISHI_THROTTLE_STORAGE=os.environ.get("YISHI_THROTTLE_STORAGE") or None,
        # Flask-WTF: tokens live as long as the sign-in (a console stays open through a long meeting)
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by meeting.auth.protect_every_form (API-token requests exempt)
        JSON_AS_ASCII=False,
        # where an account of a role other than secretary lands (meeting.auth.login_required)
        YISHI_ROLE_HOMES={"supervisor": "execution.ledger", "unit": "execution.unit_home",
                          "leader": "execution.leader_home"},
        EXECUTION_DIR=str(instance / "execution"),
    )
    app.config.update(config)
    if "SECRET_KEY" not in config:
        app.config["SECRET_KEY"] = os.environ.get("YISHI_SECRET_KEY") or _secret_key(instance)
    if "PERMANENT_SESSION_LIFETIME" not in config:  # the cookie lasts no longer than the sign-in may
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["YISHI_SESSION_MAX_HOURS"])
    app.json.ensure_ascii = False
    from .schemas import bound_url_ids

    bound_url_ids(app)  # an id in a URL beyond the database's integer is 404, not an overflow inside a query
    _security(app)

    mode = app.config["YISHI_ASYNC_MODE"]
    if mode not in ASYNC_MODES:
        raise ValueError(f"YISHI_ASYNC_MODE must be one of {ASYNC_MODES}, not {mode!r}")

    import execution.models  # noqa: F401  (the one place meeting/ points up: register the other packages' tables)
    import minutes.models  # noqa: F401

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["yishi.engine"] = engine
    create_schema(engine)  # the migrations of every part whose models are imported (meeting/migrations)
    for folder in (app.config["MATERIALS_DIR"], app.config["EXECUTION_DIR"]):
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    owner_only(instance, Path(app.config["MATERIALS_DIR"]), Path(app.config["EXECUTION_DIR"]),
               instance / "secret_key", *_sqlite_files(app.config["DATABASE_URL"]))
    redact.install(app.logger)  # no tablet token in an error or access line

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

    # deny by default: each part says who may reach each of its endpoints, checked before the view runs
    from execution import policy as execution_policy
    from minutes import policy as minutes_policy

    from . import policy

    policy.init_app(app)
    policy.declare(app, minutes_policy.ACCESS)
    policy.declare(app, execution_policy.ACCESS, execution_policy.PREFIXES, execution_policy.LANDING)
    policy.check_records(app, execution_policy.RECORD_CHECKS)

    @app.errorhandler(YishiError)
    def _yishi_error(err: YishiError):
        if (request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
                or request.is_json):  # a script's request refused before its view (CSRF, throttling)
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
    from .connections import Connections

    connections = app.extensions["yishi.connections"] = Connections(socketio)
    recheck = app.config.get("YISHI_SOCKET_RECHECK_SECONDS", 0 if app.testing else 10)
    connections.start_rechecking(app, float(recheck))
    from . import events

    events.register(socketio, connections)
    install_outage_log_filter(app)  # a database outage: one log line per interval, not one per request
    return app


def _security(app: Flask) -> None:
    """CSRF on every form, the session cookie's flags, a trusted proxy's headers, throttling of guesses."""
    from flask_wtf.csrf import CSRFError  # noqa: F401  (Flask-WTF's, turned into our refusal in check_csrf)
    from werkzeug.middleware.proxy_fix import ProxyFix

    from .auth import csrf, protect_every_form
    from .throttle import Throttle

    proxies = int(app.config.get("YISHI_TRUSTED_PROXIES") or 0)
    if proxies > 0:  # X-Forwarded-For/-Proto/-Host/-Port are believed only from that many proxies in front
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    csrf.init_app(app)
    app.before_request(protect_every_form)
    app.extensions["yishi.throttle"] = Throttle(app)

    secure = str(app.config.get("YISHI_COOKIE_SECURE", "auto")).lower()
    if secure in ("1", "true", "yes", "on"):
        app.config["SESSION_COOKIE_SECURE"] = True

    if secure == "auto":
        from flask.sessions import SecureCookieSessionInterface

        class _Sessions(SecureCookieSessionInterface):
            def get_cookie_secure(self, app_):  # Secure whenever this request arrived over HTTPS
                return bool(app_.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

        app.session_interface = _Sessions()


def socketio_of(app: Flask) -> SocketIO:
    return app.extensions["socketio"]


def _template_helpers(app: Flask) -> None:
    zone = lambda: app.config["YISHI_TIMEZONE"]  # noqa: E731
    app.jinja_env.filters["cn_date"] = lambda dt: clock.cn_date(dt, zone())
    app.jinja_env.filters["cn_datetime"] = lambda dt: clock.cn_datetime(dt, zone())
    app.jinja_env.filters["cn_time"] = lambda dt: clock.cn_time(dt, zone())

    from .auth import csrf_token  # Flask-WTF's signed token

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        from voting import vocabulary

        return {"csrf_token": csrf_token, "vocab": vocabulary, "get_locale": get_locale}
