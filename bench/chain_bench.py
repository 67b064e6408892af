"""In-process cost of the opinion batch (meeting/intake.py ``give_opinions`` + commit), per opinion.

1,000 members give their opinion in batches of ``--batch`` (the live room's burst: the drainer's batches);
the time of each batch's transaction (rules, INSERTs, the event chain's hashes and head, commit) is summed and
divided by the opinions written: wall time, and this process's CPU time (on a shared machine the honest figure). Run it on two trees to compare, e.g. before and after the event chain:

    .venv/bin/python bench/chain_bench.py --batch 100 --repeat 5
    PYTHONPATH=/tmp/base .venv/bin/python /tmp/base/bench/chain_bench.py --batch 100 --repeat 5

Database: a fresh SQLite file (default) or ``--pg URL`` (a fresh schema in it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def one_run(n: int, batch: int, url: str, instance: str) -> tuple[float, float]:
    from meeting import intake
    from meeting.app import create_app
    from meeting.db import unit_of_work
    from meeting.schemas import OpinionIn
    from tests.factories import Factory

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "YISHI_ASYNC_MODE": "threading",
            "YISHI_BROADCAST_INTERVAL": 0,
        }
    )
    f = Factory(app)
    _, ids, m, item = f.running(n + 1, n + 1, kind="executive")
    actors = [f.seat_actor(m.id, p) for p in ids[1:]]
    spent = cpu = 0.0
    for start in range(0, n, batch):
        part = [
            (a, OpinionIn(client_id=uuid.uuid4().hex, item_id=item.id, round=1, stance="agree", reason=""))
            for a in actors[start : start + batch]
        ]
        with app.app_context():
            t0, c0 = time.perf_counter(), time.process_time()
            with unit_of_work() as s:
                out = intake.give_opinions(s, m.id, part)
            spent += time.perf_counter() - t0
            cpu += time.process_time() - c0
        assert not any(isinstance(o, Exception) for o in out), out[:3]
    app.extensions["yishi.engine"].dispose()
    return spent / n * 1e6, cpu / n * 1e6


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--opinions", type=int, default=1000)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pg", default="")
    args = p.parse_args()
    results = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            if args.pg:
                import sqlalchemy as sa

                schema = "bench_" + uuid.uuid4().hex[:10]
                admin = sa.create_engine(args.pg)
                with admin.begin() as conn:
                    conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
                url = f"{args.pg}?options=-csearch_path%3D{schema}"
            else:
                url = f"sqlite:///{os.path.join(tmp, 'bench.db')}"
            try:
                results.append(one_run(args.opinions, args.batch, url, os.path.join(tmp, "instance")))
            finally:
                if args.pg:
                    with admin.begin() as conn:
                        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
    wall, cpu = [r[0] for r in results], [r[1] for r in results]
    print(
        f"{args.opinions} opinions in batches of {args.batch}: {statistics.median(wall):.1f} µs per opinion "
        f"wall, {statistics.median(cpu):.1f} µs CPU (this process; the machine's other load does not count) — "
        f"median of {args.repeat}: " + ", ".join(f"{w:.1f}/{c:.1f}" for w, c in results)
    )


if __name__ == "__main__":
    main()
