"""Where the workshop database lives and the limits of a room, from the environment.

=============================  =========================================================  ===========
variable                       meaning                                                    default
=============================  =========================================================  ===========
``DATABASE_URL``               any SQLAlchemy URL (``postgresql://…``, ``sqlite:///…``)   SQLite file
``WORKSHOP_DATA_DIR``          folder of the default SQLite file ``workshop.db``          ``./var``
``WORKSHOP_MAX_PARTICIPANTS``  participants one room accepts                              120
``WORKSHOP_SUBMIT_INTERVAL``   seconds a participant waits between two submissions        5
``WORKSHOP_ROOM_TTL_HOURS``    hours after creation a room stops answering                72
=============================  =========================================================  ===========
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .errors import WorkshopError

#: A room for 20–60 people with room to spare; 200 joins must not all get in (issue 10's test).
MAX_PARTICIPANTS = 120
#: One submission per participant per this many seconds: a revision is a deliberate act, a script is not.
SUBMIT_INTERVAL_S = 5.0
#: A room outlives a day-long workshop and its follow-up export, then stops answering.
ROOM_TTL_HOURS = 72.0
DEFAULT_DATA_DIR = "var"


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
                   room_ttl_hours=number("WORKSHOP_ROOM_TTL_HOURS", ROOM_TTL_HOURS))
