"""The execution part (决策执行与督查台账) as the host installs it, after the minutes part."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from meeting import api as meeting_api
from meeting import policy
from meeting.part import owner_only

# api: its /api/v1 routes, installed below; npc_views: its pages on supervision_views.bp; models: its tables
from . import api, cli, models, npc_views, public_views, supervision_views, views  # noqa: F401
from . import policy as execution_policy


def settings(instance: Path) -> dict:
    return {
        # where an account of a role other than secretary lands (meeting.auth.login_required, meeting.policy)
        "YISHI_ROLE_HOMES": {
            "supervisor": "execution.ledger",
            "unit": "execution.unit_home",
            "leader": "execution.leader_home",
        },
        "EXECUTION_DIR": str(instance / "execution"),
    }


def init_app(app: Flask) -> None:
    folder = Path(app.config["EXECUTION_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner_only(folder)
    app.register_blueprint(views.bp)
    meeting_api.install(app, "execution")  # /api/v1/execution
    app.register_blueprint(supervision_views.bp)  # npc_views: the people's-congress pages on this blueprint
    app.register_blueprint(public_views.bp)
    policy.declare(app, execution_policy.ACCESS, execution_policy.PREFIXES, execution_policy.LANDING)
    policy.check_records(app, execution_policy.RECORD_CHECKS)
    cli.init_app(app)
