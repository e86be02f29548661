"""Rooms, participants, predictions and plans in the database, and who may do what.

Capabilities, not accounts: the short room code lets anyone join and see the room's question; a
participant token (given at joining, kept in the participant's link) lets one person predict and
submit; the facilitator key (given at creation) lets one person see the board and lock, reveal,
archive, export or delete. Every query names the room, so nothing one capability opens reaches
another room. Codes, tokens and keys come from ``secrets``; tokens and keys are stored as digests.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping, TypeVar

import psycopg
from sqlalchemy import Engine, delete, func, or_, select, text, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from .db import Participant, Room, make_engine, migrate, writer
from .errors import WorkshopError
from .rooms import REASON_MAX, RoomSpec, check_plan, check_prediction, clean_name, clean_text
from .settings import Settings

#: Room codes avoid characters people misread on a projector (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31^6 ≈ 8.9e8 codes: guessing one open room is hopeless, reading one aloud is easy
KEY_BYTES = 24   # facilitator key and participant tokens: 192 random bits, URL-safe
STATUSES = ("open", "locked", "archived")
#: What a database that does not answer raises (OperationalError: connection refused, disk full, locked).
DB_FAULTS = (OperationalError, InterfaceError, PoolTimeout)
#: The driver's own connection errors, as found in an exception's chain (see ``is_db_fault``).
_DRIVER_FAULTS = (psycopg.OperationalError, psycopg.InterfaceError)
LOG = logging.getLogger("zhoucun.workshop")
T = TypeVar("T")
#: The PostgreSQL advisory lock that makes room creation's limits hold under simultaneous requests.
CREATE_LOCK = 1_020_100_011


def is_db_fault(exc: BaseException) -> bool:
    """Whether ``exc`` means the database does not answer: one of ``DB_FAULTS``, or any error raised
    while handling the driver's connection error. A pooled connection whose socket closed during the
    pool's ping leaves psycopg "in transaction status ACTIVE"; SQLAlchemy's clean-up then raises
    ``ProgrammingError`` ("can't change 'autocommit' now") on top of the ``OperationalError``."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, DB_FAULTS + _DRIVER_FAULTS):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def _answers(method: Callable[..., T]) -> Callable[..., T]:
    """A database that does not answer (server down, disk full, pool exhausted) becomes the refusal
    ``db_down``: the page says so in its language, keeps what the person entered, and offers a retry."""
    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except (DBAPIError, PoolTimeout) as exc:  # the pool's timeout is not a DBAPIError
            if not is_db_fault(exc):  # a bad statement of our own, not the database going away
                raise
            LOG.warning("workshop database fault in %s: %s", method.__name__, str(exc).splitlines()[0][:300])
            raise WorkshopError("db_down") from exc
    return guarded


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def normalize_code(code: Any) -> str:
    """A room code as typed (any case, spaces or dashes): upper case, checked against the alphabet."""
    if not isinstance(code, str):
        raise WorkshopError("no_room")
    code = code.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise WorkshopError("no_room")
    return code


@dataclass(frozen=True)
class RoomView:
    code: str
    spec: RoomSpec
    status: str
    revealed: bool
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ParticipantView:
    id: int
    name: str
    joined_at: datetime
    prediction: float | None
    plan: dict[str, float] | None
    reason: str
    submitted_at: datetime | None
    revisions: int


@dataclass(frozen=True)
class Snapshot:
    """A room as the board and the exports see it (participants in joining order)."""

    room: RoomView
    participants: tuple[ParticipantView, ...]

    @property
    def joined(self) -> int:
        return len(self.participants)

    @property
    def predicted(self) -> tuple[ParticipantView, ...]:
        return tuple(p for p in self.participants if p.prediction is not None)

    @property
    def submitted(self) -> tuple[ParticipantView, ...]:
        return tuple(p for p in self.participants if p.plan is not None)


@dataclass(frozen=True)
class CreatedRoom:
    code: str
    key: str


