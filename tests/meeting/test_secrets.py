"""Secrets at rest and in logs: tablet tokens never reach a log line; the data folder and the database are
owner-only (0o700 folders, 0o600 files) whatever umask the server was started with."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from meeting.redact import redact
from tests.factories import STAFF

SECRET = "Zx9SECRETtokenNOTinLOGS_abc123"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_an_error_with_a_token_in_its_path_logs_no_token(app, caplog, monkeypatch):
    """A request to /t/<token> that fails inside the view is logged by Flask ("Exception on /t/… [GET]") with its
    traceback; neither carries the token."""
    import meeting.views

    def boom(_s, token):
        raise RuntimeError(f"database fell over while reading {token!r}")

    monkeypatch.setattr(meeting.views, "token_actor", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.INFO):
        resp = app.test_client().get(f"/t/{SECRET}?token={SECRET}")
    assert resp.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the failure is logged"
    assert "/t/***" in caplog.text
    assert SECRET not in caplog.text


def test_access_lines_of_the_threading_server_carry_no_token(app, caplog):
    """werkzeug writes one line per request ("GET /t/… HTTP/1.1" 200); the filter create_app installs rewrites it."""
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - [%s] "%s" %s -', "10.0.0.7", "09/Dec/2023 09:00:00", f"GET /qr/{SECRET}.svg HTTP/1.1", 200
        )
        logging.getLogger("werkzeug").info('"GET /socket.io/?EIO=4&transport=polling&token=%s HTTP/1.1" 200', SECRET)
    assert len(caplog.records) == 2
    assert SECRET not in caplog.text
    assert "/qr/***" in caplog.text and "token=***" in caplog.text


def test_the_eventlet_and_gevent_server_logger_is_filtered(app, caplog):
    from meeting.redact import server_logger

    logger = server_logger()
    logger.propagate = True  # let caplog see it
    try:
        with caplog.at_level(logging.INFO, logger="yishi.server"):
            logger.info('10.0.0.7 - - "GET /minutes/tablet/%s HTTP/1.1" 200', SECRET)
    finally:
        logger.propagate = False
    assert SECRET not in caplog.text and "/minutes/tablet/***" in caplog.text


@pytest.mark.parametrize(
    "line, expected",
    [
        (f"/t/{SECRET}", "/t/***"),
        (f"GET /t/{SECRET}?lang=en HTTP/1.1", "GET /t/***?lang=en HTTP/1.1"),
        (f"/qr/{SECRET}.svg", "/qr/***"),
        (f"/materials/3?token={SECRET}&download=1", "/materials/3?token=***&download=1"),
        (f"/minutes/meetings/4?token={SECRET}", "/minutes/meetings/4?token=***"),
        ("csrf_token=abc", "csrf_token=abc"),  # not a tablet token
        ("/meetings/3/links", "/meetings/3/links"),
        ("/static/js/tablet.js", "/static/js/tablet.js"),
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected


def test_the_data_folder_and_database_are_owner_only(tmp_path, database_url, factory_cls=None):
    """Started under a permissive umask (0o022), the app still creates its folders 0o700 and its files 0o600."""
    from meeting import setup
    from meeting.app import create_app
    from meeting.db import unit_of_work
    from tests.factories import Factory

    old = os.umask(0o022)
    try:
        instance = tmp_path / "data"
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(instance),
                "YISHI_ASYNC_MODE": "threading",
                "YISHI_BROADCAST_INTERVAL": 0,
            }
        )
        try:
            factory = Factory(app)
            body, _ids = factory.body(3)
            m = factory.meeting(body.id)
            item = factory.item(m.id)
            with app.app_context(), unit_of_work() as s:
                mat = setup.store_material(
                    s, STAFF, item.id, "a.txt", "text/plain", b"material", instance / "materials"
                )
            assert _mode(instance) == 0o700
            assert _mode(instance / "materials") == 0o700
            assert _mode(instance / "execution") == 0o700
            assert _mode(instance / "secret_key") == 0o600
            assert _mode(instance / "materials" / mat.stored_name) == 0o600
            if database_url.startswith("sqlite"):
                db = database_url.split("///", 1)[1]
                assert _mode(db) == 0o600
                for extra in ("-wal", "-shm"):
                    if os.path.exists(db + extra):
                        assert _mode(db + extra) == 0o600
        finally:
            app.extensions["yishi.engine"].dispose()
    finally:
        os.umask(old)


def test_an_existing_data_folder_is_tightened(tmp_path, database_url):
    """An instance folder left world-readable by an earlier version is made owner-only at start-up."""
    from meeting.app import create_app

    instance = tmp_path / "old"
    (instance / "materials").mkdir(parents=True)
    (instance / "secret_key").write_text("x" * 64)
    for p, mode in ((instance, 0o755), (instance / "materials", 0o755), (instance / "secret_key", 0o644)):
        p.chmod(mode)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "YISHI_ASYNC_MODE": "threading"}
    )
    app.extensions["yishi.engine"].dispose()
    assert _mode(instance) == 0o700 and _mode(instance / "materials") == 0o700
    assert _mode(instance / "secret_key") == 0o600
