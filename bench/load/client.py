"""A Streamlit websocket client that behaves like a browser tab, for load tests.

One :class:`Session` is one browser tab: it opens ``/_stcore/stream`` (subprotocol ``streamlit``),
sends the first ``rerun_script`` as a browser does on page load (query string, context info), reads
ForwardMsgs until ``script_finished``, keeps the page's element tree (by delta path), the widget
states and the forward-message cache, and can then move one widget: it sends a ``rerun_script`` with
every widget state the browser would report, the bound widgets written into the query string, the
fragment of the moved widget (a fragment-scoped rerun) and the hashes of its cached messages.

Blocking sockets (``websocket-client``): under Locust, gevent's monkey patching makes them
cooperative, so hundreds of sessions share one process.
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from .protocol import (DONE, FINISHED, STREAM_PATH, SUBPROTOCOL, Widget, format_query_value, initial_state,
                       widget_key)

#: The browser forgets a cached message after it went unused for this many runs
#: (Streamlit's ``global.maxCachedMessageAge`` default).
CACHE_AGE = 2
XSRF_COOKIE = "_streamlit_xsrf"


class ProtocolError(RuntimeError):
    """The server did something a browser tab would treat as a failure (closed, timed out, exception)."""


@dataclass
class Run:
    """What one script run sent back."""

    status: str = ""
    seconds: float = 0.0
    messages: int = 0
    deltas: int = 0
    bytes: int = 0
    ref_hashes: int = 0
    exceptions: list[str] = field(default_factory=list)  # exception elements (tracebacks on the page)
    error_alerts: list[str] = field(default_factory=list)  # st.error boxes drawn in this run

    @property
    def ok(self) -> bool:
        return self.status in {FINISHED.Name(s) for s in DONE} and not self.exceptions and not self.error_alerts


@dataclass
class _Node:
    element: object          # Element or Block proto
    fragment_id: str
    run: int                 # the run that last drew it


class Session:
    """One browser tab on a Streamlit page."""

    def __init__(self, base_url: str, query: str = "", *, locale: str = "zh-CN", timezone: str = "UTC",
                 timeout: float = 60.0) -> None:
        u = urllib.parse.urlsplit(base_url)
        self.http_url = f"{u.scheme}://{u.netloc}{u.path.rstrip('/')}/"
        scheme = "wss" if u.scheme == "https" else "ws"
        self.ws_url = f"{scheme}://{u.netloc}{u.path.rstrip('/')}{STREAM_PATH}"
        self.origin = f"{u.scheme}://{u.netloc}"
        self.query = urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True)
        self.locale, self.timezone, self.timeout = locale, timezone, timeout
        self.ws: websocket.WebSocket | None = None
        self.session_id = ""
        self.page_script_hash = ""
        self.script_running = False
        self.tree: dict[tuple[int, ...], _Node] = {}
        self.states: dict[str, WidgetState] = {}
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash → (message, last run that used it)
        self.runs = 0
        self.heartbeats = 0
        self.sent: list[BackMsg] = []  # every BackMsg, for checking the shape against a browser's
        self.cookies: dict[str, str] = {}  # e.g. a proxy's affinity cookie, sent back as a browser does
        self.handshake: dict = {}  # what the last connect sent: subprotocol entries, cookie names
        self.auto_reruns: dict[str, tuple[float, float]] = {}  # fragment id → (interval s, next due, monotonic)
        self.auto_runs = 0  # auto reruns sent (self-refreshing fragments, st.fragment(run_every=…))
        #: Called with every element the server sends (after a cached message is resolved), as it arrives:
        #: what a browser would draw, including elements a later delta of the same run replaces.
        self.on_element: Callable[[object], None] | None = None
        self._fragment = ""  # the fragment the current run reruns ("" = the whole page)
        self._touched: set[tuple[int, ...]] = set()  # delta paths drawn by the current run

    # ------------------------------------------------------------------ connection
    def load_page(self) -> None:
        """What the browser fetches before it opens the websocket: the page, then :meth:`preflight`."""
        self._get(self.http_url + (("?" + urllib.parse.urlencode(self.query)) if self.query else ""))
        self.preflight()

    def preflight(self) -> None:
        """The health and host-config requests the browser makes before every connection attempt (the
        health answer sets the ``_streamlit_xsrf`` cookie; behind a proxy, its affinity cookie)."""
        self._get(self.http_url + "_stcore/health")
        self._get(self.http_url + "_stcore/host-config")

    def _get(self, url: str) -> None:
        req = urllib.request.Request(url, headers=self._cookie_header())
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                r.read()
                self._keep_cookies(r.headers.get_all("Set-Cookie") or [])
        except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
            raise ProtocolError(f"cannot load {url}: {exc}") from exc

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for c in set_cookies:
            name, _, value = c.split(";", 1)[0].partition("=")
            if name.strip():
                self.cookies[name.strip()] = value.strip()

    def connect(self) -> Session:
        # A browser sends "streamlit", then its XSRF token (the _streamlit_xsrf cookie the page set) and,
        # when reconnecting, the session id it had: a server that still has it keeps that session.
        protocols = [SUBPROTOCOL, self.cookies.get(XSRF_COOKIE, "")]
        if self.session_id:
            protocols.append(self.session_id)
        while protocols and not protocols[-1]:
            protocols.pop()
        self.handshake = {"protocols": protocols, "cookies": sorted(self.cookies)}
        header = [f"Sec-WebSocket-Protocol: {', '.join(protocols)}"]
        header += [f"{k}: {v}" for k, v in self._cookie_header().items()]
        try:
            self.ws = websocket.create_connection(self.ws_url, timeout=self.timeout, header=header,
                                                  origin=self.origin, enable_multithread=False)
        except (OSError, websocket.WebSocketException) as exc:
            raise ProtocolError(f"cannot connect to {self.ws_url}: {exc}") from exc
        headers = self.ws.getheaders() or {}
        if headers.get("set-cookie"):
            self._keep_cookies([headers["set-cookie"]])
        return self

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close()
            finally:
                self.ws = None

    def reconnect(self, within: float | None = None) -> Run | None:
        """Come back as the browser does: retry with back-off (the server may be restarting), offer the
        old session id (a server that still has it keeps it; another one starts a new session from the
        URL). Streamlit's frontend then reruns the whole page, with every widget state, only when the
        page has a self-refreshing fragment or a run was in flight; otherwise it trusts the server
        to hold its session and sends nothing (returns None)."""
        in_flight = self.script_running
        self.close()
        deadline = time.monotonic() + (self.timeout if within is None else within)
        pause = 0.5
        while True:
            try:
                self.preflight()
                self.connect()
                if not (self.auto_reruns or in_flight):
                    return None
                return self._request(self._client_state())
            except ProtocolError:
                self.close()
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 5.0)

    def ping(self) -> None:
        """The browser's heartbeat; the server answers ``heartbeat_ack``."""
        msg = BackMsg()
        msg.app_heartbeat = True
        before = self.heartbeats
        self._send(msg)
        deadline = time.monotonic() + self.timeout
        while self.heartbeats == before:
            self._receive(Run(), deadline)

    def idle(self, seconds: float) -> list[Run]:
        """Sit on the page for ``seconds`` as an open browser tab does: send the reruns of
        self-refreshing fragments as they fall due (``is_auto_rerun``), and read what comes."""
        end = time.monotonic() + seconds
        runs = []
        while True:
            now = time.monotonic()
            due = [(nxt, fid) for fid, (_, nxt) in self.auto_reruns.items() if nxt <= min(now, end)]
            if due:
                _, fid = min(due)
                interval, _ = self.auto_reruns[fid]
                self.auto_reruns[fid] = (interval, now + interval)
                cs = self._client_state()
                cs.fragment_id, cs.is_auto_rerun = fid, True
                self.auto_runs += 1
                runs.append(self._request(cs))
                continue
            nxt = min([n for _, n in self.auto_reruns.values()] + [end])
            if nxt >= end:
                time.sleep(max(0.0, end - time.monotonic()))
                return runs
            time.sleep(max(0.0, nxt - time.monotonic()))

    # ------------------------------------------------------------------ runs
    def first_run(self) -> Run:
        """Page load: connect, then the first ``rerun_script`` (query string and context, no widget states)."""
        if self.ws is None:
            self.load_page()
            self.connect()
        cs = ClientState()
        if self.query:
            cs.query_string = urllib.parse.urlencode(self.query)
        cs.widget_states.SetInParent()
        self._context(cs)
        return self._request(cs)

    def widgets(self) -> list[Widget]:
        out = []
        for node in self.tree.values():
            el = node.element
            kind = el.WhichOneof("type") if hasattr(el, "WhichOneof") and el.DESCRIPTOR.name == "Element" else None
            if not kind:
                continue
            p = getattr(el, kind)
            wid = getattr(p, "id", "") if "id" in p.DESCRIPTOR.fields_by_name else ""
            if wid:
                out.append(Widget(wid, kind, getattr(p, "label", ""), widget_key(wid), node.fragment_id, p))
        return out

    def widget(self, key: str | None = None, label: str | None = None) -> Widget:
        for w in self.widgets():
            if (key is not None and w.key == key) or (label is not None and w.label == label):
                return w
        raise KeyError(f"no widget with key={key!r} label={label!r} on the page")

    def value(self, key: str) -> object:
        ws = self.states[self.widget(key=key).id]
        kind = ws.WhichOneof("value")
        v = getattr(ws, kind)
        return list(v.data) if hasattr(v, "data") else v

    def move(self, key: str, value: float) -> Run:
        """Set slider ``key`` to ``value`` and rerun (its fragment only, when it lives in one)."""
        w = self.widget(key=key)
        ws = WidgetState(id=w.id)
        ws.double_array_value.data.append(float(value))
        if w.proto.query_param_key:  # a bound widget: the browser writes it into the URL, or drops it at default
            self._set_query(w.proto.query_param_key,
                            None if list(w.proto.default) == [float(value)] else format_query_value(value))
        return self._change(w, ws)

    def type_text(self, key: str, text: str) -> Run:
        """Type into text input ``key`` and leave it (the browser reruns on blur or Enter)."""
        w = self.widget(key=key)
        return self._change(w, WidgetState(id=w.id, string_value=text))

    def fill(self, key: str, text: str) -> None:
        """Type into text input ``key`` inside a form: the browser keeps it until the form's button is
        clicked and sends nothing now; the click sends it with the other states."""
        w = self.widget(key=key)
        if not w.proto.form_id:
            raise ProtocolError(f"{key} is not in a form: type_text sends it as the browser does")
        self.states[w.id] = WidgetState(id=w.id, string_value=text)

    def select(self, key: str, index: int) -> Run:
        """Choose option ``index`` of selectbox ``key`` (the browser sends the option as shown)."""
        w = self.widget(key=key)
        return self._change(w, WidgetState(id=w.id, string_value=w.proto.options[index]))

    def click(self, key: str) -> Run:
        """Press button ``key``: a trigger sent once with the other states, then forgotten."""
        w = self.widget(key=key)
        cs = self._client_state()
        cs.widget_states.widgets.add().CopyFrom(WidgetState(id=w.id, trigger_value=True))
        if w.fragment_id:
            cs.fragment_id = w.fragment_id
        return self._request(cs)

    def _change(self, w: Widget, ws: WidgetState) -> Run:
        self.states[w.id] = ws
        cs = self._client_state()
        if w.fragment_id:
            cs.fragment_id = w.fragment_id
        return self._request(cs)

    def texts(self, element: str = "markdown") -> list[str]:
        """The bodies of every ``element`` (markdown, alert…) now on the page, in page order."""
        out = []
        for path in sorted(self.tree):
            el = self.tree[path].element
            if el.DESCRIPTOR.name == "Element" and el.WhichOneof("type") == element:
                out.append(getattr(el, element).body)
        return out

    # ------------------------------------------------------------------ internals
    def _context(self, cs: ClientState) -> None:
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = self.timezone, 0, self.locale
        ci.url, ci.is_embedded, ci.color_scheme = self.http_url, False, "light"

    def _set_query(self, name: str, value: str | None) -> None:
        rest = [(k, v) for k, v in self.query if k != name]
        self.query = ([(name, value)] if value is not None else []) + rest

    def _client_state(self) -> ClientState:
        cs = ClientState()
        cs.query_string = urllib.parse.urlencode(self.query)
        cs.widget_states.SetInParent()
        for ws in self.states.values():
            cs.widget_states.widgets.add().CopyFrom(ws)
        cs.page_script_hash = self.page_script_hash
        cs.cached_message_hashes.extend(self.cache)
        self._context(cs)
        return cs

    def _send(self, msg: BackMsg) -> None:
        if self.ws is None:
            raise ProtocolError("not connected")
        self.sent.append(msg)
        self.ws.send_binary(msg.SerializeToString())

    def _request(self, cs: ClientState) -> Run:
        msg = BackMsg()
        msg.rerun_script.CopyFrom(cs)
        run = Run()
        t0 = time.perf_counter()
        self._send(msg)
        deadline = time.monotonic() + self.timeout
        self._fragment = cs.fragment_id
        self.runs += 1
        self._touched: set[tuple[int, ...]] = set()
        while not run.status or FINISHED.Value(run.status) not in DONE:
            self._receive(run, deadline)
        run.seconds = time.perf_counter() - t0
        return run

    def _receive(self, run: Run, deadline: float) -> None:
        if self.ws is None:
            raise ProtocolError("not connected")
        self.ws.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.ws.recv()
        except websocket.WebSocketTimeoutException as exc:
            raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from exc
        except (websocket.WebSocketConnectionClosedException, OSError) as exc:
            self.ws = None
            raise ProtocolError(f"connection lost: {exc}") from exc
        if not data:
            self.ws = None
            raise ProtocolError("the server closed the connection")
        msg = ForwardMsg()
        msg.ParseFromString(data)
        run.messages += 1
        run.bytes += len(data)
        self._handle(msg, run)

    def _handle(self, msg: ForwardMsg, run: Run) -> None:
        if msg.HasField("ref_hash"):  # the server sent a reference to a message this tab has cached
            run.ref_hashes += 1
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"ref_hash {msg.ref_hash} is not in the cache")
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            msg = full
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = (msg, self.runs)
        elif msg.hash in self.cache:
            self.cache[msg.hash] = (self.cache[msg.hash][0], self.runs)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if not msg.metadata.run.fragment_ids:  # a full run: the browser drops its auto-rerun timers
                self.auto_reruns.clear()
            ns = msg.new_session
            if ns.HasField("initialize") and ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self.page_script_hash = ns.page_script_hash or self.page_script_hash
        elif kind == "session_status_changed":
            self.script_running = msg.session_status_changed.script_is_running
        elif kind == "page_info_changed":
            self.query = urllib.parse.parse_qsl(msg.page_info_changed.query_string, keep_blank_values=True)
        elif kind == "heartbeat_ack":
            self.heartbeats += 1
        elif kind == "auto_rerun":
            ar = msg.auto_rerun
            if ar.fragment_id not in self.auto_reruns:  # the browser's timer starts when it learns of it
                self.auto_reruns[ar.fragment_id] = (ar.interval, time.monotonic() + ar.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fid, None)
        elif kind == "delta":
            run.deltas += 1
            self._delta(msg, run)
        elif kind == "script_finished":
            run.status = FINISHED.Name(msg.script_finished)
            if msg.script_finished in DONE:
                self._finish()
            elif msg.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                self._fragment = ""  # st.rerun(): the whole page runs next

    def _delta(self, msg: ForwardMsg, run: Run) -> None:
        d = msg.delta
        path = tuple(msg.metadata.delta_path)
        dk = d.WhichOneof("type")
        if dk == "new_element":
            el = d.new_element
            kind = el.WhichOneof("type")
            if kind == "exception":
                run.exceptions.append(f"{el.exception.type}: {el.exception.message}")
            elif kind == "alert" and el.alert.format == el.alert.ERROR:
                run.error_alerts.append(el.alert.body)
            if self.on_element is not None:
                self.on_element(el)
            self.tree[path] = _Node(el, d.fragment_id, self.runs)
            self._touched.add(path)
            if kind:
                p = getattr(el, kind)
                if "id" in p.DESCRIPTOR.fields_by_name and p.id:
                    if p.id not in self.states or getattr(p, "set_value", False):
                        ws = initial_state(kind, p)
                        if ws is not None:
                            self.states[p.id] = ws
        elif dk == "add_block":
            old = self.tree.get(path)
            if old is not None and old.element.WhichOneof("type") != d.add_block.WhichOneof("type"):
                self._drop_under(path)
            self.tree[path] = _Node(d.add_block, d.fragment_id, self.runs)
            self._touched.add(path)

    def _drop_under(self, path: tuple[int, ...]) -> None:
        n = len(path)
        for p in [p for p in self.tree if len(p) > n and p[:n] == path]:
            del self.tree[p]

    def _finish(self) -> None:
        """As the browser does after a run: forget elements (and widget states) the run did not draw."""
        stale = [p for p, node in self.tree.items() if p not in self._touched
                 and (not self._fragment or node.fragment_id == self._fragment)]
        for p in stale:
            del self.tree[p]
        live = {w.id for w in self.widgets()}
        for wid in [w for w in self.states if w not in live]:
            del self.states[wid]
        for h in [h for h, (_, used) in self.cache.items() if self.runs - used >= CACHE_AGE]:
            del self.cache[h]
