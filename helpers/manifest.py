"""Data contract: data/datapackage.json records each data file's schema, row count and sha256.

A test re-checks the committed files against it offline, so a hand edit that bypasses the
builder (or a truncated file) is caught and named.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers import csvfile, events, figures, outlets, paths, releases, sources
from helpers.errors import DataError

_DESCRIPTIONS = {
    "figures.csv": "One row per published figure of China's rare-earth trade, normalised; "
                   "conflicting copies kept as separate rows.",
    "events.csv": "Dated policy timeline: announced and informal measures, relaxations, talks, "
                  "supply shocks, legal steps; announcement and effective dates, the goods "
                  "and partners each concerns.",
    "period_corrections.csv": "Raw rows whose source mislabels the period: the period they "
                              "belong to and the evidence.",
    "annotations.csv": "Raw rows whose title does not show what they need: a flag (e.g. a copy "
                       "truncated to tens) or the page's own words, with the evidence.",
    "outlets.csv": "Outlet ranks: GACC 0, wire services 1, trade press 2 (unlisted 3, marked "
                   "weak 4); a series prefers the best-ranked copy.",
    "release_calendar.csv": "GACC's release dates per month and stage (preliminary, monthly "
                            "tables, database), from its published schedules or press reports.",
}
_SCHEMAS = {"figures.csv": figures.COLUMNS, "events.csv": events.COLUMNS,
            "period_corrections.csv": sources.CORRECTION_COLUMNS,
            "annotations.csv": sources.ANNOTATION_COLUMNS, "outlets.csv": outlets.COLUMNS,
            sources.OWN_FILE.name: sources.OWN_COLUMNS,
            paths.RELEASE_CALENDAR.name: releases.COLUMNS}


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(csvfile.read_bytes(path)).hexdigest()


def _resource(path: Path) -> dict[str, object]:
    text = csvfile.decode(path, csvfile.read_bytes(path))
    rows = sum(1 for _ in csvfile.records(path, text)) - 1  # records, not lines: a quote may hold a newline
    return {
        "name": path.stem,
        "path": path.relative_to(paths.DATA).as_posix(),
        "description": _DESCRIPTIONS.get(path.name, "Raw figures as read, before normalising."),
        "format": "csv",
        "encoding": "utf-8",
        "rows": rows,
        "hash": f"sha256:{sha256(path)}",
        "schema": {"fields": [{"name": c, "type": "number" if c == "value" else "string"}
                              for c in _SCHEMAS.get(path.name, sources.RAW_COLUMNS)]},
    }


def files() -> list[Path]:
    """Data files under contract: figures, events, period corrections, annotations, our raw
    finds and the reference tables (outlet ranks, release calendar)."""
    corrections = [p for p in (paths.PERIOD_CORRECTIONS, paths.ANNOTATIONS) if p.exists()]
    return [paths.FIGURES, paths.EVENTS, *corrections,
            *sorted((paths.DATA / "sources").glob("*.csv")),
            *sorted(paths.REFERENCE.glob("*.csv"))]


def write(path: Path = paths.MANIFEST) -> None:
    """Record the current data files in the manifest (after a validated rebuild)."""
    package = {
        "name": "china-rare-earth-customs",
        "title": "China rare-earth trade figures as published, with sources",
        "licenses": [{"name": "other-attribution",
                      "title": "Figures quoted from the cited publications"}],
        "resources": [_resource(p) for p in files()],
    }
    csvfile.write_atomic(path, json.dumps(package, indent=2, ensure_ascii=False) + "\n")


def check(path: Path = paths.MANIFEST) -> None:
    """Raise DataError naming the first data file that no longer matches the manifest."""
    try:
        package = json.loads(csvfile.decode(path, csvfile.read_bytes(path)))
    except json.JSONDecodeError as exc:
        raise DataError(path, exc.lineno, f"not JSON ({exc.msg}); rebuild the manifest with "
                        "`python -m helpers build-data`") from None
    listed = {r["path"]: r for r in package["resources"]}
    for data_file in files():
        rel = data_file.relative_to(paths.DATA).as_posix()
        if rel not in listed:
            raise DataError(data_file, None, f"not listed in {path.name}; rebuild the manifest "
                            "with `python -m helpers build-data`")
        if listed[rel]["hash"] != f"sha256:{sha256(data_file)}":
            raise DataError(data_file, None, f"sha256 differs from {path.name}: the file was "
                            "changed outside `python -m helpers build-data`")
        header = csvfile.header(data_file)
        expected = [f["name"] for f in listed[rel]["schema"]["fields"]]
        if expected and header != expected:
            raise DataError(data_file, 1, f"header {header} differs from the manifest {expected}")
    for rel in listed:
        if not (paths.DATA / rel).exists():
            raise DataError(paths.DATA / rel, None, f"listed in {path.name} but missing")
