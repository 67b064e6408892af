"""Schema changes by migrations (meeting/migrations, one Alembic branch per part).

A fresh database migrated has exactly the schema ``create_all`` makes from today's models; a database made by the
previous release (the release at git commit 981c0b7: its DDL is stored under tests/fixtures, generated once from
that commit's models) is recognised without an ``alembic_version`` table and upgraded with its rows carried and
transformed; an upgrade of a database at the heads is a no-op. On SQLite, and on PostgreSQL with
``YISHI_TEST_DB=postgresql``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import execution.models  # noqa: F401  (every part's tables registered, as create_app does)
import minutes.models  # noqa: F401
from meeting.chain import GENESIS, digest, execution_digest
from meeting.db import create_schema, make_engine
from meeting.migrations import current, parts_registered, scripts, upgrade_database
from meeting.tokens import hash_token
from tests.conftest import fresh_database

FIXTURES = Path(__file__).parent.parent / "fixtures"
AT = datetime(2023, 12, 9, 1, 30, tzinfo=UTC)  # 2023年12月9日 09:30 in Asia/Shanghai


# every revision a fresh database goes through, in the order applied (deadends: meeting_0002_proxy, 代录)


def up_to_date(engine) -> bool:
    """At the heads of every branch (alembic_version lists a revision another depends on only by implication)."""
    script = scripts(parts_registered())
    at = current(engine)
    return bool(at) and set(script.get_heads()) <= {r.revision for r in script.iterate_revisions(tuple(at), "base")}


def schema(engine) -> dict:
    """What inspect sees: per table its columns (type as the dialect spells it, nullability), primary key, indexes,
    unique constraints and foreign keys."""
    insp = sa.inspect(engine)
    out = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        out[table] = {
            "columns": [(c["name"], c["type"].compile(engine.dialect), c["nullable"]) for c in insp.get_columns(table)],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"])) for ix in insp.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "fks": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in insp.get_foreign_keys(table)
            ),
        }
    return out


# every revision of every part (each part's branch applied in its own order: see applied())
REVISIONS = {
    "meeting": ["meeting_0001", "meeting_0002", "meeting_0003_floor", "meeting_0004_proxy", "meeting_0005_presenter"],
    "minutes": ["minutes_0001", "minutes_0002", "minutes_0003"],
    "execution": ["execution_0001"],
}


def applied(revisions: list[str]) -> bool:
    """Every revision applied once, and each part's in the order of its branch."""
    assert sorted(revisions) == sorted(r for part in REVISIONS.values() for r in part)
    for part, order in REVISIONS.items():
        assert [r for r in revisions if r.startswith(part + "_")] == order
    return True


@pytest.fixture
def second_url(tmp_path):
    (tmp_path / "b").mkdir()
    with fresh_database(tmp_path / "b") as url:
        yield url


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    yield e
    e.dispose()


def test_a_fresh_database_migrated_has_the_schema_create_all_makes(engine, second_url):
    assert applied(create_schema(engine))
    reference = make_engine(second_url)
    try:
        SQLModel.metadata.create_all(reference)
        want, got = schema(reference), schema(engine)
    finally:
        reference.dispose()
    assert set(got) == set(want) and len(want) == len(SQLModel.metadata.tables)
    for table in want:
        assert got[table] == want[table], table
    assert up_to_date(engine)


def test_upgrading_a_database_at_the_heads_is_a_no_op(engine):
    create_schema(engine)
    before = schema(engine)
    assert create_schema(engine) == [] and upgrade_database(engine) == []
    assert schema(engine) == before


def test_every_part_with_tables_has_its_branch():
    assert parts_registered() == ("meeting", "execution", "minutes")
    labels = {label for rev in scripts(parts_registered()).walk_revisions() for label in rev.branch_labels}
    assert labels == {"meeting", "minutes", "execution"}


# ---------------------------------------------------------------- the previous release's database


def _previous_release(engine, naive_moments: bool = False) -> None:
    ddl = (FIXTURES / f"release_981c0b7.{engine.dialect.name}.sql").read_text(encoding="utf-8")
    if naive_moments:  # as SQLModel before 0.0.3x made a datetime column
        ddl = ddl.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITHOUT TIME ZONE")
    statements = [s.strip() for s in ddl.split(";\n")]
    with engine.begin() as conn:
        for statement in statements:
            body = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
            if body:
                conn.exec_driver_sql(body)


