"""Command line: ``python -m model run|targets|gains|seek|mix|constraints|export|report`` for batch runs and reproducible reports.

Errors print one line and exit with status 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import pandas as pd

from .core.ensemble import DEFAULT_RUNS, DEFAULT_SEED
from .core.goals import ensemble_median, judged_by_ensemble
from .core.seek import SEEKABLE
from .errors import SimulatorError
from .io.datafolder import DEFAULT_DATA_DIR, load_baseline, read_scenario_file
from .io.tables import gain_table, goals_table, projection_table, scenario_constraints
from .schema.results import scenario_results
from .schema.mix import DEFAULT_PROBABILITY
from .schema.runs import run_ensemble, run_scenario, seek
from .schema.scenario import parse_scenario, resolve_goals

EXIT_USAGE = 2
#: Largest ensemble: 10^5 runs take about 0.6 GB at peak (a few (runs, sectors, years) float64 arrays).
MAX_RUNS = 100_000
#: Seek evaluates several lever values per call, each over all runs.
MAX_SEEK_RUNS = 20_000


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        raise _UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m model", description="Zhoucun industrial scenario simulator (command line).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("scenario", nargs="?", help="scenario JSON file (default: the trend scenario)")
        sp.add_argument("--format", choices=("csv", "json"), default="csv")
        sp.add_argument("--out", help="write to this file instead of standard output")
        sp.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="data folder (default: %(default)s)")

    run = sub.add_parser("run", help="yearly output, value added and investment by sector (long table, 亿元)")
    common(run)
    run.add_argument("--real", action="store_true", help="at base-year prices instead of current prices")
    tg = sub.add_parser("targets", help="one row per goal: central path met, year reached, value, goal; chance "
                                        "(steady growth: judged over the ensemble, the median run's lowest year; "
                                        "cluster: value_net, the de-duplicated cluster, beside the turnover sum)")
    common(tg)
    tg.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                    help="Monte Carlo runs for the chance (default: the page's %(default)s; 1: no chance column)")
    tg.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: the page's %(default)s)")
    gn = sub.add_parser("gains", help="gain of total output to each goal year: volume, price, reclassification")
    common(gn)
    sk = sub.add_parser("seek", help="the lever value at which a goal is met with a chance, and that chance (JSON)")
    sk.add_argument("scenario", nargs="?", help="scenario JSON file (default: the trend scenario)")
    sk.add_argument("--target", required=True, help="goal id, e.g. doubling")
    sk.add_argument("--lever", required=True, choices=SEEKABLE)
    mx = sub.add_parser("mix", help="the cheapest mix of capacity levers that meets a level goal with a chance (JSON)")
    mx.add_argument("scenario", nargs="?", help="scenario JSON file (default: the trend scenario)")
    mx.add_argument("--target", default="stainless_cluster", help="goal id of a level goal (default: %(default)s)")
    for sp in (sk, mx):
        how = sp.add_mutually_exclusive_group()
        how.add_argument("--probability", type=float, default=DEFAULT_PROBABILITY,
                         help="chance of meeting the goal, 0–1 (default: %(default)s)")
        how.add_argument("--central", action="store_true",
                         help="meet the goal on the central path instead (the chance is still reported)")
        sp.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help="Monte Carlo runs of the search and of the chance (default: the page's %(default)s)")
        sp.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: the page's %(default)s)")
        sp.add_argument("--within", default="",
                        help="stay within these feasibility constraints, comma-separated: energy, land, fiscal "
                             "or constraint ids (e.g. energy,land); the answer says which binds first")
        sp.add_argument("--out", help="write to this file instead of standard output")
        sp.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="data folder (default: %(default)s)")
    cs = sub.add_parser("constraints", help="one row per feasibility constraint (fiscal balance, energy use, "
                                            "energy intensity, land): year, value, limit, unit, within; chance; then "
                                            "payback (central year, median, chance by the end year) and "
                                            "energy_extra (extra energy vs the neutral twin), with notes")
    common(cs)
    cs.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                    help="Monte Carlo runs for the chance (default: the page's %(default)s; 1: no chance column)")
    cs.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: the page's %(default)s)")
    ex = sub.add_parser("export", help="Excel workbook (summary, yearly data, assumptions, sources, charts) "
                                       "and/or CSV of every series")
    ex.add_argument("scenario", nargs="?", help="scenario JSON file (default: the trend scenario)")
    ex.add_argument("--xlsx", help="write the Excel workbook to this file")
    ex.add_argument("--csv", help="write every series as a long CSV table (UTF-8) to this file")
    ex.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the workbook (default: zh)")
    ex.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="data folder (default: %(default)s)")
    rp = sub.add_parser("report", help="the scenario's report (汇报材料) as a Word document and/or PDF, 2–4 pages")
    rp.add_argument("scenario", nargs="?", help="scenario JSON file (default: the trend scenario)")
    rp.add_argument("--docx", help="write the Word document to this file")
    rp.add_argument("--pdf", help="write the PDF (printed by LibreOffice headless) to this file")
    rp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report (default: zh)")
    rp.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="data folder (default: %(default)s)")
    return p


def _report(args: argparse.Namespace, base, sc) -> None:
    """``report``: the Word document and/or its PDF, with the page's ensemble and briefing."""
    from .io import export
    from .reports.document import docx_to_pdf
    from .reports.scenario_report import scenario_docx

    if not args.docx and not args.pdf:
        raise _UsageError("report needs --docx PATH and/or --pdf PATH")
    name = export.scenario_name(sc, args.lang, Path(args.scenario).stem if args.scenario else None)
    docx = scenario_docx(base, sc, args.lang, name=name)
    files = [(args.docx, docx)] if args.docx else []
    if args.pdf:
        files.append((args.pdf, docx_to_pdf(docx)))
    for path, data in files:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            raise _UsageError(f"cannot write {path}: {exc.strerror}") from None


