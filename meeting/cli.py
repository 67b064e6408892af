"""The meeting part's commands of ``python run.py``: serve, demo, create-admin, create-api-token, init-db (click
commands on ``app.cli``, added by :func:`init_app`; the other parts add theirs)."""

from __future__ import annotations

import errno
import getpass
import os
import sys
from collections.abc import Callable
from functools import wraps
from types import SimpleNamespace

import click
from flask.cli import ScriptInfo
from sqlmodel import select

from . import ASYNC_MODES, lan, presence
from .auth import hash_password, new_api_token
from .db import unit_of_work
from .demo import create_demo
from .models import User
from .redact import server_logger
from .startup import data_folder_problem, listen_alone, port_problem


def read_password(args) -> str | None:
    """--password, YISHI_ADMIN_PASSWORD or the terminal; None (after saying why) when shorter than 8 characters."""
    password = args.password or os.environ.get("YISHI_ADMIN_PASSWORD") or getpass.getpass("密码 / password: ")
    if len(password) < 8:
        print("密码至少 8 位 / password must have at least 8 characters", file=sys.stderr)
        return None
    return password


def username_taken(s, username: str) -> bool:
    if s.exec(select(User).where(User.username == username)).first() is None:
        return False
    print(f"用户 {username} 已存在 / user exists", file=sys.stderr)
    return True


