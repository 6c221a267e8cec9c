"""Rolling-origin backtests, and the intervals and percentiles calibrated on a model's own misses.

An origin is an available month; the model is fitted on the series up to and including it
(expanding window) and forecasts the next months; a horizon counts only where the target month is
available. Scores follow Hyndman and the M4 competition: MASE scaled by the in-sample seasonal-naive
mean absolute error (m = 12, on the pairs of available months a year apart), sMAPE, the coverage
of the 80% and 95% intervals, and their interval (Winkler) scores scaled the same way (MSIS).
Everything is deterministic for the same input.

**Intervals from past errors** (``intervals="past_errors"``, the default of `forecasts`,
``helpers.models.Fit.forecast`` and ``helpers.models.surprise``). The model's error at origin o
and horizon h is log(actual) − log(median forecast) (the model scale), known from month o + h on.
A forecast made at origin t keeps the model's median; its interval at horizon h is normal on the
log scale with sd = the root-mean-square of the model's latest `WINDOW` errors at horizon h known
at t (o + h <= t, so no look-ahead). With fewer than `MIN_ERRORS` such errors the model's own
variance is used instead. Normal with an RMS, not empirical quantiles, because a few dozen errors
cannot pin a 2.5% tail. The window and the minimum were chosen on origins 2019-06..2022-10 only,
before any later origin was scored, by the lowest mean of the 80% and 95% interval scores of the
default model over horizons 1, 3 and 6, among windows 24, 36, 48 and all errors and minima 12 and
24, ties going to the shorter window: a window of 48 errors with a minimum of 24.
``benchmarks/models.py`` reruns the choice and writes its table, with every score behind it,
to ``benchmarks/RESULTS.md``. The same 24 is the minimum for a percentile (`MIN_JUDGED`).

**Second round: decay** (``decay``, `DECAY`). Equal weights failed the later window's targets
(``benchmarks/RESULTS.md``), so a second family was set down on
2026-12-01 before any of it was scored: all past errors, each weighted by decay**age (its age in
months since it became known, as in RiskMetrics' exponentially weighted volatility), with
RiskMetrics' published factors, 0.97 for monthly data and 0.94 for daily data (half-lives about
23 and 11 months), and minima 12 and 24. It is chosen with the round-1 candidates by the same
criterion on the same early origins only; the weighted rank below then uses the same weights.
It chose equal weights again (48 / 24, so `DECAY` is None).

**Third round: a window that adapts** (``adapt``, `ADAPT`). Round 2 failed the later window's
targets too, so the last family issue 13 names was set down on 2026-12-01, before any of it was
scored. At origin t and horizon h, each round-1 window (24, 36, 48 and all errors, minimum 24) is
scored on the model's latest ``adapt`` errors at h known at t that had a past-error interval under
every window: the mean, over those errors, of the 80% and 95% interval scores on the model scale of
each error under the interval that window gave at that error's own origin. The lowest mean wins at
t (ties to the shorter window); with fewer than ``adapt`` such errors, window 48 is used.
``adapt`` is 12 or 24 (one or two years of forecasts). The two candidates are chosen with those of
rounds 1 and 2 by the same criterion on the same early origins, ties going to the incumbent
(48 / 24 / none). A percentile ranks among the errors of the window chosen at its horizon.
It kept the incumbent (`ADAPT` is None).

**Percentiles from ranks.** The percentile of a new error is its mid-rank among past errors,
100·(below + ties/2 + 1/2)/(n + 1): if the new error is exchangeable with the n past ones, it is
uniform on n + 1 equal steps, so "below the 10th percentile" happens about 10% of the time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from helpers import models as m

HORIZONS = (1, 3, 6)
N_ORIGINS = 36
# The two fixed windows of origins the intervals are reported on; the rule was chosen on the first.
WINDOWS = {"2019-06..2022-10": ("2019-06", "2022-10"), "2022-11..2025-11": ("2022-11", "2025-11")}
WINDOW, MIN_ERRORS = 48, 24  # chosen on origins 2019-06..2022-10 (module docstring)
DECAY: float | None = None  # monthly weight decay of past errors (module docstring)
ADAPT: int | None = None  # round 3, not chosen: only `forecasts` (for the benchmark) takes `adapt`
ADAPTIVE = (24, 36, 48, None)  # the windows an adaptive choice is made among (None: all errors)
MIN_JUDGED = 24  # past errors needed before a percentile is given
LEVELS = {80: 0.2, 95: 0.05}  # interval level -> alpha of its interval score
BLAS_THREADS = 1  # BLAS threads in a backtest; None leaves the library default


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Limit BLAS to `BLAS_THREADS` thread(s): tiny matrices gain nothing from threads, and
    several processes on a few cores lose a lot (measured in ``benchmarks/RESULTS.md``)."""
    if BLAS_THREADS is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=BLAS_THREADS, user_api="blas")