def _advice(args: argparse.Namespace, base, sc) -> None:
    """``seek`` and ``mix``: a recommended setting and its chance over ``--runs`` runs of ``--seed``."""
    from .core.feasibility import within_ids
    from .io.feasibility_data import load_feasibility
    from .schema.mix import cheapest_mix

    goals = {g.id: g for g in resolve_goals(sc, base)}
    if args.target not in goals:
        raise _UsageError(f"--target must be one of {', '.join(goals)}")
    if not args.central and not 0 < args.probability < 1:
        raise _UsageError("--probability must be between 0 and 1 (e.g. 0.5)")
    if not 1 <= args.runs <= MAX_SEEK_RUNS or args.seed < 0:
        raise _UsageError(f"--runs must be between 1 and {MAX_SEEK_RUNS} and --seed 0 or more")
    probability = None if args.central else args.probability
    try:
        within = within_ids(args.within)
    except ValueError as exc:
        raise _UsageError(f"--within: {exc}") from None
    limits = {"within": within, "data": load_feasibility(base)} if within else {}
    if args.command == "seek":
        result = seek(base, sc, args.target, args.lever, probability=probability, runs=args.runs, seed=args.seed,
                      **limits)
    else:
        if goals[args.target].metric not in ("cluster_total", "total_multiple"):
            raise _UsageError("mix needs a level goal (e.g. stainless_cluster or doubling)")
        result = cheapest_mix(base, sc, args.target, probability=probability, runs=args.runs, seed=args.seed,
                              **limits)
    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n"
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"cannot write {args.out}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def _export(args: argparse.Namespace, base, sc) -> None:
    from .io import export  # xlsxwriter is only needed here
    from .io.feasibility_data import load_feasibility
    from .reports.briefing import briefing
    from .schema.feasibility import feasibility_summary
    from .schema.runs import summarize

    if not args.xlsx and not args.csv:
        raise _UsageError("export needs --xlsx PATH and/or --csv PATH")
    name = export.scenario_name(sc, args.lang, Path(args.scenario).stem if args.scenario else None)
    files: list[tuple[str, bytes]] = []
    try:  # the page's runs and seed: the chances it shows
        feas = {name: feasibility_summary(base, load_feasibility(base), sc, runs=DEFAULT_RUNS, seed=DEFAULT_SEED)}
    except SimulatorError:  # a region without feasibility data
        feas = {}
    if args.csv:
        table = export.localise_series(export.scenarios_series_table(base, [(name, sc)], feasibility=feas), base,
                                       args.lang)
        files.append((args.csv, export.csv_bytes(table)))
    if args.xlsx:
        ens = summarize(base, sc, runs=DEFAULT_RUNS, seed=DEFAULT_SEED)
        probs = {name: {g: float(p) for g, p in zip(ens.goal_ids, ens.probability)}}
        text = briefing(base, sc, args.lang, ens, money="data", feasibility=feas.get(name))  # the page's, in 亿元
        files.append((args.xlsx, export.workbook_bytes(base, [(name, sc)], lang=args.lang, narrative=text,
                                                       probabilities=probs, runs=ens.runs, seed=ens.seed,
                                                       feasibility=feas or None)))
    for path, data in files:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            raise _UsageError(f"cannot write {path}: {exc.strerror}") from None


