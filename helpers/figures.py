"""Load and validate data/figures.csv: one row per figure as published, with its source.

Every later stage reads figures through `load`, so a malformed file stops here with a
`DataError` naming the file, the line and the column instead of producing wrong series.
A figure is known by its `id`, a short hash of what it is (address, series, period as
published, value): adding a figure never changes another's id, and an exact copy of a
shipped figure given again is recognised as the same figure. Line numbers appear only in
error messages.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from helpers import csvfile, paths
from helpers.errors import DataError

#: What a figure is; a figures file may leave `id` out (the loader computes it).
CONTENT = ["flow", "product", "partner", "measure", "start", "end", "value",
           "as_published", "source", "url", "published", "note"]
COLUMNS = ["id", *CONTENT]
#: The fields a figure's id is made of.
IDENTITY = ["url", "flow", "product", "partner", "measure", "start", "end", "value"]

#: Product ids: what each measures. HS codes only where the product is one code.
PRODUCTS: dict[str, dict[str, object]] = {
    "rare_earths": {
        "definition": "GACC headline line 稀土 (rare earths) of the preliminary release; "
                      "GACC's own aggregate, not a single HS code",
        "hs_codes": [],
    },
    "rare_earths_quota_era": {
        "definition": "quota-era basket of rare-earth ores, metals and compounds (CCSIC/MOFCOM, "
                      "2010-2014); narrower than the headline line, never spliced onto it",
        "hs_codes": [],
    },
    "magnets": {
        "definition": "rare-earth permanent magnets, HS 85051110 (detailed release)",
        "hs_codes": ["85051110"],
    },
    "magnets_wide": {
        "definition": "magnets plus magnet alloys, powders or semi-finished magnet materials "
                      "(wider scope than HS 85051110, e.g. Adamas' totals)",
        "hs_codes": [],
    },
    "rare_earths_incl_magnets": {
        "definition": "a wider basket than the 稀土 line: rare-earth ores, oxides, compounds "
                      "and magnets together (e.g. a Korean outlet's half-year totals); never "
                      "spliced onto the headline line",
        "hs_codes": [],
    },
    "rare_earth_products_bbg": {
        "definition": "Bloomberg's computed 'rare-earth products incl. magnets' total from the "
                      "detailed release; not the 稀土 line",
        "hs_codes": [],
    },
    # UN Comtrade's HS6/HS4 lines: never merged with the press series above
    "magnets_hs6": {
        "definition": "permanent magnets of metal, HS 850511 (UN Comtrade); wider than China's "
                      "85051110: also non-rare-earth metal magnets (e.g. AlNiCo, 85051190)",
        "hs_codes": ["850511"],
    },
    "rare_earth_metals_hs6": {
        "definition": "rare-earth metals, scandium and yttrium, HS 280530 (UN Comtrade)",
        "hs_codes": ["280530"],
    },
    "rare_earth_compounds_hs4": {
        "definition": "compounds of rare-earth metals, yttrium or scandium, HS heading 2846 "
                      "(UN Comtrade; 284610 cerium compounds and 284690 others)",
        "hs_codes": ["2846"],
    },
}

FLOWS = ["export", "import"]
FIRST_YEAR = 1990  # no figure of this package's series before
#: `yoy_pct` is a change on the same period a year earlier as the source publishes it (GACC
#: compares with its revised prior-year figures, so it can differ from one computed from months).
MEASURES = {"quantity_t": "t", "value_usd": "USD", "value_cny": "CNY", "yoy_pct": "%"}
PARTNERS = ["World", "Japan", "United States", "Germany", "South Korea", "India", "Vietnam",
            "Italy", "Thailand", "Hong Kong", "European Union", "Netherlands", "Myanmar",
            "Malaysia"]

#: Words in `as_published` that show which unit a figure was written in, per measure.
UNIT_WORDS = {
    "quantity_t": re.compile(r"\dt(?![A-Za-z])|t\b|ton|tonne|吨|噸|トン|톤|Tonnen|тонн|тыс|mt|kg",
                             re.I),
    "value_usd": re.compile(r"USD|\$|US dollar|美元|달러|dollar|долл", re.I),
    "value_cny": re.compile(r"CNY|yuan|元|RMB|юан", re.I),
    "yoy_pct": re.compile(r"%"),
}

_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
_NUMBER = r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$"

_SCHEMA = pa.DataFrameSchema(
    {
        "id": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{12}$")),
        "flow": pa.Column(str, pa.Check.isin(FLOWS)),
        "product": pa.Column(str, pa.Check.isin(list(PRODUCTS))),
        "partner": pa.Column(str, pa.Check.isin(PARTNERS)),
        "measure": pa.Column(str, pa.Check.isin(list(MEASURES))),
        "start": pa.Column(str, pa.Check.str_matches(_MONTH)),
        "end": pa.Column(str, pa.Check.str_matches(_MONTH)),
        "value": pa.Column(str, pa.Check.str_matches(_NUMBER)),  # finite: checked below
        "as_published": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        "url": pa.Column(str, pa.Check.str_matches(r"^(https?://|file:|github:)\S+$")),
        "published": pa.Column(str, pa.Check.str_matches(_DATE)),
        "note": pa.Column(str),
    },
    strict=True,
    ordered=True,
)

_EXPECTED = {
    "flow": f"one of {FLOWS}",
    "product": f"a known product id ({', '.join(PRODUCTS)})",
    "partner": "'World' or a known English country name (see helpers.figures.PARTNERS)",
    "measure": f"one of {list(MEASURES)}",
    "start": "a month YYYY-MM",
    "end": "a month YYYY-MM",
    "value": "a plain number (no thousands separators, no unit)",
    "as_published": "the figure as the source wrote it",
    "source": "the source's title",
    "url": "the source's address (http(s)://...)",
    "published": "the publication date YYYY-MM-DD (or YYYY-MM, YYYY when only that is known)",
}


def figure_id(row: dict[str, str] | pd.Series) -> str:
    """12 hex digits of the SHA-256 of the figure's identity fields (value as a number, so
    `5238`, `5238.0` and `5.238e3` are one figure)."""
    try:
        value = f"{float(row['value']):.10g}"
    except ValueError:
        value = str(row["value"])  # rejected by the schema check with its line
    key = "|".join([*(str(row[c]) for c in IDENTITY[:-1]), value])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def with_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its `id` column (first) computed from each row's content."""
    out = frame[CONTENT].copy()
    out.insert(0, "id", [figure_id(row) for row in out.to_dict("records")] if len(out) else [])
    return out


