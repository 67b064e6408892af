"""Shared fixtures. Every test builds its own app and data through the app's own services.

Passwords are hashed with real argon2 but light parameters in every test (``_quick_argon2``): a secretary signs in
in most tests, and the production parameters cost ~50 ms a hash. A test that checks the production parameters
says so with ``@pytest.mark.production_argon2``.

The database is chosen by ``YISHI_TEST_DB``: ``sqlite`` (default; a fresh file per test) or ``postgresql`` (a fresh
schema per test in the database named by ``YISHI_TEST_PG_URL``, default ``postgresql://127.0.0.1:5432/test``).
"""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest

from tests.factories import Factory, sign_in

PG_URL = os.environ.get("YISHI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def quick_hasher():
    """argon2id as in production, with the lightest parameters: the same code path, a fraction of the work."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@contextlib.contextmanager
def quick_argon2():
    """The light hasher for a block, e.g. a module-scoped fixture that signs accounts in (the autouse fixture below
    covers each test's own)."""
    import meeting.auth

    saved, meeting.auth._hasher = meeting.auth._hasher, quick_hasher()
    try:
        yield
    finally:
        meeting.auth._hasher = saved


@pytest.fixture(autouse=True)
def _quick_argon2(request):
    if request.node.get_closest_marker("production_argon2"):
        yield
        return
    with quick_argon2():
        yield


@contextlib.contextmanager
def fresh_database(tmp_path):
    """A database of its own: a new SQLite file in ``tmp_path``, or a new schema on PostgreSQL (dropped after)."""
    if os.environ.get("YISHI_TEST_DB", "sqlite") != "postgresql":
        yield f"sqlite:///{tmp_path / 'yishi.db'}"
        return
    import sqlalchemy as sa

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(tmp_path, database_url):
    from meeting.app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MATERIALS_DIR": str(tmp_path / "instance" / "materials"),
            "YISHI_ASYNC_MODE": "threading",
            "YISHI_BROADCAST_INTERVAL": 0,
            # no LibreOffice run on every archive (seconds each); tests/minutes/test_pdf.py switches it on
            "YISHI_PDF_COPY": False,
        }
    )


@pytest.fixture
def database_url(tmp_path):
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    yield app
    app.extensions["yishi.engine"].dispose()


@pytest.fixture
def socketio(app):
    return app.extensions["socketio"]


@pytest.fixture
def factory(app):
    """Builds bodies, people, meetings and items through the real services (see tests/factories.py)."""
    return Factory(app)


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def staff_http(app, factory):
    """An HTTP client signed in as a secretary, with the CSRF token to send."""
    client = app.test_client()
    factory.user("mishu", "correct horse battery", display_name="王秘书")
    resp = sign_in(client, "mishu", "correct horse battery")
    assert resp.status_code in (302, 303), resp.data
    return client
