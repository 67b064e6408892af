"""``python run.py [COMMAND]``: the commands every part added to ``app.cli``, under one click group (no command:
``serve``). run.py has already chosen the async mode (and monkey-patched) before this module is imported."""

from __future__ import annotations

import os
import tempfile
import warnings

import click
from flask.cli import ScriptInfo

from . import modes
from .host import create_app


def group(app) -> click.Group:
    for command in app.cli.commands.values():  # the list shows each command's whole help, as it always has
        command.short_help = command.short_help or command.help

    @click.group(
        name="run.py",
        commands=app.cli.commands,
        invoke_without_command=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        help="议事 Yishi — 会议决策系统 / meeting decisions",
    )
    @click.pass_context
    def run(ctx: click.Context):
        if ctx.invoked_subcommand is None:
            return ctx.invoke(app.cli.commands["serve"])
        return None

    return run


def main(argv: list[str]) -> int:
    """Build the app (each part adds its commands), run one command; its return value is the exit status."""
    os.environ["YISHI_ASYNC_MODE"] = modes.build_with(argv)
    # every command builds the app in that mode; only serve and demo run it (run.py then patched, and said this)
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    if any(a in ("-h", "--help") for a in argv):
        # the commands' help, from an app on a scratch folder and an in-memory database: asking for help creates no
        # instance folder and needs no reachable database
        with tempfile.TemporaryDirectory(prefix="yishi-help-") as scratch:
            return _run(create_app({"INSTANCE_PATH": scratch, "DATABASE_URL": "sqlite://"}), argv)
    return _run(create_app(), argv)


def _run(app, argv: list[str]) -> int:
    info = ScriptInfo(create_app=lambda: app, set_debug_flag=False)
    try:
        status = group(app).main(args=list(argv), prog_name="run.py", obj=info, standalone_mode=False)
    except click.ClickException as e:  # a usage error: the usage line and the message, status 2
        e.show()
        return e.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return status if isinstance(status, int) else 0
