"""The real server, exactly as a user starts it, once per async mode.

Each test gets its own server: a free port, a temporary instance directory, its own database (the ``database_url``
fixture of ``tests/conftest.py``: a SQLite file, or a fresh PostgreSQL schema when ``YISHI_TEST_DB=postgresql``),
demo data seeded by ``python run.py demo --no-serve`` and the links read from what that command prints. Nothing of
the app is imported into the test process, so no monkey-patching ever happens here (Playwright's sync API and
python-socketio's client threads run in a normal interpreter).

Async modes come from ``YISHI_TEST_ASYNC_MODES`` (space or comma separated; default "eventlet gevent").
``YISHI_BROADCAST_INTERVAL`` is left at the server's default (0.15 s), so the coalescing path is the one tested.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parent.parent
SCREENSHOTS = E2E_DIR / "screenshots"
MODES = [m for m in re.split(r"[\s,]+", os.environ.get("YISHI_TEST_ASYNC_MODES", "eventlet gevent")) if m]
START_TIMEOUT = 20.0
# Environment of the test process that must not leak into the server under test.
_SCRUB = (
    "YISHI_BROADCAST_INTERVAL",
    "SOCKETIO_MESSAGE_QUEUE",
    "YISHI_SECRET_KEY",
    "YISHI_HOST",
    "YISHI_PORT",
    "YISHI_ASYNC_MODE",
    "YISHI_INSTANCE",
    "DATABASE_URL",
)


# ---------------------------------------------------------------- marking and reporting


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, so fixtures know in teardown whether the test failed."""
    report = yield
    setattr(item, f"_e2e_rep_{report.when}", report)
    return report


def _failed(node) -> bool:
    return any(getattr(getattr(node, f"_e2e_rep_{w}", None), "failed", False) for w in ("setup", "call"))


# ---------------------------------------------------------------- the server


@dataclass
class DemoLinks:
    """What ``python run.py demo --no-serve`` printed."""

    meeting_id: int
    title: str
    console_url: str
    username: str
    password: str
    projector_token: str
    members: dict[str, str] = field(default_factory=dict)  # name → tablet token, in seniority order
    titles: dict[str, str] = field(default_factory=dict)  # name → 职务
    observers: dict[str, str] = field(default_factory=dict)  # name → token


