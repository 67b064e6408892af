#!/usr/bin/env python3
"""Run the benchmark matrix: {app, bare} × async modes × sizes × repeats, and write the results.

For every run a fresh server is started as a subprocess on a free port of 127.0.0.1 and stopped afterwards:

* app:  ``python run.py serve --host 127.0.0.1 --port P --async-mode X`` in the application tree, with a temporary
  ``YISHI_INSTANCE`` holding a copy of a seeded SQLite database (``bench/seed.py``, run once per N and cached);
* bare: ``python bench/bare_server.py --host 127.0.0.1 --port P --async-mode X``.

Then ``bench/load.py`` connects N tablets, checks them in, fires the burst and measures. App and bare runs
alternate (app, bare, app, bare, …) so that a noisy neighbour on a shared machine hurts both alike; the report
gives medians over the repeats and the app/bare ratio of the medians.

    .venv/bin/python bench/run_all.py --modes eventlet gevent --sizes 30 300 1000 3000 --repeat 3

Results go to ``bench/results/<stamp>/`` (``results.json``, ``results.md``, server logs) and, with
``--update-doc docs/performance.md``, into that file between the ``<!-- bench:results -->`` markers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/socket.io/?EIO=4&transport=polling", timeout=2) as r:
                if r.status in (200, 400):
                    return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer in time")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ---------------------------------------------------------------- seeding (cached per N and application tree)


def _tree_key(app_root: Path) -> str:
    """The seeded database depends on the schema: reseed when meeting/models.py changes."""
    return hashlib.sha256((app_root / "meeting" / "models.py").read_bytes()).hexdigest()[:12]


def seeded(n: int, app_root: Path, cache: Path, python: str, log) -> tuple[Path, dict]:
    """A directory with a seeded yishi.db for N tablets (built once, then copied for every run)."""
    d = cache / f"n{n}-{_tree_key(app_root)}"
    info = d / "seed.json"
    if not info.exists():
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        log(f"seeding n={n} (once; cached in {d}) …")
        env = dict(
            os.environ,
            YISHI_INSTANCE=str(d / "instance"),
            DATABASE_URL=f"sqlite:///{d / 'instance' / 'yishi.db'}",
            YISHI_ASYNC_MODE="threading",
        )
        subprocess.run(
            [python, str(HERE / "seed.py"), "--n", str(n), "--out", str(d / "seed.tmp"), "--app-root", str(app_root)],
            env=env,
            check=True,
            timeout=3600,
        )
        (d / "seed.tmp").rename(info)
    return d / "instance", json.loads(info.read_text())


# ---------------------------------------------------------------- one run


def probe_transport(url: str, token: str) -> str:
    """Connect once with the default transports (polling, then upgrade) and report the transport in use."""
    import socketio

    c = socketio.Client(reconnection=False)
    try:
        c.connect(url, auth={"token": token}, wait_timeout=20)
        deadline = time.monotonic() + 5
        while c.transport() != "websocket" and time.monotonic() < deadline:
            time.sleep(0.1)
        return c.transport() or "?"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc}"
    finally:
        with contextlib.suppress(Exception):
            c.disconnect()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_during(samples: list[tuple[float, float]], t0: float | None, done: float | None) -> float | None:
    """The server's CPU seconds from the burst instant T0 until every tablet showed the final count, from
    samples taken every 20 ms. Unlike wall time it does not grow when the load generator or a neighbour takes
    the cores, so it tells the app's own work from the machine's weather."""
    if not samples or t0 is None or done is None:
        return None
    end = t0 + done

    def at(when: float) -> float:
        return min(samples, key=lambda s: abs(s[0] - when))[1]

    return round(at(end) - at(t0), 3)


def one_run(target: str, mode: str, n: int, args, workdir: Path, log) -> dict:
    python = args.python
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    for k in ("SOCKETIO_MESSAGE_QUEUE", "YISHI_HOST", "YISHI_PORT"):
        env.pop(k, None)
    env["PYTHONUNBUFFERED"] = "1"
    if args.interval is not None:
        env["YISHI_BROADCAST_INTERVAL"] = str(args.interval)
    run_dir = Path(tempfile.mkdtemp(prefix=f"yishi-bench-{target}-{mode}-{n}-", dir=args.tmp))
    if target == "app":
        src, seed = seeded(n, args.app_root, args.cache, python, log)
        inst = run_dir / "instance"
        shutil.copytree(src, inst)
        env.update(YISHI_INSTANCE=str(inst), DATABASE_URL=f"sqlite:///{inst / 'yishi.db'}")
        cmd = [python, "run.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--async-mode", mode]
        cwd = args.app_root
    else:
        seed = {
            "n": n,
            "item_id": 1,
            "round": 1,
            "tokens": [f"bare-{i:05d}" for i in range(n)],
            "chair_token": "bare-chair",
        }
        cmd = [python, str(HERE / "bare_server.py"), "--host", "127.0.0.1", "--port", str(port), "--async-mode", mode]
        cwd = ROOT
    log_path = workdir / f"server-{target}-{mode}-{n}-{int(time.time())}.log"
    with open(log_path, "w") as server_log:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True
        )
    spy = None
    try:
        wait_http(url, proc)
        result: dict = {"target": target, "mode": mode, "n": n}
        if args.probe:
            result["probe_transport"] = probe_transport(url, seed.get("chair_token") or seed["tokens"][0])

        cpu_samples: list[tuple[float, float]] = []  # (monotonic time, server CPU seconds) during the burst
        sampling = threading.Event()

        def sample_cpu():
            while not sampling.is_set():
                cpu = cpu_seconds(proc.pid)
                if cpu is not None:
                    cpu_samples.append((time.monotonic(), cpu))
                sampling.wait(0.02)

        sampler = threading.Thread(target=sample_cpu, daemon=True)

        def on_burst():
            nonlocal spy
            sampler.start()
            if (
                args.profile
                and target in args.profile_targets
                and n >= args.profile_min_n
                and shutil.which(args.py_spy)
            ):
                out = workdir / f"py-spy-{target}-{mode}-{n}-{int(time.time())}.txt"
                spy = subprocess.Popen(
                    [
                        args.py_spy,
                        "record",
                        "--pid",
                        str(proc.pid),
                        "--format",
                        "raw",
                        "--duration",
                        str(max(1, round(args.profile_seconds))),
                        "--rate",
                        str(args.profile_rate),
                        "--nonblocking",
                        "--output",
                        str(out),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                result["profile"] = str(out)

        connect_timeout = args.connect_timeout or max(120.0, 0.25 * n)
        burst_timeout = args.burst_timeout or max(60.0, 0.05 * n)
        summary = load.run(
            url,
            seed,
            procs=args.procs,
            connect_conc=args.connect_concurrency,
            connect_timeout=connect_timeout,
            burst_timeout=burst_timeout,
            with_chair=not args.no_chair,
            on_burst=on_burst,
            settle=args.settle,
            log=log,
        )
        result.update(summary)
        sampling.set()
        if sampler.is_alive():
            sampler.join()
        burst_cpu = cpu_during(cpu_samples, summary.get("t0"), summary.get("tally_done_s"))
        if burst_cpu is not None:
            result["server_cpu_s"] = burst_cpu
    except Exception as exc:  # noqa: BLE001 - a failed run is a result too
        result = {"target": target, "mode": mode, "n": n, "status": "error", "error": str(exc)[:300]}
    finally:
        stop(proc)
        if spy is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(args.profile_seconds + 30)
        shutil.rmtree(run_dir, ignore_errors=True)
    text = log_path.read_text(errors="replace")
    result["server_tracebacks"] = text.count("Traceback (most recent call last)")
    result["server_log"] = str(log_path)
    return result


# ---------------------------------------------------------------- report


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _counts(r: dict, n: int) -> str:
    """ok/refused/lost of one run, or why it never reached the burst."""
    if "ok" in r:
        return f"{r['ok']}/{r['refused']}/{r['lost']}"
    if r.get("status") == "connect_failed":
        return f"connect {r.get('connected', 0)}/{n}"
    return r.get("status", "?")


def summarise(results: list[dict], modes, sizes) -> list[dict]:
    rows = []
    for mode in modes:
        for n in sizes:
            row = {"mode": mode, "n": n}
            for target in ("app", "bare"):
                rs = [r for r in results if r["mode"] == mode and r["n"] == n and r["target"] == target]
                good = [r for r in rs if r.get("status") == "ok"]
                row[target] = {
                    "runs": len(rs),
                    "complete": len(good),
                    "p50_ms": _median([r.get("p50_ms") for r in good]),
                    "p99_ms": _median([r.get("p99_ms") for r in good]),
                    "acks_s": _median([r.get("acks_done_s") for r in good]),
                    "tally_s": _median([r.get("tally_done_s") for r in good]),
                    "tally_all": [r.get("tally_done_s") for r in rs],
                    "cpu_s": _median([r.get("server_cpu_s") for r in good]),
                    "counts": [_counts(r, n) for r in rs],
                    "status": sorted({r.get("status", "?") for r in rs}),
                    "connect_s": _median([r.get("connect_s") for r in rs]),
                    "transports": sorted({t for r in rs for t in r.get("transports", [])}),
                    "probe": sorted({r.get("probe_transport") for r in rs if r.get("probe_transport")}),
                }
            a, b = row["app"]["tally_s"], row["bare"]["tally_s"]
            row["ratio"] = round(a / b, 2) if a and b else None
            a, b = row["app"]["acks_s"], row["bare"]["acks_s"]
            row["ack_ratio"] = round(a / b, 2) if a and b else None
            a, b = row["app"]["cpu_s"], row["bare"]["cpu_s"]
            row["cpu_ratio"] = round(a / b, 2) if a and b else None
            rows.append(row)
    return rows


def _f(v, nd=2):
    return "—" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def markdown(rows: list[dict], meta: dict) -> str:
    out = [
        f"Command: `{meta['command']}`  ",
        f"Run {meta['started']} → {meta['finished']} (UTC) on {meta['machine']}; app tree `{meta['app_root']}`"
        + (f" (git {meta['git']})" if meta.get("git") else ""),
        "",
        "| mode | N | app p50 / p99 ack (ms) | app all shown (s) | bare p50 / p99 ack (ms) | bare all shown (s) "
        "| **ratio** app/bare | server CPU app / bare (s) | app acks ok / refused / lost per run "
        "| runs app·bare complete | app connect (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for r in rows:
        a, b = r["app"], r["bare"]
        counts = ", ".join(a["counts"])
        ratio = _f(r["ratio"])
        if r["ratio"] is not None:
            ratio = f"**{ratio}**" + (" ✔" if r["ratio"] <= 1.5 else " ✘")
        elif a["runs"]:
            ratio = "✘ (app incomplete)"
        out.append(
            f"| {r['mode']} | {r['n']} | {_f(a['p50_ms'], 0)} / {_f(a['p99_ms'], 0)} | {_f(a['tally_s'])} "
            f"| {_f(b['p50_ms'], 0)} / {_f(b['p99_ms'], 0)} | {_f(b['tally_s'])} | {ratio} "
            f"| {_f(a.get('cpu_s'))} / {_f(b.get('cpu_s'))} | {counts or '—'} "
            f"| {a['complete']}/{a['runs']} · {b['complete']}/{b['runs']} | {_f(a['connect_s'], 1)} |"
        )
    out.append("")
    out.append(
        "*all shown* = from the burst start until the last tablet has received a `progress` with "
        "`spoken == N` (burst completion, medians over complete runs); ratio = median app / median bare; "
        "server CPU = the server process's user + system time from the burst instant until every tablet "
        "showed the final count (median; sampled every 20 ms). "
        "Transports seen: "
        + ", ".join(
            sorted({f"{r['mode']}: {'/'.join(r['app']['transports'] or r['bare']['transports'])}" for r in rows})
        )
    )
    return "\n".join(out) + "\n"


def machine() -> dict:
    import importlib.metadata as md

    pkgs = {}
    for p in (
        "python-socketio",
        "python-engineio",
        "Flask-SocketIO",
        "eventlet",
        "gevent",
        "greenlet",
        "simple-websocket",
        "gevent-websocket",
        "aiohttp",
        "SQLAlchemy",
        "sqlmodel",
        "Flask",
    ):
        with contextlib.suppress(md.PackageNotFoundError):
            pkgs[p] = md.version(p)
    cpu = ""
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "packages": pkgs,
        "loadavg_start": os.getloadavg(),
    }


def update_doc(path: Path, table: str) -> None:
    start, end = "<!-- bench:results -->", "<!-- /bench:results -->"
    text = path.read_text() if path.exists() else f"{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{table}{end}{tail}")


def report(path: Path, doc: Path | None) -> int:
    data = json.loads(path.read_text())
    runs, meta = data["runs"], data["meta"]
    meta.setdefault("finished", "(interrupted)")
    modes = list(dict.fromkeys(r["mode"] for r in runs))
    sizes = list(dict.fromkeys(r["n"] for r in runs))
    table = markdown(summarise(runs, modes, sizes), meta)
    path.with_name("results.md").write_text(table)
    if doc:
        update_doc(doc, table)
    print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="run the benchmark matrix and write the results")
    ap.add_argument("--modes", nargs="+", default=["eventlet", "gevent"], choices=["eventlet", "gevent"])
    ap.add_argument("--sizes", nargs="+", type=int, default=[30, 300, 1000, 3000])
    ap.add_argument("--repeat", type=int, default=3, help="runs per (target, mode, N)")
    ap.add_argument(
        "--large-repeat",
        type=int,
        default=None,
        help="runs for N ≥ 3000 (default: min(repeat, 2), to keep the matrix bounded)",
    )
    ap.add_argument("--targets", nargs="+", default=["app", "bare"], choices=["app", "bare"])
    ap.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="application tree to serve (default: this repository; another tree measures a change)",
    )
    ap.add_argument("--procs", type=int, default=None, help="client processes per run (default: by N, ≤4)")
    ap.add_argument("--connect-concurrency", type=int, default=32)
    ap.add_argument("--connect-timeout", type=float, default=None, help="default max(120 s, N/4 s)")
    ap.add_argument("--burst-timeout", type=float, default=None, help="default max(60 s, N/20 s)")
    ap.add_argument("--interval", type=float, default=None, help="YISHI_BROADCAST_INTERVAL for both servers")
    ap.add_argument(
        "--settle", type=float, default=5.0, help="seconds between the last check-in and the burst (default 5)"
    )
    ap.add_argument("--no-chair", action="store_true", help="do not connect the chair's (full view) tablet")
    ap.add_argument(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="skip the default-transport probe (polling → websocket upgrade) before each run",
    )
    ap.add_argument("--profile", action="store_true", help="py-spy the server during bursts of N ≥ --profile-min-n")
    ap.add_argument("--profile-min-n", type=int, default=3000)
    ap.add_argument(
        "--profile-targets",
        nargs="+",
        default=["app"],
        choices=["app", "bare"],
        help="which servers --profile samples (default: the app)",
    )
    ap.add_argument("--profile-seconds", type=float, default=30)
    ap.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second (default 100)")
    ap.add_argument("--py-spy", default=str(Path(sys.executable).parent / "py-spy"))
    ap.add_argument("--python", default=sys.executable, help="interpreter for the servers and the seeder")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "yishi-bench-seeds")
    ap.add_argument("--tmp", default=None, help="where run instances are created (default: the system temp dir)")
    ap.add_argument("--out-dir", type=Path, default=None, help="default bench/results/<UTC stamp>")
    ap.add_argument(
        "--update-doc",
        type=Path,
        default=None,
        help="write the table into this markdown file between <!-- bench:results --> markers",
    )
    ap.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="only rebuild the table from an earlier results.json (e.g. of an interrupted matrix)",
    )
    args = ap.parse_args(argv)
    if args.report:
        return report(args.report, args.update_doc)
    args.app_root = args.app_root.resolve()
    load.raise_nofile()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = args.out_dir or HERE / "results" / stamp
    out_dir.mkdir(parents=True, exist_ok=True)
    args.cache.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        line = f"[{datetime.now().strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        with open(out_dir / "run.log", "a") as f:
            f.write(line + "\n")

    git = ""
    with contextlib.suppress(Exception):
        git = subprocess.run(
            ["git", "-C", str(args.app_root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        if subprocess.run(
            ["git", "-C", str(args.app_root), "status", "--porcelain", "--", "meeting", "voting", "run.py"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip():
            git += "+local changes"
    m = machine()
    exe = sys.executable
    if exe.startswith(str(ROOT) + os.sep):
        exe = os.path.relpath(exe, ROOT)
    meta = {
        "command": " ".join([exe, *sys.argv]),
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine_info": m,
        "machine": f"{m['nproc']} CPU ({m['cpu']}), Python {m['python']}",
        "app_root": str(args.app_root),
        "git": git,
    }
    large_repeat = args.large_repeat or min(args.repeat, 2)
    results: list[dict] = []
    for n in args.sizes:
        for mode in args.modes:
            for i in range(large_repeat if n >= 3000 else args.repeat):
                for target in args.targets:
                    log(f"{target} {mode} N={n} run {i + 1}")
                    r = one_run(target, mode, n, args, out_dir, log)
                    r["repeat"] = i + 1
                    r["loadavg"] = os.getloadavg()
                    results.append(r)
                    log(
                        f"  → {r.get('status')}: ok={r.get('ok')} refused={r.get('refused')} lost={r.get('lost')} "
                        f"p50={r.get('p50_ms')}ms p99={r.get('p99_ms')}ms acks={r.get('acks_done_s')}s "
                        f"all shown={r.get('tally_done_s')}s connect={r.get('connect_s')}s "
                        f"transport probe={r.get('probe_transport')} tracebacks={r.get('server_tracebacks')}"
                    )
                    (out_dir / "results.json").write_text(
                        json.dumps({"meta": meta, "runs": results}, indent=1, ensure_ascii=False)
                    )
    meta["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    rows = summarise(results, args.modes, args.sizes)
    table = markdown(rows, meta)
    (out_dir / "results.json").write_text(
        json.dumps({"meta": meta, "runs": results, "summary": rows}, indent=1, ensure_ascii=False)
    )
    (out_dir / "results.md").write_text(table)
    if args.update_doc:
        update_doc(args.update_doc, table)
    print(table)
    log(f"results in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
