"""create_app(config=None): the Flask application, built from its parts.

Each part is a module with ``settings(instance)`` (its defaults, read from the environment) and ``init_app(app)``
(its blueprints and API routes, access declarations, tables and migrations, commands, role homes), as Flask's own
extensions install themselves. A part imports only the parts below it; the host is the one module that knows them
all, and lists them bottom first: a part's ``init_app`` may use what the parts before it installed (the meeting
part's database engine, its access gate, the API blueprint each part installs its /api/v1 routes under). Importing
the parts registers every part's tables before the meeting part creates the schema.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

# bottom first: the order their tables, access declarations and API routes join the app's
# isort: off
import meeting.part
import minutes.part
import execution.part
# isort: on

ROOT = Path(__file__).resolve().parent.parent
PARTS = (meeting.part, minutes.part, execution.part)


def _secret_key(instance: Path) -> str:
    """A per-installation secret kept in the instance folder (sessions survive restarts)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    os.umask(meeting.part.OWNER_ONLY_UMASK)  # before anything is created: the instance folder, the database, files
    instance = Path(config.get("INSTANCE_PATH") or os.environ.get("YISHI_INSTANCE") or ROOT / "instance")
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    app = Flask(
        "meeting.app",  # the name the app has always had (its logger's name, among others)
        root_path=str(ROOT / "meeting"),
        instance_path=str(instance.resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    for part in PARTS:
        app.config.update(part.settings(instance))
    app.config.update(config)
    if "SECRET_KEY" not in config:
        app.config["SECRET_KEY"] = os.environ.get("YISHI_SECRET_KEY") or _secret_key(instance)
    if "PERMANENT_SESSION_LIFETIME" not in config:  # the cookie lasts no longer than the sign-in may
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["YISHI_SESSION_MAX_HOURS"])
    for part in PARTS:
        part.init_app(app)
    return app