def _tune_gc() -> None:
    """Thousands of connected tablets keep ~10⁶ objects alive, and each waiting opinion adds its own: with
    CPython's default thresholds a burst then runs a full collection every few hundred milliseconds, each walking
    every object. Objects made at start-up (modules, mappers) are never garbage: keep them out of collections,
    and collect the young generation less often. ``YISHI_GC_THRESHOLD=700,10,10`` restores CPython's default."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*(int(x) for x in os.environ.get("YISHI_GC_THRESHOLD", "50000,20,100").split(",")))


def refuse_if_taken(app, host: str, port: int) -> None:
    """One server per data folder and per port: otherwise one line on stderr and exit status 1, before anything is
    printed or changed. The folder's lock is taken here and held until the process ends (shared between the workers
    of a deployment with a message queue, docs/deployment.md)."""
    shared = bool(app.config.get("SOCKETIO_MESSAGE_QUEUE"))
    problem = data_folder_problem(app.instance_path, shared=shared) or port_problem(host, port)
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(1)


def serve(app, host: str, port: int) -> None:
    refuse_if_taken(app, host, port)

    socketio = app.extensions["socketio"]
    if not app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        with app.app_context():
            presence.reset_all()

    kwargs = {}
    log_output = False
    if app.config["YISHI_ASYNC_MODE"] == "eventlet":
        kwargs["max_size"] = app.config["YISHI_MAX_CONNECTIONS"]  # eventlet's default is 1,024 connections
        # error lines, and access lines with YISHI_ACCESS_LOG=1, through the filter that hides tablet tokens
        kwargs["log"] = server_logger()
        log_output = os.environ.get("YISHI_ACCESS_LOG", "") == "1"
    elif app.config["YISHI_ASYNC_MODE"] == "gevent":
        kwargs["error_log"] = server_logger()  # gevent's access log stays off: it cannot be filtered
    if app.config["YISHI_ASYNC_MODE"] == "threading":
        kwargs["allow_unsafe_werkzeug"] = True
    if app.config["YISHI_ASYNC_MODE"] == "eventlet":
        listen_alone()  # no SO_REUSEPORT: a second server on this port fails to bind instead of sharing it
    app.config["YISHI_LISTEN_HOST"] = host  # the links page tells whether tablets can reach the server
    _tune_gc()
    if lan.is_loopback(host) and not app.config.get("YISHI_PUBLIC_URL"):
        print(
            f"注意：服务器只在本机地址 {host} 上监听，平板无法连接；会场使用请加 --host 0.0.0.0 / note: listening on "
            f"{host} only, tablets cannot connect; add --host 0.0.0.0 for the meeting room",
            flush=True,
        )
    print(
        f"议事 Yishi: http://{host}:{port}/  (async mode {app.config['YISHI_ASYNC_MODE']}, "
        f"database {app.config['DATABASE_URL'].split('@')[-1]})",
        flush=True,
    )
    try:
        socketio.run(app, host=host, port=port, log_output=log_output, **kwargs)
    except OSError as exc:  # another server bound the port between the check and now
        if exc.errno != errno.EADDRINUSE:
            raise
        print(port_problem(host, port) or f"端口 {port} 已被占用 / port {port} is in use", file=sys.stderr)
        raise SystemExit(1) from None


def pass_app(command: Callable) -> Callable:
    """Hand a command the app it was added to (Flask's ScriptInfo builds it once), without pushing its context:
    each command opens the contexts it needs, and ``serve`` runs the server outside any."""

    @wraps(command)
    def run(*args, **kwargs):
        return command(click.get_current_context().ensure_object(ScriptInfo).load_app(), *args, **kwargs)

    return run


def server_options(command: Callable) -> Callable:
    """--host, --port, --async-mode (run.py reads the mode before any import, to monkey-patch first)."""
    for option in reversed(
        (
            click.option(
                "--host",
                default=os.environ.get("YISHI_HOST", "127.0.0.1"),
                metavar="HOST",
                help="address to listen on; 0.0.0.0 to serve tablets on the LAN (default 127.0.0.1)",
            ),
            click.option("--port", type=int, default=int(os.environ.get("YISHI_PORT", "5000")), metavar="PORT"),
            click.option(
                "--async-mode", default=os.environ.get("YISHI_ASYNC_MODE", "eventlet"), type=click.Choice(ASYNC_MODES)
            ),
        )
    ):
        command = option(command)
    return command


def password_option(command: Callable) -> Callable:
    return click.option("--password", help="default: asked on the terminal (or YISHI_ADMIN_PASSWORD)")(command)


@click.command("serve", help="run the server (default command)")
@server_options
@pass_app
def serve_command(app, host: str, port: int, async_mode: str) -> int:
    serve(app, host, port)
    return 0


@click.command("demo", help="create a demo body, meeting and secretary account, print the links, and serve")
@server_options
@click.option("--no-serve", is_flag=True, help="create the demo data and print the links only")
@pass_app
def demo_command(app, host: str, port: int, async_mode: str, no_serve: bool) -> int:
    if not no_serve:
        refuse_if_taken(app, host, port)  # no links printed, no demo meeting made, for a server that cannot start
    host_for_links = (lan.lan_address() or "127.0.0.1") if host in ("0.0.0.0", "::") else host
    base = f"http://{host_for_links}:{port}"
    with app.app_context():
        info = create_demo()
    print(info.describe(base), flush=True)
    if not no_serve:
        serve(app, host, port)
    return 0


@click.command("create-admin", help="create a secretary/administrator account")
@click.option("--username", required=True)
@click.option("--display-name", default="")
@password_option
@pass_app
def create_admin(app, username: str, display_name: str, password: str | None) -> int:
    password = read_password(SimpleNamespace(password=password))
    if password is None:
        return 2
    with app.app_context(), unit_of_work() as s:
        if username_taken(s, username):
            return 2
        s.add(
            User(
                username=username,
                display_name=display_name or username,
                password_hash=hash_password(password),
                role="admin",
            )
        )
    print(f"已创建管理员 {username} / admin created")
    return 0


@click.command("create-api-token", help="create an API token for a user (printed once)")
@click.option("--username", required=True)
@click.option("--name", default="api")
@pass_app
def create_api_token(app, username: str, name: str) -> int:
    with app.app_context(), unit_of_work() as s:
        user = s.exec(select(User).where(User.username == username)).first()
        if user is None:
            print("no such user", file=sys.stderr)
            return 2
        print(new_api_token(s, user, name))
    return 0


@click.command("init-db", help="create the database tables")
@pass_app
def init_db(app) -> int:
    print("database ready:", app.config["DATABASE_URL"])  # create_app made them
    return 0


COMMANDS = (serve_command, demo_command, create_admin, create_api_token, init_db)


def init_app(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
