"""A screen over many monthly series at once: this month's value, its changes and how surprising it is.

For a panel (a wide frame: monthly PeriodIndex × one column per series, NaN for a month nobody
published), e.g. magnets by destination or every HS code × partner of a customs download, `screen`
gives one row per series for one month. Everything is array arithmetic over the whole panel (no
model fitted per series), so ten thousand series take well under a second
(``benchmarks/RESULTS.md``).

The surprise is the default model's (``helpers.models.DEFAULT``, seasonal naive + 12-month mean,
equal weights on logs) one-month-ahead forecast from the months before each month: the same
calendar month of the latest earlier year that has it, averaged with the mean log of the 12
months before (at least 6 of them available). Its log error is ranked among the series' own
latest ``helpers.evaluate.WINDOW`` past errors, as ``helpers.models.surprise`` does
(``helpers.evaluate.rank_percentile``). A series with fewer than `min_history` past errors, or no
value this month, is kept and marked (``judged=False`` and a `note`), never dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import evaluate

COLUMNS = ["value", "mom_pct", "yoy_pct", "share_pct", "share_change_pts", "forecast",
           "percentile", "judged", "n_past", "note"]


def _check(panel: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(panel, pd.DataFrame) or not isinstance(panel.index, pd.PeriodIndex) \
            or panel.index.freqstr != "M":
        raise ValueError("expected a DataFrame with a monthly PeriodIndex (months x series)")
    index = panel.index
    if len(index) == 0 or not index.is_monotonic_increasing or not index.is_unique \
            or (index[-1] - index[0]).n + 1 != len(index):
        raise ValueError("expected contiguous, increasing months (NaN for a gap)")
    if not panel.columns.is_unique:
        raise ValueError("series names (columns) must be unique")
    try:
        return panel.astype(float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"values must be numbers: {err}") from None


def one_step_forecasts(log: np.ndarray) -> np.ndarray:
    """The default model's one-month-ahead log forecast of every month (rows) of every series
    (columns) from the months before it; NaN where either component has too little history."""
    lane = np.full_like(log, np.nan)
    for month in range(12):  # latest earlier value of the same calendar month (lane)
        sub = pd.DataFrame(log[month::12]).ffill().shift(1).to_numpy()
        lane[month::12] = sub
    mean12 = pd.DataFrame(log).rolling(12, min_periods=6).mean().shift(1).to_numpy()
    return 0.5 * (lane + mean12)


def screen(panel: pd.DataFrame, month: str | pd.Period | None = None, total: str | None = None,
           min_history: int = evaluate.MIN_JUDGED, window: int | None = evaluate.WINDOW,
           decay: float | None = evaluate.DECAY) -> pd.DataFrame:
    """One row per series (panel column) for `month` (default: the panel's last month):
    value; mom_pct and yoy_pct (percent change on the month before and a year before);
    share_pct (percent of `total`, a column of the panel such as "World", or of the sum of all
    series when None) and share_change_pts (its change on a year before, percentage points);
    forecast (the default model's median, see the module docstring); percentile (rank of this
    month's error among the latest `window` past ones, weighted by `decay` as in
    ``helpers.evaluate.rank_percentile``, NaN unless judged); judged (a value this
    month and at least `min_history` past errors); n_past; note (why a series is not judged)."""
    values = _check(panel)
    at = values.index[-1] if month is None else evaluate._month(month)
    if at not in values.index:
        raise ValueError(f"{at} is outside the panel ({values.index[0]}..{values.index[-1]})")
    if total is not None and total not in values.columns:
        raise ValueError(f"no total column {total!r} in the panel")
    if min_history < 1:
        raise ValueError(f"min_history must be at least 1, got {min_history}")
    y = values.to_numpy()
    r = values.index.get_loc(at)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), np.nan)
        expected = one_step_forecasts(log[:r + 1])
        errors = log[:r + 1] - expected
        whole = values[total].to_numpy() if total is not None else \
            np.where(np.isnan(y).all(axis=1), np.nan, np.nansum(y, axis=1))
        share = 100 * y / whole[:, None]

        def back(k: int) -> np.ndarray:
            return y[r - k] if r >= k else np.full(y.shape[1], np.nan)

        change = {k: 100 * (y[r] / back(k) - 1) for k in (1, 12)}
        share_change = share[r] - (share[r - 12] if r >= 12 else np.nan)
    past = errors[:r]
    valid = ~np.isnan(past)
    if window is not None:  # keep each series' latest `window` past errors
        valid &= valid[::-1].cumsum(axis=0)[::-1] <= window
    n_past = valid.sum(axis=0)
    now = errors[r]
    judged = (n_past >= min_history) & ~np.isnan(now)
    ages = np.arange(r - 1, -1, -1)[:, None]  # the error of month i is known from month i on
    percentile = np.where(judged, evaluate.rank_percentile(
        now, np.where(valid, past, np.nan), evaluate.weights(ages, decay)), np.nan)
    note = np.where(np.isnan(y[r]), "no value this month",
                    np.where(np.isnan(now), "no forecast (too short a history or a non-positive "
                             "value)", np.where(judged, "", "too few past forecasts to judge")))
    out = pd.DataFrame({"value": y[r], "mom_pct": change[1], "yoy_pct": change[12],
                        "share_pct": share[r], "share_change_pts": share_change,
                        "forecast": np.exp(expected[r]), "percentile": percentile,
                        "judged": judged, "n_past": n_past, "note": note},
                       index=pd.Index(values.columns, name="series"))
    return out[COLUMNS]
