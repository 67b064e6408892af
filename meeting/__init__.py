"""The room and everything stored: bodies, people, meetings, agenda, attendance, opinions, events."""

# how the server runs (Flask-SocketIO's async modes); run.py reads this before any other import, to monkey-patch
ASYNC_MODES = ("eventlet", "gevent", "threading")
