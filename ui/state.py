"""Session state ⇄ scenario document ⇄ URL.

The sliders are URL-bound widgets (Streamlit keeps ``?investment=15`` in sync and drops a value
equal to its default). The parts of a scenario that are not sliders — key projects, sector
overrides, goal overrides — and the preset label live in session state and are mirrored into the
URL by ``sync_url`` as compact JSON (projects equal to a preset's list are written as its name).
Every change that replaces several values at once (preset, upload, reset) runs in a widget
callback, before the widgets are drawn, which is when Streamlit allows their state to be set.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

import numpy as np
import streamlit as st

from model import (ASSUMPTION_KEYS, LEVER_KEYS, SCALAR_PARAMS, SPEC_BY_NAME, Baseline, Scenario, ScenarioError,
                   SimulatorError, lever_bounds, neutral_values, parse_scenario, parse_stored)
from model.io.bounded import load_json, pack, unpack

from i18n import names

from .i18n import DEFAULT_LANG, LANGS, Translator
from .safe import plain

JSON_PARAMS = ("projects", "sectors", "targets", "plan")
#: Longest value written to the URL for one parameter (characters, after compression). Browsers and
#: the server refuse links of about 128 KB with a bare "HTTP ERROR 400"; five such values must fit.
MAX_URL_VALUE = 20_000
#: The comparison's saved scenarios: how many, and their URL parameter.
MAX_SAVED = 8
COMPARE_KEY = "compare"
#: Names of the current settings' column, in every language: a saved scenario may not take them.
RESERVED = frozenset(Translator(lang)("scenario.current") for lang in LANGS)
#: Characters a saved scenario's name keeps.
NAME_MAX = 60
#: Two slider values closer than this are the same setting.
SAME = 1e-9


def _on_grid(key: str, value: float) -> float:
    """``value`` rounded to the slider's step (neutral values need not lie on the grid)."""
    if not math.isfinite(value):
        raise ValueError(f"{key} is not a finite number")
    step = SPEC_BY_NAME[key].step
    return round(round(value / step) * step, 6)


def _is_neutral(key: str, value: float, neutral: float) -> bool:
    """A slider counts as neutral within half a step of the exact neutral value."""
    return abs(value - neutral) <= 0.5 * SPEC_BY_NAME[key].step + SAME


def _trends(base: Baseline, sectors: dict[str, float]) -> np.ndarray:
    return np.array([sectors.get(s.id, t) for s, t in zip(base.sectors, base.trend_pct)], dtype=float)


def slider_defaults(base: Baseline, growth: float | None = None, sectors: dict[str, float] | None = None
                    ) -> dict[str, float]:
    """The value each slider shows when neutral (investment: its steady-state growth, on the grid)."""
    neutral = neutral_values(base, growth, _trends(base, sectors or {}))
    return {k: _on_grid(k, v) for k, v in neutral.items()}


def _compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --------------------------------------------------------------------------- scenario <-> values

def values_of(sc: Scenario, base: Baseline) -> dict[str, Any]:
    """A scenario as the UI holds it: slider values plus projects, sector and goal overrides."""
    sectors = {sid: o.growth for sid, o in sc.sectors.items() if o.growth is not None}
    shown = slider_defaults(base, sc.assumptions.growth, sectors)
    given = {**sc.assumptions.model_dump(), **sc.levers.model_dump(exclude={"projects"})}
    sliders = {k: float(shown[k] if given[k] is None else given[k]) for k in SCALAR_PARAMS}
    return {
        "sliders": sliders,
        "projects": [p.model_dump() for p in sc.levers.projects],
        "sectors": sectors,
        "targets": {gid: t.model_dump(exclude_none=True) for gid, t in sc.targets.items()
                    if t.model_dump(exclude_none=True)},
        "plan": sc.plan.model_dump(exclude_defaults=True),
    }


