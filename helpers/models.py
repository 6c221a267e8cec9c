"""Forecasts for gappy monthly customs series: fits and release surprises.

Every model works on log volume (``log=False`` for the raw scale) and on the months that exist: a
missing month stays missing, never imputed. The state-space models skip it in the Kalman filter;
the naive models look back to the latest available value. A forecast is normal on the model scale,
so back-transformed quantiles are exact and the point forecast (column ``mean``) is the **median**
exp(mu), not the bias-corrected mean exp(mu + s²/2): actuals fall above it as often as below, and it
is what absolute-error scores such as MASE reward.

Models (``MODELS``):

- ``naive``: the latest available month. ``seasonal_naive``: the same calendar month a year
  earlier, or the latest earlier year that has it. Both are random walks (one lane of months, or
  one per calendar month) whose step variance is estimated from the log changes between successive
  available values of a lane (a change spanning j steps counts as j steps); a value j steps back
  has variance j·s². Intervals are normal on log residuals, not empirical quantiles, because a few
  dozen residuals cannot pin a 2.5% tail.
- ``mean12``: the mean of the last 12 months (at least 6 available); its variance for each horizon
  is the mean squared in-sample error of the same rule at that horizon.
- ``ets``: statsmodels ``UnobservedComponents``, local level + stochastic seasonal + irregular (the
  ETS(A,N,A) analogue on logs).
- ``sarima``: statsmodels ``SARIMAX`` (1,0,0)(0,1,1)12 (see ``Settings`` for why).
- ``combo`` = seasonal_naive + sarima and ``combo_mean12`` = seasonal_naive + mean12: equal-weight
  averages on the log scale. The interval averages the components' quantiles (their errors are
  highly correlated: they all miss the same shocks); across months the correlation is the average
  of the components'.
- ``default`` = ``DEFAULT`` = combo_mean12, the winner of ``helpers.evaluate.backtest`` on the
  headline series (``helpers.series.monthly()``, data to 2026-02; 35 origins 2022-11..2025-11,
  horizons 1, 3, 6; settings fixed before the backtest was run): mean MASE 0.636 against 0.690 for
  seasonal naive (-7.8%; one step ahead 0.637 vs 0.678), with combo level with seasonal naive
  (0.692) and the state-space models trailing it (sarima 0.823, ets 0.835). Its 80%/95% intervals
  covered 97%/100% of the actuals, as seasonal naive's did: wider than nominal, so conservative.
  ``benchmarks/RESULTS.md`` holds the full, dated tables.

statsmodels warnings are caught, kept in ``Fit.warnings`` and never printed; a model that cannot be
fitted falls back to seasonal naive (then naive), and ``Fit.failures`` says which failed and why.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.structural import UnobservedComponents

from helpers.errors import DataError

SEASON = 12
BASE_MODELS = ("naive", "seasonal_naive", "mean12", "ets", "sarima")
COMBOS = {"combo": ("seasonal_naive", "sarima"), "combo_mean12": ("seasonal_naive", "mean12")}
MODELS = BASE_MODELS + tuple(COMBOS)
DEFAULT = "combo_mean12"
FALLBACKS = ("seasonal_naive", "naive")
DRAWS, SEED = 20_000, 0  # simulated pairs for a January-February sum, and their fixed seed
_Z = {80: stats.norm.ppf(0.90), 95: stats.norm.ppf(0.975)}


@dataclass(frozen=True)
class Settings:
    """Model options (the keyword arguments of `fit`), fixed on principle before any backtest.

    - ``log``: model log volume; customs volumes are positive, seasonality and noise scale with level.
    - ``order``/``seasonal_order`` (SARIMA): seasonal differencing makes next June last June plus a
      deviation; AR(1) lets a run of months above last year persist; the seasonal MA(1) averages
      the same month over several years instead of trusting one noisy year. No constant, so no
      trend is extrapolated. Three parameters are estimable from ~90 gappy months.
    - ``level``/``stochastic_seasonal`` (ets): no slope, because on this series the level moves
      with policy and demand shocks, and a stochastic slope would extrapolate noise.
    - ``min_obs``: a seasonal state-space model needs two years of available months.
    - ``maxiter``: L-BFGS iterations; a fit that stops early shows up as a ConvergenceWarning.
    """

    log: bool = True
    order: tuple[int, int, int] = (1, 0, 0)
    seasonal_order: tuple[int, int, int, int] = (0, 1, 1, SEASON)
    level: str = "local level"
    stochastic_seasonal: bool = True
    min_obs: int = 24
    maxiter: int = 200


class _Failure(Exception):
    """A model that cannot be fitted to this series (the reason is the message)."""


def _capture(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call fn with every warning caught and returned as text, so none reaches a notebook."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        value = fn(*args, **kwargs)
    return value, [f"{w.category.__name__}: {w.message}" for w in caught]


def _last_in_lane(z: np.ndarray, lag: int) -> np.ndarray:
    """Position of the latest available value in each lane of months (position mod lag), -1 if none."""
    obs = np.flatnonzero(~np.isnan(z))
    last = np.full(lag, -1)
    np.maximum.at(last, obs % lag, obs)
    return last


def _blank(mu: np.ndarray, cov: np.ndarray, unseen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NaN for forecast months whose lane has no available value: the model cannot say anything."""
    mu, cov = mu.astype(float), cov.astype(float)
    mu[unseen] = np.nan
    cov[unseen, :] = cov[:, unseen] = np.nan
    return mu, cov


