"""What the baseline revisions share: they create only what is missing, so that a database made before the
migrations (by ``create_all``, today's or the previous release's) is brought up to today's as a fresh one is made."""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect


def missing(table: str) -> bool:
    """Is the table still to be made? (A database made before the migrations has most of them.)"""
    return not inspect(op.get_bind()).has_table(table)


def index_if_missing(name: str, table: str, columns: list[str], unique: bool = False) -> None:
    """An index today's models declare that the previous release lacked (``create_all`` never adds one to a table
    that exists)."""
    if name not in {ix["name"] for ix in inspect(op.get_bind()).get_indexes(table)}:
        op.create_index(name, table, columns, unique=unique)


def moments_with_their_zone(tables: list[str]) -> list[str]:
    """PostgreSQL: a ``timestamp without time zone`` column (what SQLModel before 0.0.3x made of a ``datetime``)
    becomes ``timestamp with time zone``, its values read as the UTC they were written in. Left naive, a moment
    written by a session in another zone (``SET TIME ZONE 'Asia/Shanghai'``) would be stored as that zone's wall-clock
    time. Returns ``table.column`` of each one changed; SQLite stores the same text either way."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return []
    changed = []
    insp = inspect(bind)
    for table in tables:
        for column in insp.get_columns(table):
            kind = column["type"]
            if kind.__class__.__name__ == "TIMESTAMP" and not getattr(kind, "timezone", False):
                name = bind.dialect.identifier_preparer.quote(column["name"])
                op.execute(
                    f'ALTER TABLE "{table}" ALTER COLUMN {name} TYPE TIMESTAMP WITH TIME ZONE '
                    f"USING {name} AT TIME ZONE 'UTC'"
                )
                changed.append(f"{table}.{column['name']}")
    return changed
