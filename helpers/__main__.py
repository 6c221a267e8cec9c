"""Command line: `python -m helpers status|coverage|export|build-data|add|brief|briefs|notebooks|
fetch`."""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy loads, here and in every brief's kernel

import argparse  # noqa: E402
import sys  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers import paths  # noqa: E402
from helpers.errors import DataError  # noqa: E402
from helpers.intake import FILE_COLUMNS  # noqa: E402


def _status(_: argparse.Namespace) -> int:
    from helpers import coverage, paths, series

    table = coverage.status()
    print(f"Series built from {paths.FIGURES.relative_to(paths.ROOT)} "
          "(reported = single-month figure; derived = from year-to-date totals):\n")
    print(table.to_string())
    from helpers.wording import tonnes

    months = series.build().months
    known = months[months["origin"] != "missing"]
    last = known.index[-1]
    weak = ", unconfirmed: a single weak source" if known["rank"].iloc[-1] >= 4 else ""
    print(f"\nLatest headline month: {last}: {tonnes(known['value'].iloc[-1])} "
          f"({known['origin'].iloc[-1]}{weak})")
    _say_if_behind(str(last))
    return 0


def _coverage(_: argparse.Namespace) -> int:
    from helpers import coverage

    print(f"wrote {coverage.write()}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from helpers import export

    try:
        as_of = None if args.as_of is None else date.fromisoformat(args.as_of)
    except ValueError:
        print(f"error: --as-of {args.as_of!r} is not a date YYYY-MM-DD", file=sys.stderr)
        return 2
    path, table = export.write(args.out, as_of=as_of)
    counts = table["origin"].value_counts()
    said = ", ".join(f"{counts.get(o, 0)} {o}" for o in ("reported", "derived", "missing"))
    print(f"wrote {path}: {table['series'].nunique()} series, {len(table)} rows ({said}; "
          f"{int((table['start'] != table['end']).sum())} of them combined January-February)")
    return 0


def _build_data(_: argparse.Namespace) -> int:
    from helpers import coverage, manifest, sources

    written, skipped = sources.build_shipped()
    manifest.write()
    coverage.write()
    left = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
    print(f"data/figures.csv: {written} figures (raw rows left out: {left or 'none'}); "
          "manifest and COVERAGE.md rewritten")
    return 0


def _add(args: argparse.Namespace) -> int:
    from helpers import intake, notebooks, render

    today = date.today()
    values = {name: getattr(args, name) for name in intake.FILE_COLUMNS if name != "weak"}
    given = [name for name, value in values.items()
             if value is not None and name not in ("flow", "partner")]
    try:
        if args.file and given:
            raise intake.InputError(f"--file or --{given[0].replace('_', '-')}, not both")
        items = (intake.read_file(args.file, today) if args.file
                 else [intake.story({**values, "weak": "yes" if args.weak else ""}, today)])
        added, messages = intake.add(items)
    except intake.InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for message in messages:
        print(message)
    if not added:
        return 0
    print(f"added {len(added)} figure{'s' if len(added) > 1 else ''} "
          f"({', '.join(added)}); data/figures.csv, manifest and COVERAGE.md rebuilt")
    if args.notebooks:
        for path in notebooks.execute_all():
            print(f"executed {path.relative_to(paths.ROOT)}")
    if not args.brief:
        return 0
    month = str(max(item.end for item in items))
    result = render.render(month, args.out, pdf=args.pdf)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    if result.ok:
        print(render.headline(result.folder))
    return 0 if result.ok else 1


def _brief(args: argparse.Namespace) -> int:
    from helpers import render
    from helpers.releases import MonthError

    try:
        result = render.render(args.month, args.out, pdf=args.pdf, data_files=args.data)
    except (MonthError, render.RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    if result.ok:
        print(render.headline(result.folder))
    if args.month is None and result.ok:  # the headline line's end, as the brief's banner
        import json

        metrics = json.loads((result.folder / "metrics.json").read_text(encoding="utf-8"))
        _say_if_behind(metrics["data_end"])
    return 0 if result.ok else 1


def _say_if_behind(last: str) -> None:
    """Warn (stderr) when GACC has published months that the data do not hold yet."""
    import pandas as pd

    from helpers.releases import behind_text

    note = behind_text(pd.Period(last, "M"), date.today())
    if note:
        sys.stdout.flush()
        print(f"note: {note}", file=sys.stderr)


def _briefs(args: argparse.Namespace) -> int:
    from helpers import render
    from helpers.releases import MonthError

    try:
        results, skipped = render.render_range(args.start, args.end, args.out, pdf=args.pdf)
    except (MonthError, render.RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if skipped:
        print("skipped (no figure of the month, or one derived only from later totals): "
              + ", ".join(map(str, skipped)))
    for r in results:
        print(render.headline(r.folder) if r.ok else r.message,
              file=sys.stdout if r.ok else sys.stderr)
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} briefs written to {args.out}, {len(failed)} failed")
    if len(results) > len(failed):
        print(f"archive: {render.write_index(args.out)}")
    if not results:
        print(f"error: no month from {args.start} to {args.end} has a published figure",
              file=sys.stderr)
        return 2
    return 1 if failed else 0


def _notebooks(_: argparse.Namespace) -> int:
    from helpers import notebooks

    for path in notebooks.execute_all():
        print(f"executed {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; bad input exits 2 with one line."""
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="series, first/last month, months reported/derived/missing"
                        ).set_defaults(run=_status)
    commands.add_parser("coverage", help="write data/COVERAGE.md").set_defaults(run=_coverage)
    export = commands.add_parser("export", help="write the monthly series with their "
                                 "provenance as one CSV (reported, derived and missing months)")
    export.add_argument("--out", type=Path, default=paths.REPORTS / "series.csv",
                        help="the CSV to write (default: reports/series.csv)")
    export.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                        help="only the figures published by this day: the series as they were "
                        "known then (a date given as a month counts from its last day)")
    export.set_defaults(run=_export)
    commands.add_parser("build-data", help="rebuild data/figures.csv from the raw sources"
                        ).set_defaults(run=_build_data)
    add = commands.add_parser("add", help="take in a newly published figure, rebuild the data, "
                              "re-execute the notebooks and render that month's brief")
    add.add_argument("--month", help="YYYY-MM of a single-month figure")
    add.add_argument("--start", help="YYYY-MM, first month of an interval (with --end)")
    add.add_argument("--end", help="YYYY-MM, last month of an interval")
    add.add_argument("--product", help="rare_earths, magnets or rare_earth_products_bbg")
    add.add_argument("--flow", default="export", help="export (default) or import")
    add.add_argument("--partner", default="World", help="World (default) or a country")
    add.add_argument("--tonnes", help="the figure in tonnes")
    add.add_argument("--ytd-tonnes", dest="ytd_tonnes",
                     help="the January-to-month total of the same story, tonnes")
    add.add_argument("--usd", help="value in US dollars (full units)")
    add.add_argument("--cny", help="value in yuan (full units)")
    add.add_argument("--source", help='"OUTLET: headline"')
    add.add_argument("--quote", help="the story's words for the figure")
    add.add_argument("--url", help="the story's address")
    add.add_argument("--published", help="the story's date YYYY-MM-DD")
    add.add_argument("--weak", action="store_true", help="a weak source (rewrite, aggregator)")
    add.add_argument("--file", help=f"CSV of figures, columns among {','.join(FILE_COLUMNS)}")
    add.add_argument("--out", type=Path, default=paths.REPORTS, help="reports folder")
    add.add_argument("--notebooks", action=argparse.BooleanOptionalAction, default=True,
                     help="re-execute the research notebooks (default: yes)")
    add.add_argument("--brief", action=argparse.BooleanOptionalAction, default=True,
                     help="render the brief of the figure's month (default: yes)")
    add.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True)
    add.set_defaults(run=_add)
    brief = commands.add_parser("brief", help="render the monthly brief (HTML, PDF, metrics.json)")
    brief.add_argument("--month", help="YYYY-MM; default: the latest month with a figure")
    brief.add_argument("--out", type=Path, default=paths.REPORTS, help="reports folder")
    brief.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True,
                       help="also print brief.pdf with Chromium when installed")
    brief.add_argument("--data", nargs="+", default=[], metavar="FILE",
                       help="extra figures files, GACC downloads or Comtrade CSVs (magnets)")
    brief.set_defaults(run=_brief)
    briefs = commands.add_parser("briefs", help="render every available month in a range")
    briefs.add_argument("--from", dest="start", required=True, help="YYYY-MM")
    briefs.add_argument("--to", dest="end", required=True, help="YYYY-MM")
    briefs.add_argument("--out", type=Path, default=paths.REPORTS)
    briefs.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True)
    briefs.set_defaults(run=_briefs)
    commands.add_parser("notebooks", help="re-execute the research notebooks in place"
                        ).set_defaults(run=_notebooks)
    from helpers import comtrade  # the only command that uses the network

    fetch = commands.add_parser("fetch", help="download raw data into dated snapshots")
    comtrade.add_arguments(fetch.add_subparsers(dest="source", required=True).add_parser(
        "comtrade", help="monthly trade by partner from UN Comtrade (comtradeapicall)"))
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a disk or folder fault outside the data: one line, not a traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
