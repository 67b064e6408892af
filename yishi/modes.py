"""The async mode a command asked for, read before anything else is imported (run.py monkey-patches with it)."""

from __future__ import annotations

import os

from meeting import ASYNC_MODES

DEFAULT = "eventlet"


def requested(argv: list[str]) -> str | None:
    """``--async-mode MODE`` or ``--async-mode=MODE`` on the command line (serve, demo), else None."""
    mode = None
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            mode = argv[i + 1]
        elif arg.startswith("--async-mode="):
            mode = arg.split("=", 1)[1]
    return mode


def chosen(argv: list[str]) -> str:
    """The command line's mode, else ``YISHI_ASYNC_MODE``, else eventlet."""
    return requested(argv) or os.environ.get("YISHI_ASYNC_MODE", DEFAULT)


def build_with(argv: list[str]) -> str:
    """The mode the app is built in: the chosen one; for a mode the command line names but nobody knows, any known
    one (the command's ``--async-mode`` choices then refuse it with the usage line, before it runs)."""
    mode = chosen(argv)
    return DEFAULT if requested(argv) is not None and mode not in ASYNC_MODES else mode
