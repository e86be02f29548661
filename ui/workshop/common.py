"""What every workshop page shares: the store, the baseline, the language switch, messages, CSS."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import streamlit as st

from model import SPEC_BY_NAME, Baseline, SimulatorError
from workshop import Settings, Store, WorkshopError
from workshop.rooms import is_local_url, show_prediction  # noqa: F401 — the pages' one wording of a prediction

from .. import style
from ..compute import baseline_key, get_baseline
from ..i18n import DEFAULT_LANG, LANGS, Translator

LOG = logging.getLogger("zhoucun.workshop")


def requested() -> bool:
    """The URL asks for a workshop page."""
    return st.query_params.get("workshop") == "new" or st.query_params.get("room") is not None


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One store (engine and connection pool) per server process; migrates the schema on first use
    and deletes rooms past their expiry (with their participants' names, predictions and plans)."""
    store = Store(Settings.from_env())
    purged = store.purge_expired()
    if purged:
        LOG.info("deleted %d expired workshop room(s)", purged)
    return store


@dataclass(frozen=True)
class Context:
    store: Store
    base: Baseline
    base_key: str
    t: Translator


def language() -> str:
    lang = st.query_params.get("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def _set_lang() -> None:
    st.query_params["lang"] = st.session_state["ws_lang"]


def context(data_dir: str | None) -> Context | None:
    """The page's language, baseline and store; on failure a message in both languages (and None)."""
    t = Translator(language())
    try:
        key = baseline_key(data_dir)
        base = get_baseline(key)
        store = get_store()
    except SimulatorError as exc:
        st.set_page_config(page_title="Workshop", layout="centered")
        st.error(f"{exc.zh}\n\n{exc.en}")
        return None
    except Exception:  # noqa: BLE001 — a database that does not answer: say so, never a traceback
        LOG.exception("workshop store unavailable")
        st.set_page_config(page_title="Workshop", layout="centered")
        page_style()
        show_error(t, WorkshopError("store"))
        database_down(t, WorkshopError("db_down"), get_store)  # back by itself when the database answers
        return None
    return Context(store=store, base=base, base_key=key, t=t)


#: Seconds between two tries of a page waiting for its database (as often as the board refreshes).
RETRY_S = 3.0


def database_down(t: Translator, exc: WorkshopError, check) -> bool:
    """When ``exc`` says the database does not answer: the notice in the page's language and a fragment
    that reruns the page as soon as ``check()`` succeeds (True); otherwise False, nothing drawn."""
    if exc.key != "db_down":
        return False
    show_error(t, WorkshopError("db_waiting", s=f"{RETRY_S:g}"))
    retry_until(check)
    return True


@st.fragment(run_every=RETRY_S)
def retry_until(check) -> None:
    """Try ``check()`` every ``RETRY_S`` seconds; once it answers, rerun the whole page."""
    try:
        check()
    except Exception:  # noqa: BLE001 — still down (WorkshopError("db_down"), or the store cannot start)
        return
    st.rerun(scope="app")


def page_style() -> None:
    """The simulator's card styles plus the workshop's own."""
    style.inject(False)
    st.markdown(CSS, unsafe_allow_html=True)


def slider_format(key: str) -> str:
    """A lever's number format: the registry's (``ParamSpec.fmt``), as on the simulator's sliders."""
    return SPEC_BY_NAME[key].fmt


def language_switch(t: Translator) -> None:
    st.session_state["ws_lang"] = t.lang
    st.segmented_control("语言 / Language", options=list(LANGS), key="ws_lang", required=True,
                         format_func={"zh": "中文", "en": "English"}.get, on_change=_set_lang,
                         label_visibility="collapsed")


def show_error(t: Translator, exc: SimulatorError) -> None:
    """A refused action, in the page's language, as plain text (st.error would render Markdown)."""
    st.markdown(f'<div class="ws-error" role="alert">⚠ {html.escape(exc.message(t.lang))}</div>',
                unsafe_allow_html=True)


def text(s: str, cls: str = "") -> str:
    """Participant or facilitator text as inert HTML (stored raw, escaped here)."""
    return f'<span class="{cls}">{html.escape(s)}</span>' if cls else html.escape(s)


def origin() -> str:
    """The address this page was opened at (scheme, host and path), for the links we show."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def participant_url(code: str, public_url: str = "") -> str:
    """The link participants open: at the room's stored address (``RoomSpec.public_url``), else at this
    page's own address."""
    return (public_url or origin()) + "?" + urlencode({"room": code})


def local_warning(t: Translator, url: str) -> None:
    """Say so when ``url`` opens only on this computer (a phone would not reach the server)."""
    if is_local_url(url):
        st.markdown(f'<div class="ws-warn" role="alert" data-testid="ws-local-warning">⚠ '
                    f'{html.escape(t("ws.local_address", host=urlsplit(url).hostname or ""))}</div>',
                    unsafe_allow_html=True)


def facilitator_url(code: str, key: str) -> str:
    return origin() + "?" + urlencode({"room": code, "key": key})


CSS = """
<style>
.ws-error {background:#fdecea; color:#8a1c12; border:1px solid #f5c2bd; border-radius:8px; padding:.6rem .8rem; margin:.4rem 0;}
.ws-warn {background:#fff3cd; color:#6d4c00; border:1px solid #f3d98b; border-radius:8px; padding:.6rem .8rem; margin:.4rem 0;}
.ws-ok {background:#edf7ee; color:#1e5b23; border:1px solid #b9dfbd; border-radius:8px; padding:.6rem .8rem; margin:.4rem 0;}
.ws-note {background:#f4f6fa; color:#333; border-radius:8px; padding:.6rem .8rem; margin:.4rem 0;}
.ws-reconnect {background:#e8f1fb; color:#0d3a6b; border-left:4px solid #1f5fa8; border-radius:8px; padding:.6rem .8rem; margin:.4rem 0;}
.ws-question {font-size:1.15rem; font-weight:600; margin:.2rem 0 .6rem 0; overflow-wrap:anywhere;}
.ws-code {font-family: ui-monospace, monospace; font-size:3.2rem; font-weight:800; letter-spacing:.3rem; line-height:1.1;}
.ws-link {font-family: ui-monospace, monospace; font-size:.95rem; overflow-wrap:anywhere;}
.ws-count {font-size:2.6rem; font-weight:800; line-height:1;}
.ws-count-label {color:#555; font-size:.95rem;}
.ws-status {display:inline-block; border-radius:6px; padding:.1rem .6rem; font-weight:700;}
.ws-status-open {background:#e6f4ea; color:#1e5b23;} .ws-status-locked {background:#fff3cd; color:#7a5b00;}
.ws-status-archived {background:#eceff1; color:#455a64;}
.ws-hidden {border:2px dashed #b0bec5; border-radius:10px; padding:1rem; color:#546e7a; text-align:center; font-size:1.1rem;}
.ws-answer {border-radius:10px; padding:.8rem 1rem; background:#17427a; color:#fff; font-size:1.4rem; font-weight:700;}
.ws-plan {border:1px solid #d9d9d9; border-radius:10px; padding:.6rem .8rem; margin:.3rem 0; overflow-wrap:anywhere;}
.ws-reason {color:#333; font-style:italic;}
.ws-flags {background:#fff8e1; color:#6d4c00; border-radius:8px; padding:.4rem .8rem .4rem 1.6rem; margin:.4rem 0 0 0; font-size:.9rem;}
.ws-name {font-weight:700;}
.ws-small {color:#666; font-size:.85rem;}
</style>
"""


def prediction_question(t: Translator, base: Baseline, spec) -> str:
    goal = {g.id: g for g in base.goals}[spec.focus]
    preset = base.preset_name(spec.preset, t.lang)
    return t(f"ws.predict.q.{spec.prediction}", goal=goal.name(t.lang), year=goal.target_year, preset=preset,
             unit=value_unit(t, goal))


def value_unit(t: Translator, goal) -> str:
    """The unit participants type a ``value`` prediction in (money in the page's money unit)."""
    if goal.metric in ("total_multiple", "cluster_total"):
        return t("unit.money")
    return "%" if goal.metric in ("advanced_share", "high_tech_share") else t.unit("%/yr")
