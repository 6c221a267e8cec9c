"""Mirror statistics: China's reported exports to a partner against the partner's own reported
imports from China, month by month, from UN Comtrade snapshots; and a reconciliation of
Comtrade's HS6 magnets line with the press series of HS 85051110.

The two sides of a mirror pair never match exactly, for known reasons (`CAVEATS`); a month's
own caveats (re-exports via Hong Kong, confidential lines, missing weights) are in its
`caveats` column. Nothing here changes a figure: the tables only set the sources side by side.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import comtrade, customs, figures, series, snapshots
from helpers.errors import DataError

#: What always differs between the two sides of a mirror pair.
CAVEATS = {
    "cif_fob": "values: China reports exports FOB, partners report imports CIF (freight and "
               "insurance included), so a partner's value is expected somewhat higher",
    "shipping": "timing: a month's exports arrive weeks later (sea freight), so part of them "
                "is in the partner's next month; ratio_t_next compares with that month",
    "hong_kong": "re-exports: goods of Chinese origin shipped on through Hong Kong are imports "
                 "from China for the partner but exports to Hong Kong for China",
    "confidential": "confidential lines: a reporter may withhold partner or weight detail "
                    "(Comtrade 'Areas, nes'), which lowers its side",
}
COLUMNS = ["exports_t", "partner_imports_t", "ratio_t", "gap_t", "ratio_t_next",
           "exports_usd", "partner_imports_usd", "ratio_usd", "gap_usd", "caveats"]
#: Comtrade product paired with the press series of narrower scope it contains.
PAIRS = {"magnets_hs6": "magnets"}
_UNALLOCATED = ("899", "839")  # Comtrade partner codes "Areas, nes", "Special categories"
_MEASURES = {"t": "quantity_t", "usd": "value_usd"}

Source = str | Path | list[str | Path] | pd.DataFrame


def _holds(source: Source, reporter: str) -> bool:
    """Whether paths (snapshot folders or files) can hold reports of `reporter`."""
    items = [source] if isinstance(source, (str, Path)) else list(source)
    return any(Path(i).is_file() or (snapshots.is_folder(Path(i))
                                     and snapshots.latest(Path(i), reporter)) for i in items)


def product_of(cmd: str) -> str:
    """The product id whose HS definition is exactly `cmd`; ValueError if none is."""
    for product, spec in figures.PRODUCTS.items():
        if list(spec["hs_codes"]) == [cmd]:
            return product
    codes = [c for spec in figures.PRODUCTS.values() for c in spec["hs_codes"]]
    raise ValueError(f"cmd {cmd!r}: expected the HS code of one product ({', '.join(codes)})")


def _partner(partner: str) -> tuple[str, str]:
    """(schema name, M49 code) of a partner given by name or code."""
    code = comtrade.area(partner, "partner")
    names = {v: k for k, v in comtrade.AREAS.items()}
    if code not in names or names[code] in ("World", "China"):
        raise ValueError(f"partner {partner!r}: expected one of "
                         f"{', '.join(n for n in comtrade.AREAS if n not in ('World', 'China'))}")
    return names[code], code


def _monthly(frame: pd.DataFrame, product: str, partner: str) -> pd.DataFrame:
    """China's exports of one product to one partner per month (t and USD) via helpers.series."""
    out = {}
    for suffix, measure in _MEASURES.items():
        if series.select(frame, product, "export", partner, measure).empty:
            out[f"exports_{suffix}"] = pd.Series(dtype=float)
        else:
            out[f"exports_{suffix}"] = series.monthly(product, "export", partner, measure, frame)
    return pd.DataFrame(out)


def _imports(source: Source | None, code: str, cmd: str) -> pd.DataFrame:
    """The partner's own imports from China (reporter `code`) per month, t and USD."""
    empty = pd.DataFrame(columns=["partner_imports_t", "partner_imports_usd", "no_weight"],
                         dtype=float)
    if source is None or isinstance(source, pd.DataFrame):
        tidy = source
    elif not _holds(source, code):
        tidy = None
    else:
        tidy = customs.read_comtrade(source, reporter=code)
    if tidy is None:
        return empty
    rows = tidy[(tidy["flow"] == "import") & (tidy["partner_code"] == comtrade.AREAS["China"])
                & tidy["hs_code"].str.startswith(cmd)]
    if rows.empty:
        return empty
    by_month = rows.groupby("period")
    return pd.DataFrame({"partner_imports_t": by_month["quantity_t"].sum(min_count=1),
                         "partner_imports_usd": by_month["value_usd"].sum(min_count=1),
                         "no_weight": by_month["quantity_t"].apply(lambda q: q.isna().sum())})


