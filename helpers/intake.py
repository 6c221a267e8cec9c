"""Take in newly published figures as a wire story gives them (`python -m helpers add`).

Each figure is checked against the calendar, its own story and the data before anything is
written; then it is appended to the project's raw file (`data/sources/found_figures.csv`, the
explicit layout of `helpers.sources`) and `figures.csv`, the manifest and COVERAGE.md are
rebuilt. A failed rebuild puts the raw file back as it was, so bad input changes nothing.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from helpers import csvfile, figures, series, sources
from helpers.errors import DataError

#: Product ids `add` takes, with the raw series stem each is written under.
PRODUCTS = {"rare_earths": "rare_earths", "magnets": "magnets",
            "rare_earth_products_bbg": "rare_earth_products"}
#: Partners whose raw series name differs from the schema name.
_RAW_PARTNER = {"United States": "US", "South Korea": "SouthKorea", "Hong Kong": "HongKong",
                "European Union": "EU27"}
FILE_COLUMNS = ["month", "start", "end", "product", "flow", "partner", "tonnes", "ytd_tonnes",
                "usd", "cny", "source", "quote", "url", "published", "weak"]


class InputError(ValueError):
    """Bad input to `add`: the message names the option (or file and line) and what was expected."""


@dataclass
class Story:
    """One figure (and its year-to-date total and value) as one story publishes it."""

    product: str
    flow: str
    partner: str
    start: pd.Period
    end: pd.Period
    source: str
    url: str
    published: date
    tonnes: float | None = None
    ytd_tonnes: float | None = None
    usd: float | None = None
    cny: float | None = None
    quote: str = ""
    weak: bool = False
    where: str = ""  # "--file rows.csv:3: " for rows of a file, "" for the options
    notes: list[str] = field(default_factory=list)


def raw_series(product: str, flow: str, partner: str, measure: str, start: pd.Period,
               end: pd.Period) -> str:
    """The raw series name `helpers.sources.classify` maps back to this series."""
    stem = PRODUCTS[product]
    if partner != "World":
        stem += f"_to_{_RAW_PARTNER.get(partner, partner)}"
    kind = "volume" if measure == "quantity_t" else "value"
    name = f"{flow}_{stem}_{kind}"
    if product == "rare_earth_products_bbg":
        return name + "_bloomberg_calc"
    if start != end:
        name += "_fullyear" if end.month == 12 else f"_ytd_Jan-{end.strftime('%b')}"
    return name


def _number(text: str | None, option: str) -> float | None:
    if text in (None, ""):
        return None
    try:
        value = float(str(text).replace(",", ""))
    except ValueError:
        raise InputError(f"{option} {text!r}: expected a number such as 5493.9") from None
    if not value == value or value in (float("inf"), float("-inf")) or value < 0:
        raise InputError(f"{option} {text!r}: expected a finite number >= 0")
    return value


def _month(text: str, option: str) -> pd.Period:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text or ""):
        raise InputError(f"{option} {text!r}: expected a month YYYY-MM")
    return pd.Period(text, "M")


def story(values: dict[str, str | None], today: date, where: str = "") -> Story:
    """A Story from option values (or a row of `--file`), every field checked."""
    def fail(message: str) -> None:
        raise InputError(where + message)

    try:
        if values.get("month"):
            if values.get("start") or values.get("end"):
                fail("--month or --start/--end, not both")
            start = end = _month(values["month"], "--month")
        elif values.get("start") and values.get("end"):
            start, end = _month(values["start"], "--start"), _month(values["end"], "--end")
        else:
            fail("--month YYYY-MM (or --start and --end) is required")
        if start > end or start.year != end.year:
            fail(f"--start {start} .. --end {end}: expected an interval within one year")
        if end >= pd.Period(today, "M"):
            fail(f"{end} is not complete yet on {today}: expected a past month")
        product = values.get("product") or ""
        if product not in PRODUCTS:
            fail(f"--product {product!r}: expected one of {', '.join(PRODUCTS)}")
        flow = values.get("flow") or "export"
        if flow not in figures.FLOWS:
            fail(f"--flow {flow!r}: expected one of {', '.join(figures.FLOWS)}")
        partner = values.get("partner") or "World"
        if partner not in figures.PARTNERS:
            fail(f"--partner {partner!r}: expected World or one of "
                 f"{', '.join(figures.PARTNERS[1:])}")
        for name in ("source", "quote"):
            if (values.get(name) or "").strip()[:1] in ("=", "@"):
                fail(f"--{name} starts with {values[name].strip()[0]!r}: expected the "
                     "words as published, not a spreadsheet formula")
        source = (values.get("source") or "").strip()
        if not re.fullmatch(r"[^:]+:\s*\S.*", source):
            fail(f"--source {source!r}: expected \"OUTLET: headline\"")
        url = (values.get("url") or "").strip()
        if not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", url):
            fail(f"--url {url!r}: expected the story's address, http(s)://...")
        try:
            published = date.fromisoformat(values.get("published") or "")
        except ValueError:
            fail(f"--published {values.get('published')!r}: expected a date YYYY-MM-DD")
        if published <= end.end_time.date():
            fail(f"--published {published}: a figure for {end} cannot be published before "
                 "the month is over")
        if published > today:
            fail(f"--published {published}: expected a date not after today ({today})")
        amounts = {name: _number(values.get(name), f"--{name.replace('_', '-')}")
                   for name in ("tonnes", "ytd_tonnes", "usd", "cny")}
    except InputError as exc:
        if where and not str(exc).startswith(where):
            raise InputError(where + str(exc)) from None
        raise
    if all(v is None for v in amounts.values()):
        fail("expected at least one of --tonnes, --ytd-tonnes, --usd, --cny")
    if amounts["ytd_tonnes"] is not None and start != end:
        fail("--ytd-tonnes goes with --month (the total of January to that month)")
    if (amounts["ytd_tonnes"] is not None and amounts["tonnes"] is not None
            and amounts["ytd_tonnes"] < amounts["tonnes"]):
        fail(f"--ytd-tonnes {amounts['ytd_tonnes']:g} is less than --tonnes "
             f"{amounts['tonnes']:g}: expected the January-to-month total")
    if (end.month == 1 and amounts["ytd_tonnes"] is not None and amounts["tonnes"] is not None
            and abs(amounts["ytd_tonnes"] - amounts["tonnes"])
            > series.half_unit(amounts["ytd_tonnes"]) + series.half_unit(amounts["tonnes"])):
        fail(f"--ytd-tonnes {amounts['ytd_tonnes']:g} differs from --tonnes "
             f"{amounts['tonnes']:g}: the year to date of January is January itself")
    weak = str(values.get("weak") or "").lower() in ("1", "true", "yes", "weak")
    return Story(product, flow, partner, start, end, source, url, published,
                 quote=(values.get("quote") or "").strip(), weak=weak, where=where, **amounts)


def read_file(path: str | Path, today: date) -> list[Story]:
    """Stories from a CSV with columns among `FILE_COLUMNS` (one row per figure), read by the
    package's strict reader (regular files only, size and field caps)."""
    path = Path(path)
    try:
        text = csvfile.decode(path, csvfile.read_bytes(path)).removeprefix("\ufeff")
        rows = list(csvfile.records(path, text))
    except DataError as exc:
        raise InputError(f"--file {exc}") from None
    if not rows or any(c not in FILE_COLUMNS for c in rows[0][1]) or "product" not in rows[0][1]:
        raise InputError(f"--file {path.name}:1: expected a header of columns among "
                         f"{','.join(FILE_COLUMNS)} (product required)")
    header, out = rows[0][1], []
    for line, row in rows[1:]:
        where = f"--file {path.name}:{line}: "
        if len(row) != len(header):
            raise InputError(f"{where}{len(row)} fields; expected {len(header)}")
        out.append(story(dict(zip(header, row, strict=True)), today, where=where))
    if not out:
        raise InputError(f"--file {path.name}: no rows")
    return out


