"""Every row of every table, to prove that a refused input changed nothing (compare before/after)."""

from __future__ import annotations

from sqlmodel import SQLModel


def dump_db(app) -> dict[str, list[tuple]]:
    """table name → its rows (every column), in primary-key order."""
    engine = app.extensions["yishi.engine"]
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*order))]
    return out


def changed(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ: name → (rows before, rows after)."""
    return {name: (len(before.get(name, [])), len(rows)) for name, rows in after.items() if before.get(name) != rows}
