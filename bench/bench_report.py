"""Seconds to build the scenario report (issue 20's benchmark: ≤ 3 s a report on this machine).

Each stage is timed on its own, in the order the page's download runs them, then the whole report:
the ensemble (10 000 runs; the page has it already, so the page's click does not pay it), the
briefing paragraph (seek and mix at 50 %; cached on the page once the decision tools were open), the
three charts (vl-convert; its first call starts the runtime), the Word document, and the PDF
(LibreOffice headless printing the document). A benchmark, not a test: it prints and asserts nothing.

Load on the machine multiplies every figure: compare stages within one run, and read the load with them.

Run: python -m bench.bench_report [--scenario data/zhoucun/presets/three_year_action.json] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from model import DEFAULT_RUNS, DEFAULT_SEED, load_baseline, parse_scenario, scenario_results, summarize
from model.reports.briefing import briefing
from model.reports.document import docx_to_pdf, soffice
from model.reports.scenario_report import report_charts, scenario_docx, trend_of
from i18n import Translator

ROOT = Path(__file__).resolve().parent.parent


def _time(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "data/zhoucun/presets/three_year_action.json"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = load_baseline()
    sc = parse_scenario(json.loads(Path(args.scenario).read_text(encoding="utf-8")), base)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"report of {Path(args.scenario).name}; median of {args.repeat} (first call apart); seconds; "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    for lang in ("zh", "en"):
        t = Translator(lang)
        times: dict[str, list[float]] = {}
        for k in range(args.repeat + 1):
            ens, s_ens = _time(lambda: summarize(base, sc, runs=DEFAULT_RUNS, seed=DEFAULT_SEED))
            brief, s_brief = _time(lambda: briefing(base, sc, lang, ens))
            res, trend_res = scenario_results(base, sc), scenario_results(base, trend_of(sc, base))
            _, s_charts = _time(lambda: report_charts(base, res, trend_res, ens, t))
            docx, s_docx = _time(lambda: scenario_docx(base, sc, lang, ens=ens, brief=brief))
            pdf, s_pdf = (None, float("nan")) if soffice() is None else _time(lambda: docx_to_pdf(docx))
            # The page's click has the ensemble (the cards') and builds the rest; its PDF after the Word file
            # reuses the document (ui/exports.py), so it pays LibreOffice only.
            row = {"ensemble": s_ens, "briefing": s_brief, "charts": s_charts, "docx (charts, tables)": s_docx,
                   "pdf (LibreOffice)": s_pdf, "page click: Word": s_brief + s_docx,
                   "page click: PDF first": s_brief + s_docx + s_pdf, "cold CLI report (docx+pdf)": s_ens + s_brief + s_docx + s_pdf}
            if k == 0:
                print(f"[{lang}] first call: " + ", ".join(f"{n} {v:.2f}" for n, v in row.items()), flush=True)
                continue
            for n, v in row.items():
                times.setdefault(n, []).append(v)
        for n, v in times.items():
            print(f"[{lang}] {n:28s} {statistics.median(v):6.2f}", flush=True)
        print(f"[{lang}] pages: docx {len(docx) // 1024} kB, pdf {len(pdf) // 1024 if pdf else 0} kB", flush=True)


if __name__ == "__main__":
    main()
