"""Virtual time for the broadcaster's timing tests, and a deadline for waits on real work.

:class:`FakeClock` is a scheduler as :class:`meeting.broadcast.RealTime` is one (``clock``, ``spawn``, ``call_at``),
on a clock that moves only when a test says so: ``advance(dt)`` runs every task that comes due within ``dt``, in
due order, each at its instant (a task scheduled meanwhile runs too, if it is due by then). A timing assertion is
then exact, whatever the machine's load. Give it to an app with ``YISHI_SCHEDULER``.

The opinion intake still writes on a real background thread: a test waits for that with :func:`wait_until`, which
polls against a deadline, never a fixed sleep.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._tasks: list[tuple[float, int, object, tuple]] = []  # (due, order scheduled, fn, args): a heap
        self._order = itertools.count()
        self._lock = threading.Lock()  # the intake's thread schedules while the test advances

    # -- the scheduler's three members
    def clock(self) -> float:
        with self._lock:
            return self._now

    __call__ = clock

    def call_at(self, due: float, fn, *args) -> None:
        with self._lock:
            heapq.heappush(self._tasks, (due, next(self._order), fn, args))

    def spawn(self, fn, *args) -> None:
        """Run soon: now, at the next :meth:`advance` (``advance(0)`` runs it)."""
        with self._lock:
            heapq.heappush(self._tasks, (self._now, next(self._order), fn, args))

    # -- what a test does with it
    def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, running every task due by then in due order (ties: in the order
        scheduled), each with the clock at its due instant (or later, if a task before it spent time)."""
        assert seconds >= 0
        with self._lock:
            target = self._now + seconds
        while True:
            with self._lock:
                if not self._tasks or self._tasks[0][0] > target:
                    self._now = max(self._now, target)
                    return
                due, _, fn, args = heapq.heappop(self._tasks)
                self._now = max(self._now, due)
            fn(*args)  # outside the lock: it may schedule, read the clock, or wait for another thread

    def spend(self, seconds: float) -> None:
        """Work that takes ``seconds`` (e.g. building a big room's list): the clock moves, nothing else runs."""
        with self._lock:
            self._now += seconds

    def pending(self) -> list[float]:
        """The instants of the tasks still to run, soonest first, relative to now."""
        with self._lock:
            return sorted(due - self._now for due, *_ in self._tasks)

    def next_due(self) -> float | None:
        """Seconds until the next task is due (None: nothing scheduled)."""
        dues = self.pending()
        return dues[0] if dues else None


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.005, what: str = "the condition"):
    """Poll ``predicate`` until it returns something true (returned), failing after ``timeout`` real seconds:
    for real work on another thread (a batch committed, a background task run). Generous by design: a loaded
    machine makes it slower, never wrong."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)
