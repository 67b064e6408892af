"""Benchmark: does generating minutes documents block the live rooms? (issue 3 §5)

Seeds, through the app's own services, a closed 40-item × 15-member meeting (as bench/minutes_bench.py) and a live
meeting of another body (in session, an item taking opinions). Then, per async mode, starts the real server
(``python run.py serve --async-mode MODE`` on a free port, the seeded database) and:

* ``--clients`` python-socketio clients (websocket), each a member's tablet of the live meeting, send a cheap event
  (``sync``: the server answers with the room snapshot) in a loop, ``--gap`` seconds apart, and record each
  round-trip time;
* phase "idle": nothing else happens for ``--seconds``;
* phase "documents": meanwhile ``--fetchers`` HTTP clients download the 40-item meeting's draft 会议记录 and 会议纪要
  (``/minutes/meetings/<id>/draft/<kind>.docx?token=<chair's link>``, rendered on every request) back to back.

Prints a Markdown table, per mode and phase: the round trips (count, p50, p99, max) and the documents generated
meanwhile (the results are kept in docs/performance.md, § Minutes).

    .venv/bin/python bench/minutes_blocking.py [--modes eventlet gevent] [--seconds 20] [--clients 4] [--inline]

``--inline`` repeats each mode with ``YISHI_RENDER_INLINE=1`` (the server renders on the event loop, not in the
thread pool), to show what :func:`minutes.views.offload` buys.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed(folder: Path) -> dict:
    """Both meetings, through the services; returns the tokens and ids the clients need."""

    from bench.minutes_bench import build
    from meeting.app import create_app
    from meeting.db import read_only
    from meeting.models import Meeting
    from tests.factories import Factory

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder}/yishi.db",
            "INSTANCE_PATH": str(folder),
            "YISHI_BROADCAST_INTERVAL": 0,
        }
    )
    factory = Factory(app)
    big = build(factory)
    _, _, live, _ = factory.running(9)  # another body: a live room, opinions called
    with app.app_context(), read_only() as s:
        chair = s.get(Meeting, big).chair_person_id
    big_chair = factory.tokens(big)[chair]  # tokens are stored hashed: the factory issues them
    live_tokens = list(factory.tokens(live.id).values())
    app.extensions["yishi.engine"].dispose()
    return {"big": big, "big_chair": big_chair, "live_tokens": live_tokens}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(mode: str, folder: Path, port: int, log: Path, inline: bool = False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "SOCKETIO_")) and k != "DATABASE_URL"}
    env.update(
        YISHI_INSTANCE=str(folder),
        DATABASE_URL=f"sqlite:///{folder}/yishi.db",
        YISHI_ASYNC_MODE=mode,
        PYTHONUNBUFFERED="1",
        YISHI_RENDER_INLINE="1" if inline else "0",
    )
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--async-mode", mode],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"the {mode} server did not answer; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class Pinger(threading.Thread):
    """One tablet: ``sync`` round trips in a loop; each sample is tagged with the phase it started in."""

    def __init__(self, url: str, token: str, gap: float, phase: list[str]) -> None:
        super().__init__(daemon=True)
        import socketio

        self.sio = socketio.Client(reconnection=False, request_timeout=30)
        self.url, self.token, self.gap, self.phase = url, token, gap, phase
        self.samples: list[tuple[str, float]] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        self.sio.connect(self.url, transports=["websocket"], auth={"token": self.token}, wait_timeout=20)
        while not self.stop.is_set():
            phase = self.phase[0]
            t0 = time.perf_counter()
            try:
                ack = self.sio.call("sync", {}, timeout=30)
                if not (ack and ack.get("ok")):
                    self.errors += 1
            except Exception:  # a timeout is a result too
                self.errors += 1
            self.samples.append((phase, time.perf_counter() - t0))
            self.stop.wait(self.gap)
        self.sio.disconnect()


class Fetcher(threading.Thread):
    """Downloads the draft documents of the 40-item meeting back to back while the phase is "documents"."""

    def __init__(self, base: str, meeting_id: int, token: str, phase: list[str], index: int) -> None:
        super().__init__(daemon=True)
        self.urls = [
            f"{base}/minutes/meetings/{meeting_id}/draft/{kind}.docx?token={token}"
            for kind in (("record", "summary") if index % 2 == 0 else ("summary", "record"))
        ]
        self.phase, self.done, self.times = phase, 0, []
        self.stop = threading.Event()

    def run(self) -> None:
        import requests

        with requests.Session() as http:
            i = 0
            while not self.stop.is_set():
                if self.phase[0] != "documents":
                    self.stop.wait(0.05)
                    continue
                t0 = time.perf_counter()
                resp = http.get(self.urls[i % 2], timeout=60)
                resp.raise_for_status()
                assert resp.content[:2] == b"PK", "not a docx"
                self.times.append(time.perf_counter() - t0)
                self.done += 1
                i += 1


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_mode(mode: str, folder: Path, seeded: dict, args, inline: bool = False) -> list[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(mode, folder, port, folder / f"server-{mode}.log", inline)
    label = mode + (" (rendering inline, for comparison)" if inline else "")
    phase = ["warmup"]
    try:
        pingers = [Pinger(base, tok, args.gap, phase) for tok in seeded["live_tokens"][1 : 1 + args.clients]]
        fetchers = [Fetcher(base, seeded["big"], seeded["big_chair"], phase, i) for i in range(args.fetchers)]
        for t in (*pingers, *fetchers):
            t.start()
        time.sleep(3)
        phase[0] = "idle"
        time.sleep(args.seconds)
        phase[0] = "documents"
        time.sleep(args.seconds)
        phase[0] = "after"
        for t in (*pingers, *fetchers):
            t.stop.set()
        for t in (*pingers, *fetchers):
            t.join(60)
    finally:
        stop_server(proc)
    rows = []
    docs = sum(f.done for f in fetchers)
    doc_times = [t for f in fetchers for t in f.times]
    for name in ("idle", "documents"):
        rtts = [rtt for p in pingers for ph, rtt in p.samples if ph == name]
        gen = (
            f"{docs} docx, {docs / args.seconds:.1f}/s, each {statistics.median(doc_times) * 1000:.0f} ms median"
            if name == "documents" and doc_times
            else "—"
        )
        rows.append(
            f"| {label} | {name} | {len(rtts)} | {pct(rtts, 0.5) * 1000:.1f} ms | {pct(rtts, 0.99) * 1000:.1f} ms"
            f" | {max(rtts) * 1000:.1f} ms | {gen} |"
        )
    errors = sum(p.errors for p in pingers)
    if errors:
        rows.append(f"| {label} | errors | {errors} | | | | |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modes", nargs="+", default=["eventlet", "gevent"])
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    ap.add_argument("--clients", type=int, default=4, help="tablets sending `sync` in a loop")
    ap.add_argument("--gap", type=float, default=0.05, help="seconds between a tablet's round trips")
    ap.add_argument("--fetchers", type=int, default=2, help="concurrent document downloads")
    ap.add_argument(
        "--inline",
        action="store_true",
        help="also run each mode with YISHI_RENDER_INLINE=1 (rendering on the event loop) to compare",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="yishi-minutes-blocking-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        seeded = seed(folder)
        print(f"seeded in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        print("| Mode | Phase | Round trips | p50 | p99 | max | Documents generated meanwhile |")
        print("|---|---|---|---|---|---|---|")
        for mode in args.modes:
            for inline in (False, True) if args.inline else (False,):
                for row in run_mode(mode, folder, seeded, args, inline):
                    print(row, flush=True)


if __name__ == "__main__":
    main()
