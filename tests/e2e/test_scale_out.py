"""The scale-out path for real: two server processes sharing PostgreSQL, joined by Flask-SocketIO's Redis message
queue. Tablets on one worker, the secretary on the other: every screen still sees everything.

Runs in the PostgreSQL pass of the suite (``YISHI_TEST_DB=postgresql``), once per async mode.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("YISHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
MODES = os.environ.get("YISHI_TEST_ASYNC_MODES", "eventlet gevent").replace(",", " ").split()

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("YISHI_TEST_DB", "sqlite") != "postgresql",
        reason="scale-out needs a shared server database: runs in the PostgreSQL pass",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            requests.get(url + "/login", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(url)


class Collector:
    """Records events a client receives; lets the test wait for a condition."""

    def __init__(self, client: socketio.Client, *names: str):
        self.events: list[tuple[str, dict]] = []
        self.cond = threading.Condition()
        for name in names:
            client.on(name, self._handler(name))

    def _handler(self, name):
        def handle(data):
            with self.cond:
                self.events.append((name, data))
                self.cond.notify_all()

        return handle

    def wait_for(self, predicate, timeout=15.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for name, data in self.events:
                    if predicate(name, data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met; last events: {[n for n, _ in self.events[-10:]]}")
                self.cond.wait(left)


@pytest.fixture(params=MODES)
def two_workers(request, tmp_path, database_url):
    mode = request.param
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SOCKETIO_MESSAGE_QUEUE=REDIS_URL,
        SOCKETIO_CHANNEL=f"yishi-test-{uuid.uuid4().hex[:8]}",
        YISHI_SECRET_KEY="scale-out-secret",
        YISHI_ASYNC_MODE=mode,
    )
    env.pop("YISHI_INSTANCE", None)
    seed = subprocess.run(
        [sys.executable, "run.py", "demo", "--no-serve"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(env, YISHI_INSTANCE=str(tmp_path / "seed")),
    )
    assert seed.returncode == 0, seed.stderr
    procs, urls = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            proc = subprocess.Popen(
                [sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--async-mode", mode],
                cwd=ROOT,
                env=dict(env, YISHI_INSTANCE=str(tmp_path / name)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            procs.append(proc)
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs):
            _wait_http(url, proc)
        yield mode, urls, seed.stdout
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stderr:
                proc.stderr.close()


def test_tablets_on_one_worker_and_the_secretary_on_another_see_the_same_room(two_workers):
    mode, (url_a, url_b), links = two_workers
    meeting_id = int(re.search(r"/meetings/(\d+)/console", links).group(1))
    tokens = dict(re.findall(r"^\s+(\S+?)（.*?）: http://\S+/t/(\S+)$", links, re.M))
    assert len(tokens) == 9
    chair_token = tokens.pop("张建国")

    # the secretary signs in on worker B (sessions are signed with the shared secret key)
    http = requests.Session()
    form = http.get(url_b + "/login", timeout=10).text  # the sign-in form carries a CSRF token
    token = re.search(r'name="csrf_token" value="([^"]*)"', form).group(1)
    resp = http.post(
        url_b + "/login",
        data={"username": "demo", "password": "demo-yishi-2023", "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 303
    secretary = socketio.Client()
    sec_events = Collector(secretary, "snapshot", "state", "progress")
    secretary.connect(
        url_b,
        auth={"meeting_id": meeting_id},
        transports=["websocket"],
        wait_timeout=10,
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())},
    )

    # every tablet, and the chair's, on worker A
    tablets = {}
    for name, tok in list(tokens.items()) + [("张建国", chair_token)]:
        c = socketio.Client()
        tablets[name] = (c, Collector(c, "snapshot", "state", "progress"))
        c.connect(url_a, auth={"token": tok}, transports=["websocket"], wait_timeout=10)
        assert c.call("check_in", {}, timeout=10)["ok"]

    try:
        # B sees A's check-ins through the database and the queue
        sec_events.wait_for(lambda n, d: n == "state" and d["attendance"]["present"] == 9)
        for action, payload in (("open_meeting", {}), ("open_item", {"item_id": 2}), ("call_opinions", {"item_id": 2})):
            ack = secretary.call(action, payload, timeout=10)
            assert ack["ok"], (action, ack)
        # a state change made on B reaches a tablet on A
        tablets["李红梅"][1].wait_for(lambda n, d: n == "state" and (d.get("current") or {}).get("phase") == "opinions")

        early = tablets["张建国"][0].call(
            "give_opinion", {"client_id": uuid.uuid4().hex, "item_id": 2, "round": 1, "stance": "agree"}, timeout=10
        )
        assert early["error"]["code"] == "chair_not_last"
        for i, name in enumerate(tokens):
            stance = "agree" if i < 6 else "disagree"
            ack = tablets[name][0].call(
                "give_opinion",
                {
                    "client_id": uuid.uuid4().hex,
                    "item_id": 2,
                    "round": 1,
                    "stance": stance,
                    "reason": "" if i < 6 else "资金来源需进一步明确",
                },
                timeout=10,
            )
            assert ack["ok"] and not ack["duplicate"], ack
        # coalesced progress from worker A reaches the secretary on worker B, with the opinions (full view)
        prog = sec_events.wait_for(lambda n, d: n == "progress" and d.get("spoken") == 8)
        assert prog["chair_may_speak"] is True and len(prog["opinions"]) == 8
        ack = tablets["张建国"][0].call(
            "give_opinion", {"client_id": uuid.uuid4().hex, "item_id": 2, "round": 1, "stance": "agree"}, timeout=10
        )
        assert ack["ok"]
        result = secretary.call("close_item", {"item_id": 2}, timeout=10)
        assert result["ok"] and result["result"] == "passed" and result["tally"]["yes"] == 7
        for name, (_client, events) in tablets.items():
            final = events.wait_for(lambda n, d: n == "state" and (d.get("last_closed") or {}).get("id") == 2)
            assert final["last_closed"]["result"] == "passed"
            if name != "张建国":  # members never see who said what; the chair presides and sees the full view
                assert "opinions" not in final["last_closed"]
    finally:
        # in parallel: under gevent each client waits a few seconds for the websocket close handshake
        closers = [threading.Thread(target=c.disconnect) for c in [secretary] + [c for c, _ in tablets.values()]]
        for t in closers:
            t.start()
        for t in closers:
            t.join(timeout=15)
        http.close()