def parse_demo_output(text: str) -> DemoLinks:
    section = ""
    values: dict[str, str] = {}
    members: dict[str, str] = {}
    titles: dict[str, str] = {}
    observers: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("演示会议"):
            values["title"] = line.split(": ", 1)[1].strip()
        elif line.startswith("秘书控制台"):
            values["console"] = line.split(": ", 1)[1].strip()
        elif "登录 / sign in:" in line:
            values["username"], values["password"] = (x.strip() for x in line.split(": ", 1)[1].split(" / ", 1))
        elif line.startswith("投影"):
            values["projector"] = line.rsplit("/t/", 1)[1].strip()
        elif line.startswith("成员平板"):
            section = "members"
        elif line.startswith("列席"):
            section = "observers"
        elif line.startswith("  ") and "/t/" in line:
            who, url = line.strip().split(": ", 1)
            token = url.rsplit("/t/", 1)[1].strip()
            if section == "members":
                m = re.fullmatch(r"(.+?)（(.*)）", who)
                name = m.group(1) if m else who
                members[name] = token
                titles[name] = m.group(2) if m else ""
            elif section == "observers":
                observers[who] = token
    m = re.search(r"/meetings/(\d+)/console", values.get("console", ""))
    if not (m and members and values.get("projector") and values.get("username")):
        raise AssertionError(f"could not read the demo links from:\n{text}")
    return DemoLinks(
        meeting_id=int(m.group(1)),
        title=values.get("title", ""),
        console_url=values["console"],
        username=values["username"],
        password=values["password"],
        projector_token=values["projector"],
        members=members,
        titles=titles,
        observers=observers,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``python run.py serve``. ``links`` holds the demo's meeting, secretary login and tokens."""

    mode: str
    port: int
    env: dict
    workdir: Path
    links: DemoLinks
    process: subprocess.Popen | None = None
    starts: int = 0
    host: str = "127.0.0.1"  # where it listens; "0.0.0.0" as the README says for tablets on the LAN

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def meeting_id(self) -> int:
        return self.links.meeting_id

    @property
    def members(self) -> dict[str, str]:
        return self.links.members

    @property
    def projector_token(self) -> str:
        return self.links.projector_token

    @property
    def observers(self) -> dict[str, str]:
        return self.links.observers

    def url(self, path: str) -> str:
        return self.base_url + path

    def tablet_url(self, name: str) -> str:
        return self.url(f"/t/{self.members[name]}")

    @property
    def projector_url(self) -> str:
        return self.url(f"/t/{self.projector_token}")

    @property
    def console_url(self) -> str:
        return self.url(f"/meetings/{self.meeting_id}/console")

    # -- process control
    def start(self, host: str | None = None) -> None:
        """Start (or restart, same port and database) and wait until it answers HTTP."""
        self.host = host or self.host
        self.starts += 1
        with (
            open(self.workdir / f"server-{self.starts}.out", "wb") as out,
            open(self.workdir / f"server-{self.starts}.err", "wb") as err,
        ):
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "run.py",
                    "serve",
                    "--host",
                    self.host,
                    "--port",
                    str(self.port),
                    "--async-mode",
                    self.mode,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the server exited with {self.process.returncode} before answering\n" + self.logs()
                )
            try:
                with urllib.request.urlopen(self.url("/login"), timeout=2) as resp:
                    resp.read()
                return
            except urllib.error.HTTPError as err:
                err.close()
                return  # it answered
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(
                        f"the server did not answer within {START_TIMEOUT:.0f} s\n" + self.logs()
                    ) from None
                time.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def demo(self, host: str = "127.0.0.1") -> tuple[DemoLinks, str]:
        """Run ``run.py demo --no-serve`` again against this server's database: another demo meeting."""
        text = run_demo(self.env, self.port, self.mode, host)
        return parse_demo_output(text), text

    def logs(self) -> str:
        parts = []
        for path in sorted(self.workdir.glob("server-*.*")):
            text = path.read_text(errors="replace").strip()
            if text:
                parts.append(f"----- {path.name} -----\n{text[-20000:]}")
        return "\n".join(parts) or "(the server wrote nothing)"