def doc_of(values: dict[str, Any], base: Baseline, name: str = "") -> dict[str, Any]:
    """The minimal scenario document for UI values: neutral sliders are left out.

    ``investment`` is neutral when it equals the chosen growth (its steady-state path).
    """
    sliders = values["sliders"]
    neutral = neutral_values(base, sliders["growth"], _trends(base, values["sectors"]))
    assumptions = {k: sliders[k] for k in ASSUMPTION_KEYS if not _is_neutral(k, sliders[k], neutral[k])}
    levers: dict[str, Any] = {k: sliders[k] for k in LEVER_KEYS if not _is_neutral(k, sliders[k], neutral[k])}
    if values["projects"]:
        levers["projects"] = values["projects"]
    doc: dict[str, Any] = {}
    if name:
        doc["meta"] = {"name": name}
    if assumptions:
        doc["assumptions"] = assumptions
    if levers:
        doc["levers"] = levers
    if values["sectors"]:
        doc["sectors"] = {sid: {"growth": g} for sid, g in values["sectors"].items()}
    if values["targets"]:
        doc["targets"] = values["targets"]
    if values.get("plan"):
        doc["plan"] = values["plan"]
    return doc


def current_values(base: Baseline) -> dict[str, Any]:
    ss = st.session_state
    defaults = slider_defaults(base)
    return {
        "sliders": {k: float(ss.get(k, defaults[k])) for k in SCALAR_PARAMS},
        "projects": list(ss.get("projects", [])),
        "sectors": dict(ss.get("sector_overrides", {})),
        "targets": dict(ss.get("targets", {})),
        "plan": dict(ss.get("plan", {})),
    }


def current_doc(base: Baseline) -> dict[str, Any]:
    """The settings as a scenario document (``doc_of`` the session's values), not yet validated."""
    return doc_of(current_values(base), base)


def current_scenario(base: Baseline, doc: dict[str, Any] | None = None) -> Scenario:
    """The validated scenario the page shows (``doc``: ``current_doc``, when already built)."""
    return parse_scenario(current_doc(base) if doc is None else doc, base)


def preset_status(base: Baseline, doc: dict[str, Any] | None = None) -> tuple[str | None, bool]:
    """(preset the settings come from, changed since?) for the settings' ``doc`` (``current_doc``)."""
    name = st.session_state.get("preset")
    if name not in base.presets:
        return None, True
    return name, (current_doc(base) if doc is None else doc) != _preset_doc(base, name)


@functools.lru_cache(maxsize=64)
def _preset_doc(base: Baseline, name: str) -> dict[str, Any]:
    """A preset's document as the UI writes it (``doc_of``), compared with the settings on every move."""
    return doc_of(values_of(preset_scenario(base, name), base), base)


# --------------------------------------------------------------------------- applying whole scenarios

def apply_scenario(sc: Scenario, base: Baseline, preset: str | None) -> None:
    """Put a validated scenario into session state (call from a widget callback)."""
    ss = st.session_state
    vals = values_of(sc, base)
    for k, v in vals["sliders"].items():
        ss[k] = v
    ss["_prev_growth"] = vals["sliders"]["growth"]
    ss["projects"] = vals["projects"]
    ss["projects_version"] = ss.get("projects_version", 0) + 1  # re-seed the table editor
    ss["sector_overrides"] = vals["sectors"]
    ss["sectors_version"] = ss.get("sectors_version", 0) + 1
    ss["targets"] = vals["targets"]
    ss["targets_version"] = ss.get("targets_version", 0) + 1
    ss["plan"] = vals["plan"]
    ss["plan_version"] = ss.get("plan_version", 0) + 1
    ss["preset"] = preset


@functools.lru_cache(maxsize=64)
def preset_scenario(base: Baseline, name: str) -> Scenario:
    """A preset as a validated scenario (lifted to today's chain-extension floor, ``model.parse_stored``).

    Cached per baseline (immutable, hashed by identity): the preset checks on every slider move
    need not re-validate it. ``Scenario`` is frozen, so sharing it is safe.
    """
    return parse_stored(base.presets[name], base)


def apply_preset(base: Baseline, name: str) -> None:
    apply_scenario(preset_scenario(base, name), base, name)


