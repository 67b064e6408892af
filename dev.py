#!/usr/bin/env python3
"""Set up and run Yishi, or set up and run every test — the README's two commands.

    python3 dev.py run  [run.py demo options, e.g. --host 0.0.0.0 --port 5000]
    python3 dev.py test [extra pytest arguments]
    python3 dev.py pictures   (the README's pictures, taken anew by the browser test of the live room)

Uses only the standard library until the virtual environment (.venv) exists; reinstalls dependencies only when
pyproject.toml changes. ``test`` checks the code's form with ruff (format, lint, import order), then runs the
whole suite on SQLite and then on PostgreSQL (``YISHI_TEST_PG_URL``, default postgresql://127.0.0.1:5432/test);
the real-server tests run once per async mode (eventlet, gevent).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
STAMP = VENV / ".yishi-installed"


def sh(*cmd: str | os.PathLike, env: dict | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    rc = subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)
    if check and rc != 0:
        sys.exit(rc)
    return rc


def _installed() -> tuple[str, frozenset[str]]:
    """What the last install was made from: (pyproject.toml's hash, the extras installed). The stamp is
    ``<hash> <extra>,<extra>`` (``-`` for none); an older one-field stamp hashed pyproject.toml with the extras'
    names."""
    fields = STAMP.read_text().split() if STAMP.exists() else []
    if len(fields) == 2:
        return fields[0], frozenset(x for x in fields[1].split(",") if x and x != "-")
    if len(fields) != 1:
        return "", frozenset()
    old = fields[0]
    project = (ROOT / "pyproject.toml").read_bytes()
    for extras in ("test", ""):
        if old == hashlib.sha256(project + extras.encode()).hexdigest():
            return hashlib.sha256(project).hexdigest(), frozenset([extras] if extras else [])
    return "", frozenset()


def ensure_venv(extras: str) -> None:
    """Make .venv and install the project into it, only when needed: an install made from the same pyproject.toml
    with these extras or more (``test`` includes what ``run`` needs) is kept, so switching between ``run`` and
    ``test`` installs nothing and works without a package index."""
    if not PY.exists():
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as exc:  # Debian/Ubuntu without the venv module's ensurepip
            sys.exit(f"Could not create .venv ({exc}).\nOn Debian/Ubuntu: sudo apt-get install -y python3-venv")
    project = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    wanted = frozenset(x for x in extras.split(",") if x)
    have_project, have_extras = _installed()
    if have_project == project and wanted <= have_extras:
        return
    wanted |= have_extras  # keep what is installed: the next switch needs nothing either
    spec = f".[{','.join(sorted(wanted))}]" if wanted else "."
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--quiet", "-e", spec)
    STAMP.write_text(f"{project} {','.join(sorted(wanted)) or '-'}\n")


def postgres_reachable(url: str) -> bool:
    code = (
        "import sqlalchemy as sa,sys\n"
        f"e=sa.create_engine({url!r})\n"
        "try:\n with e.connect() as c: c.execute(sa.text('select 1'))\n"
        "except Exception as x: print(x); sys.exit(1)"
    )
    return subprocess.call([str(PY), "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL) == 0


def count(junit: Path) -> tuple[int, int, int]:
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


def run_tests(extra: list[str]) -> int:
    ensure_venv("test")
    # the code's form first, in seconds: formatted, linted, imports in order (config: pyproject.toml [tool.ruff])
    print("\n=== ruff: format and lint ===", flush=True)
    for check in (("format", "--check", "."), ("check", ".")):
        if sh(PY, "-m", "ruff", *check, check=False):
            print("ruff found the above; `.venv/bin/ruff format . && .venv/bin/ruff check --fix .` fixes most of it.")
            return 1
    pg_url = os.environ.get("YISHI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
    databases = ["sqlite"]
    if postgres_reachable(pg_url):
        databases.append("postgresql")
    elif os.environ.get("CI"):
        print(f"PostgreSQL is not reachable at {pg_url}: CI runs the whole suite on both databases.")
        return 1
    else:
        print(f"warning: PostgreSQL not reachable at {pg_url}; running on SQLite only.")
    totals = [0, 0, 0]
    rc = 0
    for db in databases:
        junit = ROOT / "build" / f"junit-{db}.xml"
        junit.parent.mkdir(exist_ok=True)
        env = dict(os.environ, YISHI_TEST_DB=db, YISHI_TEST_PG_URL=pg_url)
        print(f"\n=== whole suite on {db} ===", flush=True)
        code = sh(PY, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}", *extra, env=env, check=False)
        rc = rc or code
        if junit.exists():
            for i, n in enumerate(count(junit)):
                totals[i] += n
    print(
        f"\nyishi (sqlite{' + postgresql' if len(databases) > 1 else ''}): "
        f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped"
    )
    return rc


# the README's pictures: docs/img/<name> ← the screenshot tests/e2e/test_browser_room.py::test_live_room takes
PICTURES = {
    "console-laptop.png": "test_live_room-console-opinions-eventlet-1366x768.png",
    "tablet-tablet.png": "test_live_room-tablet-confirm-eventlet-768x1024.png",
    "projector-screen.png": "test_live_room-projector-progress-eventlet-1920x1080.png",
}


def take_pictures() -> int:
    """Run the live-room browser test (eventlet, SQLite), which screenshots every view at its sizes, and copy the
    README's pictures from what it took to docs/img/."""
    ensure_venv("test")
    shots = ROOT / "tests" / "e2e" / "screenshots"
    for name in PICTURES.values():
        (shots / name).unlink(missing_ok=True)  # a picture left by an older run is never copied
    env = dict(os.environ, YISHI_TEST_DB="sqlite")
    test = "tests/e2e/test_browser_room.py::test_live_room[eventlet]"
    if sh(PY, "-m", "pytest", "-p", "no:cacheprovider", "-q", test, env=env, check=False):
        return 1
    for picture, shot in PICTURES.items():
        (ROOT / "docs" / "img" / picture).write_bytes((shots / shot).read_bytes())
        print(f"docs/img/{picture} ← tests/e2e/screenshots/{shot}")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "pictures"):
        print(__doc__)
        return 2
    if argv[0] == "test":
        return run_tests(argv[1:])
    if argv[0] == "pictures":
        return take_pictures()
    ensure_venv("")
    os.execv(str(PY), [str(PY), str(ROOT / "run.py"), "demo", *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