def _month(value: str | pd.Period) -> pd.Period:
    try:
        return pd.Period(value, freq="M")
    except (TypeError, ValueError) as err:
        raise ValueError(f"not a month: {value!r} ({err})") from None


def origins(series: pd.Series, n_origins: int = N_ORIGINS,
            window: tuple[str | pd.Period, str | pd.Period] | None = None) -> pd.PeriodIndex:
    """Available months that have a later available month to forecast: the last `n_origins` of
    them, or, with ``window=(start, end)``, all of them from start to end inclusive."""
    available = series.index[series.notna().to_numpy()][:-1]
    if window is not None:
        start, end = map(_month, window)
        if start > end:
            raise ValueError(f"origins window {start}..{end} ends before it starts")
        available = available[(available >= start) & (available <= end)]
        if not len(available):
            raise ValueError(f"no origin between {start} and {end}")
        return available
    if not len(available):
        raise ValueError("a backtest needs at least two available months")
    return available[-n_origins:]


_origins = origins  # `origins` is also the window argument of forecasts and backtest


def scale(train: pd.Series) -> float:
    """In-sample seasonal-naive mean absolute error on available pairs a year apart (NaN if none)."""
    return float(_scales(train).iloc[-1]) if len(train) else np.nan


def _scales(y: pd.Series) -> pd.Series:
    """`scale` of every training window y.loc[:origin], for all origins in one pass."""
    errors = (y - y.shift(m.SEASON)).abs().to_numpy()
    known = errors[~np.isnan(errors)]
    counts = np.cumsum(~np.isnan(errors))
    return pd.Series([known[:k].sum() / k if k else np.nan for k in counts], index=y.index)


def _raw(y: pd.Series, models: list[str], at: pd.PeriodIndex, horizons: list[int],
         **options: Any) -> pd.DataFrame:
    """Model-scale forecasts (mu, sd) of every model at every origin in `at` and horizon, with the
    actual on the model scale (z), the fallback used, warnings and the origin's MASE scale."""
    log = m.Settings(**options).log
    scales = _scales(y)
    pick = np.asarray(horizons) - 1
    columns: dict[str, list[Any]] = {name: [] for name in (
        "model", "used", "origin", "horizon", "target", "actual", "z", "mu", "sd", "scale",
        "warnings")}
    with one_blas_thread():
        for origin in at:
            train = y.loc[:origin]
            targets = [origin + h for h in horizons]
            actual = y.reindex(targets).to_numpy()
            if np.isnan(actual).all():
                continue
            try:
                fits = m.fit_many(train, models, **options)
            except ValueError:
                continue
            z = np.log(actual) if log else actual
            for name, fitted in fits.items():
                _, mu, cov = fitted.distribution(horizons[-1])
                for key, values in (
                        ("model", [name] * len(horizons)), ("used", [fitted.model] * len(horizons)),
                        ("origin", [origin] * len(horizons)), ("horizon", horizons),
                        ("target", targets), ("actual", actual), ("z", z), ("mu", mu[pick]),
                        ("sd", np.sqrt(np.diag(cov))[pick]),
                        ("scale", [scales[origin]] * len(horizons)),
                        ("warnings", [fitted.n_warnings] * len(horizons))):
                    columns[key].extend(values)
    if not columns["model"]:
        raise ValueError("no origin has both a fitted model and an available target")
    frame = pd.DataFrame(columns)  # one frame at the end: a frame per origin was the hot spot
    return frame.assign(error=frame["z"] - frame["mu"])


@dataclass(frozen=True)
class Past:
    """The past errors a forecast may use, oldest first, with their weights: ``decay`` to the
    power of each error's age in months (how long it has been known), all 1 without decay."""

    errors: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.errors)

    def rms(self) -> float:
        """Weighted root-mean-square: the sd of the interval built on these errors."""
        return float(np.sqrt(np.average(self.errors**2, weights=self.weights)))

    def percentile(self, value: float) -> float:
        """Weighted mid-rank of a new error among these (see `rank_percentile`)."""
        return float(rank_percentile(value, self.errors, self.weights))

    def lean(self) -> tuple[float, float]:
        """How often (%) the figure came in above the median forecast among these errors
        (weighted, ties half), and the two-sided binomial test of that against one half
        (counts rounded to whole errors): the lean a percentile among them allows for."""
        up = (self.errors > 0) + 0.5 * (self.errors == 0)
        share = float(np.average(up, weights=self.weights))
        pvalue = stats.binomtest(round(share * len(self)), len(self), 0.5).pvalue
        return 100.0 * share, float(pvalue)