def _row(conn, table: str, **given) -> None:
    """Insert a row into the previous release's table, the NOT NULL columns not given filled with plain values."""
    for c in sa.inspect(conn).get_columns(table):
        if c["name"] in given or c["nullable"] or c["name"] == "id" and "id" not in given:
            continue
        kind = c["type"]
        given[c["name"]] = (
            False
            if isinstance(kind, sa.Boolean)
            else 0
            if isinstance(kind, sa.Integer)
            else AT
            if isinstance(kind, sa.DateTime)
            else date(2023, 12, 9)
            if isinstance(kind, sa.Date)
            else ""
        )
    names = ", ".join(f'"{n}"' for n in given)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(":" + n for n in given)})'), given)


PLAIN_SEAT, PLAIN_OBSERVER, PLAIN_PROJECTOR = (
    "seatPlainToken_0123456789abcdefg",
    "observerPlain_0123456789abcdefgh",
    "projectorPlain_0123456789abcdefg",
)


def _rows_of_the_previous_release(engine) -> None:
    with engine.begin() as c:
        _row(c, "body", id=1, name="市政府常务会议", kind="government", decision_mode="consensus", profile="default")
        _row(c, "body", id=2, name="区人民政府", kind="government", decision_mode="majority", profile="seed003")
        for pid, name in ((1, "刘海军"), (2, "刘海军"), (3, "张建国"), (4, "陈晓东")):
            _row(c, "person", id=pid, name=name)
        _row(
            c,
            "meeting",
            id=1,
            body_id=1,
            chair_person_id=3,
            status="closed",
            projector_token=PLAIN_PROJECTOR,
            starts_at=AT,
        )
        _row(c, "seat", id=1, meeting_id=1, person_id=3, token=PLAIN_SEAT, attendance="present")
        _row(c, "seat", id=2, meeting_id=1, person_id=4, token=hash_token("already hashed"), attendance="present")
        _row(c, "observer", id=1, meeting_id=1, name="王列席", token=PLAIN_OBSERVER)
        for eid, kind in ((1, "meeting.opened"), (2, "item.opened"), (3, "meeting.closed")):
            _row(c, "event", id=eid, meeting_id=1, at=AT, actor_kind="user", actor_name="秘书", kind=kind, payload="{}")
        _row(
            c,
            "event",
            id=4,
            meeting_id=None,
            at=AT,
            actor_kind="user",
            actor_name="秘书",
            kind="person.added",
            payload=json.dumps({"person": 4}),
        )
        _row(c, "unit", id=1, name="市发展改革委", active=True)
        _row(
            c,
            "assignment",
            id=1,
            number="2023-1",
            title="一",
            responsible_leader="刘海军",
            lead_unit_id=1,
            meeting_id=1,
            status="in_progress",
        )
        _row(
            c,
            "assignment",
            id=2,
            number="2023-2",
            title="二",
            responsible_leader="张建国",
            coordinating_leader="陈晓东",
            lead_unit_id=1,
            status="in_progress",
        )
        _row(c, "signoff", id=1, assignment_id=2, leader="张建国")
        for eid in (1, 2):
            _row(c, "executionevent", id=eid, assignment_id=eid, kind="assignment.created", actor="督查室", data="{}")
        _row(
            c,
            "archiveddocument",
            id=1,
            meeting_id=1,
            kind="minutes",
            version=1,
            sha256="0" * 64,
            size=1,
            stored_name="minutes-1.docx",
            author="秘书",
        )


def _all(engine, sql: str) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(sa.text(sql))]


