"""Descriptive views of the series for the research notebooks: seasonality, the combined
January-February release, year-on-year change, unit values, the two competing definitions.

Every function works on the months that exist; a missing month stays out of an average rather
than being filled.
"""

from __future__ import annotations

import pandas as pd

from helpers import series as series_mod
from helpers.series import Figures


def seasonal_profile(series: pd.Series) -> pd.DataFrame:
    """Per calendar month: mean, median and count of the available months, and the mean as a
    percentage of the average month (100 = an ordinary month)."""
    available = series.dropna()
    grouped = available.groupby(available.index.month)
    table = pd.DataFrame({"mean_t": grouped.mean(), "median_t": grouped.median(),
                          "years": grouped.size()})
    table = table.reindex(range(1, 13))
    table["index_vs_average"] = 100 * table["mean_t"] / available.mean()
    table.index = pd.Index([pd.Timestamp(2000, m, 1).strftime("%b") for m in table.index],
                           name="month")
    return table


def janfeb_share(series: pd.Series, janfeb: pd.Series) -> pd.DataFrame:
    """The combined January+February per year, its share of the full year where every other
    month is known, and the average of the other months for comparison."""
    rows = []
    for year, total in janfeb.items():
        rest = series.loc[f"{year}-03":f"{year}-12"]
        full = rest.notna().sum() == 10
        rows.append({"year": year, "jan_feb_t": total,
                     "monthly_average_jan_feb_t": total / 2,
                     "monthly_average_mar_dec_t": rest.mean() if rest.notna().any() else None,
                     "share_of_year_pct": 100 * total / (total + rest.sum()) if full else None})
    return pd.DataFrame(rows).set_index("year")


def year_on_year(series: pd.Series) -> pd.Series:
    """Percentage change on the same month a year earlier, only where both months are known.
    Matched by period, not by position, so months absent from the index shift nothing."""
    earlier = series.reindex(series.index - 12).to_numpy()
    return (100 * (series / earlier - 1)).rename("yoy_pct")


def unit_value(product: str = "rare_earths", flow: str = "export", partner: str = "World",
               figures: Figures = None) -> pd.DataFrame:
    """US dollars per tonne for months where both value and quantity are known."""
    quantity = series_mod.monthly(product, flow, partner, "quantity_t", figures=figures)
    value = series_mod.monthly(product, flow, partner, "value_usd", figures=figures)
    both = pd.concat([quantity.rename("quantity_t"), value.rename("value_usd")], axis=1).dropna()
    both["usd_per_t"] = both["value_usd"] / both["quantity_t"]
    return both


def definitions(figures: Figures = None) -> pd.DataFrame:
    """GACC's 稀土 line beside Bloomberg's 'rare-earth products incl. magnets' and magnets
    (HS 85051110), over the months from Bloomberg's first to last known total (gaps kept)."""
    bbg = series_mod.monthly("rare_earth_products_bbg", figures=figures)
    line = series_mod.monthly("rare_earths", figures=figures)
    magnets = series_mod.monthly("magnets", figures=figures)
    table = pd.DataFrame({"customs_rare_earths_t": line.reindex(bbg.index),
                          "bloomberg_products_t": bbg,
                          "magnets_85051110_t": magnets.reindex(bbg.index)})
    table["bloomberg_minus_customs_t"] = (table["bloomberg_products_t"]
                                          - table["customs_rare_earths_t"])
    return table


def destinations(partners: list[str], product: str = "magnets", start: str | None = None,
                 figures: Figures = None) -> pd.DataFrame:
    """Monthly exports to each partner side by side (columns), from `start`."""
    columns = {}
    for partner in partners:
        try:
            values = series_mod.monthly(product, partner=partner, figures=figures)
        except ValueError:
            continue  # no figure for this partner
        columns[partner] = values
    table = pd.DataFrame(columns)
    if start is not None:
        table = table.loc[start:]
    known = table.dropna(how="all").index
    # every month from the first to the last with a figure, so gaps stay gaps in a chart
    return table.reindex(pd.period_range(known[0], known[-1], freq="M")).rename_axis("month")
