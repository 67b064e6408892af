"""kill -9 of the real server during a burst of opinions: every acknowledged opinion is in the database, once.

The real server (``python run.py serve`` per async mode, on the test database: a SQLite file, or a PostgreSQL
schema with ``YISHI_TEST_DB=postgresql``), seeded through the app's own services with a 51-member body whose
meeting is taking opinions on an item. Fifty member tablets (python-socketio, websocket) give their opinion and
then correct it, back to back, each send with its own ``client_id``. Once a third of the burst has been
acknowledged the server gets SIGKILL — no shutdown, whatever batch is in its transaction is lost — and is started
again on the same database. Then:

* every opinion whose acknowledgement reached its tablet is stored, exactly once (its revision, by ``client_id``);
* the tablets resend everything they sent (acknowledged or not: a tablet cannot know which of its unanswered sends
  were written) with the same ``client_id``; every resend is answered ``ok`` and afterwards each ``client_id`` is
  stored exactly once — nothing twice, nothing acknowledged lost, nothing unacknowledged duplicated.

The acknowledgement is released only after the opinion's batch has committed (meeting/intake.py), which is what
this proves from outside, with the process killed at an arbitrary moment of the burst.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from .conftest import _SCRUB, MODES, DemoLinks, Server, free_port

TABLETS, SENDS = 50, 16  # each tablet: its opinion, then corrections
KILL_AT = TABLETS * SENDS // 3  # acknowledgements seen before the kill
ACK_TIMEOUT = 5.0


@pytest.fixture(params=MODES)
def burst_server(request, app, factory, tmp_path, database_url):
    """51 members (the chair and 50 tablets) in a meeting taking opinions on one item; the real server on it."""

    _, ids, m, item = factory.running(TABLETS + 1)
    # not the chair: the chair speaks last, after everyone (tokens are stored hashed: the factory issues them)
    tokens = [t for pid, t in factory.tokens(m.id).items() if pid != ids[0]]
    app.extensions["yishi.engine"].dispose()

    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(
        YISHI_INSTANCE=str(tmp_path / "instance"),
        DATABASE_URL=database_url,
        YISHI_ASYNC_MODE=request.param,
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    links = DemoLinks(
        meeting_id=m.id, title="", console_url="", username="", password="", projector_token="", members={}
    )
    srv = Server(mode=request.param, port=free_port(), env=env, workdir=tmp_path, links=links)
    srv.start()
    try:
        yield srv, item.id, tokens
    finally:
        srv.stop()
        if any(getattr(getattr(request.node, f"_e2e_rep_{w}", None), "failed", False) for w in ("setup", "call")):
            print(f"\n===== server ({request.param}) =====\n{srv.logs()}")


class Tablet:
    """One member's tablet: what it sent (client_id → payload, in order) and which sends were acknowledged."""

    def __init__(self, base_url: str, token: str, item_id: int) -> None:
        self.base_url, self.token, self.item_id = base_url, token, item_id
        self.sent: dict[str, dict] = {}
        self.acked: set[str] = set()
        self.refused: list[dict] = []
        self.sio = None

    def connect(self) -> None:
        import socketio

        self.sio = socketio.Client(reconnection=False, request_timeout=ACK_TIMEOUT)
        self.sio.connect(self.base_url, transports=["websocket"], auth={"token": self.token}, wait_timeout=20)

    def close(self) -> None:
        """Hang up without the closing handshake: websocket-client waits up to 3 s for the server's close frame
        (the gevent server does not send it promptly; a killed server never does) — 50 tablets, 150 s."""
        if self.sio is None:
            return
        with contextlib.suppress(Exception):
            self.sio.eio.ws.sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        while self.sio.eio.state != "disconnected" and time.monotonic() < deadline:
            time.sleep(0.02)
        with contextlib.suppress(Exception):
            self.sio.eio.ws.sock.close()

    def burst(self, counter: list[int], lock: threading.Lock, go: threading.Event) -> None:
        go.wait()
        for n in range(SENDS):
            cid = uuid.uuid4().hex
            payload = {
                "client_id": cid,
                "item_id": self.item_id,
                "round": 1,
                "stance": "agree" if n % 2 == 0 else "disagree",
                "reason": f"第{n + 1}次发表意见",
            }
            self.sent[cid] = payload
            try:
                ack = self.sio.call("give_opinion", payload, timeout=ACK_TIMEOUT)
            except Exception:  # noqa: BLE001 - the server is gone: this send is unanswered, the burst ends
                return
            if ack and ack.get("ok"):
                self.acked.add(cid)
                with lock:
                    counter[0] += 1
            else:
                self.refused.append(ack)
                return

    def resend(self) -> list[dict]:
        """Everything sent, again, with the same client_id (as the tablet's outbox does after a reconnect)."""
        return [self.sio.call("give_opinion", payload, timeout=ACK_TIMEOUT * 3) for payload in self.sent.values()]