def test_a_database_of_the_previous_release_is_recognised_and_upgraded_with_its_rows(engine, second_url):
    _previous_release(engine)
    _rows_of_the_previous_release(engine)
    assert current(engine) == set()  # no alembic_version: made before the migrations

    assert applied(create_schema(engine))

    assert up_to_date(engine)
    # the rule profile the release called "seed003" (a developer's file name) stored under the name users may see
    assert _all(engine, "SELECT id, profile FROM body ORDER BY id") == [(1, "default"), (2, "taobei-2023")]
    # the links handed out keep working: stored as their hashes, an already hashed one untouched
    assert _all(engine, "SELECT id, token FROM seat ORDER BY id") == [
        (1, hash_token(PLAIN_SEAT)),
        (2, hash_token("already hashed")),
    ]
    assert _all(engine, "SELECT token FROM observer") == [(hash_token(PLAIN_OBSERVER),)]
    assert _all(engine, "SELECT projector_token FROM meeting") == [(hash_token(PLAIN_PROJECTOR),)]
    # leaders bound to people only where the printed name is unambiguous
    assert _all(engine, "SELECT id, leader_person_id, coordinating_person_id FROM assignment ORDER BY id") == [
        (1, None, None),
        (2, 3, 4),
    ]
    assert _all(engine, "SELECT person_id FROM signoff") == [(None,)]
    # the stored events sealed in the order written: per meeting, the events of no meeting their own chain
    with engine.connect() as c:
        from sqlmodel import Session, select

        from execution.models import ExecutionEvent
        from meeting.models import Event

        with Session(bind=c) as s:
            events = s.exec(select(Event).order_by(Event.id)).all()
            ledger = s.exec(select(ExecutionEvent).order_by(ExecutionEvent.id)).all()
    assert [(e.id, e.seq) for e in events] == [(1, 1), (2, 2), (3, 3), (4, 1)]
    assert events[0].prev_hash == GENESIS and events[1].prev_hash == events[0].hash
    assert all(
        e.hash
        == digest(
            e.meeting_id, e.seq, e.kind, e.actor_kind, e.actor_id, e.actor_name, e.device, e.at, e.payload, e.prev_hash
        )
        for e in events
    )
    assert [e.seq for e in ledger] == [1, 2] and all(e.hash == execution_digest(e) for e in ledger)
    assert events[0].at == AT  # the moment as written, read back aware
    assert _all(engine, "SELECT chain_seq, chain_hash FROM archiveddocument") == [(None, None)]
    # every table and column of today's there; the tables the release lacked made as create_all makes them
    reference = make_engine(second_url)
    try:
        SQLModel.metadata.create_all(reference)
        want, got = schema(reference), schema(engine)
    finally:
        reference.dispose()
    assert set(got) == set(want)
    for table in want:
        assert {c[0] for c in got[table]["columns"]} == {c[0] for c in want[table]["columns"]}, table
    for table in ("loginsession", "chainhead"):
        assert got[table] == want[table]
    assert {ix[0] for ix in want["assignment"]["indexes"]} <= {ix[0] for ix in got["assignment"]["indexes"]}

    # once: a second start changes nothing
    before = schema(engine), _all(engine, "SELECT id, seq, hash FROM event ORDER BY id")
    assert create_schema(engine) == []
    assert (schema(engine), _all(engine, "SELECT id, seq, hash FROM event ORDER BY id")) == before


def test_a_database_made_by_create_all_before_the_migrations_is_stamped_as_it_is(engine):
    """A database of this release made before the migrations came (``create_all``): nothing to change, recorded."""
    SQLModel.metadata.create_all(engine)
    before = schema(engine)
    assert applied(create_schema(engine))
    assert schema(engine) == before and up_to_date(engine)


def test_postgresql_moments_stored_without_their_zone_become_moments_with_it(engine):
    """A previous release's database whose datetime columns are ``timestamp without time zone`` (an older SQLModel
    made them): they become ``timestamp with time zone``, each value the UTC moment it was written as."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's column types")
    _previous_release(engine, naive_moments=True)
    _rows_of_the_previous_release(engine)
    create_schema(engine)
    kinds = {
        (t, col["name"]): col["type"]
        for t in ("event", "person", "assignment")
        for col in sa.inspect(engine).get_columns(t)
    }
    assert kinds[("event", "at")].timezone and kinds[("person", "created_at")].timezone
    with engine.begin() as c:
        c.execute(sa.text("SET LOCAL TIME ZONE 'Asia/Shanghai'"))
        assert c.execute(sa.text("SELECT at FROM event WHERE id = 1")).scalar_one() == AT
    from sqlmodel import Session, select

    from meeting.models import Event

    with Session(engine) as s:  # the chain still checks: the instants were kept
        events = s.exec(select(Event).order_by(Event.id)).all()
    assert all(
        e.hash
        == digest(
            e.meeting_id, e.seq, e.kind, e.actor_kind, e.actor_id, e.actor_name, e.device, e.at, e.payload, e.prev_hash
        )
        for e in events
    )