def _known(errors: np.ndarray, ordinals: np.ndarray, horizon: int, at: int,
           window: int | None, decay: float | None) -> Past:
    """The latest `window` non-missing errors at `horizon` known at month ordinal `at`."""
    keep = (ordinals + horizon <= at) & ~np.isnan(errors)
    ages = at - (ordinals[keep] + horizon)
    known = errors[keep]
    if window is not None:
        known, ages = known[-window:], ages[-window:]
    return Past(known, weights(ages, decay))


def weights(ages: np.ndarray, decay: float | None) -> np.ndarray:
    """Weight of errors `ages` months old: decay**age, or 1 each with ``decay=None``."""
    ages = np.asarray(ages, dtype=float)
    if decay is None:
        return np.ones_like(ages)
    if not 0 < decay <= 1:
        raise ValueError(f"decay must be in (0, 1], got {decay}")
    return decay**ages


def window_scores(errors: np.ndarray, ordinals: np.ndarray, horizon: int,
                  min_errors: int) -> np.ndarray:
    """Per past error (rows, oldest first) and window of `ADAPTIVE` (columns), the mean of the 80%
    and 95% interval scores, on the model scale, of that error under the interval the window gave
    at the error's own origin; a row is NaN where the error is missing or some window had fewer
    than `min_errors` errors behind it."""
    out = np.full((len(errors), len(ADAPTIVE)), np.nan)
    for j in np.flatnonzero(~np.isnan(errors)):
        for k, window in enumerate(ADAPTIVE):
            past = _known(errors, ordinals, horizon, int(ordinals[j]), window, None)
            if len(past) < min_errors:
                out[j] = np.nan
                break
            out[j, k] = _mean_interval_score(errors[j], past.rms())
    return out


def _mean_interval_score(error: float, sd: float) -> float:
    """Mean over `LEVELS` of the interval score of `error` under a normal interval of sd `sd`
    centred on 0: its width plus 2/alpha times any miss."""
    scores = []
    for alpha in LEVELS.values():
        half = stats.norm.ppf(1 - alpha / 2) * sd
        scores.append(2 * half + 2 / alpha * max(abs(error) - half, 0.0))
    return float(np.mean(scores))


def adaptive_window(scores: np.ndarray, ordinals: np.ndarray, horizon: int, at: int,
                    adapt: int) -> int | None:
    """The window of `ADAPTIVE` with the lowest mean score (`window_scores`) over the latest
    `adapt` errors known at month ordinal `at` (ties to the shorter), or `WINDOW` with fewer."""
    known = (ordinals + horizon <= at) & ~np.isnan(scores).any(axis=1)
    latest = scores[known][-adapt:]
    if len(latest) < adapt:
        return WINDOW
    return ADAPTIVE[int(np.argmin(latest.mean(axis=0)))]


def _calibrate(raw: pd.DataFrame, scored: pd.DataFrame, window: int | None,
               min_errors: int, decay: float | None, adapt: int | None) -> pd.DataFrame:
    """Per scored row, the (weighted) RMS of the latest `window` past errors of the same model
    and horizon known at its origin (n_past of them), or the model's sd where fewer than
    `min_errors`. With `adapt`, the window is `adaptive_window`'s at each origin."""
    sd = scored["sd"].to_numpy(copy=True)
    n_past = np.zeros(len(scored), dtype=int)
    for (name, h), rows in raw.groupby(["model", "horizon"], sort=False):
        rows = rows.sort_values("origin")
        ordinals = rows["origin"].map(lambda p: p.ordinal).to_numpy()
        errors = rows["error"].to_numpy()
        where = np.flatnonzero((scored["model"] == name).to_numpy()
                               & (scored["horizon"] == h).to_numpy())
        scores = None if adapt is None else window_scores(errors, ordinals, int(h), min_errors)
        for i in where:
            at = scored["origin"].iloc[i].ordinal
            width = window if scores is None else adaptive_window(scores, ordinals, int(h), at,
                                                                  adapt)
            past = _known(errors, ordinals, int(h), at, width, decay)
            n_past[i] = len(past)
            if len(past) >= min_errors:
                sd[i] = past.rms()
    return scored.assign(sd=sd, n_past=n_past)


