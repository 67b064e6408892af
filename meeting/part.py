"""The meeting part (the room, its pages, API and sockets) as the host installs it: :func:`settings`, then
:func:`init_app`. The parts built on it (minutes/, execution/) install themselves after it; it imports none of them."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from voting import vocabulary

from . import ASYNC_MODES, api, cli, clock, events, headers, i18n, lan, policy, redact, setup_views, views
from .auth import credential_valid, csrf, csrf_token, protect_every_form
from .broadcast import Broadcaster
from .connections import Connections
from .db import create_schema, install_outage_log_filter, make_engine
from .errors import YishiError
from .intake import OpinionIntake
from .schemas import bound_url_ids
from .throttle import Throttle

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


def settings(instance: Path) -> dict:
    """The meeting part's defaults (Flask's own keys among them), read from the environment; the host applies them
    before the caller's config."""
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'yishi.db'}",
        "YISHI_ASYNC_MODE": os.environ.get("YISHI_ASYNC_MODE", "threading"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "yishi"),
        "YISHI_TIMEZONE": os.environ.get("YISHI_TIMEZONE", clock.DEFAULT_ZONE),
        "YISHI_BROADCAST_INTERVAL": float(os.environ.get("YISHI_BROADCAST_INTERVAL", "0.15")),
        "YISHI_MAX_CONNECTIONS": int(os.environ.get("YISHI_MAX_CONNECTIONS", "10000")),
        "MATERIALS_DIR": str(instance / "materials"),
        # where the personal links and QR codes point (meeting/lan.py): "" → the address the console was opened at,
        # or the server's detected LAN address when that is a loopback one; serve records where it listens
        "YISHI_PUBLIC_URL": os.environ.get("YISHI_PUBLIC_URL", ""),
        "YISHI_LISTEN_HOST": None,
        "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Secure when the request came over HTTPS (directly, or by X-Forwarded-Proto from a trusted proxy)
        "YISHI_COOKIE_SECURE": os.environ.get("YISHI_COOKIE_SECURE", "auto"),
        "YISHI_TRUSTED_PROXIES": int(os.environ.get("YISHI_TRUSTED_PROXIES", "0") or 0),
        # sign-in sessions (meeting/auth.py): ended on the server after idling, and at most this long after sign-in
        "YISHI_IDLE_TIMEOUT_MINUTES": float(os.environ.get("YISHI_IDLE_TIMEOUT_MINUTES", "30")),
        "YISHI_SESSION_MAX_HOURS": float(os.environ.get("YISHI_SESSION_MAX_HOURS", "12")),
        "YISHI_REAUTH_MINUTES": float(os.environ.get("YISHI_REAUTH_MINUTES", "10")),
        # throttling of guesses (meeting/throttle.py); "" turns a limit off
        "YISHI_LOGIN_USER_LIMIT": os.environ.get("YISHI_LOGIN_USER_LIMIT", "5 per 15 minutes"),
        "YISHI_LOGIN_IP_LIMIT": os.environ.get("YISHI_LOGIN_IP_LIMIT", "20 per 15 minutes"),
        "YISHI_LINK_IP_LIMIT": os.environ.get("YISHI_LINK_IP_LIMIT", "30 per 5 minutes"),
        "YISHI_THROTTLE_STORAGE": os.environ.get("YISHI_THROTTLE_STORAGE") or None,
        # Flask-WTF: tokens live as long as the sign-in (a console stays open through a long meeting)
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked by meeting.auth.protect_every_form (API-token requests exempt)
        "JSON_AS_ASCII": False,
    }


def init_app(app: Flask) -> None:
    """The room: security, the database (every listed part's tables: their models are imported with their parts),
    the pages and the API, the access gate, Socket.IO with its broadcaster, intake and connections, the commands."""
    app.json.ensure_ascii = False
    bound_url_ids(app)  # an id in a URL beyond the database's integer is 404, not an overflow inside a query
    _security(app)

    mode = app.config["YISHI_ASYNC_MODE"]
    if mode not in ASYNC_MODES:
        raise ValueError(f"YISHI_ASYNC_MODE must be one of {ASYNC_MODES}, not {mode!r}")

    if app.config["YISHI_PUBLIC_URL"]:
        app.config["YISHI_PUBLIC_URL"] = lan.check_public_url(app.config["YISHI_PUBLIC_URL"])

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["yishi.engine"] = engine
    # the migrations of every part whose models are imported (each part's <part>/migrations; the host imports every
    # part before any init_app): an older database upgraded, its plain links hashed, its leaders bound to people
    create_schema(engine)
    instance = Path(app.instance_path)
    Path(app.config["MATERIALS_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    owner_only(
        instance, Path(app.config["MATERIALS_DIR"]), instance / "secret_key", *_sqlite_files(app.config["DATABASE_URL"])
    )
    redact.install(app.logger)  # no tablet token in an error or access line

    i18n.init(app)
    headers.init(app)  # CSP, frame, sniffing and referrer headers on every response
    _template_helpers(app)

    app.register_blueprint(views.bp)
    app.register_blueprint(setup_views.bp)
    app.register_blueprint(api.bp)  # its handlers; each part installs its own routes (the parts above in theirs)
    api.install(app, "meeting")

    # deny by default: each part says who may reach each of its endpoints, checked before the view runs
    policy.init_app(app)

    @app.errorhandler(YishiError)
    def _yishi_error(err: YishiError):
        if (
            request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json" or request.is_json
        ):  # a script's request refused before its view (CSRF, throttling)
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
    intake = app.extensions["yishi.intake"] = OpinionIntake(
        app, socketio, written=broadcaster.opinions_written, clock=broadcaster.clock
    )  # arrivals on its time line
    broadcaster.writing = intake.writing  # counts wait while a burst is being written
    connections = app.extensions["yishi.connections"] = Connections(socketio, credential_valid)
    recheck = app.config.get("YISHI_SOCKET_RECHECK_SECONDS", 0 if app.testing else 10)
    connections.start_rechecking(app, float(recheck))
    events.register(socketio, connections)
    install_outage_log_filter(app)  # a database outage: one log line per interval, not one per request
    cli.init_app(app)


def _security(app: Flask) -> None:
    """CSRF on every form, the session cookie's flags, a trusted proxy's headers, throttling of guesses."""
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

    @app.context_processor
    def _globals():
        return {"csrf_token": csrf_token, "vocab": vocabulary, "get_locale": get_locale}
