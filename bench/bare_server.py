#!/usr/bin/env python3
"""A bare python-socketio server doing no work: the transport's limit on this machine.

It speaks the same protocol as the app's tablets see it (connect with ``auth={"token": ...}``, a ``snapshot`` on
connect, ``check_in`` and ``give_opinion`` acknowledged at once) and, like the app's broadcaster, emits a
coalesced ``progress`` {spoken, eligible} to the room at most once per ``YISHI_BROADCAST_INTERVAL`` seconds
(default 0.15). No database, no validation, no state beyond a counter.

It runs with the same async mode and the same web server as ``python run.py serve`` (eventlet.wsgi with the same
``max_size``, or gevent's pywsgi with simple-websocket), and the same engine.io and Socket.IO settings as
``meeting/app.py`` (handlers run in the greenlet that read the event)::

    .venv/bin/python bench/bare_server.py --host 127.0.0.1 --port 5100 --async-mode gevent
"""

from __future__ import annotations

import os
import sys


def _mode(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
    return os.environ.get("YISHI_ASYNC_MODE", "eventlet")


MODE = _mode(sys.argv[1:])
if __name__ == "__main__":  # monkey-patch first, exactly as run.py does
    if MODE == "eventlet":
        import warnings

        warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
        import eventlet

        eventlet.monkey_patch()
    elif MODE == "gevent":
        from gevent import monkey

        monkey.patch_all()

import argparse  # noqa: E402
import threading  # noqa: E402

import socketio  # noqa: E402

ROOM = "meeting:1:member"


def build(mode: str, interval: float) -> socketio.Server:
    sio = socketio.Server(
        async_mode=mode, ping_interval=10, ping_timeout=20, max_http_buffer_size=1_000_000, async_handlers=False
    )  # as meeting/app.py: events run where they are read
    state = {"spoken": 0, "connected": 0, "pending": False}
    seen: set[str] = set()
    lock = threading.Lock()

    def flush_later():
        sio.sleep(interval)
        with lock:
            state["pending"] = False
            msg = {"spoken": state["spoken"], "eligible": state["connected"]}
        sio.emit("progress", msg, to=ROOM)

    @sio.on("connect")
    def on_connect(sid, environ, auth=None):
        if not isinstance(auth, dict) or not auth.get("token"):
            raise socketio.exceptions.ConnectionRefusedError({"code": "invalid_token", "message": "无效链接"})
        sio.enter_room(sid, ROOM)
        with lock:
            state["connected"] += 1
        sio.emit("snapshot", {"state": {"view": "member"}, "me": {"token": auth["token"]}}, to=sid)

    @sio.on("disconnect")
    def on_disconnect(sid, *_):
        with lock:
            state["connected"] -= 1

    @sio.on("check_in")
    def on_check_in(sid, data=None):
        return {"ok": True, "attendance": "present"}

    @sio.on("give_opinion")
    def on_give_opinion(sid, data=None):
        cid = data.get("client_id") if isinstance(data, dict) else None
        with lock:
            if cid not in seen:  # a resend counts once, as in the app
                seen.add(cid)
                state["spoken"] += 1
            start = not state["pending"]
            state["pending"] = True
        if start:
            sio.start_background_task(flush_later)
        return {"ok": True, "duplicate": False, "opinion": data}

    return sio


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="bare python-socketio server (transport baseline)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5100)
    ap.add_argument("--async-mode", default=MODE, choices=["eventlet", "gevent"])
    args = ap.parse_args(argv)
    interval = float(os.environ.get("YISHI_BROADCAST_INTERVAL", "0.15"))
    sio = build(args.async_mode, interval)
    app = socketio.WSGIApp(sio)
    print(f"bare socketio server: http://{args.host}:{args.port}/ (async mode {args.async_mode})", flush=True)
    if args.async_mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        sock = eventlet.listen((args.host, args.port))
        # same as `python run.py serve` (meeting/cli.py passes YISHI_MAX_CONNECTIONS as max_size)
        eventlet.wsgi.server(
            sock, app, log_output=False, max_size=int(os.environ.get("YISHI_MAX_CONNECTIONS", "10000"))
        )
    else:
        from gevent import pywsgi

        try:  # Flask-SocketIO's choice: gevent-websocket's handler if installed, else simple-websocket
            from geventwebsocket.handler import WebSocketHandler

            server = pywsgi.WSGIServer((args.host, args.port), app, handler_class=WebSocketHandler, log=None)
        except ImportError:
            server = pywsgi.WSGIServer((args.host, args.port), app, log=None)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
