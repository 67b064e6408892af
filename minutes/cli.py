"""The minutes part's command of ``python run.py``: verify (核验), added to ``app.cli`` by :func:`init_app`."""

from __future__ import annotations

import sys

import click

from meeting.cli import pass_app
from meeting.db import read_only
from meeting.models import Meeting

from . import service as minutes_service
from . import verify as minutes_verify


def verify(app, meeting_id: int | None) -> int:
    """Print each meeting's 核验 report (Chinese); 0 when all pass, 1 when anything is wrong, 2: no such meeting."""
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


@click.command(
    "verify",
    help="核验: check the event chain, the rows against their events and the archived files "
    "(one meeting, or all: MEETING is the meeting's id, default every meeting); "
    "exit status 1 when anything is wrong",
)
@click.argument("meeting", required=False, type=int)
@pass_app
def verify_command(app, meeting: int | None) -> int:
    return verify(app, meeting)


def init_app(app) -> None:
    app.cli.add_command(verify_command)
