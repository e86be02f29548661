"""Where the workshop database lives and the limits of a room, from the environment.

=============================  =========================================================  ===========
variable                       meaning                                                    default
=============================  =========================================================  ===========
``DATABASE_URL``               any SQLAlchemy URL (``postgresql://…``, ``sqlite:///…``)   SQLite file
``WORKSHOP_DATA_DIR``          folder of the default SQLite file ``workshop.db``          ``./var``
``WORKSHOP_MAX_PARTICIPANTS``  participants one room accepts                              120
``WORKSHOP_SUBMIT_INTERVAL``   seconds a participant waits between two submissions        5
``WORKSHOP_ROOM_TTL_HOURS``    hours after creation a room stops answering                72
``WORKSHOP_ROOMS_PER_HOUR``    rooms the deployment creates in any hour (page and CLI)    30
``WORKSHOP_MAX_OPEN_ROOMS``    open rooms (not locked, archived or expired) at a time     100
``WORKSHOP_CREATE_KEY``        if set, the creation page asks for it (the CLI does not)   none
``WORKSHOP_PUBLIC_URL``        the address participants open (the QR code and the link;   the page's
                               the creation page offers it and warns about localhost)     own address
``WORKSHOP_TIMEZONE``          time zone of the room workbook's times (IANA name)         Asia/Shanghai
=============================  =========================================================  ===========
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import WorkshopError

#: A room for 20–60 people with room to spare; 200 joins must not all get in (issue 10's test).
MAX_PARTICIPANTS = 120
#: One submission per participant per this many seconds: a revision is a deliberate act, a script is not.
SUBMIT_INTERVAL_S = 5.0
#: A room outlives a day-long workshop and its follow-up export, then stops answering.
ROOM_TTL_HOURS = 72.0
#: Rooms created per hour: a day of workshops is a handful; a script creating 500 in 9 minutes is stopped
#: at this many (issue 21, finding 7). Counted in the database, so it holds across servers and restarts.
ROOMS_PER_HOUR = 30
#: Open rooms at a time: far above what one district runs at once, far below a database-filling flood.
MAX_OPEN_ROOMS = 100
DEFAULT_DATA_DIR = "var"
#: The district's own clock: a workshop in Zhoucun reads its times in China Standard Time.
DEFAULT_TIMEZONE = "Asia/Shanghai"


def sqlalchemy_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3 (the driver we pin); others pass unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_participants: int = MAX_PARTICIPANTS
    submit_interval_s: float = SUBMIT_INTERVAL_S
    room_ttl_hours: float = ROOM_TTL_HOURS
    #: Room-creation limits; 0 (the default when built in code, as tests do) means none. ``from_env``,
    #: which the app and the CLI use, applies ``ROOMS_PER_HOUR`` and ``MAX_OPEN_ROOMS`` unless set.
    rooms_per_hour: int = 0
    max_open_rooms: int = 0
    #: When set, creating a room on the page needs this key (a deployment open to the internet).
    create_key: str = ""
    #: The address participants open, checked by ``rooms.clean_public_url``; "" = the page's own.
    public_url: str = ""
    #: IANA time zone the room workbook states its times in (stored times are UTC).
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            folder = Path(env.get("WORKSHOP_DATA_DIR", "").strip() or DEFAULT_DATA_DIR).resolve()
            url = f"sqlite:///{folder / 'workshop.db'}"

        def number(name: str, default: float, kind=float):
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise WorkshopError("bad_setting", name=name, value=raw[:40]) from None
            if value <= 0:
                raise WorkshopError("bad_setting", name=name, value=raw[:40])
            return value

        return cls(database_url=sqlalchemy_url(url),
                   max_participants=number("WORKSHOP_MAX_PARTICIPANTS", MAX_PARTICIPANTS, int),
                   submit_interval_s=number("WORKSHOP_SUBMIT_INTERVAL", SUBMIT_INTERVAL_S),
                   room_ttl_hours=number("WORKSHOP_ROOM_TTL_HOURS", ROOM_TTL_HOURS),
                   rooms_per_hour=number("WORKSHOP_ROOMS_PER_HOUR", ROOMS_PER_HOUR, int),
                   max_open_rooms=number("WORKSHOP_MAX_OPEN_ROOMS", MAX_OPEN_ROOMS, int),
                   create_key=env.get("WORKSHOP_CREATE_KEY", "").strip(),
                   public_url=_public_url(env.get("WORKSHOP_PUBLIC_URL", "")),
                   timezone=_timezone(env.get("WORKSHOP_TIMEZONE", "")))


def _public_url(raw: str) -> str:
    from .rooms import clean_public_url

    if not raw.strip():
        return ""
    try:
        return clean_public_url(raw)
    except WorkshopError:
        raise WorkshopError("bad_setting", name="WORKSHOP_PUBLIC_URL", value=raw.strip()[:40]) from None


def _timezone(raw: str) -> str:
    name = raw.strip() or DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WorkshopError("bad_setting", name="WORKSHOP_TIMEZONE", value=name[:40]) from None
    return name