def _stored(database_url: str, client_ids: list[str]) -> dict[str, int]:
    """client_id → how many revisions carry it, read straight from the database."""
    from meeting.db import normalise_url
    from meeting.models import OpinionRevision

    engine = sa.create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            col = OpinionRevision.__table__.c.client_id
            rows = conn.execute(sa.select(col, sa.func.count()).where(col.in_(client_ids)).group_by(col)).all()
    finally:
        engine.dispose()
    return {cid: n for cid, n in rows}


def test_kill_9_during_a_burst_loses_no_acknowledged_opinion_and_resends_duplicate_nothing(burst_server, database_url):
    srv, item_id, tokens = burst_server
    started = time.monotonic()
    tablets = [Tablet(srv.base_url, token, item_id) for token in tokens[:TABLETS]]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(Tablet.connect, tablets))

    counter, lock, go = [0], threading.Lock(), threading.Event()
    threads = [threading.Thread(target=t.burst, args=(counter, lock, go), daemon=True) for t in tablets]
    for th in threads:
        th.start()
    go.set()
    deadline = time.monotonic() + 30
    while counter[0] < KILL_AT and time.monotonic() < deadline and any(th.is_alive() for th in threads):
        time.sleep(0.005)
    assert counter[0] >= KILL_AT, f"only {counter[0]} acknowledgements within 30 s"
    os.kill(srv.process.pid, signal.SIGKILL)  # kill -9: no shutdown, no flush, mid-burst
    srv.process.wait(10)
    srv.process = None
    for th in threads:
        th.join(ACK_TIMEOUT + 5)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(Tablet.close, tablets))

    acked = [cid for t in tablets for cid in t.acked]
    sent = [cid for t in tablets for cid in t.sent]
    assert not [r for t in tablets for r in t.refused], [r for t in tablets for r in t.refused][:3]
    assert len(sent) > len(acked), "the kill came after the burst: nothing was in flight"

    srv.start()  # the same port, the same database
    stored = _stored(database_url, sent)
    missing = [cid for cid in acked if stored.get(cid, 0) == 0]
    twice = {cid: n for cid, n in stored.items() if n > 1}
    in_flight_stored = sum(1 for cid in sent if cid not in set(acked) and stored.get(cid))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(Tablet.connect, tablets))
        answers = [a for batch in pool.map(Tablet.resend, tablets) for a in batch]
        list(pool.map(Tablet.close, tablets))
    after = _stored(database_url, sent)
    figures = (
        f"[{srv.mode}, {database_url.split(':', 1)[0]}] {TABLETS} tablets, {len(sent)} sent, "
        f"{len(acked)} acknowledged before kill -9; present after restart: "
        f"{sum(1 for cid in acked if stored.get(cid))} of the acknowledged (+{in_flight_stored} written "
        f"but not acknowledged), duplicates {len(twice)}; after resending all {len(answers)}: "
        f"{sum(1 for a in answers if a.get('ok'))} ok, {sum(1 for a in answers if a.get('duplicate'))} "
        f"recognised as resends, stored {sum(1 for cid in sent if after.get(cid) == 1)}/{len(sent)} once, "
        f"duplicates {sum(1 for n in after.values() if n > 1)}; {time.monotonic() - started:.1f} s"
    )
    print(figures)
    with open(os.environ.get("YISHI_FIGURES", os.devnull), "a") as fh:
        fh.write(figures + "\n")

    assert not missing, f"{len(missing)} acknowledged opinions lost: {figures}"
    assert not twice, figures
    assert all(a.get("ok") for a in answers), [a for a in answers if not a.get("ok")][:3]
    assert sum(1 for a in answers if a.get("duplicate")) >= len(acked), figures
    assert all(after.get(cid) == 1 for cid in sent), figures
    assert time.monotonic() - started < 60, figures