def growth_changed(base: Baseline) -> None:
    """Callback of the growth slider: investment left at its neutral value follows growth."""
    ss = st.session_state
    sectors = ss.get("sector_overrides", {})
    before = neutral_values(base, ss.get("_prev_growth", base.published_growth), _trends(base, sectors))
    if _is_neutral("investment", ss.get("investment", before["investment"]), before["investment"]):
        ss["investment"] = slider_defaults(base, ss["growth"], sectors)["investment"]
    ss["_prev_growth"] = ss["growth"]


def set_sector_overrides(base: Baseline, overrides: dict[str, float]) -> None:
    """Apply new sector trends (from a callback); a neutral investment follows, as with growth."""
    ss = st.session_state
    growth = ss.get("growth", base.published_growth)
    before = neutral_values(base, growth, _trends(base, ss.get("sector_overrides", {})))["investment"]
    if _is_neutral("investment", ss.get("investment", before), before):
        ss["investment"] = slider_defaults(base, growth, overrides)["investment"]
    ss["sector_overrides"] = overrides


def reset_slider(base: Baseline, key: str) -> None:
    ss = st.session_state
    defaults = slider_defaults(base, ss.get("growth"), ss.get("sector_overrides", {}))
    if key == "growth":
        ss["growth"] = slider_defaults(base)["growth"]
        growth_changed(base)
    else:
        ss[key] = defaults[key]


# --------------------------------------------------------------------------- URL

def _slider_notice(base: Baseline, key: str, raw: str) -> tuple[str, dict[str, Any]] | None:
    lo, hi = lever_bounds(base)[key]
    try:
        v = float(raw)
        ok = math.isfinite(v) and lo <= v <= hi
    except ValueError:
        ok = False
    if ok:
        return None
    return ("notice_url", {"key": key, "value": raw[:40], "range": f"{lo:g}–{hi:g}", "unit": SPEC_BY_NAME[key].unit_en})


def url_json(key: str, raw: str) -> Any:
    """A JSON parameter of the URL (packed or not), within the size and depth limits."""
    what_en, what_zh = f"the URL parameter {key}", f"网址参数 {key} "
    return load_json(unpack(raw, what_en, what_zh), what_en, what_zh)


def init_session(base: Baseline) -> None:
    """On a session's first run: read the URL, keep what is valid, note what is not.

    Sliders are read by Streamlit itself (invalid values are dropped silently, so they are checked
    here to tell the user); JSON parameters are validated against the scenario schema.
    """
    ss = st.session_state
    if ss.get("_initialised"):
        return
    ss["_initialised"] = True
    notices: list[tuple[str, dict[str, Any]]] = []
    qp = st.query_params
    for key in (*SCALAR_PARAMS, "lang", "preset", *JSON_PARAMS):
        if len(qp.get_all(key)) > 1:  # Streamlit then falls back to the default: say so
            notices.append(("notice_url", {"key": key, "value": " & ".join(qp.get_all(key))[:60], "range": "1×"}))
    for key in SCALAR_PARAMS:
        if len(qp.get_all(key)) == 1:
            note = _slider_notice(base, key, qp[key])
            if note:
                notices.append(note)
    if "lang" in qp and qp["lang"] not in LANGS:
        notices.append(("notice_url", {"key": "lang", "value": qp["lang"][:40], "range": "zh, en"}))
    preset = qp.get("preset")
    if preset is not None and preset not in base.presets:
        notices.append(("notice_url", {"key": "preset", "value": preset[:40], "range": ", ".join(base.presets)}))
        preset = None
    ss["preset"] = preset if "preset" in qp else (base.region.get("default_preset") if not _has_settings(qp) else None)
    ss["projects"], ss["sector_overrides"], ss["targets"], ss["plan"] = [], {}, {}, {}
    for key in JSON_PARAMS:
        if key in qp:
            try:
                _load_json_param(base, key, qp[key])
            except ScenarioError as exc:
                notices.append(("notice_url_doc", {"key": key, "error": plain(exc)}))
    growth_raw = qp.get("growth")
    growth = (float(growth_raw) if growth_raw and not _slider_notice(base, "growth", growth_raw)
              else base.published_growth)
    ss["_prev_growth"] = growth
    # A slider missing from the URL is at its default (the URL drops defaults): the app writes every
    # other value, so a shared URL reproduces the page exactly, investment included. A link that names
    # a preset and no setting (``?preset=bold``, written by hand for a workshop) means the preset itself.
    if preset is not None and not _has_settings(qp):
        apply_preset(base, preset)
        # Streamlit writes a value set in code to the URL only for a widget drawn before, so the sliders'
        # values are written here: a reload, a shared link or another server then opens the same page.
        defaults = slider_defaults(base)
        for key in SCALAR_PARAMS:
            if abs(ss[key] - defaults[key]) > SAME:
                qp[key] = f"{ss[key]:g}"
    notices += compare_from_url(base)
    ss["_notices"] = notices


