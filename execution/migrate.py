"""Columns added after a database was first created (``create_all`` makes missing tables, never missing columns).

Each step adds one nullable column if it is missing, and fills it once, at that moment, where that can be done
safely. Run by the execution part's baseline migration (execution/migrations) on a database made before the
migrations; idempotent, and a no-op on a fresh database.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

# (table, column, SQL type and reference)
COLUMNS = (
    ("assignment", "coordinating_person_id", "INTEGER REFERENCES person(id)"),
    ("signoff", "person_id", "INTEGER REFERENCES person(id)"),
)


def upgrade(bind: Engine | Connection) -> list[str]:
    """Add the missing columns; returns ``table.column`` of each one added. ``bind``: an engine, or the connection
    of a migration (its transaction)."""
    from meeting.db import transaction

    added = []
    for table, column, ddl in COLUMNS:
        with transaction(bind) as conn:
            insp = inspect(conn)
            if not insp.has_table(table) or column in {c["name"] for c in insp.get_columns(table)}:
                continue
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))
            if (table, column) == ("assignment", "coordinating_person_id"):
                _bind_leaders(conn)
        added.append(f"{table}.{column}")
    return added


def _bind_leaders(conn) -> None:
    """Before this column, a leader account also saw an assignment by its leader's printed name. Bind those names
    to people once, where the name is borne by exactly one person; a name two people share stays unbound (the office
    picks the person on the assignment page) — nobody gains access by a namesake."""
    for id_col, name_col in (
        ("leader_person_id", "responsible_leader"),
        ("coordinating_person_id", "coordinating_leader"),
    ):
        conn.execute(
            text(
                f"UPDATE assignment SET {id_col} = (SELECT MIN(p.id) FROM person p WHERE p.name = assignment.{name_col}) "
                f"WHERE {id_col} IS NULL AND {name_col} <> '' "
                f"AND (SELECT COUNT(*) FROM person p WHERE p.name = assignment.{name_col}) = 1"
            )
        )
