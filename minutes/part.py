"""The minutes part (会议记录, 会议纪要, the archive) as the host installs it, after the meeting part."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from meeting import api, policy

from . import cli, models, paper_views, tablet, views  # noqa: F401  (paper_views, tablet: routes on views.bp; models: tables)
from . import policy as minutes_policy


def settings(instance: Path) -> dict:
    return {}


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    api.install(app, "minutes")  # its /api/v1 routes, declared in views
    policy.declare(app, minutes_policy.ACCESS)
    cli.init_app(app)
