"""Schema changes by Alembic migrations: the app upgrades its database on start, ``run.py init-db`` the same.

Each part keeps its own revisions in ``<part>/migrations/versions`` — one Alembic branch per part (labels
``meeting``, ``minutes``, ``execution``), a part's revisions depending on those of the parts it builds on — so the
room package knows nothing of the packages built on it: :func:`upgrade_database` runs the branches of the parts
whose tables are registered (create_app imports them) up to their heads.

A database made before the migrations (no ``alembic_version`` table, its tables made by ``create_all``) is
recognised by the baseline revisions themselves: each creates only the tables still missing and brings the ones
there up to today's (the columns the previous release lacked, its plain tokens hashed, leader names bound to people,
the stored events sealed into their chain), then Alembic records the baseline. A fresh database gets exactly the
tables ``create_all`` makes today; a database at the heads is left alone.

A new revision of a part: ``.venv/bin/python -c "from meeting.migrations import revision; revision('execution',
'why it changes')"`` writes the file to edit (or use Alembic's own commands with :func:`config`).
"""

from __future__ import annotations

import functools
import logging
import os
from importlib.resources import files
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def parts_registered() -> tuple[str, ...]:
    """The packages whose tables are registered (every model module imported so far), the room's first."""
    names = {
        m.class_.__module__.split(".", 1)[0]
        for m in SQLModel._sa_registry.mappers
        if getattr(m.class_, "__table__", None) is not None
    }
    return tuple(sorted(names, key=lambda n: (n != "meeting", n)))


def version_location(part: str) -> str:
    folder = Path(str(files(part))) / "migrations" / "versions"
    if not folder.is_dir():
        raise RuntimeError(f"the tables of {part!r} have no migrations ({folder} is missing)")
    return str(folder)


def config(parts: tuple[str, ...] | None = None) -> Config:
    """An Alembic configuration over the parts' branches (for ``alembic.command``: revision, history, …)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(version_location(p) for p in parts or parts_registered()))
    return cfg


@functools.cache
def scripts(parts: tuple[str, ...]) -> ScriptDirectory:
    """The revisions of these parts, read once per process (tests build many apps)."""
    return ScriptDirectory(str(HERE), version_locations=[version_location(p) for p in parts])


def current(bind: Engine | Connection) -> set[str]:
    """The revisions the database is at (empty: a fresh database, or one made before the migrations)."""
    from alembic.runtime.migration import MigrationContext

    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current(conn)
    return set(MigrationContext.configure(bind).get_current_heads())


def upgrade_database(engine: Engine, parts: tuple[str, ...] | None = None) -> list[str]:
    """Bring the database to the heads of the parts' branches in one transaction; returns the revisions applied
    (none when it is up to date). A database with tables but no ``alembic_version`` is logged as recognised."""
    parts = parts or parts_registered()
    script = scripts(parts)
    heads = set(script.get_heads())
    applied: list[str] = []
    with engine.begin() as conn:
        at = current(conn)
        # alembic_version keeps the heads only: a revision another part's depends on is there by implication
        if at and heads <= {r.revision for r in script.iterate_revisions(tuple(at), "base")}:
            return applied
        if not at and inspect(conn).get_table_names():
            log.info("a database made before the migrations: recognised by the baseline revisions and upgraded")

        def upgrade(rev, _context):
            steps = script._upgrade_revs("heads", rev)
            applied.extend(step.revision.revision for step in steps)
            return steps

        with EnvironmentContext(Config(), script, fn=upgrade, destination_rev="heads") as env:
            env.configure(connection=conn, target_metadata=SQLModel.metadata, transactional_ddl=False)
            env.run_migrations()
    return applied


def revision(part: str, message: str, **kw):
    """Write a new revision file for ``part``, after its branch's head (then edit it)."""
    from alembic import command

    location = version_location(part)
    return command.revision(config(), message=message, head=f"{part}@head", version_path=location, **kw)


__all__ = ["config", "current", "parts_registered", "revision", "upgrade_database"]
