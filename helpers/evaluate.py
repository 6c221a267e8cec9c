"""Rolling-origin backtests: how well each model forecast the months that were later released.

An origin is an available month; the model is fitted on the series up to and including it
(expanding window) and forecasts the next months; a horizon counts only where the target month is
available. Scores follow Hyndman and the M4 competition: MASE scaled by the in-sample seasonal-naive
mean absolute error (m = 12, on the pairs of available months a year apart), sMAPE, and the coverage
of the 80% and 95% intervals. Everything is deterministic for the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from helpers import models as m
from helpers.errors import DataError

HORIZONS = (1, 3, 6)
N_ORIGINS = 36


def origins(series: pd.Series, n_origins: int = N_ORIGINS) -> pd.PeriodIndex:
    """The last `n_origins` available months that have a later available month to forecast."""
    available = series.index[series.notna().to_numpy()][:-1]
    if not len(available):
        raise DataError(None, None, "a backtest needs at least two available months")
    return available[-n_origins:]


def scale(train: pd.Series) -> float:
    """In-sample seasonal-naive mean absolute error on available pairs a year apart (NaN if none)."""
    errors = (train - train.shift(m.SEASON)).abs().dropna()
    return float(errors.mean()) if len(errors) else np.nan


def forecasts(series: pd.Series, models: Iterable[str] = m.MODELS,
              horizons: Iterable[int] = HORIZONS, n_origins: int = N_ORIGINS,
              **options: Any) -> pd.DataFrame:
    """Every backtest forecast: one row per model, origin and horizon whose target is available,
    with the forecast, its intervals, the actual, the origin's MASE scale, the model that made it
    (after any fallback) and the number of statsmodels warnings caught. Options go to `fit`.
    An origin with too little data for any model (not even naive) is skipped."""
    y = m.check_series(series, positive=False)
    models, horizons = list(models), sorted(set(horizons))
    rows = []
    for origin in origins(y, n_origins):
        train = y.loc[:origin]
        targets = [origin + h for h in horizons]
        actual = y.reindex(targets).to_numpy()
        if np.isnan(actual).all():
            continue
        try:
            fits = m.fit_many(train, models, **options)
        except DataError:
            continue
        for name, fitted in fits.items():
            fc = fitted.forecast(horizons[-1]).loc[targets]
            frame = fc.assign(model=name, used=fitted.model, origin=origin, horizon=horizons,
                              target=targets, actual=actual, scale=scale(train),
                              warnings=fitted.n_warnings)
            rows.append(frame[frame["actual"].notna()])
    columns = ["model", "used", "origin", "horizon", "target", "actual", "mean", "lo80", "hi80",
               "lo95", "hi95", "scale", "warnings"]
    if not rows:
        raise DataError(None, None, "no origin has both a fitted model and an available target")
    return pd.concat(rows, ignore_index=True)[columns]


def errors(series: pd.Series, model: str = "default", horizons: Iterable[int] = range(1, 13),
           **options: Any) -> pd.DataFrame:
    """Past out-of-sample forecast errors on the log scale, log(actual) - log(forecast median):
    one row per origin (every available month with a later one), one column per horizon, NaN
    where the target month is missing. The error at origin o and horizon h is known from month
    o + h on, so a forecast made at month t may use only the rows with o + h <= t."""
    y = m.check_series(series, positive=True)
    rows = forecasts(y, [model], horizons, n_origins=len(y), **options)
    rows = rows[rows["mean"].notna()]
    table = (np.log(rows["actual"]) - np.log(rows["mean"])).to_numpy()
    out = pd.DataFrame({"origin": rows["origin"].to_numpy(), "horizon": rows["horizon"].to_numpy(),
                        "error": table}).pivot(index="origin", columns="horizon", values="error")
    out = out.reindex(columns=sorted(set(horizons)))
    out.index = pd.PeriodIndex(out.index, freq="M", name="origin")
    out.columns.name = "horizon"
    return out


def past_rmse(errors_table: pd.DataFrame, at: str | pd.Period, window: int = 36,
              min_errors: int = 12) -> pd.Series:
    """Per horizon, the root-mean-square of the latest `window` errors of `errors` known at
    month `at` (origin + horizon <= at): the spread of the model's own past misses, NaN where
    fewer than `min_errors` are known."""
    at = pd.Period(at, freq="M")
    out = {}
    for h in errors_table.columns:
        known = errors_table.loc[errors_table.index <= at - int(h), h].dropna().iloc[-window:]
        out[h] = float(np.sqrt(np.mean(known**2))) if len(known) >= min_errors else np.nan
    return pd.Series(out, name="rmse").rename_axis("horizon")


def score(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores per model and horizon from `forecasts` rows: n, mase (mean of |error| / scale) and
    its median, smape (percent, 0-200), coverage80/95 (share of actuals inside the interval) and
    width80 (mean 80% interval width / scale, in MASE units). Rows without a forecast are left out.
    """
    f = frame[frame["mean"].notna()]
    error = (f["actual"] - f["mean"]).abs()
    parts = pd.DataFrame({
        "model": pd.Categorical(f["model"], categories=pd.unique(f["model"])),
        "horizon": f["horizon"],
        "ase": error / f["scale"],
        "smape": 200 * error / (f["actual"].abs() + f["mean"].abs()),
        "coverage80": f["actual"].between(f["lo80"], f["hi80"]),
        "coverage95": f["actual"].between(f["lo95"], f["hi95"]),
        "width80": (f["hi80"] - f["lo80"]) / f["scale"]})
    grouped = parts.groupby(["model", "horizon"], observed=True)
    table = grouped.agg(n=("ase", "size"), mase=("ase", "mean"), mase_median=("ase", "median"),
                        smape=("smape", "mean"), coverage80=("coverage80", "mean"),
                        coverage95=("coverage95", "mean"), width80=("width80", "mean"))
    return table.reset_index().astype({"model": str})


