"""What a command says before it does its work: not the libraries' import-time warnings, and, when the server's
port is taken, one line instead of a traceback. Plain functions with no import of the app, so that ``run.py``
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
