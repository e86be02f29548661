"""Record what a real browser says on Streamlit's websocket for one slider move.

    python -m bench.load.record [--page app|trivial|both]

Opens the page in headless Chromium (Debian's, see testkit/browser.py), listens to the
websocket through Playwright's ``page.on("websocket")`` (``framesent`` / ``framereceived``) and the
handshake headers through the DevTools protocol, presses PageUp on the slider thumb (``investment`` in
the app, ``x`` in the trivial page), waits until the run is over and writes
``bench/load/recordings/<page>_move.json``: the handshake (URL, ``Sec-WebSocket-Protocol`` with the
XSRF token replaced by a placeholder), every BackMsg decoded in full, and each received ForwardMsg
reduced to its kind (the deltas themselves are large and change with the data).

The load client (bench/load/client.py) is built from this shape and tests/test_load_client.py checks
the client's BackMsgs against it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.load.protocol import backmsg_to_dict, forward_summary
from testkit.browser import Server, launch_chromium, slider_input, wait_idle

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

PAGES = {"app": ("app.py", "investment"), "trivial": ("bench/trivial_app.py", "x")}
TIMEOUT_MS = 60_000


def record(page_name: str, browser) -> dict:
    """Load ``page_name`` in a fresh browser context, move its slider once, return the recording."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    script, slider = PAGES[page_name]
    frames: list[dict] = []
    handshake: dict = {}
    with Server(script) as srv:
        ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")

        sockets: dict[str, str] = {}  # requestId → URL (the handshake event carries only the id)

        def on_handshake(ev: dict) -> None:
            if sockets.get(ev["requestId"], "").endswith("/_stcore/stream"):
                handshake.setdefault("headers", ev["request"]["headers"])

        cdp.on("Network.webSocketCreated", lambda ev: sockets.__setitem__(ev["requestId"], ev["url"]))
        cdp.on("Network.webSocketWillSendHandshakeRequest", on_handshake)

        phase = {"name": "load"}

        def on_ws(ws) -> None:
            def sent(payload) -> None:
                m = BackMsg()
                m.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
                frames.append({"dir": "sent", "phase": phase["name"], "msg": backmsg_to_dict(m)})

            def received(payload) -> None:
                m = ForwardMsg()
                m.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
                frames.append({"dir": "received", "phase": phase["name"], "msg": forward_summary(m)})

            ws.on("framesent", sent)
            ws.on("framereceived", received)

        page.on("websocket", on_ws)
        page.goto(srv.url + "/", timeout=TIMEOUT_MS)
        wait_idle(page, timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)  # let late messages (e.g. page info, forward-msg cache) arrive: a quiet spell
        thumb = slider_input(page, slider)
        before = thumb.input_value()
        phase["name"] = "move"
        thumb.focus()
        thumb.press("PageUp")
        page.wait_for_function(f"() => document.querySelector(\".st-key-{slider} input[type='range']\").value !== {json.dumps(before)}")
        wait_idle(page, timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)  # as above: messages after the run (there is no last one to await)
        after = thumb.input_value()
        ctx.close()

    headers = {k.lower(): v for k, v in handshake.get("headers", {}).items()}
    proto = headers.get("sec-websocket-protocol", "")
    parts = [p.strip() for p in proto.split(",")]
    cookies = dict(c.strip().partition("=")[::2] for c in headers.get("cookie", "").split(";") if "=" in c)
    if len(parts) > 1 and parts[1]:  # per-tab secret: the shape matters, not the value
        parts[1] = "<_streamlit_xsrf cookie>" if parts[1] == cookies.get("_streamlit_xsrf") else "<xsrf token>"
    return {
        "page": page_name, "script": script, "slider": slider, "before": before, "after": after,
        "handshake": {"url_path": "/_stcore/stream", "sec-websocket-protocol": parts,
                      "origin": bool(headers.get("origin")), "cookies": sorted(cookies)},
        "frames": frames,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", choices=("app", "trivial", "both"), default="both")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    names = ["app", "trivial"] if args.page == "both" else [args.page]
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for name in names:
                rec = record(name, browser)
                out = HERE / "recordings" / f"{name}_move.json"
                out.write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                sent = [f["msg"]["type"] for f in rec["frames"] if f["dir"] == "sent"]
                print(f"{out.relative_to(REPO)}: {len(rec['frames'])} frames, sent {sent}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