def _unallocated(source: Source, cmd: str) -> pd.Series:
    """Tonnes China reports to unallocated partners ('Areas, nes') per month."""
    if isinstance(source, pd.DataFrame):
        return pd.Series(dtype=float)
    tidy = customs.read_comtrade(source)
    rows = tidy[(tidy["flow"] == "export") & tidy["partner_code"].isin(_UNALLOCATED)
                & tidy["hs_code"].str.startswith(cmd)]
    return rows.groupby("period")["quantity_t"].sum()


def compare(source: Source, partner: str, cmd: str = "850511", *,
            imports: Source | None = None) -> pd.DataFrame:
    """China's exports to `partner` against the partner's imports from China, by month.

    `source` is a snapshot folder (both sides are read from it) or a figures frame (China's
    side; then `imports` names the snapshot folder, or tidy frame, of the partner's imports).
    Columns: see `COLUMNS`; ratio = partner / China, gap = partner - China. A side without data
    is NaN; months run over the union of both sides.
    """
    name, code = _partner(partner)
    product = product_of(cmd)
    frame = source if isinstance(source, pd.DataFrame) else customs.snapshot_figures(source)
    china = _monthly(frame, product, name)
    hong_kong = _monthly(frame, product, "Hong Kong")["exports_t"]
    if imports is None and not isinstance(source, pd.DataFrame):
        imports = source
    theirs = _imports(imports, code, cmd)
    table = china.join(theirs, how="outer").sort_index()
    table.index = pd.PeriodIndex(table.index.astype(str), freq="M", name="month")
    for suffix in _MEASURES:
        mine, other = table[f"exports_{suffix}"], table[f"partner_imports_{suffix}"]
        table[f"ratio_{suffix}"] = other / mine.where(mine > 0)
        table[f"gap_{suffix}"] = other - mine
    table["ratio_t_next"] = table["partner_imports_t"].shift(-1, freq="M").reindex(
        table.index) / table["exports_t"].where(table["exports_t"] > 0)
    nes = _unallocated(source, cmd)
    table["caveats"] = [_month_caveats(month, row, hong_kong, nes, name)
                        for month, row in table.iterrows()]
    return table[COLUMNS]


def _month_caveats(month: pd.Period, row: pd.Series, hong_kong: pd.Series, nes: pd.Series,
                   partner: str) -> str:
    notes = []
    if row["ratio_t"] > 1 and hong_kong.get(month, 0) > 0:
        notes.append(f"{partner} reports more than China: China's exports to Hong Kong that "
                     f"month were {hong_kong[month]:,.1f} t, part of which may go on to {partner}")
    if nes.get(month, 0) > 0:
        notes.append(f"China reports {nes[month]:,.1f} t to unallocated partners ('Areas, nes')")
    if row.get("no_weight", 0) > 0:
        notes.append(f"the report of {partner} has no weight on {int(row['no_weight'])} "
                     "line(s)")
    if np.isnan(row["exports_usd"]) != np.isnan(row["partner_imports_usd"]):
        notes.append("one side only")
    return "; ".join(notes)


def brief_line(source: Source, partner: str, month: str, cmd: str = "850511") -> str | None:
    """One sentence for the brief on the mirror pair of one month, or None without data."""
    if not isinstance(source, pd.DataFrame) and not _holds(source, comtrade.AREAS["China"]):
        return None
    table = compare(source, partner, cmd)
    period = pd.Period(month, "M")
    if period not in table.index:
        return None
    row = table.loc[period]
    if np.isnan(row["exports_t"]) or np.isnan(row["partner_imports_t"]):
        return None
    name, _ = _partner(partner)
    return (f"Mirror check, HS {cmd}, {period}: China reported {row['exports_t']:,.1f} t of "
            f"exports to {name}; {name} reported {row['partner_imports_t']:,.1f} t of imports "
            f"from China (ratio {row['ratio_t']:.2f}; shipping time, re-exports via Hong Kong "
            "and CIF/FOB valuation keep the two apart).")


