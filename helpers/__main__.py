"""Command line: `python -m helpers status|coverage|build-data|brief|briefs|notebooks`."""

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


def _status(_: argparse.Namespace) -> int:
    from helpers import coverage, paths, series

    table = coverage.status()
    print(f"Series built from {paths.FIGURES.relative_to(paths.ROOT)} "
          "(reported = single-month figure; derived = from year-to-date totals):\n")
    print(table.to_string())
    months = series.provenance()
    known = months[months["origin"] != "missing"]
    last = known.index[-1]
    print(f"\nLatest headline month: {last}: {known['value'].iloc[-1]:,.1f} t "
          f"({known['origin'].iloc[-1]})")
    _say_if_behind(str(last))
    return 0


def _coverage(_: argparse.Namespace) -> int:
    from helpers import coverage

    print(f"wrote {coverage.write()}")
    return 0


def _build_data(_: argparse.Namespace) -> int:
    from helpers import coverage, manifest, sources

    written, skipped = sources.build(sources.raw_files(),
                                     corrections_file=paths.PERIOD_CORRECTIONS)
    manifest.write()
    coverage.write()
    print(f"data/figures.csv: {written} figures ({skipped} raw rows are series not modelled); "
          "manifest and COVERAGE.md rewritten")
    return 0


def _brief(args: argparse.Namespace) -> int:
    from helpers import render
    from helpers.brief import MonthError

    try:
        result = render.render(args.month, args.out, pdf=args.pdf, data_files=args.data)
    except MonthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    if result.ok:
        print(render.headline(result.folder))
    if args.month is None:
        _say_if_behind(result.month)
    return 0 if result.ok else 1


def _say_if_behind(last: str) -> None:
    """Warn (stderr) when GACC has published months that the data do not hold yet."""
    import pandas as pd

    from helpers.brief import behind_text

    note = behind_text(pd.Period(last, "M"), date.today())
    if note:
        sys.stdout.flush()
        print(note, file=sys.stderr)


def _briefs(args: argparse.Namespace) -> int:
    from helpers import render
    from helpers.brief import MonthError

    try:
        results = render.render_range(args.start, args.end, args.out, pdf=args.pdf)
    except MonthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(r.message, file=sys.stderr)
    print(f"{len(results) - len(failed)} briefs written to {args.out}, {len(failed)} failed")
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
    commands.add_parser("build-data", help="rebuild data/figures.csv from the raw sources"
                        ).set_defaults(run=_build_data)
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
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
