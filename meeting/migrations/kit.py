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
