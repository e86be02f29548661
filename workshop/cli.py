"""Prepare and close workshop rooms from a shell, on the same database as the app.

    python -m workshop create --title T [--question Q] [--focus GOAL] [--levers a,b,c] [--base-url URL]
                              [--preset NAME] [--prediction year|chance|value] [--no-names]
    python -m workshop list
    python -m workshop export ROOM --xlsx PATH [--csv PATH] [--lang zh|en]
    python -m workshop report ROOM [--docx PATH] [--pdf PATH] [--lang zh|en]
    python -m workshop delete ROOM

Output is JSON on stdout. Bad input exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence
from urllib.parse import urlencode

from model import ROOM_LEVERS, SimulatorError, load_baseline

from .errors import WorkshopError
from .export import csv_bytes, room_tables, xlsx_bytes
from .rooms import PREDICTION_KINDS, clean_public_url, parse_room_spec
from .store import Store

DEFAULT_BASE_URL = "http://localhost:8501"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the usage block
        raise WorkshopError("cli", message=message)


def room_links(base_url: str, code: str, key: str) -> tuple[str, str]:
    """The participant link (room code only) and the facilitator link (code and secret key)."""
    root = base_url.rstrip("/") + "/"
    return root + "?" + urlencode({"room": code}), root + "?" + urlencode({"room": code, "key": key})


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m workshop", description="Prepare and close workshop rooms.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("create", help="create a room; prints its code and both links")
    c.add_argument("--title", required=True)
    c.add_argument("--question", default="")
    c.add_argument("--focus", default="doubling", help="goal id (doubling, stainless_cluster, ...)")
    c.add_argument("--levers", default=",".join(ROOM_LEVERS),
                   help="comma-separated levers participants may move (full ranges)")
    c.add_argument("--preset", default="trend")
    c.add_argument("--prediction", default="year", choices=PREDICTION_KINDS)
    c.add_argument("--no-names", action="store_true", help="do not ask participants for a display name")
    c.add_argument("--base-url", default=os.environ.get("WORKSHOP_BASE_URL") or os.environ.get("WORKSHOP_PUBLIC_URL"),
                   help=f"the address participants open (stored with the room for its QR code; default {DEFAULT_BASE_URL} "
                        "for the printed links only)")
    sub.add_parser("list", help="every room with its counts")
    e = sub.add_parser("export", help="write a room's workbook (and CSV)")
    e.add_argument("room")
    e.add_argument("--xlsx", required=True, type=Path)
    e.add_argument("--csv", type=Path)
    e.add_argument("--lang", default="zh", choices=("zh", "en"))
    r = sub.add_parser("report", help="write a room's report for the follow-up (Word and/or PDF)")
    r.add_argument("room")
    r.add_argument("--docx", type=Path)
    r.add_argument("--pdf", type=Path)
    r.add_argument("--lang", default="zh", choices=("zh", "en"))
    d = sub.add_parser("delete", help="delete a room with everything in it")
    d.add_argument("room")
    return p


def _run(args: argparse.Namespace) -> dict | list:
    if args.command == "create":
        try:
            base_url = clean_public_url(args.base_url or DEFAULT_BASE_URL)
        except WorkshopError:
            raise WorkshopError("cli", message=f"--base-url must be an http(s) URL, not {args.base_url[:80]!r}") from None
        levers = [x.strip() for x in args.levers.split(",") if x.strip()]
        # The address is the room's: the board's QR code and link use it, wherever the board is opened.
        spec = parse_room_spec({"title": args.title, "question": args.question, "focus": args.focus,
                                "levers": levers, "preset": args.preset, "prediction": args.prediction,
                                "ask_names": not args.no_names, "public_url": base_url if args.base_url else ""},
                               load_baseline(os.environ.get("SIMULATOR_DATA_DIR") or None))
        room = Store().create_room(spec)
        participant, facilitator = room_links(base_url, room.code, room.key)
        return {"room": room.code, "participant_url": participant, "facilitator_url": facilitator}
    store = Store()
    if args.command == "list":
        return store.list_rooms()
    if args.command == "export":
        snap = store.admin_snapshot(args.room)
        tables = room_tables(snap, load_baseline(os.environ.get("SIMULATOR_DATA_DIR") or None), args.lang,
                             store.settings.timezone)
        written = {}
        for path, data in ((args.xlsx, xlsx_bytes(tables)), (args.csv, csv_bytes(tables) if args.csv else None)):
            if path is None:
                continue
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise WorkshopError("cli", message=f"cannot write {path}: {exc.strerror}") from None
            written["xlsx" if data[:2] == b"PK" else "csv"] = str(path)
        return {"room": snap.room.code, **written, "participants": snap.joined, "plans": len(snap.submitted)}
    if args.command == "report":
        from .report import workshop_docx
        from model.reports.document import docx_to_pdf

        if not args.docx and not args.pdf:
            raise WorkshopError("cli", message="report needs --docx PATH and/or --pdf PATH")
        snap = store.admin_snapshot(args.room)
        docx = workshop_docx(snap, load_baseline(os.environ.get("SIMULATOR_DATA_DIR") or None), args.lang)
        written = {}
        for kind, path in (("docx", args.docx), ("pdf", args.pdf)):
            if path is None:
                continue
            data = docx if kind == "docx" else docx_to_pdf(docx)
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise WorkshopError("cli", message=f"cannot write {path}: {exc.strerror}") from None
            written[kind] = str(path)
        return {"room": snap.room.code, **written, "participants": snap.joined, "plans": len(snap.submitted)}
    store.admin_delete(args.room)
    return {"room": args.room.strip().upper(), "deleted": True}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        result = _run(args)
    except SimulatorError as exc:  # WorkshopError, and data/scenario errors of the baseline
        print(f"error: {exc.en}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