def run_demo(env: dict, port: int, mode: str, host: str = "127.0.0.1") -> str:
    """``python run.py demo --no-serve``: the demo body (once) and a fresh demo meeting; returns what it printed."""
    proc = subprocess.run(
        [sys.executable, "run.py", "demo", "--no-serve", "--host", host, "--port", str(port), "--async-mode", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"run.py demo --no-serve failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@pytest.fixture(params=MODES)
def server(request, tmp_path, database_url) -> Iterator[Server]:
    """A fresh server per test (fresh data: its own database or schema), in the async mode of the parameter."""
    mode = request.param
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(
        YISHI_INSTANCE=str(instance),
        DATABASE_URL=database_url,
        YISHI_ASYNC_MODE=mode,
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    port = free_port()
    links = parse_demo_output(run_demo(env, port, mode))
    srv = Server(mode=mode, port=port, env=env, workdir=tmp_path, links=links)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        if _failed(request.node):
            print(f"\n===== server ({mode}, {database_url.split('@')[-1]}) =====\n{srv.logs()}")


# ---------------------------------------------------------------- HTTP as the secretary


class Secretary:
    """The secretary's browser session over plain HTTP: signed in by the login form, CSRF token from the page."""

    def __init__(self, server: Server) -> None:
        import requests

        self.server = server
        self.http = requests.Session()
        self.csrf = ""

    def sign_in(self) -> None:
        links = self.server.links
        form = self.http.get(self.server.url("/login"), timeout=15).text  # the form's CSRF token, as a browser
        token = re.search(r'name="csrf_token" value="([^"]*)"', form)
        resp = self.http.post(
            self.server.url("/login"),
            data={
                "username": links.username,
                "password": links.password,
                "csrf_token": token.group(1) if token else "",
            },
            allow_redirects=False,
            timeout=15,
        )
        assert resp.status_code in (302, 303), (resp.status_code, resp.text[:500])
        self.csrf = self._csrf_from(self.server.console_url) or self._csrf_from(self.server.url("/login"))
        assert self.csrf, "no <meta name=csrf-token> on any signed-in page"

    def _csrf_from(self, url: str) -> str:
        resp = self.http.get(url, timeout=15)
        if resp.status_code != 200:
            return ""
        m = re.search(r'<meta\s+name="csrf-token"\s+content="([^"]*)"', resp.text)
        return m.group(1) if m else ""

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def api(self, method: str, path: str, json: object = None):
        return self.http.request(
            method,
            self.server.url("/api/v1" + path),
            json=json,
            timeout=15,
            headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"},
        )

    def action(self, name: str, payload: dict | None = None):
        """POST /api/v1/meetings/<id>/actions/<name> → the response (JSON body: the action's acknowledgement)."""
        return self.api("POST", f"/meetings/{self.server.meeting_id}/actions/{name}", payload or {})


@pytest.fixture
def secretary(server) -> Iterator[Secretary]:
    sec = Secretary(server)
    try:
        sec.sign_in()
        yield sec
    finally:
        sec.http.close()


# ---------------------------------------------------------------- Socket.IO clients


def _stamp(state: dict) -> datetime:
    raw = (state or {}).get("server_time")
    return datetime.fromisoformat(raw) if raw else datetime.min.replace(tzinfo=UTC)


class Client:
    """One python-socketio client over websocket that records what the server sends.

    ``snapshots``/``states``/``progress``/``mes`` keep every message in arrival order; ``wait_for`` blocks until a
    predicate over the client holds.
    """

    def __init__(
        self,
        server: Server,
        *,
        token: str | None = None,
        cookie: str | None = None,
        meeting_id: int | None = None,
        label: str = "",
    ) -> None:
        import socketio

        self.server = server
        self.token = token
        self.cookie = cookie
        self.meeting_id = meeting_id
        self.label = label or (token or "secretary")[:8]
        self.cond = threading.Condition()
        self.snapshots: list[dict] = []
        self.states: list[dict] = []
        self.progress: list[dict] = []
        self.mes: list[dict] = []
        self._room: dict = {}
        self._me: dict | None = None
        self._sockets: list[socket.socket] = []  # python-engineio leaves a socket open when the transport fails
        self.sio = socketio.Client(reconnection=False, request_timeout=10)
        for event, box in (
            ("snapshot", self.snapshots),
            ("state", self.states),
            ("progress", self.progress),
            ("me", self.mes),
        ):
            self.sio.on(event, self._recorder(box))

    def _recorder(self, box: list) -> Callable[[dict], None]:
        def record(data):
            with self.cond:
                box.append(data)
                if box is self.snapshots:
                    self._room, self._me = data.get("state") or {}, data.get("me")
                elif box is self.states and _stamp(data) >= _stamp(self._room):
                    self._room = data  # as the browser does: a state built earlier but delivered later is stale
                elif box is self.mes:
                    self._me = data
                self.cond.notify_all()

        return record

    def connect(self, timeout: float = 15.0) -> dict:
        """Connect and wait for the snapshot the server sends on (re)connect; returns it."""
        seen = len(self.snapshots)
        auth = {"token": self.token} if self.token else {"meeting_id": self.meeting_id}
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.sio.connect(
            self.server.base_url, transports=["websocket"], auth=auth, headers=headers, wait_timeout=timeout
        )
        self._sockets.append(self.sio.eio.ws.sock)
        self.wait_for(lambda c: len(c.snapshots) > seen, timeout, "the snapshot after connecting")
        return self.snapshots[-1]

    def disconnect(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()

    def close(self) -> None:
        """Hang up without the closing handshake (websocket-client waits up to 3 s for the server's close frame,
        which the gevent server does not send promptly) and release every socket this client opened."""
        try:
            if self.sio.connected:
                self.drop(timeout=5)
        finally:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def drop(self, timeout: float = 10.0) -> None:
        """Lose the connection the way a tablet does when it loses the network: the TCP connection is cut under
        the client without the Socket.IO or WebSocket goodbye."""
        self.sio.eio.ws.sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        while self.sio.connected or self.sio.eio.state != "disconnected":
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.label}: the client did not notice the dropped connection")
            time.sleep(0.02)

    def call(self, event: str, data: dict | None = None, timeout: float = 15.0) -> dict:
        return self.sio.call(event, data if data is not None else {}, timeout=timeout)

    def opinion(
        self, item_id: int, stance: str, reason: str = "", *, round: int = 1, client_id: str | None = None
    ) -> tuple[str, dict]:
        client_id = client_id or uuid.uuid4().hex
        ack = self.call(
            "give_opinion",
            {"client_id": client_id, "item_id": item_id, "round": round, "stance": stance, "reason": reason},
        )
        return client_id, ack

    def wait_for(self, predicate: Callable[[Client], object], timeout: float = 10.0, what: str = ""):
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(
                    f"{self.label}: timed out after {timeout:.0f} s waiting for {what or predicate}"
                    f" (snapshots={len(self.snapshots)}, states={len(self.states)}, "
                    f"progress={self.progress[-1:] if self.progress else []})"
                )
            return predicate(self)

    @property
    def room(self) -> dict:
        """The newest full room state this client holds (from a snapshot or a ``state``, whichever came last)."""
        with self.cond:
            return self._room

    @property
    def me(self) -> dict | None:
        """The newest personal block (from a snapshot or a ``me`` message)."""
        with self.cond:
            return self._me


@pytest.fixture
def connect(server) -> Iterator[Callable[..., Client]]:
    """``connect(token=…)`` or ``connect(cookie=…, meeting_id=…)`` → a connected :class:`Client`;
    every client is disconnected before the server stops."""
    clients: list[Client] = []

    def _connect(
        *, token: str | None = None, cookie: str | None = None, meeting_id: int | None = None, label: str = ""
    ) -> Client:
        c = Client(server, token=token, cookie=cookie, meeting_id=meeting_id, label=label)
        clients.append(c)
        c.connect()
        return c

    yield _connect
    for c in clients:
        with contextlib.suppress(Exception):  # teardown must reach every client
            c.close()


# ---------------------------------------------------------------- the browser


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _chromium():
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Debian's chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(reason + " — in CI this is an error, not a skip", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def browser(_chromium) -> Iterator:
    """The shared Chromium; every context opened through ``new_page`` is closed after the test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)  # a loaded CI machine runs two servers' worth of greenlets and a browser
    yield _chromium


@pytest.fixture
def new_page(browser, server) -> Iterator[Callable[..., object]]:
    """``new_page(width, height)`` → a page in its own context (own cookies), zh-CN, Asia/Shanghai."""
    contexts = []

    def _new_page(width: int, height: int, **kwargs):
        ctx = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield _new_page
    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()


@pytest.fixture
def screenshot(request, server) -> Callable[..., Path]:
    """``screenshot(page, view)`` → tests/e2e/screenshots/<test>-<view>-<mode>-<W>x<H>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def _shot(page, view: str, *, full_page: bool = False) -> Path:
        size = page.viewport_size
        path = SCREENSHOTS / f"{request.node.originalname}-{view}-{server.mode}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shot
