"""The dated policy timeline (data/events.csv) for plots, briefs and intervention models."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.errors import DataError

COLUMNS = ["id", "date", "kind", "title", "detail", "url", "source", "also"]
KINDS = ["control", "relaxation", "talks", "supply", "legal", "other"]
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def load(path: str | Path = paths.EVENTS) -> pd.DataFrame:
    """Events sorted by date; `date` is the first day of what the source dates (`precision`)."""
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0] != COLUMNS:
        raise DataError(path, 1, f"expected the header {','.join(COLUMNS)}")
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS):
            raise DataError(path, number, f"{len(row)} fields; expected {len(COLUMNS)}")
        record = dict(zip(COLUMNS, row))
        if not _DATE.match(record["date"]):
            raise DataError(path, number, f"{record['date']!r} is not YYYY[-MM[-DD]]",
                            column="date")
        if record["kind"] not in KINDS:
            raise DataError(path, number, f"{record['kind']!r} is not one of {KINDS}",
                            column="kind")
        if not record["url"]:
            raise DataError(path, number, "every event needs a source address", column="url")
        if record["id"] in seen or not record["id"]:
            raise DataError(path, number, f"id {record['id']!r} is empty or repeated",
                            column="id")
        seen.add(record["id"])
    frame = pd.DataFrame(rows[1:], columns=COLUMNS)
    frame["precision"] = frame["date"].str.len().map({4: "year", 7: "month", 10: "day"})
    frame["date"] = pd.to_datetime(frame["date"], format="mixed")
    return frame.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def pick(events: pd.DataFrame, chosen: Iterable[str] | None = None,
         kinds: Iterable[str] | None = None, start: str | None = None,
         end: str | None = None) -> pd.DataFrame:
    """Events by id (or date prefix such as '2025-04'), kind and date range; unknown ids fail."""
    out = events
    if chosen is not None:
        chosen = list(chosen)
        mask = pd.Series(False, index=events.index)
        for key in chosen:
            hit = (events["id"] == key) | events["date"].dt.strftime("%Y-%m-%d").str.startswith(key)
            if not hit.any():
                raise DataError(paths.EVENTS, None, f"no event with id or date {key!r}; "
                                f"known ids: {', '.join(events['id'])}")
            mask |= hit
        out = out[mask]
    if kinds is not None:
        out = out[out["kind"].isin(list(kinds))]
    if start is not None:
        out = out[out["date"] >= pd.Timestamp(start)]
    if end is not None:
        out = out[out["date"] < pd.Period(end, "M").end_time]
    return out
