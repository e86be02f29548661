"""A room's settings (the facilitator's question) and a participant's plan as a model scenario.

A plan is the room's starting preset with the allowed levers set to the participant's values; every
other setting (assumptions, key projects, goals) stays the preset's, so plans differ only in what
the facilitator opened up.
"""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata
from typing import Any, Literal, Mapping
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model import ROOM_LEVERS, SPEC_BY_NAME, Baseline, Scenario, ScenarioError, lever_bounds, neutral_values, parse_scenario

from i18n import Translator
from i18n import names

from .errors import WorkshopError

#: The policy levers a room may open (``ParamSpec.room`` in the registry; assumptions describe the
#: world, not choices): ``ROOM_LEVERS``.
#: What participants predict about the starting settings, before they see any model output:
#: the year the focus goal is first reached, the chance (%) it is met in its target year, or the
#: focus goal's metric in its target year.
PREDICTION_KINDS = ("year", "chance", "value")
TITLE_MAX, QUESTION_MAX, NAME_MAX, REASON_MAX = 120, 300, 40, 200
#: Longest participant address: a host, a port and a path prefix fit; a QR code of it plus ``?room=…``
#: stays small enough to scan from the back of a room (version ≤ 10 at error correction M).
PUBLIC_URL_MAX = 200
#: What may appear in the address's host, port and path (no spaces, quotes, angle brackets or backslashes).
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/\[\]%!$&'()*+,;=]+")


def clean_text(text: Any, limit: int, what: str) -> str:
    """Text as stored: stripped, control characters dropped, refused (not cut) when over ``limit``.

    Nothing is escaped here: text is stored raw and escaped where it is shown.
    """
    if not isinstance(text, str):
        raise WorkshopError("bad_text", what=what)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ").strip()
    if len(text) > limit:
        raise WorkshopError("too_long", what=what, limit=limit, length=len(text))
    return text


#: What a display name may not look like: the board's label for an anonymous participant, the facilitator.
IMITATED = names.labels_in_all_languages("ws.anon", "ws.facilitator")


def clean_name(text: Any) -> str:
    """A participant's display name as stored, through the shared name sanitiser
    (``i18n.names``: no direction overrides or invisible characters, no blank-looking names, no names
    imitating an anonymous participant or the facilitator)."""
    if not isinstance(text, str):
        raise WorkshopError("bad_text", what="name")
    if len(text) > 100 * NAME_MAX:  # bounded work; the limit itself applies to what is left after cleaning
        raise WorkshopError("too_long", what="name", limit=NAME_MAX, length=len(text))
    try:
        name = names.checked(text, len(text), labels=IMITATED)
    except names.NameRefused as exc:
        raise WorkshopError("name_blank" if exc.key == "blank" else "name_imitation", name=exc.name) from None
    if len(name) > NAME_MAX:
        raise WorkshopError("too_long", what="name", limit=NAME_MAX, length=len(name))
    return name


def clean_public_url(text: Any) -> str:
    """The address participants open (scheme, host, optional port and path), as stored and shown.

    http or https only, at most ``PUBLIC_URL_MAX`` characters, no user name or password, no query or
    fragment (the room code is added as ``?room=…``). Refused with ``bad_url`` otherwise, never cut.
    Returned as ``scheme://host[:port]/path/`` with a lower-case scheme and host.
    """
    if not isinstance(text, str):
        raise WorkshopError("bad_url", url="")
    url = text.strip()
    if len(url) > PUBLIC_URL_MAX:
        raise WorkshopError("too_long", what="address", limit=PUBLIC_URL_MAX, length=len(url))
    shown = url[:60]
    if not _URL_CHARS.fullmatch(url):
        raise WorkshopError("bad_url", url=shown)
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number in 0–65535
    except ValueError:
        raise WorkshopError("bad_url", url=shown) from None
    host = parts.hostname or ""
    if (parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc or parts.query
            or parts.fragment or url.endswith(("?", "#")) or port == 0):
        raise WorkshopError("bad_url", url=shown)
    if not (re.fullmatch(r"[a-z0-9.-]+", host) or _ip(host)):
        raise WorkshopError("bad_url", url=shown)
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{netloc}{path}"


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_local_url(url: str) -> bool:
    """The address opens only on the computer it names (localhost, 127.x, ::1, 0.0.0.0): a phone in the
    room would reach itself, not the server."""
    host = (urlsplit(url).hostname or "").lower()
    ip = _ip(host)
    return host == "localhost" or host.endswith(".localhost") or (ip is not None and (ip.is_loopback or ip.is_unspecified))


class LeverRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lo: float
    hi: float


