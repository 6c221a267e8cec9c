"""What the data cover: per series and year, months reported / derived / missing, and the
interval sums that contradict their months. Feeds `python -m helpers status` and data/COVERAGE.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import csvfile, figures, paths, series
from helpers.markdown import frame_table, table

#: The series the package models, in the order reports list them.
SERIES = [
    ("rare_earths", "export", "World", "quantity_t"),
    ("rare_earths", "export", "World", "value_usd"),
    ("rare_earths", "import", "World", "quantity_t"),
    ("magnets", "export", "World", "quantity_t"),
    ("magnets", "export", "Japan", "quantity_t"),
    ("magnets", "export", "United States", "quantity_t"),
    ("magnets", "export", "Germany", "quantity_t"),
    ("magnets", "export", "South Korea", "quantity_t"),
    ("magnets", "export", "India", "quantity_t"),
    ("magnets", "export", "Vietnam", "quantity_t"),
    ("rare_earth_products_bbg", "export", "World", "quantity_t"),
]


def label(product: str, flow: str, partner: str, measure: str) -> str:
    """Short readable name of a series."""
    return f"{flow} {product} {partner} {measure}"


def status(data: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per series: first/last month, months reported / derived / missing."""
    data = figures.load() if data is None else data
    rows = []
    for key in SERIES:
        built = series.build(*key, figures=data)
        origin = built.months["origin"]
        rows.append({"series": label(*key), "first": str(origin.index[0]),
                     "last": str(origin.index[-1]),
                     "reported": int((origin == "reported").sum()),
                     "derived": int((origin == "derived").sum()),
                     "missing": int((origin == "missing").sum()),
                     "contradictions": len(built.contradictions)})
    return pd.DataFrame(rows).set_index("series")


def by_year(built: series.Built) -> pd.DataFrame:
    """Months reported / derived / missing per calendar year, with the missing months named."""
    origin = built.months["origin"]
    rows = []
    for year, part in origin.groupby(origin.index.year):
        missing = [m.strftime("%b") for m in part.index if part[m] == "missing"]
        jf = built.janfeb["value"].get(year) if not built.janfeb.empty else None
        rows.append({"year": year, "reported": int((part == "reported").sum()),
                     "derived": int((part == "derived").sum()), "missing": len(missing),
                     "missing months": ", ".join(missing),
                     "Jan+Feb combined": "" if jf is None else f"{jf:,.1f}"})
    return pd.DataFrame(rows).set_index("year")


def markdown(data: pd.DataFrame | None = None) -> str:
    """The text of data/COVERAGE.md."""
    data = figures.load() if data is None else data
    out = ["# Coverage of the shipped data", "",
           "Written by `python -m helpers coverage` from `data/figures.csv`; do not edit by hand.",
           "Months: reported (a single-month figure), derived (pinned down by year-to-date or",
           "full-year totals; see `helpers.series`), missing (nobody published it, or only the",
           "combined January+February figure is known).", "",
           "## All series", "", frame_table(status(data)), ""]
    for key in SERIES:
        built = series.build(*key, figures=data)
        out += [f"## {label(*key)}", "", frame_table(by_year(built)), ""]
        if built.contradictions:
            out += ["Interval sums that contradict their months beyond rounding "
                    "(reported, not averaged):", "",
                    table(
                        ["interval", "published", "sum of months", "difference", "figure ids"],
                        ([c["interval"], f"{c['published']:,.1f}", f"{c['sum_of_months']:,.1f}",
                          f"{c['difference']:+,.1f}", ", ".join(c["ids"])]
                         for c in built.contradictions), ["l", "r", "r", "r", "l"])]
            out.append("")
    return "\n".join(out)


def write(path: Path = paths.COVERAGE) -> Path:
    """Write data/COVERAGE.md atomically (a killed run leaves the old file, not an empty one)."""
    return csvfile.write_atomic(path, markdown())