def raw_rows(item: Story) -> list[dict[str, str]]:
    """The raw rows (explicit layout) one story gives: the figure, its year-to-date total and
    its value, each under the raw series name of its period."""
    outlet, headline = (part.strip() for part in item.source.split(":", 1))
    base = {"outlet": outlet, "headline": headline, "url": item.url,
            "published": item.published.isoformat(),
            "flags": "; ".join(filter(None, ["weak source" if item.weak else "",
                                             "conflicting copies" if item.notes else ""])),
            "comment": "; ".join(item.notes)}
    january = pd.Period(f"{item.end.year}-01", "M")
    parts = [(item.tonnes, "t", "quantity_t", item.start, item.quote),
             (item.ytd_tonnes if item.end.month > 1 else None, "t", "quantity_t", january, ""),
             (item.usd, "USD", "value_usd", item.start, ""),
             (item.cny, "CNY", "value_cny", item.start, "")]
    rows = []
    for amount, unit, measure, start, quote in parts:
        if amount is None:
            continue
        period = (str(start) if start == item.end
                  else f"{start.year}-{start.month:02d}..{item.end.month:02d}")
        rows.append({**base, "period": period, "value": f"{amount:.10g}", "unit": unit,
                     "quote": quote,
                     "series": raw_series(item.product, item.flow, item.partner, measure,
                                          start, item.end)})
    return rows


