"""The dated policy timeline (data/events.csv) for plots, briefs and intervention models.

`date` is when a measure was announced (for an informal measure, the date of the press report
of it); `effective` is when it takes effect, empty when the same day or unknown. `kind` says
what an event is, so that a chart or a brief never draws a press report as a measure:

- measure: an announced measure (a notice, with its number where it has one)
- informal: press reports of measures nobody announced
- relaxation: relaxations and suspensions; `ends` names the event suspended or lifted
- talks: talks and truces
- supply, legal, other: supply shocks, laws and rulings, the rest

`about` says which goods it concerns, so that rare-earth exports are never judged against a
control on gallium or antimony; `partners` says whom it targets:

- rare-earth exports: exporting rare earths, their compounds, magnets or their technology
- rare-earth supply: mining, production, management and imports of rare earths
- other goods: other materials only (gallium, germanium, graphite, antimony, tungsten, ...)
- all goods: tariffs, truces and export-control rules that cover goods in general

`partners` is ``all``, or the partners named (English names as in data/figures.csv, separated
by " | ").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from helpers import csvfile, paths
from helpers.errors import DataError

COLUMNS = ["id", "date", "effective", "kind", "title", "detail", "url", "source", "also", "ends",
           "about", "partners"]
KINDS = ["measure", "informal", "relaxation", "talks", "supply", "legal", "other"]
ABOUT = ["rare-earth exports", "rare-earth supply", "other goods", "all goods"]
#: What bears on rare earths: everything but controls on other goods only (context, not drawn).
ON_RARE_EARTHS = ("rare-earth exports", "rare-earth supply", "all goods")
ALL_PARTNERS = "all"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_URL = re.compile(r"^https?://[^\s|]+$")
_ID = re.compile(r"^[0-9a-z][0-9a-z.-]*$")
_PRECISION = {4: "year", 7: "month", 10: "day"}


def _date(value: str, path: Path, line: int, column: str) -> pd.Timestamp:
    """A real calendar date as YYYY, YYYY-MM or YYYY-MM-DD (the first day of a year or month)."""
    stamp = None
    if _DATE.match(value):
        stamp = pd.to_datetime(value, format={4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}[len(value)],
                               errors="coerce")
    if stamp is None or pd.isna(stamp):
        raise DataError(path, line, f"{value!r} is not a real date YYYY[-MM[-DD]]", column=column)
    return stamp


def _check(record: dict[str, str], path: Path, line: int) -> None:
    """Validate one row's fields (everything but `ends`, which needs the whole file)."""
    if not _ID.match(record["id"]):
        raise DataError(path, line, f"id {record['id']!r} is not lower-case letters, digits "
                        "and hyphens", column="id")
    announced = _date(record["date"], path, line, "date")
    if record["effective"]:
        effective = _date(record["effective"], path, line, "effective")
        if effective < announced:
            raise DataError(path, line, f"takes effect {record['effective']} before it was "
                            f"announced ({record['date']})", column="effective")
        if record["effective"] == record["date"]:
            raise DataError(path, line, "effective repeats date; leave it empty",
                            column="effective")
    if record["kind"] not in KINDS:
        raise DataError(path, line, f"{record['kind']!r} is not one of {KINDS}", column="kind")
    for column in ("title", "detail", "source"):
        if not record[column].strip():
            raise DataError(path, line, f"every event needs its {column}", column=column)
    if not _URL.match(record["url"]):
        raise DataError(path, line, f"{record['url']!r} is not an http(s) address",
                        column="url")
    for extra in filter(None, (a.strip() for a in record["also"].split(" | "))):
        if not _URL.match(extra):
            raise DataError(path, line, f"{extra!r} in also is not an http(s) address "
                            "(addresses are separated by ' | ')", column="also")
    if record["ends"] and record["kind"] != "relaxation":
        raise DataError(path, line, "only a relaxation ends another event", column="ends")
    if record["about"] not in ABOUT:
        raise DataError(path, line, f"{record['about']!r} is not one of {ABOUT}", column="about")
    names = [name.strip() for name in record["partners"].split(" | ")]
    if not all(names) or (ALL_PARTNERS in names and len(names) > 1):
        raise DataError(path, line, f"partners {record['partners']!r} is neither "
                        f"{ALL_PARTNERS!r} nor partner names separated by ' | '",
                        column="partners")


def load(path: str | Path = paths.EVENTS) -> pd.DataFrame:
    """Events sorted by date, every field validated; `date` and `effective` are datetimes
    (the first day of what the source dates, NaT when `effective` is empty) and `precision`
    says whether `date` is a day, a month or a year."""
    path = Path(path)
    table = csvfile.read_table(path, COLUMNS)
    rows = [(int(line), row.to_dict()) for line, row in table.iterrows()]
    lines: dict[str, int] = {}
    for number, record in rows:
        _check(record, path, number)
        if record["id"] in lines:
            raise DataError(path, number, f"id {record['id']!r} repeats line "
                            f"{lines[record['id']]}", column="id")
        lines[record["id"]] = number
    for number, record in rows:
        ends = record["ends"]
        if ends and ends not in lines:
            raise DataError(path, number, f"ends {ends!r}, which is no event id in the file",
                            column="ends")
    frame = table.reset_index(drop=True)
    frame["precision"] = frame["date"].str.len().map(_PRECISION)
    frame["date"] = pd.to_datetime(frame["date"], format="mixed")
    frame["effective"] = pd.to_datetime(frame["effective"].replace("", None), format="mixed")
    return frame.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def pick(events: pd.DataFrame, chosen: Iterable[str] | None = None,
         kinds: Iterable[str] | None = None, start: str | None = None,
         end: str | None = None, about: Iterable[str] | None = None) -> pd.DataFrame:
    """Events by id (or date prefix such as '2025-04'), kind, date range and the goods they are
    `about` (such as `ON_RARE_EARTHS`); unknown ids fail.

    An event is in the range [start, end month] when its announcement or its effective date is.
    """
    out = events
    days = {column: events[column].dt.strftime("%Y-%m-%d").fillna("")
            for column in ("date", "effective")}
    if chosen is not None:
        mask = pd.Series(False, index=events.index)
        for key in list(chosen):
            hit = ((events["id"] == key) | days["date"].str.startswith(key)
                   | (days["effective"].str.startswith(key) & (key != "")))
            if not hit.any():
                raise DataError(paths.EVENTS, None, f"no event with id or date {key!r}; "
                                f"known ids: {', '.join(events['id'])}")
            mask |= hit
        out = out[mask]
    for column, wanted, known, what in (("kind", kinds, KINDS, "kinds"),
                                        ("about", about, ABOUT, "subjects")):
        if wanted is not None:
            wanted = list(wanted)
            unknown = sorted(set(wanted) - set(known))
            if unknown:
                raise ValueError(f"unknown event {what} {unknown}; `{column}` is one of {known}")
            out = out[out[column].isin(wanted)]
    if start is not None or end is not None:
        lo = pd.Timestamp(start) if start is not None else pd.Timestamp.min
        hi = pd.Period(end, "M").end_time if end is not None else pd.Timestamp.max

        def inside(column: str) -> pd.Series:
            return (out[column] >= lo) & (out[column] <= hi)

        out = out[inside("date") | inside("effective")]
    return out
