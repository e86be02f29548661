"""Locust users that speak Streamlit's websocket protocol (bench/load/client.py).

Importing this module imports Locust, which monkey-patches the standard library for gevent: the
client's blocking websocket then yields to the other simulated users. Each user is one browser tab:
connect and load the page, then move a slider, wait for the run's ``script_finished``, think
0.5–2 s, repeat. Every move is reported to Locust's event system (request_type ``move``, name = the
page) so Locust's own statistics give the median, p95 and failures.

Think times and slider values come from ``random.Random(seed + index)`` (index = 0, 1, … in the order
in which the users of one level started), so a run can be repeated move for move on the client side.
"""

from __future__ import annotations

import itertools
import random
import time

from locust import User, task

from .client import ProtocolError, Run, Session

THINK = (0.5, 2.0)  # seconds, uniform


class SliderUser(User):
    """Abstract: one tab on ``host`` moving the slider ``slider`` to fresh values on its grid."""

    abstract = True
    page = ""         # name in the statistics ("app", "trivial")
    slider = ""       # widget key
    seed = 1
    _counter = itertools.count()
    ready = 0         # users whose page has loaded (the bench waits for all before measuring)
    failed = 0        # users whose page did not load

    def __init__(self, environment) -> None:
        super().__init__(environment)
        self.index = next(type(self)._counter)
        self.rng = random.Random(self.seed + self.index)
        self.session: Session | None = None

    def wait_time(self) -> float:
        return 0.0  # the think time is spent in the task, on the page (see move)

    def _fire(self, request_type: str, run: Run | None, seconds: float, exc: Exception | None) -> None:
        if exc is None and run is not None and not run.ok:
            exc = ProtocolError(f"run ended {run.status}: exceptions {run.exceptions[:1]}, "
                                f"error boxes {[a[:80] for a in run.error_alerts[:1]]}")
        self.environment.events.request.fire(
            request_type=request_type, name=self.page, response_time=seconds * 1000.0,
            response_length=run.bytes if run else 0, exception=exc, context={"user": self.index})

    def on_start(self) -> None:
        self.session = Session(self.host)
        t0 = time.perf_counter()
        try:
            run = self.session.first_run()
        except (ProtocolError, OSError) as exc:
            self._fire("load", None, time.perf_counter() - t0, exc)
            type(self).failed += 1
            raise
        self._fire("load", run, run.seconds, None)
        type(self).ready += 1

    def on_stop(self) -> None:
        if self.session is not None:
            self.session.close()

    def next_value(self) -> float:
        """A value on the slider's grid other than the current one (most moves: a scenario not seen yet)."""
        p = self.session.widget(key=self.slider).proto
        n = int(round((p.max - p.min) / p.step))
        current = self.session.value(self.slider)[0]
        while True:
            v = round(p.min + self.rng.randint(0, n) * p.step, 10)
            if v != current:
                return v

    @task
    def move(self) -> None:
        run, exc = None, None
        t0 = time.perf_counter()
        try:
            run = self.session.move(self.slider, self.next_value())
        except (ProtocolError, OSError) as e:
            exc = e
        self._fire("move", run, run.seconds if run else time.perf_counter() - t0, exc)
        if exc is not None:  # as a browser tab: reconnect to the same session and carry on
            try:
                self.session.reconnect()
            except (ProtocolError, OSError) as e:
                self._fire("reconnect", None, 0.0, e)
                return
        self.think()

    def think(self) -> None:
        """0.5–2 s on the page; a self-refreshing fragment's reruns go out meanwhile, as from a browser."""
        try:
            for run in self.session.idle(self.rng.uniform(*THINK)):
                self._fire("auto", run, run.seconds, None)
        except (ProtocolError, OSError) as exc:
            self._fire("auto", None, 0.0, exc)


def slider_user(page: str, slider: str, host: str, seed: int) -> type[SliderUser]:
    """A concrete user class for one page (Locust gives each class its own host)."""
    return type(f"{page.capitalize()}User", (SliderUser,), {"page": page, "slider": slider, "host": host,
                                                             "seed": seed, "ready": 0, "failed": 0,
                                                             "_counter": itertools.count(), "abstract": False})
