#!/usr/bin/env python3
"""Yishi (议事). Pick the async mode, build the app, run it.  ``python run.py --help`` lists the commands.

The async mode comes from ``--async-mode`` or ``YISHI_ASYNC_MODE`` (eventlet | gevent | threading; default
eventlet). Monkey-patching must happen before any other import, so it is done here, first.
"""

from __future__ import annotations

import os
import sys


def _early_async_mode(argv: list[str]) -> str:
    mode = os.environ.get("YISHI_ASYNC_MODE", "eventlet")
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            mode = argv[i + 1]
        elif arg.startswith("--async-mode="):
            mode = arg.split("=", 1)[1]
    return mode


def _patch(mode: str) -> None:
    if mode == "eventlet":
        import warnings

        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


if __name__ == "__main__":
    _MODE = _early_async_mode(sys.argv[1:])
    if len(sys.argv) > 1 and sys.argv[1] in ("serve", "demo") or len(sys.argv) == 1:
        _patch(_MODE)
    os.environ["YISHI_ASYNC_MODE"] = _MODE
    from yishi.cli import main

    sys.exit(main(sys.argv[1:]))