def compare_name(raw: str) -> str:
    """A saved scenario's name through the shared sanitiser (``i18n.names``); look-alikes of the
    current settings' column (zero-width characters, case, full width) are refused."""
    try:
        return names.checked(raw, NAME_MAX, reserved=RESERVED)
    except names.NameRefused as exc:
        raise ScenarioError(exc.message("en"), exc.message("zh")) from None


def compare_from_url(base: Baseline) -> list[tuple[str, dict]]:
    """Saved scenarios from ``?compare=`` (on a session's first run); notices for what is invalid."""
    raw = st.query_params.get(COMPARE_KEY)
    notices = []
    saved: dict[str, dict] = {}
    if raw:
        try:
            docs = url_json(COMPARE_KEY, raw)
            if not isinstance(docs, dict):
                raise ScenarioError("must be an object {name: scenario}", "必须是 {名称: 情景} 对象")
        except ScenarioError as exc:
            notices.append(("notice_url_doc", {"key": COMPARE_KEY, "error": plain(exc)}))
            docs = {}
        for raw_name, doc in list(docs.items())[:MAX_SAVED]:
            name = names.visible(raw_name)[:NAME_MAX]  # for the notice, should the name be refused
            try:
                name = compare_name(raw_name)
                if not name:
                    raise ScenarioError("a saved scenario needs a name", "保存的情景需要名称")
                saved[name] = parse_stored(doc, base).to_doc()
            except ScenarioError as exc:
                notices.append(("notice_url_doc", {"key": f"{COMPARE_KEY}:{name}", "error": plain(exc)}))
        if len(docs) > MAX_SAVED:
            notices.append(("notice_url_doc", {"key": COMPARE_KEY, "error": (
                f"{len(docs)} scenarios; the first {MAX_SAVED} were kept", f"共 {len(docs)} 个情景，保留前 {MAX_SAVED} 个")}))
    st.session_state["saved"] = saved
    return notices


def _has_settings(qp: Any) -> bool:
    return any(k in qp for k in (*SCALAR_PARAMS, *JSON_PARAMS))


def _load_json_param(base: Baseline, key: str, raw: str) -> None:
    ss = st.session_state
    if key == "projects" and raw in base.presets:
        sc = preset_scenario(base, raw)
        ss["projects"] = [p.model_dump() for p in sc.levers.projects]
        return
    value = url_json(key, raw)
    if key == "projects":
        if not isinstance(value, list):
            raise ScenarioError("must be a list of projects", "必须是项目列表")
        sc = parse_scenario({"levers": {"projects": value}}, base)
        ss["projects"] = [p.model_dump() for p in sc.levers.projects]
    elif key == "sectors":
        if not isinstance(value, dict):
            raise ScenarioError("must be an object {sector: growth}", "必须是 {行业: 增速} 对象")
        sc = parse_scenario({"sectors": {k: {"growth": v} for k, v in value.items()}}, base)
        ss["sector_overrides"] = {sid: o.growth for sid, o in sc.sectors.items() if o.growth is not None}
    elif key == "plan":
        ss["plan"] = parse_scenario({"plan": value}, base).plan.model_dump(exclude_defaults=True)
    else:
        if not isinstance(value, dict):
            raise ScenarioError("must be an object {goal: {threshold, year}}", "必须是 {目标: {阈值, 年份}} 对象")
        sc = parse_scenario({"targets": value}, base)
        ss["targets"] = {gid: t.model_dump(exclude_none=True) for gid, t in sc.targets.items()}


