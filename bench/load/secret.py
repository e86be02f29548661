"""What a participant's phone may not receive before the reveal: model output for the room's question.

Checked on the websocket messages themselves (every element the server sends, bench/load/client.py
``Session.on_element``), not on what a browser happens to show: a goal card (its chance, value,
met / not met and colour), any chart (the plan's projection), or the model's answer as the page
words it (``workshop.rooms.show_prediction``) anywhere in the page's text — more often than it occurs
inside what the participant typed or chose themselves (their prediction, their reason), which may hold
the same digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from i18n import Translator

#: Element types that draw or tabulate the model's numbers (the participant page's chart is Vega-Lite).
CHART_KINDS = frozenset({"vega_lite_chart", "plotly_chart", "deck_gl_json_chart", "graphviz_chart", "echarts_chart",
                         "dataframe", "table", "metric"})
#: The goal card's element (ui/cards.py ``goal_card``); the CSS that styles it also names ``.zc-card``.
CARD_MARK = 'class="zc-card'
TEXT_KINDS = ("markdown", "alert", "text", "heading", "json")


def answer_texts(base, spec) -> tuple[str, ...]:
    """The model's answer to the room's question as either language's page prints it."""
    from workshop.analysis import model_answer
    from workshop.rooms import show_prediction

    goal = {g.id: g for g in base.goals}[spec.focus]
    value = model_answer(base, spec)
    return tuple(dict.fromkeys(show_prediction(Translator(lang), spec.prediction, goal, value, base.end_year)
                               for lang in ("zh", "en")))


def echoes(prediction: str) -> list[str]:
    """How the page echoes a participant's own prediction back ("你的预测：2034"), in either language:
    the words just before ``{you}`` in the texts that show it, with the prediction."""
    out = []
    for lang in ("zh", "en"):
        t = Translator(lang)
        for key in ("ws.predicted_you", "ws.revealed_you"):
            before = t(key).split("{you}")[0].rsplit("}", 1)[-1].lstrip(" ·")
            out.append(before + prediction)
    return list(dict.fromkeys(out))


def element_text(el) -> tuple[str, str]:
    """(element type, its text) for the elements that carry text; ("", "") otherwise."""
    kind = el.WhichOneof("type") or ""
    if kind in TEXT_KINDS:
        return kind, getattr(getattr(el, kind), "body", "")
    return kind, ""


@dataclass
class Watch:
    """One participant's look at everything it receives: elements before the reveal, leaks, the answer after."""

    answers: tuple[str, ...]
    own: list[str] = field(default_factory=list)  # what the participant typed or chose (may repeat digits)
    revealed: bool = False  # set by the facilitator's side just before the reveal is stored
    before: int = 0  # elements received before the reveal
    leaks: list[str] = field(default_factory=list)
    after: int = 0  # elements received after it
    answer_seen: bool = False  # after the reveal: the model's answer reached the page
    cards_seen: bool = False  # after the reveal: the plan's goal cards reached the page

    def __call__(self, el) -> None:
        kind, body = element_text(el)
        if not self.revealed:
            self.before += 1
            found = model_output(kind, body, self.answers, self.own)
            if found:
                self.leaks.append(found)
            return
        self.after += 1
        self.cards_seen = self.cards_seen or CARD_MARK in body
        self.answer_seen = self.answer_seen or any(_shown(body, a, self.own) for a in self.answers)


def _shown(body: str, answer: str, own: list[str]) -> bool:
    """``answer`` occurs in ``body`` more often than inside the participant's own texts there (a person who
    predicted the model's year sees it echoed as theirs; the model's answer is one more occurrence)."""
    mine = sum(body.count(o) * o.count(answer) for o in dict.fromkeys(own) if o)
    return bool(answer) and body.count(answer) > mine


def model_output(kind: str, body: str, answers: tuple[str, ...], own: list[str]) -> str:
    """Why this element carries model output for the question ("" when it does not)."""
    if kind in CHART_KINDS:
        return f"a {kind} element"
    if CARD_MARK in body:
        return "a goal card"
    for a in answers:
        if _shown(body, a, own):
            return f"the answer {a!r} in a {kind}: {body[:120]!r}"
    return ""
