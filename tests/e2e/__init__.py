"""Tests against the real server: ``python run.py serve`` in a subprocess, once per async mode
(``YISHI_TEST_ASYNC_MODES``, default "eventlet gevent"), with python-socketio clients and real Chromium."""
