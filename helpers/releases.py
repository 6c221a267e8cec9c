"""GACC's release calendar and the month logic built on it: which months a brief can be made
for, whether a month asked for is valid, and which releases are due but not in the data.

GACC publishes each month's data in stages: a preliminary release (快讯, the headline 稀土
line), monthly tables (月刊, HS codes by partner) and the online database (在线查询数据).
January comes with February. `data/reference/release_calendar.csv` holds the dates read from
GACC's published schedules (2020, 2025) and release dates reported by the press for other
months, each with its source. Where it has no date, a rule stands in: the latest day seen for
the stage in those schedules and reports (`RULE_DAY`); the press-reported exception, September
2022 released ten days late, is in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from helpers import csvfile, paths, series
from helpers.errors import DataError

COLUMNS = ["month", "stage", "date", "kind", "source", "url", "published"]
STAGES = ("preliminary", "monthly_tables", "database")
KINDS = ("calendar", "reported")
#: Day of the next month by which a stage is out when no date is known (the latest day the
#: 2020 and 2025 schedules and the reported releases of 2019-2026 give for each stage).
RULE_DAY = {"preliminary": 14, "monthly_tables": 23, "database": 31}


class MonthError(ValueError):
    """A month a brief cannot be made for: malformed or outside the data."""


@dataclass(frozen=True)
class Release:
    """When one stage of one month's data came out, and how that date is known."""

    month: pd.Period
    stage: str
    date: date
    how: str  # "calendar", "reported" or "rule"
    source: str = ""
    url: str = ""


def load(path: str | Path = paths.RELEASE_CALENDAR) -> pd.DataFrame:
    """The release calendar, validated; one row per month and stage."""
    path = Path(path)
    frame = csvfile.read_table(path, COLUMNS)
    seen: set[tuple[str, str]] = set()
    for line, record in frame.iterrows():
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", record["month"]):
            raise DataError(path, line, f"{record['month']!r} is not YYYY-MM", column="month")
        if record["stage"] not in STAGES or record["kind"] not in KINDS:
            raise DataError(path, line, f"expected a stage in {STAGES} and a kind in {KINDS}",
                            column="stage")
        try:
            released = date.fromisoformat(record["date"])
        except ValueError:
            raise DataError(path, line, f"{record['date']!r} is not a date YYYY-MM-DD",
                            column="date") from None
        if released <= pd.Period(record["month"], "M").end_time.date():
            raise DataError(path, line, f"released {released} within or before its month "
                            f"{record['month']}", column="date")
        if not record["url"].startswith(("http://", "https://")) or not record["source"]:
            raise DataError(path, line, "every date needs its source title and address",
                            column="url")
        key = (record["month"], record["stage"])
        if key in seen:
            raise DataError(path, line, f"{key} is given twice", column="month")
        seen.add(key)
    frame = frame.reset_index(drop=True)
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


def release(month: str | pd.Period, stage: str = "preliminary",
            calendar: pd.DataFrame | None = None) -> Release:
    """When `stage` of `month` came (or comes) out: from the calendar, else by the rule.
    January is released with February."""
    if stage not in STAGES:
        raise ValueError(f"stage {stage!r}: expected one of {STAGES}")
    month = pd.Period(month, "M")
    if month.month == 1:
        month += 1
    table = load() if calendar is None else calendar
    hit = table[(table["month"] == month) & (table["stage"] == stage)]
    if len(hit):
        row = hit.iloc[0]
        return Release(month, stage, row["date"], row["kind"], row["source"], row["url"])
    after = (month + 1).to_timestamp()
    day = min(RULE_DAY[stage], after.days_in_month)
    return Release(month, stage, after.replace(day=day).date(), "rule")


def due(last: pd.Period, today: date, stage: str = "preliminary",
        calendar: pd.DataFrame | None = None) -> list[pd.Period]:
    """Months after `last` whose `stage` should be out by `today` (January is not a release
    of its own): how far the data have fallen behind GACC."""
    table = load() if calendar is None else calendar
    out, month = [], last + 1
    while True:
        if month.month != 1:
            if release(month, stage, table).date > today:
                return out
            out.append(month)
        month += 1


