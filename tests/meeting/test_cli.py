"""`python run.py --help` lists the commands; create-admin makes an argon2-hashed account."""

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


def _run(args, tmp_path, database_url, **env):
    import os

    e = dict(
        os.environ,
        YISHI_INSTANCE=str(tmp_path / "inst"),
        DATABASE_URL=database_url,
        YISHI_ASYNC_MODE="threading",
        **env,
    )
    return subprocess.run(
        [sys.executable, "run.py", *args], cwd=ROOT, env=e, capture_output=True, text=True, timeout=120
    )


def test_help_lists_the_commands(tmp_path, database_url):
    out = _run(["--help"], tmp_path, database_url).stdout
    for command in (
        "serve",
        "demo",
        "create-admin",
        "create-user",
        "create-api-token",
        "init-db",
        "verify",
        "execution-sweep",
    ):  # each part adds its own (meeting, minutes, execution)
        assert command in out


def test_help_needs_no_database_and_creates_no_instance_folder(tmp_path):
    """A newcomer's first command: it must not fail on a database not yet set up, nor leave a folder behind."""
    for args in (["--help"], ["serve", "--help"], ["verify", "-h"]):
        res = _run(args, tmp_path, "postgresql://nobody@127.0.0.1:1/none")
        assert res.returncode == 0, res.stderr
        assert "Usage: run.py" in res.stdout
        assert not (tmp_path / "inst").exists()


def test_create_admin_stores_an_argon2_hash(tmp_path, database_url):
    res = _run(["create-admin", "--username", "admin", "--password", "a-long-password"], tmp_path, database_url)
    assert res.returncode == 0, res.stderr
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        row = conn.execute(text("select password_hash, role from \"user\" where username='admin'")).one()
    engine.dispose()
    assert row[0].startswith("$argon2") and "a-long-password" not in row[0]
    assert row[1] == "admin"


def test_create_admin_refuses_a_short_password_and_stores_nothing(tmp_path, database_url):
    res = _run(["create-admin", "--username", "admin", "--password", "short"], tmp_path, database_url)
    assert res.returncode == 2
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text('select count(*) from "user"')).scalar_one() == 0
    engine.dispose()


def test_demo_prints_the_links_and_reuses_the_unfinished_meeting(tmp_path, database_url):
    first = _run(["demo", "--no-serve"], tmp_path, database_url)
    second = _run(["demo", "--no-serve"], tmp_path, database_url)
    assert first.returncode == 0, first.stderr
    assert "第1次常务会议" in first.stdout and "/t/" in first.stdout and "demo /" in first.stdout
    # the same meeting, its links issued again (tokens are stored hashed: printing them means issuing them)
    strip = lambda out: re.sub(r"/t/[\w-]+", "/t/…", out)  # noqa: E731
    assert strip(first.stdout) == strip(second.stdout) and first.stdout != second.stdout
