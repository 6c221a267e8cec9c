"""The modelled monthly series as one tidy CSV, each value with its provenance: for a
spreadsheet, R or Stata, where a gap stays a gap and a derived month says how it was derived.

One row per series and month from its first to its last month with data (missing months are
rows with no value), plus one row per combined January–February figure of a year whose single
months are not both known. Written by `python -m helpers export`; nothing here is stored in
data/ (derived months are computed at run time, never stored).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from helpers import coverage, csvfile, figures, series
from helpers.errors import DataError

COLUMNS = ["series", "product", "flow", "partner", "measure", "start", "end", "value", "origin",
           "unconfirmed", "derivation", "conflict", "known_since", "sources", "figure_ids"]
#: Columns of data text that pass through `csvfile.neutral` (no spreadsheet formula).
TEXT_COLUMNS = ("derivation", "sources")


def frame(data: pd.DataFrame | None = None,
          keys: list[tuple[str, str, str, str]] = coverage.SERIES,
          as_of: date | None = None) -> pd.DataFrame:
    """Every month of every series in `keys` (default: the series the package models) that
    the data hold, with its origin, its figures and since when it is known; with `as_of`, as
    the figures published by that day gave them (`figures.published_by`)."""
    data = figures.load() if data is None else data
    if as_of is not None:
        data = figures.published_by(data, as_of)
    rows = []
    for key in keys:
        try:
            built = series.build(*key, figures=data)
        except DataError:
            continue  # no figure of this series in these data
        head = {"series": coverage.label(*key), **dict(zip(COLUMNS[1:5], key, strict=True))}
        for month, m in built.months.iterrows():
            weak = m["origin"] == "reported" and int(m["rank"]) >= 4
            rows.append({**head, "start": str(month), "end": str(month),
                         **_provenance(m["value"], m["origin"], weak, m["derivation"],
                                       m["conflict"], m["ids"], m["sources"], data)})
        for year, jf in built.janfeb.iterrows():
            jan, feb = pd.Period(f"{year}-01", "M"), pd.Period(f"{year}-02", "M")
            if all(p in built.months.index and built.months.at[p, "origin"] != "missing"
                   for p in (jan, feb)):
                continue  # both months are rows of their own
            interval = next((i for i in built.intervals if (i.start, i.end) == (jan, feb)), None)
            weak = jf["origin"] == "reported" and interval is not None and interval.rank >= 4
            conflict = interval is not None and bool(interval.alternatives)
            rows.append({**head, "start": str(jan), "end": str(feb),
                         **_provenance(jf["value"], jf["origin"], weak, jf["derivation"],
                                       conflict, jf["ids"],
                                       interval.sources if interval else [], data)})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["value"] = out["value"].astype(float).round(6)  # 4022.9, not 4022.8999999999996
    return out.sort_values(["series", "start", "end"], kind="stable").reset_index(drop=True)


def _provenance(value: float, origin: str, weak: bool, derivation: str, conflict: bool,
                ids: list[str], sources: list[dict], data: pd.DataFrame) -> dict[str, object]:
    """The columns that say where a value comes from: a reported figure's agreeing copies, known
    since the first of them came out; a derived one's figures, known once the last came out."""
    known = [i for i in ids if i in data.index]
    if origin == "reported" and sources:
        urls = [s["url"] for s in sources]
        known = [s["id"] for s in sources]
        since = min(str(s["published"]) for s in sources)
    else:
        urls = [data.at[i, "url"] for i in known]
        since = max((str(data.at[i, "published"]) for i in known), default="")
    return {"value": value, "origin": origin, "unconfirmed": bool(weak),
            "derivation": derivation if origin != "reported" else "",
            "conflict": bool(conflict), "known_since": since,
            "sources": " | ".join(dict.fromkeys(urls)), "figure_ids": " ".join(known)}


def write(path: str | Path, data: pd.DataFrame | None = None, as_of: date | None = None
          ) -> tuple[Path, pd.DataFrame]:
    """The table written to `path` atomically (its folder made if needed), and the table."""
    table = frame(data, as_of=as_of)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return csvfile.write_frame(path, table, TEXT_COLUMNS), table
