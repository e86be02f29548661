"""The page's translator: see the ``i18n`` package (shared with the model's exports)."""

from i18n import DEFAULT_LANG, I18N_DIR, LANGS, Translator, _table  # noqa: F401
