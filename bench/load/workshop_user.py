"""A workshop participant for Locust: joins a room, predicts, moves levers, submits and revises a plan.

Speaks Streamlit's websocket protocol through bench/load/client.py, on ``?room=CODE`` (ui/workshop/
participant.py). A submission counts as acknowledged only when the page the server sent back shows
the confirmation (``div.ws-ok``): that is what tells a person their plan is on the board. Every
acknowledged submission is kept in the participant's :class:`~bench.load.ledger.Log`, which
bench/load/ledger.py compares with the rows in the database.
"""

from __future__ import annotations

import itertools
import random
import time
import urllib.parse

from locust import User, task
from locust.exception import StopUser

from .client import ProtocolError, Run, Session
from .ledger import Log
from .secret import Watch, echoes
from .users import THINK

OK_MARK = 'class="ws-ok"'
ERROR_MARK = 'class="ws-error"'


class Participant(User):
    """Abstract; :func:`participant_user` makes the concrete class for one room and host."""

    abstract = True
    room = ""
    seed = 1
    revisions = 4              # submissions per participant (the first plan and its revisions)
    interval = 5.5             # s between submissions (the store refuses more than one per 5 s)
    logs: list[Log] = []
    _counter = itertools.count()
    #: The model's answer as the page words it (bench/load/secret.py): watched for in every element received.
    answers: tuple[str, ...] = ()
    #: After the last submission, wait on the page for the facilitator's reveal and then for the answer.
    await_reveal = False
    reveal_wait = 90.0  # s after the reveal for the page to show the answer and the cards (it polls every 10 s)

    def __init__(self, environment) -> None:
        super().__init__(environment)
        self.index = next(type(self)._counter)
        self.rng = random.Random(self.seed + self.index)
        self.log = Log(self.index)
        self.watch = self.log.watch = Watch(self.answers)
        type(self).logs.append(self.log)
        self.session: Session | None = None
        self.revealed_at: float | None = None

    def wait_time(self) -> float:
        return 0.0  # waits are spent on the page (Session.idle), where self-refreshing fragments rerun

    def _idle(self, seconds: float) -> None:
        try:
            for run in self.session.idle(seconds):
                self._fire("auto", run, run.seconds, None)
        except ProtocolError as exc:
            self._fire("auto", None, 0.0, exc)
            self.log.reconnects += 1
            self.session.reconnect(within=120)

    # ------------------------------------------------------------------ reporting
    def _fire(self, kind: str, run: Run | None, seconds: float, exc: Exception | None) -> None:
        self.environment.events.request.fire(request_type=kind, name="workshop", response_time=seconds * 1000,
                                             response_length=run.bytes if run else 0, exception=exc,
                                             context={"user": self.index})

    def _step(self, kind: str, action) -> Run:
        """One user action; on a lost connection: reconnect as the browser does and say it failed."""
        t0 = time.perf_counter()
        try:
            run = action()
        except ProtocolError as exc:
            self._fire(kind, None, time.perf_counter() - t0, exc)
            self.log.reconnects += 1
            self.session.reconnect(within=120)
            raise
        errors = [t for t in self.session.texts() if ERROR_MARK in t]
        exc = None if run.ok and not errors else ProtocolError(
            f"{run.status} {run.exceptions[:1]} {[e[-160:] for e in errors[:1]]}")
        self._fire(kind, run, run.seconds, exc)
        return run

    # ------------------------------------------------------------------ the session
    def on_start(self) -> None:
        self.session = Session(self.host, query=urllib.parse.urlencode({"room": self.room}))
        self.session.on_element = self.watch
        self._step("load", self.session.first_run)
        names = [w.key for w in self.session.widgets()]
        if "ws_name" in names:
            self._step("join", lambda: self.session.type_text("ws_name", f"测试{self.index:03d}"))
        self._step("join", lambda: self.session.click("ws_join"))
        self.log.token = dict(self.session.query).get("p", "")
        if not self.log.token:
            raise StopUser()
        w = self.session.widget(key="ws_prediction_value")
        if w.kind == "selectbox":
            choice = self.rng.randrange(len(w.proto.options))
            self.watch.own += echoes(w.proto.options[choice])  # echoed back ("你的预测：2034")
            self._step("predict", lambda: self.session.select("ws_prediction_value", choice))
        elif w.kind == "slider":
            self._step("predict", lambda: self.session.move("ws_prediction_value", w.proto.min + w.proto.step))
        self._step("predict", lambda: self.session.click("ws_predict"))

    def on_stop(self) -> None:
        if self.session is not None:
            self.session.close()

    @task
    def revise(self) -> None:
        if len(self.log.acked) >= self.revisions or self.log.attempts >= self.revisions + 3:
            self.log.submitted_all = True
            if self.await_reveal and not self._after_reveal():
                return
            self.log.finished = True
            raise StopUser()
        levers = sorted(w.key for w in self.session.widgets() if w.key and w.key.startswith("ws_lever_"))
        if not levers:  # not the plan page: a person would reload it
            self._fire("page", None, 0.0, ProtocolError(
                f"no levers on the page: {[t[:80] for t in self.session.texts()][:4]}"))
            self.log.reconnects += 1
            self.session.reconnect(within=120)
            return
        for key in self.rng.sample(levers, k=min(2, len(levers))):
            try:
                p = self.session.widget(key=key).proto  # read now: the page may have changed
            except KeyError as exc:
                self._fire("page", None, 0.0, ProtocolError(str(exc)))
                return
            value = round(p.min + self.rng.randint(0, int(round((p.max - p.min) / p.step))) * p.step, 10)
            try:
                self._step("move", lambda: self.session.move(key, value))
            except ProtocolError:
                return
            self._idle(self.rng.uniform(*THINK))
        reason = f"第{len(self.log.acked) + 1}版 {self.rng.randrange(10**6):06d}"
        self.watch.own.append(reason)
        try:
            self.session.fill("ws_reason", reason)  # in the submit form: sent with the click
            plan = {w.key.removeprefix("ws_lever_"): self.session.value(w.key)[0]
                    for w in self.session.widgets() if w.key and w.key.startswith("ws_lever_")}
            self.log.attempts += 1
            run = self._step("submit", lambda: self.session.click("ws_submit"))
        except ProtocolError as exc:
            self.log.unacked.append(f"connection: {exc}"[:120])
            return
        if any(OK_MARK in t for t in self.session.texts()):
            self.log.acked.append((plan, reason))
        else:
            self.log.unacked.append(f"no confirmation ({run.status})")
        self._idle(self.rng.uniform(self.interval, self.interval + 2.0))


    def _after_reveal(self) -> bool:
        """Sit on the page until the facilitator reveals, then until the answer and the cards arrive (or
        ``reveal_wait`` passes): True when done waiting."""
        if not self.watch.revealed:
            self._idle(1.0)
            return False
        if self.revealed_at is None:
            self.revealed_at = time.monotonic()
        if self.watch.answer_seen and self.watch.cards_seen:
            return True
        if time.monotonic() - self.revealed_at > self.reveal_wait:
            return True
        self._idle(1.0)
        return False


def participant_user(host: str, room: str, seed: int, revisions: int, answers: tuple[str, ...] = (),
                     await_reveal: bool = False) -> type[Participant]:
    return type("WorkshopParticipant", (Participant,), {"host": host, "room": room, "seed": seed,
                                                        "revisions": revisions, "logs": [], "_counter": itertools.count(),
                                                        "abstract": False, "answers": answers,
                                                        "await_reveal": await_reveal})