class RoomSpec(BaseModel):
    """What the facilitator set up. Validated against the baseline by ``parse_room_spec``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    question: str = Field("", max_length=QUESTION_MAX)
    focus: str = "doubling"
    levers: dict[str, LeverRange]
    preset: str = "trend"
    ask_names: bool = True
    prediction: Literal["year", "chance", "value"] = "year"
    #: The address participants open (``clean_public_url``); "" = the address the board was opened at.
    public_url: str = Field("", max_length=PUBLIC_URL_MAX)

    def lever_ids(self) -> tuple[str, ...]:
        return tuple(k for k in ROOM_LEVERS if k in self.levers)


def parse_room_spec(doc: Mapping[str, Any], base: Baseline) -> RoomSpec:
    """A room's settings, checked against the baseline: goal, preset, levers and their ranges.

    ``levers`` may be a list of lever names (full ranges) or a mapping name → ``{"lo", "hi"}``
    (clipped to the lever's range for this region).
    """
    doc = dict(doc)
    doc["title"] = clean_text(doc.get("title", ""), TITLE_MAX, "title")
    doc["question"] = clean_text(doc.get("question", ""), QUESTION_MAX, "question")
    if doc.get("public_url"):
        doc["public_url"] = clean_public_url(doc["public_url"])
    if not doc["title"]:
        raise WorkshopError("need_title")
    goals = {g.id: g for g in base.goals}
    if doc.get("focus", "doubling") not in goals:
        raise WorkshopError("bad_goal", goal=str(doc.get("focus"))[:40], known=", ".join(goals))
    if doc.get("preset", "trend") not in base.presets:
        raise WorkshopError("bad_preset", preset=str(doc.get("preset"))[:40], known=", ".join(base.presets))
    bounds = lever_bounds(base)
    levers = doc.get("levers", list(ROOM_LEVERS))
    if isinstance(levers, (list, tuple)):
        levers = {k: {"lo": bounds[k][0], "hi": bounds[k][1]} for k in levers if k in bounds} | {
            k: None for k in levers if k not in bounds}
    if not isinstance(levers, Mapping) or not levers:
        raise WorkshopError("need_lever", known=", ".join(ROOM_LEVERS))
    ranges = {}
    for k, r in levers.items():
        if k not in ROOM_LEVERS:
            raise WorkshopError("bad_lever", lever=str(k)[:40], known=", ".join(ROOM_LEVERS))
        lo, hi = bounds[k]
        try:
            a, b = float(r["lo"]), float(r["hi"])
        except (TypeError, KeyError, ValueError):
            raise WorkshopError("bad_range", lever=k) from None
        if not (math.isfinite(a) and math.isfinite(b)):
            raise WorkshopError("bad_range", lever=k)
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            raise WorkshopError("bad_range", lever=k)
        ranges[k] = {"lo": a, "hi": b}
    doc["levers"] = ranges
    goal = goals[doc.get("focus", "doubling")]
    if doc.get("prediction", "year") == "year" and goal.metric == "min_growth":
        raise WorkshopError("bad_prediction_goal")
    try:
        return RoomSpec.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise WorkshopError("bad_setting", name=".".join(map(str, err["loc"])), value=str(err.get("input"))[:40]) from None


def show_prediction(t: Translator, kind: str, goal, value: float, end_year: int) -> str:
    """A prediction (or the model's answer) as people read it, in ``t``'s language and unit."""
    if kind == "year":
        return t("ws.later", year=end_year) if value > end_year else str(int(round(value)))
    if kind == "chance":
        return t.pct(value, 0)
    if goal.metric in ("total_multiple", "cluster_total"):
        return t.money(value)
    return t.pct(value) if goal.metric in ("advanced_share", "high_tech_share") else t.rate(value)


#: Accepted answers per prediction kind: a calendar year, a chance in %, a level in the goal's unit.
PREDICTION_RANGES = {"year": (2000.0, 2100.0), "chance": (0.0, 100.0), "value": (0.0, 1e6)}


def check_prediction(spec: RoomSpec, value: Any) -> float:
    lo, hi = PREDICTION_RANGES[spec.prediction]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
        raise WorkshopError("bad_prediction", lo=f"{lo:g}", hi=f"{hi:g}")
    return float(value)


def _on_step(key: str, value: float) -> float:
    step = SPEC_BY_NAME[key].step
    return round(round(value / step) * step, 6)


def start_values(spec: RoomSpec, base: Baseline) -> dict[str, float]:
    """Where each allowed lever starts: the preset's value (or the neutral one), inside the room's range."""
    preset = parse_scenario(base.presets[spec.preset], base)
    neutral = neutral_values(base, preset.assumptions.growth)
    out = {}
    for k in spec.lever_ids():
        v = getattr(preset.levers, k)
        v = neutral[k] if v is None else float(v)
        r = spec.levers[k]
        out[k] = min(max(_on_step(k, v), r.lo), r.hi)
    return out


def check_plan(spec: RoomSpec, plan: Mapping[str, Any]) -> dict[str, float]:
    """A participant's lever values: exactly the room's levers, each a number inside its range."""
    if not isinstance(plan, Mapping) or set(plan) != set(spec.lever_ids()):
        raise WorkshopError("bad_plan")
    out = {}
    for k in spec.lever_ids():
        v = plan[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise WorkshopError("bad_plan")
        r = spec.levers[k]
        if not (r.lo - 1e-9 <= v <= r.hi + 1e-9):
            raise WorkshopError("plan_out_of_range", lever=k, lo=f"{r.lo:g}", hi=f"{r.hi:g}")
        out[k] = float(v)
    return out


def plan_document(spec: RoomSpec, base: Baseline, plan: Mapping[str, float]) -> dict[str, Any]:
    """The scenario document of a plan: the starting preset with the plan's lever values."""
    doc = {k: v for k, v in base.presets[spec.preset].items() if k != "meta"}
    levers = dict(doc.get("levers", {}))
    levers.update({k: float(v) for k, v in plan.items()})
    doc["levers"] = levers
    return doc


def plan_scenario(spec: RoomSpec, base: Baseline, plan: Mapping[str, float]) -> Scenario:
    try:
        return parse_scenario(plan_document(spec, base, plan), base)
    except ScenarioError as exc:  # e.g. a range a newer baseline no longer allows
        raise WorkshopError("bad_plan") from exc