def behind_text(last: pd.Period, today: date) -> str | None:
    """One line for the command line and the brief's banner when later releases are missing."""
    missing = due(last, today)
    if not missing:
        return None
    return (f"GACC has published {span(missing)} since these data end ({last}): "
            f"{len(missing)} release{'s' if len(missing) > 1 else ''} not in data/figures.csv yet; "
            "add them with `python -m helpers add` (data/README.md)")


def span(months: list[pd.Period]) -> str:
    """`2026-03` or `2026-03 to 2026-10`."""
    return str(months[0]) if len(months) == 1 else f"{months[0]} to {months[-1]}"


def available_months(headline: series.Built, magnets: series.Built | None = None,
                     ends: pd.Series | None = None) -> list[pd.Period]:
    """Months a brief can be made for: a known headline month, a February whose combined
    January-February figure is known, or a month of the detailed release (magnets) alone.

    With `ends` (each figure id's end month), a month known only from figures that end after
    it (January 2024 as January-February less February) is left out: a brief uses nothing
    after its month, so it would hold no figure (see `known_later`)."""
    last = None if ends is None else {i: str(end) for i, end in ends.items()}

    def in_time(ids: list[str], month: pd.Period) -> bool:
        return last is None or all(last.get(i, "") <= str(month) for i in ids)

    out: set[pd.Period] = set()
    for built in filter(None, (headline, magnets)):
        months = built.months
        out |= {m for m, origin, ids in zip(months.index, months["origin"], months["ids"],
                                            strict=True)
                if origin != "missing" and in_time(ids, m)}
        out |= {february for year in built.janfeb.index
                if in_time(built.janfeb.at[year, "ids"], february := pd.Period(f"{year}-02", "M"))}
    return sorted(out)


def known_later(headline: series.Built, magnets: series.Built | None,
                ends: pd.Series) -> set[pd.Period]:
    """Months with a figure that only later figures give (derived from totals ending after
    them): `available_months` leaves them out, `check_month` says why."""
    return (set(available_months(headline, magnets))
            - set(available_months(headline, magnets, ends)))


def check_month(text: str | None, available: list[pd.Period],
                janfeb_years: set[int] | frozenset[int] = frozenset(),
                later: set[pd.Period] | frozenset[pd.Period] = frozenset()) -> pd.Period:
    """The month asked for, or the latest available; MonthError with one readable line."""
    latest = available[-1]
    if text is None:
        return latest
    if not re.fullmatch(r"\d{4}-\d{2}", str(text)) or not 1 <= int(str(text)[5:]) <= 12:
        raise MonthError(f"month {text!r} is not YYYY-MM; the latest available month is {latest}")
    month = pd.Period(text, "M")
    if month not in available:
        hint = (f"; January {month.year} is published only combined with February: use "
                f"--month {month.year}-02" if month.month == 1 and month.year in janfeb_years
                else "")
        why = (f"{month} is known only from totals that end after it (a brief uses nothing "
               f"about later months){hint}" if month in later
               else f"no published figure for {month}{hint}")
        raise MonthError(f"{why}; the latest available month is {latest} "
                         f"(earliest {available[0]})")
    return month


def in_range(start: str, end: str, available: list[pd.Period]
             ) -> tuple[list[pd.Period], list[pd.Period]]:
    """(available months, months without a figure) from start to end inclusive; MonthError when
    a bound is malformed or the range is empty or reversed."""
    bounds = []
    for text in (start, end):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(text)):
            raise MonthError(f"month {text!r} is not YYYY-MM")
        bounds.append(pd.Period(text, "M"))
    first, last = bounds
    if first > last:
        raise MonthError(f"--from {first} is after --to {last}")
    months = list(pd.period_range(first, last, freq="M"))
    return ([m for m in months if m in available], [m for m in months if m not in available])