def reconcile(comtrade_source: Source, press: Source | None = None, partner: str = "World",
              measure: str = "quantity_t") -> pd.DataFrame:
    """Comtrade's HS6 magnets (850511) against the press series of HS 85051110, by month where
    both exist: `press`, `comtrade_hs6`, `share` (press / HS6, at most 1 if both are right),
    `diff` (HS6 - press). `press` defaults to data/figures.csv."""
    frame = (comtrade_source if isinstance(comtrade_source, pd.DataFrame)
             else customs.snapshot_figures(comtrade_source))
    out = []
    for wide, narrow in PAIRS.items():
        if series.select(frame, wide, "export", partner, measure).empty:
            continue
        hs6 = series.monthly(wide, "export", partner, measure, frame)
        if series.select(press, narrow, "export", partner, measure).empty:
            continue
        reported = series.monthly(narrow, "export", partner, measure, press)
        both = pd.DataFrame({"press": reported, "comtrade_hs6": hs6}).dropna()
        both.insert(0, "press_product", narrow)
        both.insert(1, "comtrade_product", wide)
        out.append(both)
    columns = ["press_product", "comtrade_product", "press", "comtrade_hs6"]
    table = pd.concat(out) if out else pd.DataFrame(columns=columns)
    table["share"] = table["press"] / table["comtrade_hs6"]
    table["diff"] = table["comtrade_hs6"] - table["press"]
    table.index.name = "month"
    return table


# --- for notebooks/04_mirror_check.ipynb ----------------------------------------------------

def snapshot_sources(data_files: list[str | Path]) -> list[Path]:
    """The notebook's `data_files` checked: each a snapshot folder; DataError naming one that
    is not (a typo must not read as "no data")."""
    if isinstance(data_files, (str, Path)):
        raise ValueError("data_files: expected a list of snapshot folders")
    for item in map(Path, data_files):
        if not snapshots.is_folder(item):
            raise DataError(item, None, "not a snapshot folder; expected a folder written by "
                            "`python -m helpers fetch comtrade`")
    return [Path(item) for item in data_files]


def status(sources: list[Path]) -> str:
    """What the snapshots hold, or plainly that there are none and how to fetch them."""
    if not sources:
        return ("**No UN Comtrade snapshot given, so there is nothing to compare.** None is "
                "committed with the project (snapshots are fetched, not shipped). Fetch China's "
                "exports and a partner's imports from China, for example\n\n"
                "`python -m helpers fetch comtrade --reporter China --flow X --cmd 850511 "
                "--period 2025-01:2025-12`\n\n`python -m helpers fetch comtrade --reporter "
                "Japan --partner China --flow M --cmd 850511 --period 2025-01:2025-12`\n\n"
                "(see docs/downloads.md), then run this notebook with "
                "`data_files=['data/downloads/comtrade']`.")
    records = [snapshots.manifest(p) for folder in sources
               for p in snapshots.latest(folder)]
    lines = [f"- reporter {r['query']['reporter_name']}, {comtrade.FLOWS[r['query']['flow']]}, "
             f"partner {r['query']['partner_name']}, HS {', '.join(r['query']['cmd'])}, "
             f"{r['query']['start']} to {r['query']['end']}: {r['rows']:,} rows, retrieved "
             f"{r['retrieved'][:10]}" for r in records]
    return "Snapshots read (the newest of each query):\n\n" + "\n".join(lines)


def tables(sources: list[Path], partners: list[str], cmd: str = "850511"
           ) -> dict[str, pd.DataFrame]:
    """`compare` for each partner ({} without snapshots)."""
    return {partner: compare(sources, partner, cmd) for partner in partners} if sources else {}


def ratios(by_partner: dict[str, pd.DataFrame], column: str = "ratio_t") -> pd.DataFrame:
    """One column a partner with data of `column` by month (an empty frame without data)."""
    empty = pd.DataFrame(index=pd.PeriodIndex([], freq="M", name="month"))
    frame = pd.DataFrame({partner: table[column] for partner, table in by_partner.items()})
    return frame.dropna(axis=1, how="all") if by_partner else empty


def summary(by_partner: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per partner: months with both sides, their span, and the median ratios."""
    rows = []
    for partner, table in by_partner.items():
        both = table.dropna(subset=["exports_t", "partner_imports_t"])
        rows.append({"partner": partner, "months_both": len(both),
                     "first": str(both.index[0]) if len(both) else None,
                     "last": str(both.index[-1]) if len(both) else None,
                     "median_ratio_t": both["ratio_t"].median(),
                     "median_ratio_t_next": both["ratio_t_next"].median(),
                     "median_ratio_usd": table["ratio_usd"].median()})
    columns = ["months_both", "first", "last", "median_ratio_t", "median_ratio_t_next",
               "median_ratio_usd"]
    return pd.DataFrame(rows, columns=["partner", *columns]).set_index("partner")


def metrics(table: pd.DataFrame) -> dict[str, dict[str, object]]:
    """The summary as JSON-ready numbers (ratios to 4 decimals, None where unknown)."""
    def clean(value: object) -> object:
        if isinstance(value, float):
            return None if math.isnan(value) else round(value, 4)
        return value.item() if hasattr(value, "item") else value

    return {partner: {k: clean(v) for k, v in row.items()} for partner, row in table.iterrows()}
