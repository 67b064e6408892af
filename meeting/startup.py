"""What a command says before it does its work: not the libraries' import-time warnings, and, when the server's
port or its data folder is taken (by another server), one line instead of a traceback or a second room. Plain functions with no import of the app, so that ``run.py``
may call them before it monkey-patches (and whatever parses the command line may call them too)."""

from __future__ import annotations


def quiet_library_warnings() -> None:
    """Eventlet announces at import that it is deprecated — ten lines on every command, ``--help`` and
    ``create-admin`` included — although the choice of async mode is ours (``--async-mode``, docs/deployment.md).
    The test suite filters the same warnings in pyproject.toml."""
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def port_problem(host: str, port: int) -> str | None:
    """None when the server can listen on ``host:port``; otherwise the one line to print (Chinese, then English).

    Binds a socket as the servers do (SO_REUSEADDR, so a port left in TIME_WAIT by a server just stopped is free)
    and closes it at once."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"端口 {port} 已被占用（{host}），请先停止占用它的程序，或换一个端口：--port {port + 1} / "
                    f"port {port} on {host} is already in use: stop the program using it, or choose another "
                    f"with --port {port + 1}"
                )
            return f"无法监听 {host}:{port}（{exc.strerror}）/ cannot listen on {host}:{port}: {exc.strerror}"
    return None


LOCK_NAME = "yishi.lock"
_held: dict[str, object] = {}  # instance folder → its open lock file, kept open (and so locked) until the process ends


def data_folder_problem(instance: str, shared: bool = False) -> str | None:
    """None once this process holds the lock of the data folder ``instance`` (for its whole life); otherwise the
    one line to print. Two servers on one folder would each keep their own room in memory, and the tablets would
    split between them.

    ``shared``: the workers of a deployment that runs several on purpose (``SOCKETIO_MESSAGE_QUEUE``, one room
    through Redis, docs/deployment.md) share the lock, so they may share the folder (its materials) with each other
    but never with a lone server, which takes it alone. ``fcntl.flock``: the kernel releases it when the process
    ends, however it ends, so a crashed server leaves nothing to clean up."""
    import fcntl
    import os
    from pathlib import Path

    folder = str(Path(instance).resolve())
    if folder in _held:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / LOCK_NAME
    handle = open(path, "a+")  # noqa: SIM115 — held open for the process's life, on purpose
    try:
        fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        who = f"（进程 {holder}）" if holder.isdigit() else ""
        who_en = f" (process {holder})" if holder.isdigit() else ""
        return (
            f"另一个议事服务器正在使用数据目录 {folder}{who}，请先停止它 / another Yishi server is using the data "
            f"folder {folder}{who_en}: stop it first"
        )
    if not shared:
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
    _held[folder] = handle
    return None


def listen_alone() -> None:
    """eventlet's ``listen`` sets SO_REUSEPORT unless told not to, and Flask-SocketIO does not tell it: a second
    server on the same port then starts without error and the kernel splits the tablets between the two rooms.
    Called before ``socketio.run`` in eventlet mode, so its listening socket is the port's only one (SO_REUSEADDR
    stays: a port in TIME_WAIT after a stop is free). gevent's listener never sets SO_REUSEPORT."""
    import functools

    import eventlet

    if not isinstance(eventlet.listen, functools.partial):
        eventlet.listen = functools.partial(eventlet.listen, reuse_port=False)