class _RandomWalk:
    """Naive (lag 1) or seasonal naive (lag 12): each lane of months is a random walk."""

    def __init__(self, z: np.ndarray, lag: int) -> None:
        obs = np.flatnonzero(~np.isnan(z))
        order = np.lexsort((obs, obs % lag))
        pos, lane = obs[order], obs[order] % lag
        same = lane[1:] == lane[:-1]
        steps = ((pos[1:] - pos[:-1]) // lag)[same]
        if not steps.size:
            raise _Failure(f"no two available values a multiple of {lag} month(s) apart")
        diffs = (z[pos[1:]] - z[pos[:-1]])[same]
        self.z, self.lag = z, lag
        self.sigma2 = float(diffs @ diffs / steps.sum())

    def predict(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        targets = np.arange(len(self.z), len(self.z) + h)
        base = _last_in_lane(self.z, self.lag)[targets % self.lag]
        steps = (targets - base) // self.lag
        shared = base[:, None] == base[None, :]
        cov = np.where(shared, self.sigma2 * np.minimum(steps[:, None], steps[None, :]), 0.0)
        return _blank(self.z[base], cov, base < 0)


class _Mean12:
    """Mean of the last 12 months, with the in-sample mean squared error at each horizon (no
    forecast at a horizon that has no in-sample error)."""

    def __init__(self, z: np.ndarray) -> None:
        self.means = pd.Series(z).rolling(SEASON, min_periods=SEASON // 2).mean().to_numpy()
        if np.isnan(self.means[-1]):
            raise _Failure("fewer than 6 available values in the last 12 months")
        self.z = z
        if np.isnan(self._mse(1)):
            raise _Failure("no in-sample one-month error to size the interval")

    def _mse(self, k: int) -> float:
        errors = self.z[k:] - self.means[:-k]
        return float(np.nanmean(errors**2)) if np.isfinite(errors).any() else np.nan

    def predict(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        mse = np.array([self._mse(k) for k in range(1, h + 1)])
        return _blank(np.full(h, self.means[-1]), np.diag(np.nan_to_num(mse)), np.isnan(mse))


class _StateSpace:
    """A statsmodels state-space model fitted by maximum likelihood; forecasts with their covariance."""

    def __init__(self, model: Any, settings: Settings) -> None:
        if model.nobs - np.isnan(model.endog).sum() < settings.min_obs:
            raise _Failure(f"fewer than {settings.min_obs} available months")
        self.res = model.fit(disp=False, method="lbfgs", maxiter=settings.maxiter)
        if not np.isfinite(self.res.llf):
            raise _Failure("the likelihood is not finite")
        self.last = _last_in_lane(model.endog[:, 0], SEASON)

    def predict(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of the next h observations: Cov(y_i, y_j) = Z T^(j-i) P_i Z' (+ H)."""
        fc = self.res.get_forecast(h)
        states = fc.prediction_results.predicted_state_cov
        fr = self.res.filter_results
        design, transition = fr.design[0, :, 0], fr.transition[:, :, 0]
        cov = np.empty((h, h))
        for i in range(h):
            w = states[:, :, i] @ design
            for j in range(i, h):
                cov[i, j] = cov[j, i] = design @ w
                w = transition @ w
        cov[np.diag_indices(h)] += fr.obs_cov[0, 0, 0]
        targets = np.arange(self.res.nobs, self.res.nobs + h)
        return _blank(np.asarray(fc.predicted_mean), cov, self.last[targets % SEASON] < 0)


class _Combo:
    """Equal-weight average on the model scale; quantiles averaged (errors assumed to move together)."""

    def __init__(self, parts: Sequence[Any]) -> None:
        self.parts = parts

    def predict(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        mus, sds, corrs = [], [], []
        for part in self.parts:
            mu, cov = part.predict(h)
            sd = np.sqrt(np.diag(cov))
            mus.append(mu)
            sds.append(sd)
            corrs.append(np.where(np.outer(sd, sd) > 0, cov / np.outer(sd, sd), np.eye(h)))
        sd = np.mean(sds, axis=0)
        return np.mean(mus, axis=0), np.mean(corrs, axis=0) * np.outer(sd, sd)


def _base(name: str, z: np.ndarray, s: Settings) -> Any:
    """Fit one base model on the model-scale values z."""
    if name == "naive":
        return _RandomWalk(z, 1)
    if name == "seasonal_naive":
        return _RandomWalk(z, SEASON)
    if name == "mean12":
        return _Mean12(z)
    if name == "ets":
        return _StateSpace(UnobservedComponents(
            z, level=s.level, seasonal=SEASON, stochastic_seasonal=s.stochastic_seasonal,
            use_exact_diffuse=True), s)
    return _StateSpace(SARIMAX(z, order=s.order, seasonal_order=s.seasonal_order,
                               use_exact_diffuse=True), s)


@dataclass
class Fit:
    """A fitted model. `model` made the forecasts; if it differs from `requested`, `failures` says
    why the requested one (or a component of it) could not be fitted. `warnings` holds the messages
    statsmodels emitted while fitting and forecasting (counted, never printed)."""

    model: str
    requested: str
    series: pd.Series
    log: bool
    warnings: list[str]
    failures: dict[str, str]
    core: Any = field(repr=False)

    @property
    def n_warnings(self) -> int:
        return len(self.warnings)

    def distribution(self, h: int) -> tuple[pd.PeriodIndex, np.ndarray, np.ndarray]:
        """The h months after the series, and the forecast's mean vector and covariance matrix on
        the model scale (log unless ``log=False``)."""
        if h < 1:
            raise DataError(None, None, f"horizon must be at least 1, got {h}")
        (mu, cov), caught = _capture(self.core.predict, h)
        index = pd.period_range(self.series.index[-1] + 1, periods=h, freq="M")
        if np.isnan(mu).any():
            caught.append(f"no forecast for {', '.join(map(str, index[np.isnan(mu)]))}: the "
                          "calendar month has no available value before")
        self.warnings.extend(caught)
        return index, mu, cov

    def forecast(self, h: int) -> pd.DataFrame:
        """Point forecast (the median, see module docstring) and 80%/95% intervals for h months."""
        index, mu, cov = self.distribution(h)
        return self._table(index, mu, np.sqrt(np.diag(cov)))

    def _table(self, index: pd.PeriodIndex, mu: np.ndarray, sd: np.ndarray) -> pd.DataFrame:
        columns = {"mean": mu}
        for level, z in _Z.items():
            columns[f"lo{level}"], columns[f"hi{level}"] = mu - z * sd, mu + z * sd
        frame = pd.DataFrame(columns, index=index)
        return np.exp(frame) if self.log else frame

    def to_scale(self, values: np.ndarray) -> np.ndarray:
        """Values in series units mapped to the model scale."""
        return np.log(values) if self.log else np.asarray(values, dtype=float)

    def from_scale(self, values: np.ndarray) -> np.ndarray:
        """Model-scale values mapped back to series units."""
        return np.exp(values) if self.log else np.asarray(values, dtype=float)


def check_series(series: pd.Series, positive: bool = True) -> pd.Series:
    """The series as floats, or DataError unless it is monthly, contiguous, numeric, with data."""
    index = series.index if isinstance(series, pd.Series) else None
    if not isinstance(index, pd.PeriodIndex) or index.freqstr != "M":
        raise DataError(None, None, "expected a pandas Series with a monthly PeriodIndex")
    if len(index) == 0 or not index.is_monotonic_increasing or not index.is_unique \
            or (index[-1] - index[0]).n + 1 != len(index):
        raise DataError(None, None, "expected contiguous, increasing months (NaN for a gap)")
    try:
        values = series.astype(float)
    except (TypeError, ValueError) as err:
        raise DataError(None, None, f"values must be numbers: {err}") from None
    if values.isna().all():
        raise DataError(None, None, "the series has no available month")
    if positive and (values <= 0).any():
        first = values.index[(values <= 0).to_numpy()][0]
        raise DataError(None, None, f"log models need positive values; {first} is {values[first]}")
    return values


def _resolve(model: str) -> str:
    name = DEFAULT if model == "default" else model
    if name not in MODELS:
        raise DataError(None, None, f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    return name


def fit_many(series: pd.Series, models: Iterable[str] = MODELS, **options: Any) -> dict[str, Fit]:
    """Fit several models, each base model once (combinations share their components).

    Options are `Settings` fields. Keys of the result are the names asked for ("default" included).
    """
    settings = Settings(**options)
    y = check_series(series, positive=settings.log)
    z = np.log(y.to_numpy()) if settings.log else y.to_numpy()
    cores: dict[str, Any] = {}
    notes: dict[str, list[str]] = {}
    errors: dict[str, str] = {}

    def build(name: str) -> Any:
        """Fit `name` (its components first), caching the fit or its failure."""
        if name in COMBOS:
            return _Combo([build(part) for part in COMBOS[name]])
        if name not in cores and name not in errors:
            notes[name] = []
            try:
                cores[name], notes[name] = _capture(_base, name, z, settings)
            except _Failure as err:
                errors[name] = str(err)
            except Exception as err:  # any statsmodels or numerical failure means a fallback
                errors[name] = f"{type(err).__name__}: {err}"
        if name in errors:
            raise _Failure(errors[name])
        return cores[name]

    fits = {}
    for asked in models:
        requested = _resolve(asked)
        failures: dict[str, str] = {}
        for name in (requested, *FALLBACKS):
            try:
                core = build(name)
            except _Failure:
                parts = COMBOS.get(name, (name,))
                failures.update({p: errors[p] for p in parts if p in errors})
                continue
            used = COMBOS.get(name, (name,)) + tuple(failures)
            caught = [msg for part in dict.fromkeys(used) for msg in notes.get(part, [])]
            fits[asked] = Fit(name, requested, y, settings.log, caught, failures, core)
            break
        else:
            raise DataError(None, None, "no model could be fitted: " +
                            "; ".join(f"{k}: {v}" for k, v in failures.items()))
    return fits


def fit(series: pd.Series, model: str = "default", **options: Any) -> Fit:
    """Fit one model (a name from `MODELS` or "default") to a monthly series with gaps.

    Options are `Settings` fields, e.g. ``log=False`` or ``order=(0, 1, 1)``.
    """
    return fit_many(series, [model], **options)[model]


def _month(value: str | pd.Period | pd.Timestamp) -> pd.Period:
    try:
        return pd.Period(value, freq="M")
    except (TypeError, ValueError) as err:
        raise DataError(None, None, f"not a month: {value!r} ({err})") from None


def _sum_draws(fitted: Fit, months: pd.PeriodIndex, draws: int, seed: int) -> np.ndarray:
    """Simulated sums over `months` (after the fit's end) from the joint forecast distribution."""
    end = fitted.series.index[-1]
    if months[0] <= end:
        raise DataError(None, None, f"the fit ends {end}, not before {months[0]}")
    index, mu, cov = fitted.distribution((months[-1] - end).n)
    pick = index.get_indexer(months)
    w, v = np.linalg.eigh(cov[np.ix_(pick, pick)])
    root = v * np.sqrt(np.clip(w, 0.0, None))
    normal = np.random.default_rng(seed).standard_normal((draws, len(pick)))
    return fitted.from_scale(mu[pick] + normal @ root.T).sum(axis=1)


def _janfeb(year: int) -> pd.PeriodIndex:
    return pd.period_range(f"{year}-01", periods=2, freq="M")


def forecast_janfeb(fitted: Fit | pd.Series, year: int, model: str = "default", draws: int = DRAWS,
                    seed: int = SEED, **options: Any) -> pd.Series:
    """Forecast of January + February of `year` combined (GACC releases them as one figure).

    The two months are drawn jointly from the model's forecast distribution, so the interval carries
    their correlation (a shared level makes it positive; the naive models' lanes are independent
    across calendar months). Fixed seed: the same input gives the same numbers. A Series input is
    fitted with `model` on the months before January of `year`. Returns mean (the median of the
    sum), lo80, hi80, lo95, hi95.
    """
    if isinstance(fitted, pd.Series):
        fitted = fit(fitted.loc[:pd.Period(f"{year - 1}-12", freq="M")], model, **options)
    return _quantiles(_sum_draws(fitted, _janfeb(year), draws, seed))


def _quantiles(sums: np.ndarray) -> pd.Series:
    q = np.quantile(sums, [0.5, 0.1, 0.9, 0.025, 0.975])
    return pd.Series(q, index=["mean", "lo80", "hi80", "lo95", "hi95"])


@dataclass(frozen=True)
class Surprise:
    """How a released figure compares with the forecast made from the data before it."""

    label: str
    month: pd.Period
    model: str
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    actual: float
    percentile: float
    flag: bool
    sentence: str
    n_warnings: int


def surprise(series: pd.Series, month: str | int | pd.Period, actual: float | None = None,
             model: str = "default", combined: bool = False, unit: str = "t",
             **options: Any) -> Surprise:
    """Compare a month's figure with the forecast fitted on the months strictly before it.

    ``combined=True`` compares January + February of the month's year (an int year also works)
    with the sum forecast by `forecast_janfeb` from the data before January. `actual` defaults to
    the series' value (the sum of both months when combined; pass the combined release otherwise).
    The percentile is where the actual falls in the forecast distribution (0-100); `flag` is True
    outside the 95% interval.
    """
    series = check_series(series, positive=False)
    year = month if isinstance(month, int) else _month(month).year
    if combined and not isinstance(month, int) and _month(month).month > 2:
        raise DataError(None, None, f"a combined figure is January–February, not {month}")
    target = _janfeb(year)[-1] if combined else _month(month)
    first = _janfeb(year)[0] if combined else target
    months = _janfeb(year) if combined else pd.PeriodIndex([target])
    if actual is None:
        known = series.reindex(months)
        if known.isna().any():
            raise DataError(None, None, f"no actual value for {', '.join(map(str, months))}; "
                            "pass actual=")
        actual = float(known.sum())
    fitted = fit(series.loc[:first - 1], model, **options)
    if combined:
        sums = _sum_draws(fitted, months, DRAWS, SEED)
        q = _quantiles(sums)
        percentile = 100.0 * float(np.mean(sums < actual))
        label = f"January–February {year}"
    else:
        index, mu, cov = fitted.distribution((target - fitted.series.index[-1]).n)
        sd = np.sqrt(np.diag(cov))
        q = fitted._table(index, mu, sd).iloc[-1]
        z = (fitted.to_scale(np.array([actual]))[0] - mu[-1]) / sd[-1]
        percentile = 100.0 * float(stats.norm.cdf(z))
        label = target.strftime("%B %Y")
    if np.isnan(q["mean"]):
        raise DataError(None, None, f"{fitted.model} has no forecast for {label}: "
                        f"{fitted.warnings[-1]}")
    flag = bool(actual < q["lo95"] or actual > q["hi95"])
    change = 100.0 * (actual / q["mean"] - 1.0)
    sentence = (f"{label}: {actual:,.0f} {unit}, {abs(change):.1f}% "
                f"{'below' if change < 0 else 'above'} the {fitted.model.replace('_', ' ')} "
                f"forecast of {q['mean']:,.0f} {unit} (95% interval {q['lo95']:,.0f}–"
                f"{q['hi95']:,.0f}); percentile {percentile:.1f}, "
                f"{'outside' if flag else 'within'} the 95% interval.")
    return Surprise(label, target, fitted.model, *(float(q[c]) for c in q.index), float(actual),
                    percentile, flag, sentence, fitted.n_warnings)


def surprise_history(series: pd.Series, start: str | pd.Period, end: str | pd.Period,
                     model: str = "default", **options: Any) -> pd.DataFrame:
    """`surprise` for every month from start to end that has a value: one row per month with the
    forecast, its intervals, the actual, percentile, flag and model used (a fit per month).
    Months the data before them cannot forecast (too short a history) are left out."""
    months = [m for m in pd.period_range(_month(start), _month(end), freq="M")
              if m in series.index and pd.notna(series[m])]
    rows = {}
    for m in months:
        try:
            s = surprise(series, m, model=model, **options)
        except DataError:
            continue
        rows[m] = {k: getattr(s, k) for k in
                   ("mean", "lo80", "hi80", "lo95", "hi95", "actual", "percentile", "flag", "model")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("month")


def extreme_since(history: pd.DataFrame, month: str | pd.Period, low: bool = True) -> pd.Period | None:
    """The latest earlier month of a `surprise_history` whose percentile was at least as extreme
    (as low, or as high with ``low=False``): "the lowest relative to expectation since ...".
    None when no earlier month was: the most extreme in the history."""
    m = _month(month)
    if m not in history.index:
        raise DataError(None, None, f"{m} is not in the surprise history")
    p = history["percentile"]
    earlier = p[p.index < m]
    hits = earlier[earlier <= p[m]] if low else earlier[earlier >= p[m]]
    return hits.index[-1] if len(hits) else None
