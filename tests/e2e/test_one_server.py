"""One server per port and per data folder: a second ``run.py serve`` (or ``demo``) on the port of a running server,
or on its data folder (instance path) even on another port, refuses to start with one clear line and prints no
links. Otherwise eventlet's SO_REUSEPORT lets two servers share the port and the tablets split between two rooms,
or two servers keep two rooms over one SQLite file."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

from .conftest import ROOT, START_TIMEOUT, free_port


def _second(server, tmp_path, *args: str, instance: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run a second server command to its end; it must end by itself (a deadline, then killed and failed)."""
    environ = dict(server.env, YISHI_INSTANCE=instance or str(tmp_path / "other"), **env)
    proc = subprocess.Popen(
        [sys.executable, "run.py", *args, "--async-mode", server.mode],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=START_TIMEOUT * 3)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"the second server started instead of refusing:\n{out}\n{err}") from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _still_serves(server) -> None:
    with urllib.request.urlopen(server.url("/login"), timeout=10) as resp:
        assert resp.status == 200
    assert server.process.poll() is None


def test_a_second_server_on_the_same_port_refuses(server, tmp_path):
    res = _second(server, tmp_path, "serve", "--host", "127.0.0.1", "--port", str(server.port))
    assert res.returncode == 1, (res.stdout, res.stderr)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"端口 {server.port} 已被占用" in lines[0], res.stderr
    assert "http://" not in res.stdout, res.stdout
    # on all interfaces too: the wildcard address conflicts with the running 127.0.0.1 listener
    res = _second(server, tmp_path, "serve", "--host", "0.0.0.0", "--port", str(server.port))
    assert res.returncode == 1 and "已被占用" in res.stderr, (res.stdout, res.stderr)
    _still_serves(server)


def test_the_demo_on_a_taken_port_prints_no_links(server, tmp_path):
    res = _second(server, tmp_path, "demo", "--host", "127.0.0.1", "--port", str(server.port))
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "/t/" not in res.stdout and "http://" not in res.stdout, res.stdout
    assert len(res.stderr.strip().splitlines()) == 1 and "已被占用" in res.stderr, res.stderr
    _still_serves(server)


def test_a_second_server_on_the_same_data_folder_refuses_even_on_another_port(server, tmp_path):
    other_port = free_port()
    instance = server.env["YISHI_INSTANCE"]
    for command in ("serve", "demo"):
        res = _second(server, tmp_path, command, "--port", str(other_port), instance=instance)
        assert res.returncode == 1, (res.stdout, res.stderr)
        lines = [line for line in res.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "另一个议事服务器正在使用数据目录" in lines[0], res.stderr
        assert f"进程 {server.process.pid}" in lines[0], lines[0]
        assert "http://" not in res.stdout, res.stdout
    _still_serves(server)
    # the lock dies with its process, however it ends: once the first is stopped, the folder is free again
    server.stop()
    server.start()
    _still_serves(server)


def test_workers_with_a_message_queue_share_the_folder_but_not_with_a_lone_server(server, tmp_path):
    """Several workers on purpose (docs/deployment.md) share the lock; a lone server holds it alone, so a worker
    of a scale-out deployment still refuses a folder a lone server uses."""
    res = _second(
        server,
        tmp_path,
        "serve",
        "--port",
        str(free_port()),
        instance=server.env["YISHI_INSTANCE"],
        SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:6379/0",
    )
    assert res.returncode == 1 and "另一个议事服务器正在使用数据目录" in res.stderr, (res.stdout, res.stderr)