def forecasts(series: pd.Series, models: Iterable[str] = m.MODELS,
              horizons: Iterable[int] = HORIZONS, n_origins: int = N_ORIGINS, *,
              origins: tuple[str | pd.Period, str | pd.Period] | None = None,
              intervals: str = "past_errors", window: int | None = WINDOW,
              min_errors: int = MIN_ERRORS, decay: float | None = DECAY,
              adapt: int | None = ADAPT, **options: Any) -> pd.DataFrame:
    """Every backtest forecast: one row per model, origin and horizon whose target is available,
    with the forecast (median), its intervals, the actual, the origin's MASE scale, the model that
    made it (after any fallback), the number of statsmodels warnings caught, the model-scale sd
    of the interval, n_past (past errors behind it; 0 with ``intervals="model"``) and percentile
    (where the actual fell in the forecast distribution, 0-100).

    Origins: the last `n_origins` available months, or ``origins=(start, end)``. ``intervals``:
    "past_errors" (see the module docstring; the model is also fitted at every earlier origin to
    know its errors) or "model" (the model's own variance). Options go to `fit`. An origin with
    too little data for any model (not even naive) is skipped."""
    if intervals not in ("past_errors", "model"):
        raise ValueError(f"intervals must be 'past_errors' or 'model', got {intervals!r}")
    y = m.check_series(series, positive=False)
    models, horizons = list(models), sorted(set(horizons))
    if not horizons or horizons[0] < 1:
        raise ValueError(f"horizons must be at least 1, got {horizons}")
    chosen = _origins(y, n_origins, origins)
    every = _origins(y, len(y))
    at = every[every <= chosen[-1]] if intervals == "past_errors" else chosen
    raw = _raw(y, models, at, horizons, **options)
    scored = raw[raw["origin"].isin(chosen) & raw["actual"].notna()].reset_index(drop=True)
    if intervals == "past_errors":
        if adapt is not None and decay is not None:
            raise ValueError("an adaptive window chooses among equal-weight windows: give adapt "
                             "or decay, not both")
        scored = _calibrate(raw, scored, window, min_errors, decay, adapt)
    else:
        scored = scored.assign(n_past=0)
    log = m.Settings(**options).log
    back = np.exp if log else np.asarray
    frame = scored.assign(mean=back(scored["mu"]),
                          percentile=100 * stats.norm.cdf(scored["error"] / scored["sd"]))
    for level, alpha in LEVELS.items():
        half = stats.norm.ppf(1 - alpha / 2) * frame["sd"]
        frame[f"lo{level}"], frame[f"hi{level}"] = back(frame["mu"] - half), back(frame["mu"] + half)
    if frame.empty:
        raise ValueError("no origin has both a fitted model and an available target")
    columns = ["model", "used", "origin", "horizon", "target", "actual", "mean", "lo80", "hi80",
               "lo95", "hi95", "scale", "warnings", "sd", "n_past", "percentile"]
    return frame[columns]


def errors(series: pd.Series, model: str = "default", horizons: Iterable[int] = range(1, 13),
           **options: Any) -> pd.DataFrame:
    """Past out-of-sample forecast errors on the log scale, log(actual) - log(forecast median):
    one row per origin (every available month with a later one), one column per horizon, NaN
    where the target month is missing. The error at origin o and horizon h is known from month
    o + h on, so a forecast made at month t may use only the rows with o + h <= t."""
    y = m.check_series(series, positive=True)
    horizons = sorted(set(horizons))
    raw = _raw(y, [model], _origins(y, len(y)), horizons, **options)
    out = raw.pivot(index="origin", columns="horizon", values="error")
    out = out.reindex(columns=horizons)
    out.index = pd.PeriodIndex(out.index, freq="M", name="origin")
    out.columns.name = "horizon"
    return out


