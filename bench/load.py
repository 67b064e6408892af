#!/usr/bin/env python3
"""Load generator: N simulated tablets join one meeting and give their opinion at once.

Each tablet is a ``socketio.AsyncClient`` (aiohttp, websocket transport only) that connects with
``auth={"token": <seat token>}``, waits for its ``snapshot``, emits ``check_in`` and waits for the ack. The tablets
are spread over several worker processes (the machine has few cores; one asyncio loop per process). When every
tablet in every process is connected and checked in, the parent picks a start instant T0 a moment ahead and every
process fires all its ``give_opinion`` emits at T0 (a barrier). Measured, per tablet:

* emit → acknowledgement latency (reported as p50 / p99 / max over all tablets);
* the instant it first receives a ``progress`` event with ``spoken >= N`` (every tablet shows the final count);

and for the burst: ``acks_done`` = last ack − T0, ``tally_done`` = last tablet's final progress − T0 (the burst
completion time compared between the app and the bare server), and the count of acks ok / refused / lost (no
ack before the deadline). Everything is bounded by ``--connect-timeout`` and ``--burst-timeout``; workers exit
hard afterwards (no graceful disconnect storm). Output: one JSON object on stdout or in ``--out``.

    .venv/bin/python bench/load.py --url http://127.0.0.1:5100 --seed /tmp/x/seed.json --procs 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import queue as queue_mod
import resource
import statistics
import sys
import time
import uuid

STANCES = ("agree", "agree", "agree", "disagree", "defer")


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------- worker process


class Tablet:
    def __init__(self, sio, token: str, index: int):
        self.sio = sio
        self.token = token
        self.index = index
        self.snapshot = asyncio.Event()
        self.connected = False
        self.error = ""
        self.t_emit: float | None = None
        self.t_ack: float | None = None
        self.ack: dict | None = None
        self.t_final: float | None = None
        self.max_spoken = 0
        self.progress_msgs = 0
        self.state_msgs = 0
        self.t_gone: float | None = None


async def _worker_main(
    idx,
    url,
    tokens,
    extra,
    first_index,
    item_id,
    rnd,
    n_total,
    ctrl,
    connect_conc,
    connect_timeout,
    burst_timeout,
    ack_timeout,
):
    import aiohttp
    import socketio

    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    http = aiohttp.ClientSession(connector=connector)
    tablets: list[Tablet] = []
    sem = asyncio.Semaphore(connect_conc)

    def make(token: str, i: int) -> Tablet:
        sio = socketio.AsyncClient(reconnection=False, http_session=http, request_timeout=60)
        t = Tablet(sio, token, i)

        @sio.on("snapshot")
        async def _snap(_data):
            t.snapshot.set()

        @sio.on("state")
        async def _state(_data):
            t.state_msgs += 1

        @sio.on("disconnect")
        async def _gone(*args):
            if t.connected:
                t.connected = False
                t.t_gone = time.monotonic()
                t.error = f"disconnected: {args[0] if args else ''}"

        @sio.on("progress")
        async def _progress(data):
            t.progress_msgs += 1
            spoken = data.get("spoken", 0) if isinstance(data, dict) else 0
            if spoken > t.max_spoken:
                t.max_spoken = spoken
            if spoken >= n_total and t.t_final is None:
                t.t_final = time.monotonic()

        return t

    async def join(t: Tablet):
        async with sem:
            for attempt in range(3):
                try:
                    await t.sio.connect(url, transports=["websocket"], auth={"token": t.token}, wait_timeout=60)
                    await asyncio.wait_for(t.snapshot.wait(), 120)
                    ack = await t.sio.call("check_in", {}, timeout=120)
                    if not (isinstance(ack, dict) and ack.get("ok")):
                        t.error = f"check_in refused: {ack}"
                        return
                    if t.sio.transport() != "websocket":
                        t.error = f"transport {t.sio.transport()}"
                    t.connected = True
                    return
                except Exception as exc:  # noqa: BLE001 - report, retry
                    t.error = f"{type(exc).__name__}: {exc}"[:200]
                    try:
                        await t.sio.disconnect()
                    except Exception:  # noqa: BLE001
                        pass
                    await asyncio.sleep(0.5 + attempt)

    t_start = time.monotonic()
    tablets = [make(tok, first_index + i) for i, tok in enumerate(tokens)]
    others = [make(tok, -1) for tok in extra]  # the chair's tablet: connected, receives the room, not measured
    try:
        await asyncio.wait_for(asyncio.gather(*(join(t) for t in others + tablets)), connect_timeout)
    except asyncio.TimeoutError:
        pass
    ok = [t for t in tablets if t.connected]
    joined = len(ok)
    errors = [t.error for t in tablets if not t.connected][:5]
    ctrl["ready"].put((idx, joined, len(tablets) - joined, time.monotonic() - t_start, errors))

    loop = asyncio.get_running_loop()
    go = await loop.run_in_executor(None, ctrl["go"].wait, connect_timeout + 120)
    if not go or ctrl["t0"].value <= 0:
        ctrl["results"].put({"worker": idx, "aborted": True})
        return
    t0 = ctrl["t0"].value
    gone_before = sum(1 for t in ok if not t.connected)
    await asyncio.sleep(max(0.0, t0 - time.monotonic()))

    async def fire(t: Tablet):
        payload = {
            "client_id": uuid.uuid4().hex,
            "item_id": item_id,
            "round": rnd,
            "stance": STANCES[t.index % len(STANCES)],
            "reason": "基准测试：理由",
        }

        def on_ack(*args):
            t.t_ack = time.monotonic()
            t.ack = args[0] if args else None

        t.t_emit = time.monotonic()
        try:
            await t.sio.emit("give_opinion", payload, callback=on_ack)
        except Exception as exc:  # noqa: BLE001
            t.error = f"emit: {type(exc).__name__}: {exc}"[:200]

    await asyncio.gather(*(fire(t) for t in ok))
    t_sent = time.monotonic()

    # wait (bounded) until every tablet has its ack and has seen the final count, or has been disconnected
    while time.monotonic() < t0 + ack_timeout and any(t.t_ack is None and t.connected for t in ok):
        await asyncio.sleep(0.05)
    while time.monotonic() < t0 + burst_timeout and any(t.t_final is None and t.connected for t in ok):
        await asyncio.sleep(0.05)
    out = {
        "worker": idx,
        "aborted": False,
        "t0": t0,
        "sent_s": t_sent - t0,
        "latencies": [t.t_ack - t.t_emit for t in ok if t.t_ack is not None],
        "ack_at": [t.t_ack - t0 for t in ok if t.t_ack is not None],
        "final_at": [t.t_final - t0 for t in ok if t.t_final is not None],
        "ok": sum(1 for t in ok if t.ack and t.ack.get("ok") is True and not t.ack.get("duplicate")),
        "duplicate": sum(1 for t in ok if t.ack and t.ack.get("ok") is True and t.ack.get("duplicate")),
        "refused": sum(1 for t in ok if t.ack is not None and not (isinstance(t.ack, dict) and t.ack.get("ok"))),
        "lost": sum(1 for t in ok if t.ack is None),
        "gone_before_burst": gone_before,
        "gone_during_burst": sum(1 for t in ok if t.t_gone is not None and t.t_gone >= t0),
        "no_final": sum(1 for t in ok if t.t_final is None),
        "max_spoken_seen": max((t.max_spoken for t in ok), default=0),
        "progress_msgs": sum(t.progress_msgs for t in ok),
        "state_msgs": sum(t.state_msgs for t in ok),
        "refusals": sorted(
            {json.dumps(t.ack, ensure_ascii=False)[:200] for t in ok if t.ack is not None and not t.ack.get("ok")}
        )[:5],
        "transports": sorted({t.sio.transport() or "" for t in ok}),
    }
    ctrl["results"].put(out)


def _worker(
    idx,
    url,
    tokens,
    extra,
    first_index,
    item_id,
    rnd,
    n_total,
    ctrl,
    connect_conc,
    connect_timeout,
    burst_timeout,
    ack_timeout,
):
    raise_nofile()
    try:
        asyncio.run(
            _worker_main(
                idx,
                url,
                tokens,
                extra,
                first_index,
                item_id,
                rnd,
                n_total,
                ctrl,
                connect_conc,
                connect_timeout,
                burst_timeout,
                ack_timeout,
            )
        )
    finally:
        # leave at once: a graceful disconnect of thousands of tablets is not what is measured
        ctrl["results"].close()
        ctrl["results"].join_thread()
        ctrl["ready"].close()
        ctrl["ready"].join_thread()
        os._exit(0)


# ---------------------------------------------------------------- parent


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[k]


def run(
    url: str,
    seed: dict,
    procs: int | None = None,
    connect_conc: int = 32,
    connect_timeout: float = 600,
    burst_timeout: float = 300,
    ack_timeout: float | None = None,
    with_chair: bool = True,
    on_burst=None,
    settle: float = 5.0,
    log=print,
) -> dict:
    raise_nofile()
    tokens = seed["tokens"]
    n = len(tokens)
    procs = procs or max(1, min(4, math.ceil(n / 250)))
    ack_timeout = ack_timeout or burst_timeout
    ctx = mp.get_context("spawn")
    ctrl = {"ready": ctx.Queue(), "results": ctx.Queue(), "go": ctx.Event(), "t0": ctx.Value("d", 0.0)}
    chunks = [tokens[i::procs] for i in range(procs)]  # interleaved: each process gets a mix of stances
    workers = []
    t_connect = time.monotonic()
    for i, chunk in enumerate(chunks):
        extra = [seed["chair_token"]] if (i == 0 and with_chair and seed.get("chair_token")) else []
        w = ctx.Process(
            target=_worker,
            args=(
                i,
                url,
                chunk,
                extra,
                i * 100000,
                seed["item_id"],
                seed.get("round", 1),
                n,
                ctrl,
                connect_conc,
                connect_timeout,
                burst_timeout,
                ack_timeout,
            ),
            daemon=True,
        )
        w.start()
        workers.append(w)
    summary: dict = {"n": n, "procs": procs, "url": url}
    ready, connected, failed, errors = 0, 0, 0, []
    deadline = time.monotonic() + connect_timeout + 30
    try:
        while ready < procs:
            try:
                idx, ok, bad, secs, errs = ctrl["ready"].get(timeout=max(0.1, deadline - time.monotonic()))
            except queue_mod.Empty:
                break
            ready += 1
            connected += ok
            failed += bad
            errors += errs
        summary["connect_s"] = round(time.monotonic() - t_connect, 2)
        summary["connected"] = connected
        summary["connect_failed"] = failed + (n - connected - failed if ready < procs else 0)
        summary["connect_errors"] = errors[:5]
        if ready < procs or connected < n:
            log(f"  connect phase incomplete: {connected}/{n} connected in {summary['connect_s']}s ({errors[:2]})")
            summary["status"] = "connect_failed"
            ctrl["go"].set()  # t0 stays 0: workers abort
            return summary
        log(f"  {n} tablets connected and checked in ({summary['connect_s']}s); burst in {settle:g}s")
        # the room settles first (in a meeting the item is presented and discussed before opinions are called):
        # the burst is measured, not the tail of the connect storm (the secretary's coalesced roster update)
        time.sleep(max(0.0, settle - 1.0))
        if on_burst is not None:
            on_burst()
        ctrl["t0"].value = time.monotonic() + 1.0
        ctrl["go"].set()
        results = []
        deadline = time.monotonic() + 1.0 + burst_timeout + 60
        while len(results) < procs:
            try:
                results.append(ctrl["results"].get(timeout=max(0.1, deadline - time.monotonic())))
            except queue_mod.Empty:
                break
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.kill()
    if len(results) < procs:
        summary["status"] = "workers_lost"
        return summary
    lat = [x for r in results for x in r["latencies"]]
    acks = [x for r in results for x in r["ack_at"]]
    finals = [x for r in results for x in r["final_at"]]
    summary.update(
        {
            "ok": sum(r["ok"] for r in results),
            "duplicate": sum(r["duplicate"] for r in results),
            "refused": sum(r["refused"] for r in results),
            "lost": sum(r["lost"] for r in results),
            "gone_before_burst": sum(r["gone_before_burst"] for r in results),
            "gone_during_burst": sum(r["gone_during_burst"] for r in results),
            "no_final": sum(r["no_final"] for r in results),
            "max_spoken_seen": max(r["max_spoken_seen"] for r in results),
            "sent_s": round(max(r["sent_s"] for r in results), 4),
            "p50_ms": round(1000 * _pct(lat, 50), 1) if lat else None,
            "p99_ms": round(1000 * _pct(lat, 99), 1) if lat else None,
            "max_ms": round(1000 * max(lat), 1) if lat else None,
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "acks_done_s": round(max(acks), 4) if acks else None,
            # the burst completion time: until every tablet shows the final count
            "tally_done_s": round(max(finals), 4) if finals and len(finals) == n else None,
            "t0": results[0]["t0"],  # the burst instant (time.monotonic, the same clock in every process)
            "progress_msgs": sum(r["progress_msgs"] for r in results),
            "state_msgs": sum(r["state_msgs"] for r in results),
            "refusals": sorted({x for r in results for x in r["refusals"]})[:5],
            "transports": sorted({x for r in results for x in r["transports"]}),
        }
    )
    summary["status"] = (
        "ok" if (summary["ok"] == n and summary["lost"] == 0 and summary["no_final"] == 0) else "incomplete"
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="N tablets give their opinion at once; prints a JSON summary")
    ap.add_argument("--url", required=True, help="server base URL, e.g. http://127.0.0.1:5100")
    ap.add_argument("--seed", required=True, help="JSON written by bench/seed.py (tokens, item_id, round)")
    ap.add_argument("--procs", type=int, default=None, help="client processes (default: one per 250 tablets, ≤4)")
    ap.add_argument("--connect-concurrency", type=int, default=32, help="simultaneous connects per process")
    ap.add_argument("--connect-timeout", type=float, default=600)
    ap.add_argument("--burst-timeout", type=float, default=300)
    ap.add_argument(
        "--no-chair",
        action="store_true",
        help="do not connect the chair's tablet (by default it is connected, as in a real meeting, and "
        "receives the full view's progress; it is not part of the burst)",
    )
    ap.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="seconds between the last check-in and the burst (default 5; at least 1)",
    )
    ap.add_argument("--out", help="write the JSON summary here as well")
    args = ap.parse_args(argv)
    seed = json.loads(open(args.seed).read())
    summary = run(
        args.url,
        seed,
        args.procs,
        args.connect_concurrency,
        args.connect_timeout,
        args.burst_timeout,
        with_chair=not args.no_chair,
        settle=args.settle,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    text = json.dumps(summary, ensure_ascii=False)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0 if summary.get("status") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