def _constraints(args: argparse.Namespace, base, sc) -> pd.DataFrame:
    """The four constraints of the central path, with the ensemble's chance of staying within each; then
    the payback (``payback``: central year, ensemble median, chance by the end year) and the extra energy
    the levers need (``energy_extra``, each goal year and the end year, against the neutral twin)."""
    if not 1 <= args.runs <= MAX_RUNS:
        raise _UsageError(f"--runs must be between 1 and {MAX_RUNS}")
    if args.seed < 0:
        raise _UsageError("--seed must be 0 or a positive whole number")
    return scenario_constraints(base, sc, args.runs, args.seed)


def _write(table: pd.DataFrame, fmt: str, out: str | None) -> None:
    if fmt == "csv":
        text = table.to_csv(index=False, float_format="%.6g")
    else:
        records = json.loads(table.to_json(orient="records", double_precision=10))
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"cannot write {out}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        base = load_baseline(args.data)
        doc = read_scenario_file(args.scenario) if args.scenario else {}
        sc = parse_scenario(doc, base)
        if args.command in ("seek", "mix"):
            _advice(args, base, sc)
        elif args.command == "export":
            _export(args, base, sc)
        elif args.command == "report":
            _report(args, base, sc)
        elif args.command == "run":
            _write(projection_table(run_scenario(base, sc), base, real=args.real), args.format, args.out)
        elif args.command == "constraints":
            _write(_constraints(args, base, sc), args.format, args.out)
        elif args.command == "gains":
            years = tuple(sorted({g.target_year for g in resolve_goals(sc, base)} | {base.end_year}))
            _write(gain_table(scenario_results(base, sc), years), args.format, args.out)
        else:
            if not 1 <= args.runs <= MAX_RUNS:
                raise _UsageError(f"--runs must be between 1 and {MAX_RUNS}")
            if args.seed < 0:
                raise _UsageError("--seed must be 0 or a positive whole number")
            res = scenario_results(base, sc)
            central = res.goals  # steady growth judged over the page's ensemble
            chance = None
            if args.runs > 1:  # judged over the ensemble whose chance is printed beside it
                ens = run_ensemble(base, sc, args.runs, args.seed)[1]
                central, chance = judged_by_ensemble(central, ensemble_median(ens)), ens.probability
            table = goals_table(central, probability=chance, cluster_net=res.cluster_net, years=res.years)
            _write(table, args.format, args.out)
    except SimulatorError as exc:
        print(f"error: {exc.en}", file=sys.stderr)
        return EXIT_USAGE
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return 0
    return 0