def read_rows(path: Path) -> pd.DataFrame:
    """Read a CSV as strings, checking the header and that every line has every field.

    The header is `COLUMNS`, or `CONTENT` for a file without ids; a given id must be the one
    the row's content makes (a hand edit that changes a figure must not keep its old id)."""
    frame = csvfile.read_table(path, COLUMNS, also=[CONTENT])
    computed = with_ids(frame)
    if "id" in frame.columns:
        wrong = frame["id"] != computed["id"]
        if wrong.any():
            line = int(frame.index[wrong.to_numpy()][0])
            raise DataError(path, line, f"id {frame.at[line, 'id']!r} is not the figure's id "
                            f"{computed.at[line, 'id']!r}; the id is a hash of "
                            f"{', '.join(IDENTITY)}: rebuild with `python -m helpers build-data`",
                            column="id")
    seen = computed["id"].duplicated()
    if seen.any():
        line = int(computed.index[seen.to_numpy()][0])
        first = int(computed.index[(computed["id"] == computed.at[line, "id"]).to_numpy()][0])
        raise DataError(path, line, f"the same figure as line {first} (same address, series, "
                        "period and value); expected each figure once")
    return computed


@lru_cache(maxsize=4096)
def _span(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and the last moment a date given as YYYY, YYYY-MM or YYYY-MM-DD can mean;
    ValueError if it is no real date. Cached: a file repeats its dates and months."""
    period = pd.Period(text, {4: "Y", 7: "M", 10: "D"}[len(text)])
    return period.start_time, period.end_time


def published_by(frame: pd.DataFrame, day: date) -> pd.DataFrame:
    """The figures surely out by `day` (a real-time vintage): a date given only as a month or
    a year counts from its last day, so a vintage never holds a figure that may have come later."""
    last = frame["published"].map(lambda text: _span(str(text))[1].date())
    return frame[(last <= day).to_numpy()]


def validate(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check every row against the schema and the cross-column rules; return typed figures."""
    try:
        _SCHEMA.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"]).sort_values("index")
        first = cases.iloc[0] if len(cases) else exc.failure_cases.iloc[0]
        column = str(first["column"])
        line = int(first["index"]) if pd.notna(first["index"]) else None
        more = f" ({len(cases) - 1} more problems)" if len(cases) > 1 else ""
        raise DataError(path, line, f"{first['failure_case']!r} is not "
                        f"{_EXPECTED.get(column, 'valid')}{more}", column=column) from None
    typed = frame.copy()
    typed["value"] = typed["value"].astype(float)
    today = pd.Timestamp.today()
    this_month = str(pd.Period(today, "M"))
    for line, row in zip(typed.index, typed.to_dict("records"), strict=True):
        if row["value"] < 0 and row["measure"] != "yoy_pct":
            raise DataError(path, line, f"{row['value']} is negative; expected value >= 0",
                            column="value")
        if row["start"] > row["end"]:
            raise DataError(path, line, f"start {row['start']} is after end {row['end']}",
                            column="start")
        if row["start"][:4] != row["end"][:4]:
            raise DataError(path, line, f"{row['start']}..{row['end']} spans two years; "
                            "expected an interval within one calendar year", column="end")
        if row["as_published"][:1] in ("=", "@"):
            raise DataError(path, line, f"{row['as_published']!r} starts like a spreadsheet "
                            "formula; expected the figure as the source wrote it",
                            column="as_published")
        try:
            first, published = _span(row["published"])
        except ValueError:
            raise DataError(path, line, f"{row['published']!r} is not a real date",
                            column="published") from None
        if first > today:
            raise DataError(path, line, f"published {row['published']} is in the future",
                            column="published")
        if not FIRST_YEAR <= int(row["start"][:4]) or row["end"] >= this_month:
            raise DataError(path, line, f"period {row['start']}..{row['end']}: expected months "
                            f"from {FIRST_YEAR} to the last complete month", column="start")
        if row["url"].startswith("http") and csvfile.safe_url(row["url"]) is None:
            raise DataError(path, line, f"{row['url']!r} is not a web address with a host",
                            column="url")
        if published <= _span(row["end"])[1]:
            raise DataError(path, line, f"published {row['published']}, not after the period "
                            f"{row['start']}..{row['end']} it reports; a month's figure is "
                            "published in a later month", column="published")
        if not UNIT_WORDS[row["measure"]].search(row["as_published"]):
            raise DataError(path, line, f"{row['as_published']!r} shows no unit of "
                            f"{row['measure']} ({MEASURES[row['measure']]})",
                            column="as_published")
    return typed


def load(path: str | Path = paths.FIGURES) -> pd.DataFrame:
    """Load and validate figures, indexed by figure id."""
    path = Path(path)
    return validate(read_rows(path), path).set_index("id")


def load_all(extra: list[str | Path] | None = None,
             base: str | Path = paths.FIGURES) -> pd.DataFrame:
    """data/figures.csv plus extra figures files (e.g. converted downloads) or UN Comtrade
    snapshot folders (their HS6 products of their own), all validated.

    A figure already loaded (same id) is the same figure, not another copy that would count
    as a vote among conflicting copies: it is kept once.
    """
    from helpers import customs, snapshots  # they build on this module

    frame = load(base)
    for path in extra or []:
        more = (customs.snapshot_figures(path) if snapshots.is_folder(Path(path))
                else load(path))
        frame = pd.concat([frame, more[~more.index.isin(frame.index)]])
    return frame
