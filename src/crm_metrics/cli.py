"""``crm-metrics``: the CRM metrics report on your files, or on the bundled data.

Usage::

    crm-metrics demo [--out DIR] [--quiet]
    crm-metrics report --config report.toml [--out DIR] [--quiet]
    crm-metrics report --source transactions=orders.csv --column transactions.ts=date \\
        --metrics nps,active_customers --start 2024-01-01 --end 2025-01-01
    crm-metrics report --list-metrics

Both commands write ``report.json``, ``report.html`` and (with the CLV figures) the
per-customer ``customers.csv`` into ``--out`` (default ``crm-report``) and print a summary
table. The outputs of a run are written into a
temporary folder next to ``--out`` that then replaces it, so the folder holds one whole
report, never a mix. Exit codes: 0 success, 2 bad configuration or data (one line on
stderr naming the file, column and row; nothing written).

This module needs the optional extra ``crm_metrics[report]`` (pandas, pyarrow, scipy);
``import crm_metrics`` never imports it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_metrics.report.config import ReportOptions
    from crm_metrics.report.load import Source
    from crm_metrics.report.schema import Report, TableValue
    from crm_metrics.report.terminal import Progress

__all__ = ["main"]

_EXTRA_HINT = 'crm-metrics needs the report extra: pip install "crm-metrics[report]"'


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-metrics", description="CRM metrics report (report.json, report.html)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, default=Path("crm-report"), help="output folder")
    common.add_argument("--quiet", action="store_true", help="no progress lines")
    commands.add_parser(
        "demo", parents=[common], help="the report on the bundled CDNOW log and synthetic logs"
    )
    report = commands.add_parser("report", parents=[common], help="the report on your files")
    report.add_argument("--config", type=Path, help="TOML configuration (examples/report.toml)")
    report.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="SCHEMA=PATH",
        help="an input file, e.g. transactions=orders.csv (repeatable)",
    )
    report.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="SCHEMA.FIELD=COLUMN",
        help="column mapping, e.g. transactions.ts=order_date (repeatable)",
    )
    report.add_argument("--metrics", help="comma-separated metric names (default: all possible)")
    for name in ("start", "end", "as-of"):
        report.add_argument(f"--{name}", help="ISO-8601 date or time")
    report.add_argument("--freq", choices=("D", "W", "M", "Q", "Y"), help="period (default M)")
    report.add_argument("--title", help="report title")
    report.add_argument("--list-metrics", action="store_true", help="list metric names and exit")
    return parser


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    from crm_metrics.report.load import ReportError

    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ReportError(f"{flag} {item!r}: expected KEY=VALUE")
        pairs[key] = value
    return pairs


def _config_from_args(args: argparse.Namespace) -> Any:
    from crm_metrics.report.config import load_config
    from crm_metrics.report.load import ReportError

    sources: dict[str, dict[str, Any]] = {
        schema: {"path": path} for schema, path in _pairs(args.source, "--source").items()
    }
    for target, column in _pairs(args.column, "--column").items():
        schema, _, field = target.partition(".")
        if schema not in sources:
            raise ReportError(f"--column {target}={column}: give --source {schema}=PATH first")
        sources[schema].setdefault("columns", {})[field] = column
    if args.config is None and not sources:
        raise ReportError("report: give --config FILE or at least one --source SCHEMA=PATH")
    metrics = None if args.metrics is None else [m.strip() for m in args.metrics.split(",")]
    return load_config(
        args.config,
        sources=sources,
        metrics=metrics,
        start=args.start,
        end=args.end,
        as_of=args.as_of,
        freq=args.freq,
        title=args.title,
    )


def _report_sources(config: Any, names: list[str], progress: Progress) -> dict[str, Source]:
    from crm_metrics.report.compute import fields_needed
    from crm_metrics.report.load import read_source

    sources = {}
    for schema, fields in fields_needed(names).items():
        spec = config.sources[schema]
        with progress.step(f"reading {spec.path}"):
            sources[schema] = read_source(
                schema, spec.path, fields, columns=spec.columns, fmt=spec.format
            )
    return sources


def _demo_sources(progress: Progress) -> tuple[dict[str, Source], ReportOptions]:
    from crm_metrics import datasets
    from crm_metrics.report.config import ReportOptions
    from crm_metrics.report.load import SCHEMAS, Source

    def source(schema: str, log: Any, what: str) -> Source:
        columns = {f: getattr(log, f) for f in SCHEMAS[schema] if hasattr(log, f)}
        rows = len(next(iter(columns.values())))
        return Source(schema, f"crm_metrics.datasets.{what}", columns, rows)

    with progress.step("loading the CDNOW log and simulating the CRM logs"):
        sales = datasets.simulate_sales(3000, seed=0)
        campaigns = datasets.simulate_campaigns(20000, seed=0)
        sales_call = "simulate_sales(3000, seed=0)"
        sources = {
            "transactions": source("transactions", datasets.load_cdnow(), 'load_cdnow("master")'),
            "surveys": source(
                "surveys", datasets.simulate_surveys(5000, seed=0), "simulate_surveys(5000, seed=0)"
            ),
            "campaigns": source("campaigns", campaigns, "simulate_campaigns(20000, seed=0)"),
            "deals": source("deals", sales.deals, f"{sales_call}.deals"),
            "stages": source("stages", sales.stages, f"{sales_call}.stages"),
            "activities": source("activities", sales.activities, f"{sales_call}.activities"),
            "tickets": source(
                "tickets", datasets.simulate_tickets(5000, seed=0), "simulate_tickets(5000, seed=0)"
            ),
            "calls": source(
                "calls", datasets.simulate_calls(20000, seed=0), "simulate_calls(20000, seed=0)"
            ),
        }
    options = ReportOptions(
        title="crm_metrics demo: the CDNOW log and synthetic CRM logs",
        stage_order=list(sales.stage_order),
        campaign_costs={str(k): float(v) for k, v in campaigns.costs.items()},
    )
    return sources, options


#: The files a run writes into ``--out`` (``customers.csv`` when the CLV is computed), and
#: a screenshot of the page if one was taken: what an earlier report's folder may hold.
_REPLACEABLE = frozenset({"report.json", "report.html", "customers.csv", "report.png"})


def _check_out(out: Path) -> None:
    """Refuse an ``--out`` that is a file, or a folder holding anything but an older report."""
    from crm_metrics.report.load import ReportError

    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out}: is a file, not a folder; give a folder for the report")
    if out.is_dir():
        other = sorted(p.name for p in out.iterdir() if p.name not in _REPLACEABLE)
        if other:
            raise ReportError(
                f"--out {out}: the folder holds files that are not a report's "
                f"({', '.join(other[:3])}{', ...' if len(other) > 3 else ''}); the report "
                "replaces the whole folder, so "
                "give a new or empty folder"
            )


def _write(report: Report, out: Path) -> None:
    """Write every output into a temporary folder next to ``out``, then swap it in.

    Readers of ``out`` see the old report or the new one, never a mix: the new folder is
    complete before it takes the old one's name, and the old folder is removed only then.
    """
    import shutil

    from crm_metrics.report.html import render_html
    from crm_metrics.report.load import ReportError

    _check_out(out)
    out = Path(os.path.abspath(out))  # a name and a parent even for "." or "dir/.."
    texts = {
        "report.json": report.model_dump_json(indent=1) + "\n",
        "report.html": render_html(report),
    }
    texts.update({name: _csv(table) for name, table in report.files.items()})
    umask = os.umask(0)
    os.umask(umask)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise ReportError(f"--out {out}: cannot write there ({exc.strerror})") from None
    old = None
    try:
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        os.chmod(folder, 0o777 & ~umask)  # mkdtemp creates 0o700
        if out.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / out.name)
        try:
            os.replace(folder, out)
        except OSError:
            if old is not None:  # put the old report back
                os.replace(old / out.name, out)
            raise
    except OSError as exc:
        raise ReportError(f"--out {out}: cannot write the report ({exc})") from None
    finally:
        for leftover in (folder, old):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)


def _csv(table: TableValue) -> str:
    """A table as CSV text: a header line, empty cells for nulls, numbers as Python writes them."""
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([["" if cell is None else cell for cell in row] for row in table.rows])
    return text.getvalue()


def _list_metrics() -> str:
    from crm_metrics.report.compute import METRICS

    width = max(map(len, METRICS))
    lines = []
    for name, spec in METRICS.items():
        needs = "; ".join(f"{s}: {', '.join(f)}" for s, f in spec.needs.items())
        extra = " (+ stage_order)" if spec.needs_stage_order else ""
        lines.append(f"{name:<{width}}  {needs}{extra}")
    return "\n".join(lines)


def _print_to_reader(text: str) -> None:
    """Print ``text``; a reader that stops early (``| head``) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``crm-metrics`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The command line without the program name, e.g. ``["demo", "--out", "r"]``.

    Returns
    -------
    int
        0 on success; 2 for a usage, configuration or data error (one line on stderr,
        no output written) or when the ``report`` extra is not installed.
    """
    args = _parser().parse_args(argv)
    missing = [m for m in ("pandas", "scipy") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"{_EXTRA_HINT} ({', '.join(missing)} missing)", file=sys.stderr)
        return 2

    import crm_metrics
    from crm_metrics.report.compute import compute_report, selected
    from crm_metrics.report.load import ReportError
    from crm_metrics.report.terminal import Progress, summary_table

    progress = Progress(quiet=args.quiet)
    try:
        if args.command == "report" and args.list_metrics:
            _print_to_reader(_list_metrics())
            return 0
        _check_out(args.out)  # before the long steps
        if args.command == "demo":
            sources, options = _demo_sources(progress)
        else:
            options = _config_from_args(args)
            names = selected(options, frozenset(options.sources))
            sources = _report_sources(options, names, progress)
        report = compute_report(
            sources, options, version=crm_metrics.__version__, progress=progress
        )
        with progress.step(f"writing {', '.join(['report.json', 'report.html', *report.files])}"):
            _write(report, args.out)
    except ReportError as exc:
        print(f"crm-metrics: {exc}", file=sys.stderr)
        return 2
    print(summary_table(report))
    written = [args.out / name for name in ("report.html", "report.json", *report.files)]
    print(f"\nReport written to {', '.join(map(str, written[:-1]))} and {written[-1]}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
