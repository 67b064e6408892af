#!/usr/bin/env python3
"""Seed a benchmark meeting through the app's own services.

Creates a body with ``N + 1`` members (the head, who chairs, plus ``N`` members whose tablets take part in the
burst), a plenary meeting (全体会议) with everyone present, opened, one item opened and opinions called, and
writes the member tablets' tokens and the item id to a JSON file.

The chair is present but is not one of the ``N`` simulated tablets: under the chair-last rule (seed 003 §四(二)2)
the chair may not speak while anyone else has not, so "everyone at once" means the ``N`` members; the room then
shows ``spoken == N`` of ``eligible == N + 1`` when every tablet's opinion is in.

The database and instance folder come from the environment, exactly as for the server::

    YISHI_INSTANCE=/tmp/x DATABASE_URL=sqlite:////tmp/x/yishi.db .venv/bin/python bench/seed.py --n 300 --out /tmp/x/seed.json

Nothing here is monkey-patched: run it in its own process before the server starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seed(n: int) -> dict:
    os.environ.setdefault("YISHI_ASYNC_MODE", "threading")
    from meeting import room, setup
    from meeting.actors import Actor
    from meeting.app import create_app
    from meeting.db import unit_of_work
    from meeting.schemas import BodyIn, ItemIn, MeetingIn, MembersIn, PersonIn, RollCallIn, StepIn
    from voting.vocabulary import Attendance

    # the room services want a secretary; the audit log records who set the bench up
    staff = Actor(kind="user", name="基准测试", user_id=None, device="bench/seed.py")

    app = create_app()
    with app.app_context():
        with unit_of_work() as s:
            body = setup.create_body(
                s,
                staff,
                BodyIn(name="基准测试人民代表大会", kind="government", decision_mode="majority", profile="taobei-2023"),
            )
            ids = []
            for i in range(n + 1):
                title = "主任" if i == 0 else "委员"
                p = setup.create_person(s, staff, PersonIn(name=f"成员{i:04d}", title=title, unit="基准测试"))
                ids.append(p.id)
            s.flush()
            setup.set_members(s, staff, body.id, MembersIn(person_ids=ids))
            s.flush()
            meeting = setup.create_meeting(
                s,
                staff,
                MeetingIn(
                    body_id=body.id,
                    kind="plenary",
                    session_number=1,
                    starts_at=datetime(2024, 1, 8, 9, 0),
                    place="大会堂",
                    recorder_name="基准测试",
                ),
                "Asia/Shanghai",
            )
            s.flush()
            item = setup.add_item(s, staff, meeting.id, ItemIn(title="关于基准测试事项的议题", category="other"))
            for step in ("legality_review", "risk_assessment"):
                setup.set_step(s, staff, item.id, StepIn(step=step, state="done"))
            meeting_id, item_id, chair_id = meeting.id, item.id, meeting.chair_person_id
        # roll call, through the room service, in one transaction (each call loads the room: O(N²) rows, so
        # 3,000 seats take a little while; run_all.py seeds once per N and copies the database per run)
        with unit_of_work() as s:
            for pid in ids:
                room.roll_call(s, staff, meeting_id, RollCallIn(person_id=pid, attendance=Attendance.PRESENT))
        with unit_of_work() as s:
            room.open_meeting(s, staff, meeting_id)
        with unit_of_work() as s:
            room.open_item(s, staff, meeting_id, item_id)
        with unit_of_work() as s:
            room.call_opinions(s, staff, meeting_id, item_id)
        with unit_of_work() as s:
            from meeting.tokens import issue  # tokens are stored hashed: issue them to know them

            by_person = issue(s, staff, meeting_id, every=True).by_person()
            tokens = [tok for pid, tok in by_person.items() if pid != chair_id]
            chair_token = by_person[chair_id]
        app.extensions["yishi.engine"].dispose()
    assert len(tokens) == n
    return {
        "n": n,
        "meeting_id": meeting_id,
        "item_id": item_id,
        "round": 1,
        "chair_token": chair_token,
        "tokens": tokens,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="number of member tablets in the burst")
    ap.add_argument("--out", required=True, help="JSON file to write (tokens, item id)")
    ap.add_argument(
        "--app-root",
        default=str(ROOT),
        help="the application tree to import (default: this repository; another tree to measure a change)",
    )
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(args.app_root).resolve()))
    if not os.environ.get("YISHI_INSTANCE"):
        ap.error("set YISHI_INSTANCE (and optionally DATABASE_URL) to the bench instance, not the real one")
    t0 = time.monotonic()
    info = seed(args.n)
    Path(args.out).write_text(json.dumps(info, ensure_ascii=False))
    print(
        f"seeded n={args.n} meeting={info['meeting_id']} item={info['item_id']} "
        f"in {time.monotonic() - t0:.1f}s -> {args.out}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