def sum_errors(series: pd.Series, model: str = "default", months: int = 2,
               **options: Any) -> pd.DataFrame:
    """Past errors of the model's forecast of the sum of the `months` months after each origin
    (the kind of forecast a combined January–February release gets), on the log scale:
    log(actual sum) − log(median of the simulated sum), one row per origin where all the months
    are available, in one column named `months` (the error is known at origin + months)."""
    y = m.check_series(series, positive=True)
    rows = {}
    with one_blas_thread():
        for origin in _origins(y, len(y)):
            targets = pd.period_range(origin + 1, periods=months, freq="M")
            actual = y.reindex(targets)
            if actual.isna().any():
                continue
            try:
                fitted = m.fit(y.loc[:origin], model, **options)
            except ValueError:
                continue
            median = m.forecast_sum(fitted, targets)["mean"]
            if median > 0:
                rows[origin] = float(np.log(actual.sum()) - np.log(median))
    index = pd.PeriodIndex(list(rows), freq="M", name="origin")
    out = pd.DataFrame({months: list(rows.values())}, index=index, dtype=float)
    out.columns.name = "horizon"
    return out


def known_errors(errors_table: pd.DataFrame, at: str | pd.Period, horizon: int,
                 window: int | None = WINDOW, decay: float | None = DECAY) -> Past:
    """The latest `window` errors (all with None) of an `errors` table at `horizon` known at
    month `at` (origin + horizon <= at), oldest first, with their `decay` weights."""
    if horizon not in errors_table.columns:
        return Past(np.array([]), np.array([]))
    ordinals = np.array([p.ordinal for p in errors_table.index])
    return _known(errors_table[horizon].to_numpy(dtype=float), ordinals, int(horizon),
                  _month(at).ordinal, window, decay)


def past_rmse(errors_table: pd.DataFrame, at: str | pd.Period, window: int | None = WINDOW,
              min_errors: int = MIN_ERRORS, decay: float | None = DECAY) -> pd.Series:
    """Per horizon, the (weighted) root-mean-square of the latest `window` errors of `errors`
    known at month `at` (origin + horizon <= at): the spread of the model's own past misses,
    NaN where fewer than `min_errors` are known."""
    out = {}
    for h in errors_table.columns:
        known = known_errors(errors_table, at, int(h), window, decay)
        out[h] = known.rms() if len(known) >= min_errors else np.nan
    return pd.Series(out, name="rmse", dtype=float).rename_axis("horizon")


@dataclass(frozen=True)
class Record:
    """How often a model's past-error intervals held at one horizon: over its latest `n`
    forecasts whose outcome was known at a month (targets `first`..`last`), `held80`/`held95` of
    them fell inside the 80%/95% interval built, as `forecasts` builds it, from the errors known at
    each forecast's own origin; `pvalue80` is the two-sided binomial test of held80 against 0.8."""

    n: int
    held80: int
    held95: int
    first: pd.Period | None
    last: pd.Period | None
    pvalue80: float


def track_record(errors_table: pd.DataFrame, at: str | pd.Period, horizon: int,
                 last: int | None = N_ORIGINS,
                 origins: tuple[str | pd.Period, str | pd.Period] | None = None,
                 window: int | None = WINDOW, min_errors: int = MIN_ERRORS,
                 decay: float | None = DECAY) -> Record:
    """The `Record` of the forecasts at `horizon` of an `errors` table whose target is known at
    month `at`: the latest `last` of them (all with None), of origins from start to end with
    ``origins=(start, end)``. Forecasts with fewer than `min_errors` past errors (the model's own
    interval) are not counted. No look-ahead: each interval uses only what its origin knew."""
    at = _month(at)
    if horizon not in errors_table.columns:
        return Record(0, 0, 0, None, None, np.nan)
    first, end = map(_month, origins) if origins is not None else (None, None)
    column = errors_table[horizon].to_numpy(dtype=float)
    ordinals = np.array([p.ordinal for p in errors_table.index])
    inside, targets = [], []
    for origin, error in zip(errors_table.index, column, strict=True):
        if np.isnan(error) or origin.ordinal + horizon > at.ordinal \
                or (first is not None and not first <= origin <= end):
            continue
        past = _known(column, ordinals, horizon, origin.ordinal, window, decay)
        if len(past) >= min_errors:
            inside.append(abs(error) / past.rms())
            targets.append(origin + horizon)
    z = np.array(inside if last is None else inside[-last:])
    if not len(z):
        return Record(0, 0, 0, None, None, np.nan)
    held = {level: int((z <= stats.norm.ppf(1 - alpha / 2)).sum()) for level, alpha in LEVELS.items()}
    return Record(len(z), held[80], held[95], targets[-len(z)], targets[-1],
                  float(stats.binomtest(held[80], len(z), 0.8).pvalue))


