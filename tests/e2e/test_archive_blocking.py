"""Archiving and amending a 40-item meeting's minutes does not hold up the live rooms (issue 13, hole 5).

The real server (``python run.py serve`` per async mode, on the test database: a SQLite file by default). Seeded
through the app's own services before it starts: a closed 40-item × 15-member meeting, and a live meeting
of another body whose item is taking opinions. While the secretary archives the big meeting's minutes and then
amends them three times (each amendment renders and stores every document again), eight member tablets of the
live meeting (python-socketio, websocket) give opinions back to back — each a correction of the last, with a new
``client_id`` — and time every acknowledgement.

On the tree before the fix the amendment held SQLite's write lock while the documents were rendered, and the next
opinion batch waited for that lock inside SQLite's busy handler — a C-level sleep of up to 30 s that froze the
whole event loop (the renderer's thread-pool result could not even be collected). Every opinion must now be
acknowledged, within 1 s where the machine has a core to spare (:func:`ack_bound`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from .conftest import _SCRUB, MODES, DemoLinks, Secretary, Server, free_port

ITEMS, MEMBERS, TABLETS, AMENDMENTS = 40, 15, 8, 3
ACK_BOUND = 1.0  # seconds: every opinion acknowledged within this, on a machine with a core to spare


def ack_bound() -> float:
    """``ACK_BOUND`` where the machine has a core to spare. Where other work queues for the cores (a shared CI
    machine, the suite run beside ``stress-ng --cpu 2``), the documents' rendering and the tablets' acknowledgements
    wait in that queue too, so the bound grows with it: the one-minute load average per core, read after the
    documents were made. A freeze — the hole this test closed froze the server for 30–60 s — still fails it by far:
    at a load of four runnable processes a core, the bound is 4 s."""
    return ACK_BOUND * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def _build_big(factory) -> int:
    """A closed 40-item meeting, every item decided by 15 members (as bench/minutes_bench.py builds it)."""
    body, ids = factory.body(MEMBERS, name="某某区人民政府常务会议")
    m = factory.meeting(body.id, session_number=40).id
    factory.present(m, ids)
    factory.act("open_meeting", m)
    for i in range(ITEMS):
        item = factory.item(
            m,
            title=f"关于第{i + 1}项重点工作推进方案的议题",
            category="major_decision",
            submitting_unit="区发展和改革局",
            presenter="局长",
        ).id
        factory.act("open_item", m, {"item_id": item})
        factory.act("call_opinions", m, {"item_id": item})
        for pid in ids[1:]:
            stance = "disagree" if pid == ids[-1] else "agree"
            factory.act(
                "give_opinion",
                m,
                {
                    "client_id": uuid.uuid4().hex,
                    "item_id": item,
                    "round": 1,
                    "stance": stance,
                    "reason": "建议进一步论证资金来源" if stance == "disagree" else "",
                },
                actor=factory.seat_actor(m, pid),
            )
        factory.act(
            "give_opinion",
            m,
            {"client_id": uuid.uuid4().hex, "item_id": item, "round": 1, "stance": "agree", "reason": "同意"},
            actor=factory.seat_actor(m, ids[0], chair_id=ids[0]),
        )
        factory.act("close_item", m, {"item_id": item})
    factory.act("close_meeting", m)
    return m


@pytest.fixture(params=MODES)
def seeded_server(request, app, factory, tmp_path, database_url):
    """The app's own services seed the database (the ``app`` fixture: instance under tmp_path/instance, the test
    database), then the real server starts on it."""
    from meeting.db import read_only, unit_of_work
    from meeting.models import AgendaItem
    from minutes import service
    from tests.factories import STAFF

    factory.user("mishu", "correct horse battery")
    big = _build_big(factory)
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, big)
    _, ids, live, item = factory.running(TABLETS + 1)
    # members, not the chair: the chair speaks last (tokens are stored hashed: the factory issues them)
    tokens = [t for pid, t in factory.tokens(live.id).items() if pid != ids[0]]
    with app.app_context(), read_only() as s:
        items = list(s.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == big)))
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
        meeting_id=live.id,
        title="",
        console_url="",
        username="mishu",
        password="correct horse battery",
        projector_token="",
        members={},
    )
    srv = Server(mode=request.param, port=free_port(), env=env, workdir=tmp_path, links=links)
    srv.start()
    try:
        yield srv, {"big": big, "items": items, "live_item": item.id, "tokens": tokens[:TABLETS]}
    finally:
        srv.stop()
        if any(getattr(getattr(request.node, f"_e2e_rep_{w}", None), "failed", False) for w in ("setup", "call")):
            print(f"\n===== server ({request.param}) =====\n{srv.logs()}")


class Tablet(threading.Thread):
    """A member's tablet giving opinions back to back (each a correction of the last); every acknowledgement
    timed, with when it was sent (``time.monotonic()``)."""

    def __init__(self, base_url: str, token: str, item_id: int) -> None:
        super().__init__(daemon=True)
        import socketio

        self.sio = socketio.Client(reconnection=False, request_timeout=30)
        self.base_url, self.token, self.item_id = base_url, token, item_id
        self.samples: list[tuple[float, float, bool]] = []  # (sent at, round trip, acknowledged ok)
        self.failures: list[object] = []
        self.stop = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        self.sio.connect(self.base_url, transports=["websocket"], auth={"token": self.token}, wait_timeout=20)
        self.ready.set()
        stances = ("agree", "disagree")
        n = 0
        while not self.stop.is_set():
            sent = time.monotonic()
            try:
                ack = self.sio.call(
                    "give_opinion",
                    {
                        "client_id": uuid.uuid4().hex,
                        "item_id": self.item_id,
                        "round": 1,
                        "stance": stances[n % 2],
                        "reason": "建议进一步论证资金来源",
                    },
                    timeout=ACK_BOUND * 10,
                )
                ok = bool(ack and ack.get("ok"))
                if not ok:
                    self.failures.append(ack)
            except Exception as exc:  # noqa: BLE001 - a timeout is a result too
                ok = False
                self.failures.append(repr(exc))
            self.samples.append((sent, time.monotonic() - sent, ok))
            n += 1
            self.stop.wait(0.02)
        with contextlib.suppress(Exception):
            self.sio.disconnect()


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def test_archiving_and_amending_a_40_item_meeting_keeps_every_opinion_acknowledged_within_1_s(seeded_server):
    """Within 1 s where the machine has a core to spare (:func:`ack_bound`)."""
    srv, seeded = seeded_server
    sec = Secretary(srv)
    sec.sign_in()
    big = seeded["big"]

    tablets = [Tablet(srv.base_url, token, seeded["live_item"]) for token in seeded["tokens"]]
    for t in tablets:
        t.start()
    for t in tablets:
        assert t.ready.wait(20), "a tablet did not connect"
    time.sleep(1.0)  # the opinions are flowing before the documents are made

    began = time.monotonic()
    timings, refused = {}, []
    headers = {"X-CSRF-Token": sec.csrf, "Accept": "application/json"}
    requests_ = [("archive", f"/api/v1/meetings/{big}/minutes/archive", None)] + [
        (
            f"amend{n + 1}",
            f"/api/v1/meetings/{big}/minutes/amendments",
            {
                "item_id": seeded["items"][n],
                "field": "lead_unit",
                "value": f"区城市更新中心{n + 1}",
                "reason": f"牵头单位记错（第{n + 1}次）",
            },
        )
        for n in range(AMENDMENTS)
    ]
    try:
        for name, path, body in requests_:
            t0 = time.monotonic()
            resp = sec.http.post(srv.url(path), json=body, headers=headers, timeout=60)
            timings[name] = time.monotonic() - t0
            if resp.status_code != 200:
                refused.append((name, resp.status_code, resp.text[:300]))
                break
    except Exception as exc:  # noqa: BLE001 - a hung request is a result: the figures are still reported
        refused.append((name, repr(exc)))
    ended = time.monotonic()
    time.sleep(0.5)
    for t in tablets:
        t.stop.set()
    for t in tablets:
        t.join(ACK_BOUND * 10 + 10)

    during = [rtt for t in tablets for sent, rtt, _ in t.samples if began <= sent <= ended]
    failures = [f for t in tablets for f in t.failures]
    worst = max((rtt for t in tablets for _, rtt, _ in t.samples), default=float("inf"))
    bound = ack_bound()
    figures = (
        f"[{srv.mode}] archive+{AMENDMENTS} amendments took {ended - began:.2f} s "
        f"({', '.join(f'{k} {v:.2f} s' for k, v in timings.items())}); opinions sent meanwhile: "
        f"{len(during)}, p50 {_pct(during, 0.5) * 1000:.0f} ms, p99 {_pct(during, 0.99) * 1000:.0f} ms, "
        f"max {max(during) * 1000:.0f} ms (bound {bound:.2f} s at load {os.getloadavg()[0]:.1f}); "
        f"not acknowledged {len(failures)}; refused requests {refused}"
        if during
        else f"no samples; refused requests {refused}"
    )
    print(figures)
    with Path(os.environ.get("YISHI_FIGURES", os.devnull)).open("a") as fh:
        fh.write(figures + "\n")
    assert not refused, figures
    assert not failures, failures[:5]
    assert len(during) >= TABLETS * 3, f"the tablets hardly gave opinions while the documents were made: {figures}"
    assert worst < bound, figures

    docs = sec.api("GET", f"/meetings/{big}/minutes/documents").json()["documents"]
    assert sorted((d["kind"], d["version"]) for d in docs if d["format"] == "docx") == sorted(
        (k, v) for k in ("public", "record", "summary") for v in range(1, AMENDMENTS + 2)
    )
    if shutil.which("soffice"):  # and each one's PDF/A copy (minutes/pdf.py), made while the tablets kept voting
        assert sorted((d["kind"], d["version"]) for d in docs if d["format"] == "pdf") == sorted(
            (f"{k}-pdf", v) for k in ("public", "record", "summary") for v in range(1, AMENDMENTS + 2)
        )
    assert all(d["intact"] for d in docs)
    assert not any(p.name.startswith(".tmp-") for p in (Path(srv.env["YISHI_INSTANCE"]) / "archive").iterdir())