def _room_view(r: Room) -> RoomView:
    return RoomView(code=r.code, spec=RoomSpec.model_validate_json(r.spec_json), status=r.status,
                    revealed=bool(r.revealed), created_at=r.created_at, expires_at=r.expires_at)


def _participant_view(p: Participant) -> ParticipantView:
    return ParticipantView(id=p.id, name=p.name, joined_at=p.joined_at, prediction=p.prediction,
                           plan=None if p.plan_json is None else json.loads(p.plan_json), reason=p.reason,
                           submitted_at=p.submitted_at, revisions=p.revisions)


class Store:
    """The workshop database. Thread-safe (one short session per call); share one per process."""

    def __init__(self, settings: Settings | None = None, clock: Callable[[], datetime] = _utcnow,
                 engine: Engine | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.engine = engine or make_engine(self.settings.database_url)
        self._writer = writer(self.engine)
        self.clock = clock
        migrate(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ lookups
    def _room(self, s: Session, code: str, *, allow_expired: bool = False) -> Room:
        room = s.get(Room, normalize_code(code))
        if room is None:
            raise WorkshopError("no_room")
        if not allow_expired and room.expires_at <= self.clock():
            raise WorkshopError("expired")
        return room

    def _facilitated(self, s: Session, code: str, key: Any) -> Room:
        room = self._room(s, code, allow_expired=True)
        if not isinstance(key, str) or not hmac.compare_digest(_digest(key), room.key_hash):
            raise WorkshopError("wrong_key")
        return room

    def _participant(self, s: Session, room: Room, token: Any) -> Participant:
        if not isinstance(token, str) or not token:
            raise WorkshopError("not_joined")
        p = s.scalars(select(Participant).where(Participant.room_code == room.code,
                                                Participant.token_hash == _digest(token))).first()
        if p is None:
            raise WorkshopError("not_joined")
        return p

    # ------------------------------------------------------------------ facilitator
    @_answers
    def create_room(self, spec: RoomSpec, create_key: str | None = None) -> CreatedRoom:
        """A new open room; returns its code and the facilitator key (shown once, stored as a digest).

        Refused beyond ``rooms_per_hour`` rooms created in the last hour or ``max_open_rooms`` open rooms,
        and, when the settings hold a creation key, unless ``create_key`` is it (``None``: the operator's
        command line, which needs no key).
        """
        wanted = self.settings.create_key
        if wanted and create_key is not None and not hmac.compare_digest(
                _digest(create_key.strip()), _digest(wanted)):
            raise WorkshopError("create_key")
        now = self.clock()
        key = secrets.token_urlsafe(KEY_BYTES)
        with Session(self._writer) as s, s.begin():
            if self.engine.dialect.name == "postgresql":  # count-then-insert one at a time, like joins
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CREATE_LOCK})
            self._check_room_limits(s, now)
            for _ in range(20):  # a clash is ~1e-9 per room; retry rather than fail
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if s.get(Room, code) is None:
                    break
            else:  # pragma: no cover — would need ~1e8 rooms
                raise WorkshopError("no_room")
            s.add(Room(code=code, key_hash=_digest(key), spec_json=spec.model_dump_json(), status="open",
                       revealed=False, created_at=now,
                       expires_at=now + timedelta(hours=self.settings.room_ttl_hours)))
        return CreatedRoom(code=code, key=key)

    def _check_room_limits(self, s: Session, now: datetime) -> None:
        per_hour, most = self.settings.rooms_per_hour, self.settings.max_open_rooms
        hour_ago = now - timedelta(hours=1)
        recent = [] if not per_hour else s.scalars(select(Room.created_at).where(Room.created_at > hour_ago, Room.created_at <= now)
                                                   .order_by(Room.created_at.desc()).limit(per_hour)).all()
        if per_hour and len(recent) >= per_hour:
            free_at = recent[-1] + timedelta(hours=1)  # when the oldest of them leaves the hour
            raise WorkshopError("create_rate", n=per_hour,
                                minutes=max(1, math.ceil((free_at - now).total_seconds() / 60)))
        open_rooms = 0 if not most else s.scalar(select(func.count()).select_from(Room)
                                                 .where(Room.status == "open", Room.expires_at > now, Room.created_at <= now))
        if most and open_rooms >= most:
            raise WorkshopError("open_rooms", n=most)

    @_answers
    def check_key(self, code: str, key: str) -> RoomView:
        with Session(self.engine) as s:
            return _room_view(self._facilitated(s, code, key))

    @_answers
    def snapshot(self, code: str, key: str) -> Snapshot:
        """Everything in a room, for its facilitator."""
        with Session(self.engine) as s:
            room = self._facilitated(s, code, key)
            return self._snapshot(s, room)

    def _snapshot(self, s: Session, room: Room) -> Snapshot:
        ps = s.scalars(select(Participant).where(Participant.room_code == room.code).order_by(Participant.id)).all()
        return Snapshot(room=_room_view(room), participants=tuple(_participant_view(p) for p in ps))

    @_answers
    def set_status(self, code: str, key: str, status: str) -> None:
        if status not in STATUSES:
            raise WorkshopError("bad_status", status=str(status)[:20])
        with Session(self._writer) as s, s.begin():
            self._facilitated(s, code, key).status = status

    @_answers
    def reveal(self, code: str, key: str, revealed: bool = True) -> None:
        with Session(self._writer) as s, s.begin():
            self._facilitated(s, code, key).revealed = bool(revealed)

    @_answers
    def delete_room(self, code: str, key: str) -> None:
        with Session(self._writer) as s, s.begin():
            room = self._facilitated(s, code, key)
            self._delete(s, room.code)

    @staticmethod
    def _delete(s: Session, code: str) -> None:
        s.execute(delete(Participant).where(Participant.room_code == code))
        s.execute(delete(Room).where(Room.code == code))

    # ------------------------------------------------------------------ administration (command line)
    @_answers
    def list_rooms(self) -> list[dict[str, Any]]:
        """Every room with its counts (for the operator; no names, no plans)."""
        with Session(self.engine) as s:
            counts = dict(s.execute(select(Participant.room_code, func.count()).group_by(Participant.room_code)).all())
            plans = dict(s.execute(select(Participant.room_code, func.count()).where(Participant.plan_json.is_not(None))
                                   .group_by(Participant.room_code)).all())
            rooms = s.scalars(select(Room).order_by(Room.created_at)).all()
            now = self.clock()
            return [{"room": r.code, "title": RoomSpec.model_validate_json(r.spec_json).title, "status": r.status,
                     "expired": r.expires_at <= now, "created_at": r.created_at.isoformat(timespec="seconds") + "Z",
                     "expires_at": r.expires_at.isoformat(timespec="seconds") + "Z",
                     "participants": counts.get(r.code, 0), "plans": plans.get(r.code, 0)} for r in rooms]

    @_answers
    def admin_snapshot(self, code: str) -> Snapshot:
        with Session(self.engine) as s:
            return self._snapshot(s, self._room(s, code, allow_expired=True))

    @_answers
    def admin_delete(self, code: str) -> None:
        with Session(self._writer) as s, s.begin():
            self._delete(s, self._room(s, code, allow_expired=True).code)

    @_answers
    def purge_expired(self) -> int:
        """Delete rooms past their expiry with everything in them; returns how many."""
        with Session(self._writer) as s, s.begin():
            codes = s.scalars(select(Room.code).where(Room.expires_at <= self.clock())).all()
            for code in codes:
                self._delete(s, code)
            return len(codes)

    # ------------------------------------------------------------------ participants
    @_answers
    def room(self, code: str) -> RoomView:
        """A room as a participant may see it (its question and state; never other people's input)."""
        with Session(self.engine) as s:
            return _room_view(self._room(s, code))

    @_answers
    def join(self, code: str, name: str = "") -> str:
        """A new participant; returns their secret token. Refused when the room is full or closed."""
        name = clean_name(name)
        token = secrets.token_urlsafe(KEY_BYTES)
        with Session(self._writer) as s, s.begin():
            room = s.get(Room, normalize_code(code), with_for_update=True)  # serialises joins on PostgreSQL
            if room is None:
                raise WorkshopError("no_room")
            if room.expires_at <= self.clock():
                raise WorkshopError("expired")
            if room.status != "open":
                raise WorkshopError("room_closed")
            spec = RoomSpec.model_validate_json(room.spec_json)
            n = s.scalar(select(func.count()).select_from(Participant).where(Participant.room_code == room.code))
            if n >= self.settings.max_participants:
                raise WorkshopError("room_full", n=self.settings.max_participants)
            s.add(Participant(room_code=room.code, token_hash=_digest(token), name=name if spec.ask_names else "",
                              joined_at=self.clock(), reason="", revisions=0))
        return token

    @_answers
    def me(self, code: str, token: str) -> ParticipantView:
        with Session(self.engine) as s:
            return _participant_view(self._participant(s, self._room(s, code), token))

    @_answers
    def predict(self, code: str, token: str, value: float) -> None:
        """Record a participant's prediction: once, before any model output (a second one is refused)."""
        with Session(self._writer) as s, s.begin():
            room = self._room(s, code)
            value = check_prediction(RoomSpec.model_validate_json(room.spec_json), value)
            p = self._participant(s, room, token)
            if p.prediction is not None:
                raise WorkshopError("already_predicted")
            if room.status != "open":
                raise WorkshopError("room_closed")
            # Conditional: of two tabs predicting at once, the second finds the row taken (PostgreSQL
            # re-checks the condition after the first commits) and is told so; the first one stays.
            done = s.execute(update(Participant).where(Participant.id == p.id, Participant.prediction.is_(None))
                             .values(prediction=float(value), predicted_at=self.clock())
                             .execution_options(synchronize_session=False))
            if done.rowcount != 1:
                raise WorkshopError("already_predicted")

    @_answers
    def submit(self, code: str, token: str, plan: Mapping[str, Any], reason: str) -> None:
        """Store (or replace) a participant's plan and one-line reason while the room is open."""
        reason = clean_text(reason, REASON_MAX, "reason")
        with Session(self._writer) as s, s.begin():
            room = self._room(s, code)
            p = self._participant(s, room, token)
            if room.status != "open":
                raise WorkshopError("room_closed")
            if p.prediction is None:
                raise WorkshopError("predict_first")
            values = check_plan(RoomSpec.model_validate_json(room.spec_json), plan)
            now = self.clock()
            earliest = now - timedelta(seconds=self.settings.submit_interval_s)
            if p.submitted_at is not None and p.submitted_at > earliest:
                raise self._too_fast(now, p.submitted_at)
            # Conditional, and the revision counted in SQL: of two tabs submitting at once only one is
            # acknowledged per interval, and every acknowledgement is a stored revision.
            done = s.execute(update(Participant)
                             .where(Participant.id == p.id,
                                    or_(Participant.submitted_at.is_(None), Participant.submitted_at <= earliest))
                             .values(plan_json=json.dumps(values, sort_keys=True), reason=reason, submitted_at=now,
                                     revisions=Participant.revisions + 1)
                             .execution_options(synchronize_session=False))
            if done.rowcount != 1:
                last = s.scalar(select(Participant.submitted_at).where(Participant.id == p.id))
                raise self._too_fast(now, last)

    def _too_fast(self, now: datetime, last: datetime | None) -> WorkshopError:
        wait = self.settings.submit_interval_s - (now - (last or now)).total_seconds()
        return WorkshopError("too_fast", seconds=max(int(wait) + 1, 1))