def rank_percentile(values: float | np.ndarray, past: np.ndarray,
                    weights: np.ndarray | None = None) -> np.ndarray:
    """Mid-rank percentile of each value among its column of past values (NaN ignored):
    100·(below + ties/2 + 1/2)/(n + 1), counting each past value with its weight (1 when None)
    and the new value with weight 1. `past` (and `weights`) is 1-D for one value, or
    (rows, columns) for a value per column; NaN where a column has no past value."""
    values, past = np.asarray(values, dtype=float), np.asarray(past, dtype=float)
    valid = ~np.isnan(past)
    w = np.where(valid, 1.0 if weights is None else np.asarray(weights, dtype=float), 0.0)
    total = w.sum(axis=0)
    below = (w * (past < values)).sum(axis=0)
    ties = (w * (past == values)).sum(axis=0)
    with np.errstate(invalid="ignore"):
        out = 100.0 * (below + 0.5 * ties + 0.5) / (total + 1)
    return np.where(valid.any(axis=0) & ~np.isnan(values), out, np.nan)


def score(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores per model and horizon from `forecasts` rows: n, mase (mean of |error| / scale) and
    its median, smape (percent, 0-200), coverage80/95 (share of actuals inside the interval),
    interval_score80/95 (mean Winkler score / scale: width plus 2/alpha times any miss, so MSIS
    at 95%), width80 (mean 80% interval width / scale) and width80_t (the same in series units,
    e.g. tonnes). Rows without a forecast are left out."""
    f = frame[frame["mean"].notna()]
    error = (f["actual"] - f["mean"]).abs()
    parts = {
        "model": pd.Categorical(f["model"], categories=pd.unique(f["model"])),
        "horizon": f["horizon"],
        "ase": error / f["scale"],
        "smape": 200 * error / (f["actual"].abs() + f["mean"].abs())}
    for level, alpha in LEVELS.items():
        lo, hi, y = f[f"lo{level}"], f[f"hi{level}"], f["actual"]
        parts[f"coverage{level}"] = y.between(lo, hi)
        winkler = (hi - lo) + 2 / alpha * ((lo - y).clip(lower=0) + (y - hi).clip(lower=0))
        parts[f"interval_score{level}"] = winkler / f["scale"]
    parts["width80"] = (f["hi80"] - f["lo80"]) / f["scale"]
    parts["width80_t"] = f["hi80"] - f["lo80"]
    grouped = pd.DataFrame(parts).groupby(["model", "horizon"], observed=True)
    table = grouped.agg(n=("ase", "size"), mase=("ase", "mean"), mase_median=("ase", "median"),
                        smape=("smape", "mean"), coverage80=("coverage80", "mean"),
                        coverage95=("coverage95", "mean"),
                        interval_score80=("interval_score80", "mean"),
                        interval_score95=("interval_score95", "mean"),
                        width80=("width80", "mean"), width80_t=("width80_t", "mean"))
    return table.reset_index().astype({"model": str})


def backtest(series: pd.Series, models: Iterable[str] = m.MODELS,
             horizons: Iterable[int] = HORIZONS, n_origins: int = N_ORIGINS, *,
             origins: tuple[str | pd.Period, str | pd.Period] | None = None,
             **options: Any) -> pd.DataFrame:
    """Rolling-origin backtest on the last `n_origins` origins or ``origins=(start, end)``: one
    row per model and horizon with the columns of `score`. Options go to `forecasts`."""
    return score(forecasts(series, models, horizons, n_origins, origins=origins, **options))


def rank(table: pd.DataFrame, baseline: str = "seasonal_naive") -> pd.DataFrame:
    """Models ranked by MASE averaged over horizons, with the change against `baseline` (percent),
    the coverage pooled over horizons, the interval scores averaged over horizons and the mean
    80% width in series units (when the table has them), and which model is
    ``helpers.models.DEFAULT``."""
    pooled = table.assign(c80=table["coverage80"] * table["n"], c95=table["coverage95"] * table["n"])
    extra = [c for c in ("interval_score80", "interval_score95", "width80_t") if c in table]
    ranked = pooled.groupby("model", sort=False).agg(
        mase=("mase", "mean"), n=("n", "sum"), c80=("c80", "sum"), c95=("c95", "sum"),
        **{c: (c, "mean") for c in extra})
    ranked["coverage80"], ranked["coverage95"] = ranked["c80"] / ranked["n"], ranked["c95"] / ranked["n"]
    if baseline not in ranked.index:
        raise ValueError(f"baseline {baseline!r} is not in the backtest table")
    ranked["vs_baseline"] = 100 * (ranked["mase"] / ranked.loc[baseline, "mase"] - 1)
    ranked = ranked.sort_values("mase", kind="stable")
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    ranked["default"] = ranked.index == m.DEFAULT
    return ranked[["rank", "mase", "vs_baseline", "coverage80", "coverage95", *extra, "n",
                   "default"]]


def by_window(series: pd.Series, windows: dict[str, tuple[str, str]] | None = None,
              model: str = m.DEFAULT, baseline: str = "seasonal_naive",
              horizons: Iterable[int] = HORIZONS) -> pd.DataFrame:
    """How `model` did on each fixed window of origins (`WINDOWS` when None), one row per
    window: origins and forecasts; coverage80/95, ``coverage80_pvalue``, the two-sided
    binomial test of the 80% coverage against 0.8 (as if the forecasts were independent), and
    ``coverage80_lo``/``_hi``, its 90% `coverage_interval` (origins resampled a year at a time,
    so overlapping horizons count as the dependent forecasts they are); the `calibration` of its percentiles
    (outside80, outside95, ks_pvalue); interval_score80, width80_t, and its MASE against
    `baseline` (vs_baseline, percent). A window the series cannot backtest is a row of NaN with
    the reason in ``note``."""
    rows = {}
    for name, window in (WINDOWS if windows is None else windows).items():
        try:
            frame = forecasts(series, [model, baseline], horizons, origins=window)
        except ValueError as exc:
            rows[name] = {"note": str(exc)}
            continue
        ranked = rank(score(frame), baseline).loc[model]
        mine = frame[(frame["model"] == model) & frame["mean"].notna()]
        held = int(mine["actual"].between(mine["lo80"], mine["hi80"]).sum())
        calib = calibration(mine["percentile"])
        cover = coverage_interval(frame, model).loc[80]
        rows[name] = {"origins": frame["origin"].nunique(), "forecasts": int(ranked["n"]),
                      "coverage80": ranked["coverage80"], "coverage95": ranked["coverage95"],
                      "coverage80_pvalue": stats.binomtest(held, len(mine), 0.8).pvalue,
                      "coverage80_lo": cover["lo"], "coverage80_hi": cover["hi"],
                      "outside80": calib.outside80, "outside95": calib.outside95,
                      "ks_pvalue": calib.ks_pvalue, "interval_score80": ranked["interval_score80"],
                      "width80_t": ranked["width80_t"], "vs_baseline": ranked["vs_baseline"],
                      "note": ""}
    columns = ["origins", "forecasts", "coverage80", "coverage95", "coverage80_pvalue",
               "coverage80_lo", "coverage80_hi", "outside80", "outside95", "ks_pvalue", "interval_score80", "width80_t",
               "vs_baseline", "note"]
    return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns).rename_axis(
        "window")


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


def _block_counts(n: int, level: float, block: int, draws: int, seed: int
                  ) -> tuple[np.ndarray, int]:
    """How often each of `n` consecutive origins is drawn in each of `draws` moving-block
    resamples (blocks of `block` origins, cut to `n`), and the block size used."""
    if not 0 < level < 1 or block < 1 or draws < 1:
        raise ValueError(f"need 0 < level < 1, block >= 1, draws >= 1; got {level}, {block}, "
                         f"{draws}")
    rng = np.random.default_rng(seed)
    size = min(block, n)
    starts = rng.integers(0, n - size + 1, (draws, -(-n // size)))
    picks = (starts[:, :, None] + np.arange(size)).reshape(draws, -1)[:, :n]
    counts = np.zeros((draws, n))
    np.add.at(counts, (np.arange(draws)[:, None], picks), 1.0)
    return counts, size


def _central(boot: np.ndarray, level: float) -> tuple[float, float]:
    lo, hi = np.nanquantile(boot, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return lo, hi


def gain_interval(frame: pd.DataFrame, model: str = m.DEFAULT, baseline: str = "seasonal_naive",
                  level: float = 0.9, block: int = 12, draws: int = 2000,
                  seed: int = 0) -> pd.Series:
    """Moving-block bootstrap of `model`'s MASE gain over `baseline` (percent; negative = better)
    from `forecasts` rows: origins are resampled in blocks of `block` consecutive origins (a
    year, so that seasonal and overlapping-horizon dependence stays inside a block), and the gain
    is recomputed as in `rank` (MASE averaged over horizons) on the origins both models forecast.
    Returns gain_pct, lo and hi (the central `level` interval), level, block, draws, n_origins."""
    f = frame[frame["mean"].notna() & frame["model"].isin([model, baseline])]
    ase = (f["actual"] - f["mean"]).abs() / f["scale"]
    grid = f.assign(ase=ase).pivot_table(index="origin", columns=["model", "horizon"],
                                         values="ase", aggfunc="first")
    if model not in grid.columns.get_level_values(0) or \
            baseline not in grid.columns.get_level_values(0):
        raise ValueError(f"the forecasts lack {model!r} or {baseline!r}")
    a, b = grid[model].sort_index(axis=1), grid[baseline].sort_index(axis=1)
    both = a.notna().to_numpy() & b.notna().to_numpy()
    va, vb = np.where(both, a.to_numpy(), 0.0), np.where(both, b.to_numpy(), 0.0)
    n = len(grid)
    counts, size = _block_counts(n, level, block, draws, seed)

    def gain(weights: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            denom = weights @ both
            return 100 * (np.nanmean((weights @ va) / denom, axis=-1)
                          / np.nanmean((weights @ vb) / denom, axis=-1) - 1)

    lo, hi = _central(gain(counts), level)
    return pd.Series({"gain_pct": float(gain(np.ones(n))), "lo": float(lo), "hi": float(hi),
                      "level": level, "block": size, "draws": draws, "n_origins": n})


def coverage_interval(frame: pd.DataFrame, model: str = m.DEFAULT, level: float = 0.9,
                      block: int = 12, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Moving-block bootstrap of `model`'s 80% and 95% coverage pooled over horizons (as in
    `rank`), from `forecasts` rows, origins resampled as in `gain_interval`: how far a window's
    coverage is from its claim once its forecasts' dependence is allowed for. One row per
    nominal level (80, 95): coverage, lo, hi (the central `level` interval), level, block, draws,
    n_origins."""
    f = frame[frame["mean"].notna() & (frame["model"] == model)]
    if f.empty:
        raise ValueError(f"the forecasts lack {model!r}")
    origins = pd.Index(sorted(f["origin"].unique()))
    at = origins.get_indexer(f["origin"])
    n = len(origins)
    forecasts_at = np.bincount(at, minlength=n).astype(float)
    counts, size = _block_counts(n, level, block, draws, seed)
    rows = {}
    for nominal in LEVELS:
        inside = f["actual"].between(f[f"lo{nominal}"], f[f"hi{nominal}"]).to_numpy(float)
        inside_at = np.bincount(at, weights=inside, minlength=n)
        lo, hi = _central((counts @ inside_at) / (counts @ forecasts_at), level)
        rows[nominal] = {"coverage": inside_at.sum() / forecasts_at.sum(), "lo": float(lo),
                         "hi": float(hi), "level": level, "block": size, "draws": draws,
                         "n_origins": n}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("nominal")


@dataclass(frozen=True)
class Calibration:
    """How uniform a set of percentiles is: `histogram` (one row per bin: lo, hi, count, share,
    expected share), n, the Kolmogorov-Smirnov test of uniformity (statistic, pvalue), the
    shares outside the 10th-90th and 2.5th-97.5th percentiles (0.2 and 0.05 when calibrated) and
    the two-sided binomial test of each share against its claim (does a flag at that level fire
    about as often as it says?)."""

    histogram: pd.DataFrame
    n: int
    ks_statistic: float
    ks_pvalue: float
    outside80: float
    outside95: float
    outside80_pvalue: float
    outside95_pvalue: float


def calibration(percentiles: Iterable[float], bins: int = 10) -> Calibration:
    """Histogram and uniformity test of percentiles (0-100, NaN dropped): of forecast rows
    (`forecasts`' percentile column) or of release surprises (``models.surprise_history``)."""
    p = np.asarray(list(percentiles), dtype=float)
    p = p[~np.isnan(p)]
    if not len(p):
        raise ValueError("no percentile to test")
    if (p < 0).any() or (p > 100).any():
        raise ValueError("percentiles must lie between 0 and 100")
    edges = np.linspace(0, 100, bins + 1)
    counts, _ = np.histogram(p, edges)
    histogram = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "count": counts,
                              "share": counts / len(p), "expected": 1 / bins})
    ks = stats.kstest(p / 100, "uniform")
    outside = {80: (p < 10) | (p > 90), 95: (p < 2.5) | (p > 97.5)}
    binomial = {level: stats.binomtest(int(hit.sum()), len(p), LEVELS[level]).pvalue
                for level, hit in outside.items()}
    return Calibration(histogram, len(p), float(ks.statistic), float(ks.pvalue),
                       float(outside[80].mean()), float(outside[95].mean()),
                       float(binomial[80]), float(binomial[95]))