def official_from_url(original: Baseline) -> None:
    """On a session's first run, take official figures from ``?official=`` (before the baseline is chosen)."""
    ss = st.session_state
    if ss.get("_official_checked"):
        return
    ss["_official_checked"] = True
    raw = st.query_params.get("official")
    if not raw:
        return
    from model.io.official import OfficialData, apply_official

    try:
        text = unpack(raw, "the URL parameter official", "网址参数 official ")
        if len(text) > 64 * 1024:  # an upload of every figure is about 2 kB
            raise ScenarioError("the URL parameter official is too long", "网址参数 official 过长")
        apply_official(original, OfficialData.from_json(text))
    except SimulatorError as exc:
        ss["_official_url_error"] = plain(exc)
        return
    ss["official_json"] = text


def sync_url(base: Baseline) -> None:
    """Mirror the non-slider parts of the scenario and the preset label into the URL."""
    ss = st.session_state
    want: dict[str, str] = {}
    if ss.get("official_json"):  # the baseline itself, so that a shared URL gives the same numbers
        want["official"] = ss["official_json"]
    projects = ss.get("projects", [])
    if projects:
        same_as = [n for n in base.presets if values_of(preset_scenario(base, n), base)["projects"] == projects]
        want["projects"] = same_as[0] if same_as else _compact(projects)
    if ss.get("sector_overrides"):
        want["sectors"] = _compact(ss["sector_overrides"])
    if ss.get("targets"):
        want["targets"] = _compact(ss["targets"])
    if ss.get("plan"):
        want["plan"] = _compact(ss["plan"])
    if ss.get("preset"):
        want["preset"] = ss["preset"]
    write_url(want, (*JSON_PARAMS, "preset", "official"))


def write_url(want: dict[str, str], keys: tuple[str, ...]) -> None:
    """Put ``want`` into the URL (long values compressed) and drop the other ``keys``.

    A value still longer than ``MAX_URL_VALUE`` is left out; the page then says that this state is
    too large to share by link and offers the scenario file (``_too_large_for_url``).
    """
    qp = st.query_params
    too_large = set(st.session_state.get("_too_large_for_url", ()))
    for key in keys:
        value = pack(want[key]) if key in want else None
        if value is not None and len(value) > MAX_URL_VALUE:
            too_large.add(key)
            value = None
        else:
            too_large.discard(key)
        if value is not None:
            if qp.get(key) != value:
                qp[key] = value
        elif key in qp:
            del qp[key]
    st.session_state["_too_large_for_url"] = sorted(too_large)


def choice_from_url(key: str, options: tuple[str, ...], default: str) -> None:
    """Seed a choice widget's state from the URL once per session (see ``choice_to_url``).

    Streamlit's own URL binding matches a value against its *formatted* label, so widgets that show
    translated labels for stable codes are bound by hand.
    """
    ss = st.session_state
    if key not in ss:
        raw = st.query_params.get(key)
        ss[key] = raw if raw in options else default


def choice_to_url(key: str, default: str) -> None:
    """Callback: write a choice to the URL, leaving it out while it equals its default."""
    value = st.session_state[key]
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


def language() -> str:
    lang = st.session_state.get("lang", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def download_json(doc: dict, preset: str | None) -> str:
    """A scenario document (a snapshot taken in the script run) as the JSON file users save and load.

    Built when the download is clicked, outside the script run: it must not read the session.
    """
    doc = {**doc, "meta": {"name": preset or "custom", "status": "user"}}
    return json.dumps(doc, ensure_ascii=False, indent=1)


#: A phone's browser says so in its user agent (WeChat's in-app browser too: "... Mobile ... MicroMessenger").
_PHONE_AGENT = re.compile(r"Mobi|iPhone|iPod|MicroMessenger|Windows Phone", re.IGNORECASE)


def on_phone() -> bool:
    """The page is open on a phone (from the browser's user agent; False when there is none, e.g. AppTest)."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # noqa: BLE001 — no request context (AppTest, a callback): not a phone
        return False
    return bool(_PHONE_AGENT.search(agent))
