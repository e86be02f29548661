"""The one error type of the workshop: a message key from ``i18n/`` rendered in both languages."""

from __future__ import annotations

from i18n import Translator
from model import SimulatorError


class WorkshopError(SimulatorError):
    """A refused workshop action (unknown room, wrong key, room full, text too long, ...).

    ``key`` names the message in ``i18n/<lang>.json`` (``ws.err.<key>``); the page shows it in its
    language and the command line prints the English one.
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self._text("en"), self._text("zh"))

    def _text(self, lang: str) -> str:
        t = Translator(lang)
        values = dict(self.values)
        if "what" in values:  # the field's name in the message's language
            values["what"] = t(f"ws.field.{values['what']}")
        return t(f"ws.err.{self.key}", **values)
