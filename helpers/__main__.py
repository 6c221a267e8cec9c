"""Command line: `python -m helpers status|coverage|build-data|brief|briefs|notebooks`."""

from __future__ import annotations

import argparse
import sys

from helpers.errors import DataError


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
    return 0


def _coverage(_: argparse.Namespace) -> int:
    from helpers import coverage

    print(f"wrote {coverage.write()}")
    return 0


def _build_data(_: argparse.Namespace) -> int:
    from helpers import coverage, manifest, sources

    written, skipped = sources.build(sources.raw_files())
    manifest.write()
    coverage.write()
    print(f"data/figures.csv: {written} figures ({skipped} raw rows are series not modelled); "
          "manifest and COVERAGE.md rewritten")
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
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
