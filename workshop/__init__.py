"""Workshop rooms: a facilitator's question, participants' predictions and plans, stored in a database.

Domain logic only (no Streamlit): ``store`` keeps rooms, participants, predictions and plans through
SQLAlchemy (SQLite by default, any ``DATABASE_URL``); ``rooms`` validates a room's settings and turns a
participant's plan into a scenario; ``analysis`` runs plans through the model; ``export`` writes a
room as an Excel workbook and a CSV file; ``cli`` prepares and closes rooms from a shell.
"""

from .errors import WorkshopError
from .rooms import PREDICTION_KINDS, RoomSpec, parse_room_spec
from .settings import Settings
from .store import Store

__all__ = ["PREDICTION_KINDS", "RoomSpec", "Settings", "Store", "WorkshopError", "parse_room_spec"]
