#!/usr/bin/env python3
"""Yishi (议事). Pick the async mode, build the app, run it.  ``python run.py --help`` lists the commands.

The async mode comes from ``--async-mode`` or ``YISHI_ASYNC_MODE`` (eventlet | gevent | threading; default
eventlet). Monkey-patching must happen before any other import, so it is done here, first.
"""

from __future__ import annotations

import os
import sys


def _patch(mode: str) -> None:
    if mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


if __name__ == "__main__":
    from meeting.startup import quiet_library_warnings  # imports nothing that monkey-patching must precede
    from yishi.modes import build_with  # the standard library only: nothing is imported before the patch

    quiet_library_warnings()
    _MODE = build_with(sys.argv[1:])
    if len(sys.argv) > 1 and sys.argv[1] in ("serve", "demo") or len(sys.argv) == 1:
        _patch(_MODE)
    os.environ["YISHI_ASYNC_MODE"] = _MODE
    from yishi.cli import main

    sys.exit(main(sys.argv[1:]))
