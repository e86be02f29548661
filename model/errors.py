"""Errors that reach users: every one carries an English and a Chinese message."""

from __future__ import annotations


class SimulatorError(Exception):
    """Base class: a user-facing error with a message in each UI language.

    Parameters
    ----------
    en, zh : str
        The same message in English and in Simplified Chinese.
    """

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("zh" or "en"; anything else gives English)."""
        return self.zh if lang == "zh" else self.en


class DataError(SimulatorError):
    """A file in the data folder is missing, malformed or inconsistent."""


class ScenarioError(SimulatorError):
    """A scenario document does not satisfy the schema or the data it refers to."""
