"""Streamlit's own words in the page's language (issue 18, item 7).

Streamlit 1.67 has no setting for the language of its widgets' built-in texts. The file uploader's
"Upload" button and its "25MB per file • CSV, XLSX" line are replaced here by CSS with the page's
words (our labels already name the file types); the text inputs' "Press Enter to apply" hint is
hidden (the box applies on Enter or on leaving it either way). The main menu is hidden by
``client.toolbarMode = "minimal"`` in ``.streamlit/config.toml``.
"""

from __future__ import annotations

import streamlit as st

from .i18n import Translator


def css_string(text: str) -> str:
    """A CSS string literal of ``text`` (for ``content:``)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def inject(t: Translator) -> None:
    """The CSS that puts the page's words in place of Streamlit's English ones."""
    size = int(st.get_option("server.maxUploadSize"))
    button = css_string(t("chrome.upload"))
    limit = css_string(t("chrome.upload_limit", mb=size))
    st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{font-size: 0;}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{content: {button}; font-size: 0.875rem;}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0;}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content: {limit}; font-size: 0.75rem;}}
[data-testid="InputInstructions"] {{display: none;}}
</style>""")  # style tags alone: Streamlit puts them in the event container, taking no space