def backtest(series: pd.Series, models: Iterable[str] = m.MODELS,
             horizons: Iterable[int] = HORIZONS, n_origins: int = N_ORIGINS,
             **options: Any) -> pd.DataFrame:
    """Rolling-origin backtest: one row per model and horizon with model, horizon, n, mase,
    mase_median, smape, coverage80, coverage95, width80 (see `score`)."""
    return score(forecasts(series, models, horizons, n_origins, **options))


def rank(table: pd.DataFrame, baseline: str = "seasonal_naive") -> pd.DataFrame:
    """Models ranked by MASE averaged over horizons, with the change against `baseline` (percent),
    the coverage pooled over horizons, and which model is ``helpers.models.DEFAULT``."""
    pooled = table.assign(c80=table["coverage80"] * table["n"], c95=table["coverage95"] * table["n"])
    ranked = pooled.groupby("model", sort=False).agg(
        mase=("mase", "mean"), n=("n", "sum"), c80=("c80", "sum"), c95=("c95", "sum"))
    ranked["coverage80"], ranked["coverage95"] = ranked["c80"] / ranked["n"], ranked["c95"] / ranked["n"]
    if baseline not in ranked.index:
        raise DataError(None, None, f"baseline {baseline!r} is not in the backtest table")
    ranked["vs_baseline"] = 100 * (ranked["mase"] / ranked.loc[baseline, "mase"] - 1)
    ranked = ranked.sort_values("mase", kind="stable")
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    ranked["default"] = ranked.index == m.DEFAULT
    return ranked[["rank", "mase", "vs_baseline", "coverage80", "coverage95", "n", "default"]]


def summary(table: pd.DataFrame, baseline: str = "seasonal_naive") -> str:
    """One sentence: the best model by mean MASE, against the baseline, and where the default ranks."""
    ranked = rank(table, baseline)
    best, top = ranked.index[0], ranked.iloc[0]
    default = ranked.loc[m.DEFAULT] if m.DEFAULT in ranked.index else None
    text = (f"Lowest mean MASE: {best} ({top['mase']:.3g}, {top['vs_baseline']:+.1f}% against "
            f"{baseline}; 80%/95% coverage {top['coverage80']:.0%}/{top['coverage95']:.0%}).")
    if default is None:
        return text + f" The default model ({m.DEFAULT}) was not backtested."
    if best == m.DEFAULT:
        return text + " It is the default model."
    return text + f" The default model, {m.DEFAULT}, ranks {default['rank']} ({default['mase']:.3g})."