def check(item: Story, data: pd.DataFrame) -> None:
    """Against the data: a duplicate of a shipped figure is dropped, a different value for the
    same period is noted as a conflicting copy, and the year-to-date total must agree with
    the month and the previous year-to-date total."""
    where = item.where
    if item.ytd_tonnes is not None and item.tonnes is not None and item.end.month > 1:
        try:
            built = series.build(item.product, item.flow, item.partner, figures=data)
        except DataError:
            built = None
        previous = (series.interval_total(built, f"{item.end.year}-01", item.end - 1)
                    if built is not None else None)
        if previous is not None:
            implied = item.ytd_tonnes - previous[0]
            slack = series.half_unit(item.ytd_tonnes) + series.half_unit(item.tonnes) + 0.5
            if abs(implied - item.tonnes) > slack:
                raise InputError(
                    f"{where}--ytd-tonnes {item.ytd_tonnes:,.1f} minus the data's January–"
                    f"{(item.end - 1).strftime('%B')} total {previous[0]:,.1f} is "
                    f"{implied:,.1f} t, not --tonnes {item.tonnes:,.1f}: check both figures")
    same = data[(data["product"] == item.product) & (data["flow"] == item.flow)
                & (data["partner"] == item.partner) & (data["measure"] == "quantity_t")
                & (data["start"] == str(item.start)) & (data["end"] == str(item.end))]
    if item.tonnes is not None and len(same):
        others = same[(same["value"] - item.tonnes).abs() > series.half_unit(item.tonnes)]
        if len(others) == len(same):
            values = ", ".join(f"{v:,.1f}" for v in sorted(set(others["value"])))
            item.notes.append(f"conflicting copies: the data hold {values} t for this period")


def add(items: list[Story], raw_file: Path = sources.OWN_FILE) -> tuple[list[str], list[str]]:
    """Append the stories to the raw file and rebuild the data; returns (ids added, messages).
    Nothing changes on disk when any check or the rebuild fails."""
    from helpers import coverage, manifest

    data = figures.load()
    for item in items:
        check(item, data)
    new_rows = [row for item in items for row in raw_rows(item)]
    messages: list[str] = []
    before = raw_file.read_bytes()
    existing = set(data.index)
    with open(raw_file, "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, sources.OWN_COLUMNS, lineterminator="\n").writerows(new_rows)
    try:
        sources.build_shipped()
    except Exception:
        raw_file.write_bytes(before)
        raise
    after = figures.load()
    added = [i for i in after.index if i not in existing]
    if not added:
        raw_file.write_bytes(before)
        sources.build_shipped()
        messages.append("every figure given is already in the data (same address, series, "
                        "period and value): nothing added")
        return [], messages
    manifest.write()
    coverage.write()
    for item in items:
        messages += [f"note: {n}" for n in item.notes]
    return added, messages
