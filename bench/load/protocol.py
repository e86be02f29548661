"""Streamlit 1.67's websocket protocol, without any network: build BackMsgs, read ForwardMsgs.

Everything here works on the installed streamlit package's protobufs (``streamlit.proto``), so the
load client speaks exactly the protocol of the server it tests. The shapes were taken from a real
browser's frames (bench/load/record.py, bench/load/recordings/) and tests/test_load_client.py checks
them against those recordings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.protobuf.json_format import MessageToDict
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

SUBPROTOCOL = "streamlit"
STREAM_PATH = "/_stcore/stream"
FINISHED = ForwardMsg.ScriptFinishedStatus
#: ``script_finished`` values that end a run the client asked for (a full run or a fragment run).
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


def backmsg_to_dict(msg: BackMsg) -> dict:
    """A BackMsg as JSON-able data (field names as in the .proto), with its type named."""
    return {"type": msg.WhichOneof("type"), **MessageToDict(msg, preserving_proto_field_name=True)}


def widget_value_kind(ws: WidgetState) -> str:
    return ws.WhichOneof("value") or "none"


def forward_summary(msg: ForwardMsg) -> dict:
    """The kind of a received ForwardMsg: enough to follow a run, small enough to store."""
    kind = msg.WhichOneof("type")
    out: dict = {"type": kind}
    if msg.metadata.delta_path:
        out["delta_path"] = list(msg.metadata.delta_path)
    if msg.metadata.cacheable:
        out["cacheable"] = True
    if kind == "delta":
        d = msg.delta
        dk = d.WhichOneof("type")
        out["delta"] = dk
        if dk == "new_element":
            out["element"] = d.new_element.WhichOneof("type")
        if d.fragment_id:
            out["fragment_id"] = True
    elif kind == "script_finished":
        out["status"] = FINISHED.Name(msg.script_finished)
    elif kind == "session_status_changed":
        out["script_is_running"] = msg.session_status_changed.script_is_running
    elif kind == "new_session":
        out["initialize"] = msg.new_session.HasField("initialize")
        out["page_script_hash"] = bool(msg.new_session.page_script_hash)
    return out


def element_widget_id(element) -> tuple[str, object] | None:
    """(widget id, the element's own proto) of a widget element, or None for other elements."""
    kind = element.WhichOneof("type")
    if kind is None:
        return None
    proto = getattr(element, kind)
    wid = getattr(proto, "id", "") if hasattr(proto, "id") else ""
    return (wid, proto) if wid else None


@dataclass
class Widget:
    """A widget seen in the deltas of a run: its id, element type, key, label and fragment."""

    id: str
    kind: str
    label: str
    key: str | None
    fragment_id: str
    proto: object = field(repr=False)


def widget_key(wid: str) -> str | None:
    """The user key inside a Streamlit widget id (``$$ID-<hash>-<key>``), or None when unkeyed."""
    if wid.startswith("$$ID-"):
        rest = wid[len("$$ID-"):]
        parts = rest.split("-", 1)
        return parts[1] if len(parts) == 2 and parts[1] != "None" else None
    return None


def initial_state(kind: str, p) -> WidgetState | None:
    """The value a browser reports for a freshly drawn widget (its server-set value or its default).

    None for widgets that report nothing until used (buttons, download buttons, data editors).
    """
    ws = WidgetState(id=p.id)
    if kind == "slider":
        ws.double_array_value.data.extend(list(p.value) if p.set_value else list(p.default))
    elif kind in ("selectbox", "radio"):
        if p.set_value and p.HasField("raw_value"):
            ws.string_value = p.raw_value
        elif p.HasField("default") and 0 <= p.default < len(p.options):
            ws.string_value = p.options[p.default]
        else:
            return None
    elif kind == "multiselect":
        vals = list(p.raw_values) if p.set_value else [p.options[i] for i in p.default]
        ws.string_array_value.data.extend(vals)
    elif kind == "button_group":
        vals = list(p.raw_values) if p.set_value else [p.options[i].content for i in p.default]
        ws.string_array_value.data.extend(vals)
    elif kind == "checkbox":
        ws.bool_value = p.value if p.set_value else p.default
    elif kind == "number_input":
        v = p.value if p.set_value else p.default
        if not (p.set_value or p.HasField("default")):
            return None
        if p.data_type == p.INT:
            ws.int_value = int(v)
        else:
            ws.double_value = v
    elif kind in ("text_input", "text_area", "color_picker"):
        v = p.value if p.set_value else p.default
        if not (p.set_value or p.HasField("default")):
            return None
        ws.string_value = v
    elif kind == "file_uploader":
        ws.file_uploader_state_value.SetInParent()
    else:  # buttons, download buttons, data editors, chat input …: nothing until the user acts
        return None
    return ws


def format_query_value(value: float) -> str:
    """A number as the browser writes a bound slider's value into the URL (13.2, 60)."""
    return f"{value:g}" if float(value) != int(value) else str(int(value))
