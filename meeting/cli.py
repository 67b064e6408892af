"""Commands of ``python run.py``: serve, demo, create-admin, create-api-token, init-db, verify."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys

from sqlmodel import select


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run.py", description="议事 Yishi — 会议决策系统 / meeting decisions")
    sub = p.add_subparsers(dest="command")

    def server_opts(sp):
        sp.add_argument("--host", default=os.environ.get("YISHI_HOST", "127.0.0.1"),
                        help="address to listen on; 0.0.0.0 to serve tablets on the LAN (default 127.0.0.1)")
        sp.add_argument("--port", type=int, default=int(os.environ.get("YISHI_PORT", "5000")))
        sp.add_argument("--async-mode", default=os.environ.get("YISHI_ASYNC_MODE", "eventlet"),
                        choices=["eventlet", "gevent", "threading"])

    server_opts(sub.add_parser("serve", help="run the server (default command)"))
    d = sub.add_parser("demo", help="create a demo body, meeting and secretary account, print the links, and serve")
    server_opts(d)
    d.add_argument("--no-serve", action="store_true", help="create the demo data and print the links only")
    a = sub.add_parser("create-admin", help="create a secretary/administrator account")
    a.add_argument("--username", required=True)
    a.add_argument("--display-name", default="")
    a.add_argument("--password", help="default: asked on the terminal (or YISHI_ADMIN_PASSWORD)")
    u = sub.add_parser("create-user", help="create an account of any role (unit: --unit; leader: --person)")
    u.add_argument("--username", required=True)
    u.add_argument("--role", required=True, choices=["admin", "secretary", "supervisor", "unit", "leader"])
    u.add_argument("--display-name", default="")
    u.add_argument("--unit", help="role unit: the unit's name (created if new)")
    u.add_argument("--person", help="role leader: the person's name as entered in 人员 (refused if two share it)")
    u.add_argument("--person-id", type=int, help="role leader: the person's id (when two people share a name)")
    u.add_argument("--password", help="default: asked on the terminal (or YISHI_ADMIN_PASSWORD)")
    t = sub.add_parser("create-api-token", help="create an API token for a user (printed once)")
    t.add_argument("--username", required=True)
    t.add_argument("--name", default="api")
    sub.add_parser("init-db", help="create the database tables")
    v = sub.add_parser("verify", help="核验: check the event chain, the rows against their events and the archived "
                                      "files (one meeting, or all); exit status 1 when anything is wrong")
    v.add_argument("meeting", nargs="?", type=int, help="the meeting's id (default: every meeting)")
    sub.add_parser("execution-sweep", help="today's due-soon / overdue / plan-overdue notifications to units "
                                           "(idempotent: run it daily, e.g. from cron)")
    return p


def read_password(args) -> str | None:
    """--password, YISHI_ADMIN_PASSWORD or the terminal; None (after saying why) when shorter than 8 characters."""
    password = args.password or os.environ.get("YISHI_ADMIN_PASSWORD") or getpass.getpass("密码 / password: ")
    if len(password) < 8:
        print("密码至少 8 位 / password must have at least 8 characters", file=sys.stderr)
        return None
    return password


def username_taken(s, username: str) -> bool:
    from .models import User

    if s.exec(select(User).where(User.username == username)).first() is None:
        return False
    print(f"用户 {username} 已存在 / user exists", file=sys.stderr)
    return True


def _lan_address() -> str:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent; this only picks the outgoing interface
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def _tune_gc() -> None:
    """Thousands of connected tablets keep ~10⁶ objects alive, and each waiting opinion adds its own: with
    CPython's default thresholds a burst then runs a full collection every few hundred milliseconds, each walking
    every object. Objects made at start-up (modules, mappers) are never garbage: keep them out of collections,
    and collect the young generation less often. ``YISHI_GC_THRESHOLD=700,10,10`` restores CPython's default."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*(int(x) for x in os.environ.get("YISHI_GC_THRESHOLD", "50000,20,100").split(",")))


def serve(app, host: str, port: int) -> None:
    from . import presence
    from .startup import port_problem

    problem = port_problem(host, port)
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(1)

    socketio = app.extensions["socketio"]
    if not app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        with app.app_context():
            presence.reset_all()
    from .redact import server_logger

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
    _tune_gc()
    print(f"议事 Yishi: http://{host}:{port}/  (async mode {app.config['YISHI_ASYNC_MODE']}, "
          f"database {app.config['DATABASE_URL'].split('@')[-1]})", flush=True)
    socketio.run(app, host=host, port=port, log_output=log_output, **kwargs)


def verify(app, meeting_id: int | None) -> int:
    """Print each meeting's 核验 report (Chinese); 0 when all pass, 1 when anything is wrong, 2: no such meeting."""
    from minutes import service as minutes_service
    from minutes import verify as minutes_verify

    from .db import read_only
    from .models import Meeting

    folder = minutes_service.archive_dir(app.instance_path)
    with app.app_context(), read_only() as s:
        if meeting_id is None:
            reports = minutes_verify.verify_all(s, folder)
        elif s.get(Meeting, meeting_id) is None:
            print(f"没有编号为 {meeting_id} 的会议 / no such meeting", file=sys.stderr)
            return 2
        else:
            reports = [minutes_verify.verify(s, meeting_id, folder)]
    for report in reports:
        for i, line in enumerate(report.lines()):
            print(line if i == 0 else f"  - {line}")
    return 0 if all(r.ok for r in reports) else 1


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv or ["serve"])
    os.environ["YISHI_ASYNC_MODE"] = getattr(args, "async_mode", None) or os.environ.get("YISHI_ASYNC_MODE",
                                                                                         "eventlet")
    from .app import create_app
    from .auth import hash_password, new_api_token
    from .db import unit_of_work
    from .models import User

    app = create_app()
    cmd = args.command or "serve"
    if cmd == "serve":
        serve(app, args.host, args.port)
    elif cmd == "init-db":
        print("database ready:", app.config["DATABASE_URL"])
    elif cmd == "create-admin":
        password = read_password(args)
        if password is None:
            return 2
        with app.app_context(), unit_of_work() as s:
            if username_taken(s, args.username):
                return 2
            s.add(User(username=args.username, display_name=args.display_name or args.username,
                       password_hash=hash_password(password), role="admin"))
        print(f"已创建管理员 {args.username} / admin created")
    elif cmd == "verify":
        return verify(app, args.meeting)
    elif cmd == "execution-sweep":
        from execution import supervision  # points up to execution/, as create_app does
        from execution.calendar import today

        with app.app_context(), unit_of_work() as s:
            n = supervision.sweep(s, today())
        print(f"已生成{n}条通知 / {n} notifications created")
    elif cmd == "create-user":
        from execution.cli import create_user

        return create_user(app, args)
    elif cmd == "create-api-token":
        with app.app_context(), unit_of_work() as s:
            user = s.exec(select(User).where(User.username == args.username)).first()
            if user is None:
                print("no such user", file=sys.stderr)
                return 2
            print(new_api_token(s, user, args.name))
    elif cmd == "demo":
        from .demo import create_demo

        host_for_links = _lan_address() if args.host == "0.0.0.0" else args.host
        base = f"http://{host_for_links}:{args.port}"
        with app.app_context():
            info = create_demo()
        print(info.describe(base), flush=True)
        if not args.no_serve:
            serve(app, args.host, args.port)
    return 0
