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
- ``default`` = ``DEFAULT`` = combo_mean12: an equal-weight combination of the two simplest
  seasonal forecasts, kept as the default a priori (equal-weight combinations of simple methods are
  hard to beat and need nothing estimated), not because it won a backtest: it was also the best
  of seven candidates on the 2022-11..2025-11 origins it was first reported on, so a gain
  measured there is optimistic.
  ``benchmarks/RESULTS.md`` holds the dated scores on two windows of origins.

**Intervals and percentiles** come from the model's own past out-of-sample errors unless asked
otherwise (``intervals="model"``): ``helpers.evaluate`` explains the rule, its window and minimum
and how they were chosen; with too few past errors the interval falls back to the model's
variance above, and a release surprise says "too few past forecasts to judge".

statsmodels warnings are caught, kept in ``Fit.warnings`` and never printed; a model that cannot be
fitted falls back to seasonal naive (then naive), and ``Fit.failures`` says which failed and why.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.structural import UnobservedComponents

if TYPE_CHECKING:
    from helpers import evaluate

SEASON = 12
BASE_MODELS = ("naive", "seasonal_naive", "mean12", "ets", "sarima")
COMBOS = {"combo": ("seasonal_naive", "sarima"), "combo_mean12": ("seasonal_naive", "mean12")}
MODELS = BASE_MODELS + tuple(COMBOS)
DEFAULT = "combo_mean12"
FALLBACKS = ("seasonal_naive", "naive")
DRAWS, SEED = 20_000, 0  # simulated pairs for a January-February sum, and their fixed seed
#: Normal quantiles of the central 80% and 95% intervals.
Z = {80: stats.norm.ppf(0.90), 95: stats.norm.ppf(0.975)}
INTERVALS = ("past_errors", "model")


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
    options: dict[str, Any] = field(default_factory=dict, repr=False)  # the `fit` options

    @property
    def n_warnings(self) -> int:
        return len(self.warnings)

    def distribution(self, h: int) -> tuple[pd.PeriodIndex, np.ndarray, np.ndarray]:
        """The h months after the series, and the forecast's mean vector and covariance matrix on
        the model scale (log unless ``log=False``)."""
        if h < 1:
            raise ValueError(f"horizon must be at least 1, got {h}")
        (mu, cov), caught = _capture(self.core.predict, h)
        index = pd.period_range(self.series.index[-1] + 1, periods=h, freq="M")
        if np.isnan(mu).any():
            caught.append(f"no forecast for {', '.join(map(str, index[np.isnan(mu)]))}: the "
                          "calendar month has no available value before")
        self.warnings.extend(caught)
        return index, mu, cov

    def forecast(self, h: int, intervals: str = "past_errors") -> pd.DataFrame:
        """Point forecast (the median, see module docstring) and 80%/95% intervals for h months:
        from the model's past out-of-sample errors at each horizon (``helpers.evaluate``), where
        at least ``evaluate.MIN_ERRORS`` are known, else (and with ``intervals="model"``) from
        the model's variance."""
        _check_intervals(intervals)
        index, mu, cov = self.distribution(h)
        sd = np.sqrt(np.diag(cov))
        if intervals == "past_errors":
            sd = self._past_sd(index, sd)
        return _band(index, mu, sd, self.log)

    def _past_sd(self, index: pd.PeriodIndex, sd: np.ndarray) -> np.ndarray:
        """The RMS of the past errors at each month's horizon from the last available month,
        or `sd` where too few are known."""
        from helpers import evaluate  # evaluate builds on this module

        origin = _last_available(self.series)
        horizons = [(month - origin).n for month in index]
        try:
            table = evaluate.errors(self.series.loc[:origin], self.requested, horizons,
                                    **self.options)
        except ValueError:  # too short a history to have any past error
            return sd
        rmse = evaluate.past_rmse(table, origin).reindex(horizons).to_numpy()
        return np.where(np.isnan(rmse), sd, rmse)

    def to_scale(self, values: np.ndarray) -> np.ndarray:
        """Values in series units mapped to the model scale."""
        return np.log(values) if self.log else np.asarray(values, dtype=float)

    def from_scale(self, values: np.ndarray) -> np.ndarray:
        """Model-scale values mapped back to series units."""
        return np.exp(values) if self.log else np.asarray(values, dtype=float)


def _band(index: pd.PeriodIndex, mu: np.ndarray, sd: np.ndarray, log: bool) -> pd.DataFrame:
    """Median and normal 80%/95% intervals on the model scale, back in series units."""
    columns = {"mean": np.asarray(mu, dtype=float)}
    for level, z in Z.items():
        columns[f"lo{level}"], columns[f"hi{level}"] = mu - z * sd, mu + z * sd
    frame = pd.DataFrame(columns, index=index)
    return np.exp(frame) if log else frame


def _check_intervals(intervals: str) -> None:
    if intervals not in INTERVALS:
        raise ValueError(f"intervals must be one of {', '.join(INTERVALS)}, got {intervals!r}")


def _last_available(series: pd.Series) -> pd.Period:
    available = series.index[series.notna().to_numpy()]
    if not len(available):
        raise ValueError("the series has no available month")
    return available[-1]


def check_series(series: pd.Series, positive: bool = True) -> pd.Series:
    """The series as floats, or ValueError unless it is monthly, contiguous, numeric, with data."""
    index = series.index if isinstance(series, pd.Series) else None
    if not isinstance(index, pd.PeriodIndex) or index.freqstr != "M":
        raise ValueError("expected a pandas Series with a monthly PeriodIndex")
    if len(index) == 0 or not index.is_monotonic_increasing or not index.is_unique \
            or (index[-1] - index[0]).n + 1 != len(index):
        raise ValueError("expected contiguous, increasing months (NaN for a gap)")
    try:
        values = series.astype(float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"values must be numbers: {err}") from None
    if values.isna().all():
        raise ValueError("the series has no available month")
    if positive and (values <= 0).any():
        first = values.index[(values <= 0).to_numpy()][0]
        raise ValueError(f"log models need positive values; {first} is {values[first]}")
    return values


def _resolve(model: str) -> str:
    name = DEFAULT if model == "default" else model
    if name not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
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
            fits[asked] = Fit(name, requested, y, settings.log, caught, failures, core, options)
            break
        else:
            raise ValueError("no model could be fitted: " +
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
        raise ValueError(f"not a month: {value!r} ({err})") from None


def _sum_draws(fitted: Fit, months: pd.PeriodIndex, draws: int, seed: int) -> np.ndarray:
    """Simulated sums over `months` (after the fit's end) from the joint forecast distribution."""
    end = fitted.series.index[-1]
    if months[0] <= end:
        raise ValueError(f"the fit ends {end}, not before {months[0]}")
    index, mu, cov = fitted.distribution((months[-1] - end).n)
    pick = index.get_indexer(months)
    w, v = np.linalg.eigh(cov[np.ix_(pick, pick)])
    root = v * np.sqrt(np.clip(w, 0.0, None))
    normal = np.random.default_rng(seed).standard_normal((draws, len(pick)))
    return fitted.from_scale(mu[pick] + normal @ root.T).sum(axis=1)


def forecast_sum(fitted: Fit, months: pd.PeriodIndex, draws: int = DRAWS,
                 seed: int = SEED) -> pd.Series:
    """Median and 80%/95% quantiles (mean, lo80, hi80, lo95, hi95) of the sum over `months`
    (after the fit's end), simulated from the model's joint forecast with a fixed seed."""
    q = np.quantile(_sum_draws(fitted, months, draws, seed), [0.5, 0.1, 0.9, 0.025, 0.975])
    return pd.Series(q, index=["mean", "lo80", "hi80", "lo95", "hi95"])


def _janfeb(year: int) -> pd.PeriodIndex:
    return pd.period_range(f"{year}-01", periods=2, freq="M")


def _sum_forecast(fitted: Fit, months: pd.PeriodIndex, draws: int, seed: int,
                  intervals: str) -> tuple[pd.Series, pd.DataFrame]:
    """`forecast_sum` with the interval from the model's past errors of the sum of the two months
    after an origin (``helpers.evaluate.sum_errors``) where enough are known; and that table of
    errors (empty with ``intervals="model"`` or too short a history)."""
    from helpers import evaluate  # evaluate builds on this module

    _check_intervals(intervals)
    q = forecast_sum(fitted, months, draws, seed)
    if intervals == "model":
        return q, pd.DataFrame()
    origin = _last_available(fitted.series)
    try:
        table = evaluate.sum_errors(fitted.series.loc[:origin], fitted.requested, len(months),
                                    **fitted.options)
    except ValueError:
        return q, pd.DataFrame()
    past = evaluate.known_errors(table, origin, len(months))
    if len(past) >= evaluate.MIN_ERRORS:
        sd = past.rms()
        q = _band(pd.RangeIndex(1), np.log([q["mean"]]), np.array([sd]), True).iloc[0][q.index]
    return q, table


def forecast_janfeb(fitted: Fit | pd.Series, year: int, model: str = "default", draws: int = DRAWS,
                    seed: int = SEED, intervals: str = "past_errors", **options: Any) -> pd.Series:
    """Forecast of January + February of `year` combined (GACC releases them as one figure).

    The median is that of the sum of the two months drawn jointly from the model's forecast
    distribution (fixed seed: the same input gives the same numbers). The interval comes from the
    model's past errors of the sum of the two months after an origin (see
    ``helpers.evaluate.sum_errors``) where enough are known; else, and with
    ``intervals="model"``, from the simulated sums, so it carries the two months' correlation. A
    Series input is fitted with `model` on the months before January of `year`. Returns mean
    (the median of the sum), lo80, hi80, lo95, hi95.
    """
    if isinstance(fitted, pd.Series):
        fitted = fit(fitted.loc[:pd.Period(f"{year - 1}-12", freq="M")], model, **options)
    return _sum_forecast(fitted, _janfeb(year), draws, seed, intervals)[0]


@dataclass(frozen=True)
class Surprise:
    """How a released figure compares with the forecast made from the data before it.

    mean/lo80/hi80/lo95/hi95: the forecast (median) and its intervals; `calibrated` says whether
    the intervals come from the model's past errors (else from its variance). `percentile`: the
    rank of the release's forecast error among the model's last past errors of the same kind
    (n_past of them; NaN and ``judged=False`` with fewer than ``evaluate.MIN_JUDGED``). `flag`:
    the release is outside the central 95% of those past errors (percentile below 2.5 or above
    97.5); when not judged, outside the 95% interval. `horizon`: months from the last available month
    before the release to the release (1 unless months are missing; 2 for a combined
    January–February, whose errors are those of two-month sums). `record`: how often the model's
    past-error intervals of the same kind held over its latest forecasts known at the origin
    (``helpers.evaluate.track_record``); `windows` the same over each of
    ``helpers.evaluate.WINDOWS`` that had begun by the origin (so far, if it has not ended).
    `above_pct`: how often (%) the figure came in above the forecast among the ranked past
    errors, the lean a percentile allows for, and `above_pvalue` its binomial test against
    one half (``evaluate.Past.lean``; NaN when not judged)."""

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
    judged: bool
    n_past: int
    calibrated: bool
    horizon: int
    record: evaluate.Record
    windows: tuple[tuple[str, evaluate.Record], ...]
    above_pct: float
    above_pvalue: float

    @property
    def kind(self) -> str:
        """The kind of forecast and of past errors, in words."""
        return _kind(self.label.startswith("January–February"), self.horizon)


def _kind(combined: bool, horizon: int) -> str:
    """"two-month" for a combined January–February, else "one-month-ahead", "2-month-ahead"..."""
    if combined:
        return "two-month"
    return "one-month-ahead" if horizon == 1 else f"{horizon}-month-ahead"


def surprise(series: pd.Series, month: str | int | pd.Period, actual: float | None = None,
             model: str = "default", combined: bool = False, unit: str = "t",
             past: pd.DataFrame | None = None, **options: Any) -> Surprise:
    """Compare a month's figure with the forecast fitted on the available months before it.

    The model is fitted up to the last available month before the release (the origin) and
    forecasts the release `horizon` months ahead. Its interval and the percentile come from the
    model's past errors at that horizon known at the origin (``helpers.evaluate``); `past` is an
    ``evaluate.errors`` table of the same model and options on this series (computed when None;
    pass it to judge many months, as `surprise_history` does).

    ``combined=True`` compares January + February of the month's year (an int year also works)
    with the sum forecast by `forecast_janfeb` from the data before January, ranked among the
    model's past errors of two-month sums. `actual` defaults to the series' value (the sum of both
    months when combined; pass the combined release otherwise).
    """
    from helpers import evaluate  # evaluate builds on this module

    series = check_series(series, positive=False)
    year = month if isinstance(month, int) else _month(month).year
    if combined and not isinstance(month, int) and _month(month).month > 2:
        raise ValueError(f"a combined figure is January–February, not {month}")
    target = _janfeb(year)[-1] if combined else _month(month)
    first = _janfeb(year)[0] if combined else target
    months = _janfeb(year) if combined else pd.PeriodIndex([target])
    label = f"January–February {year}" if combined else target.strftime("%B %Y")
    if actual is None:
        known = series.reindex(months)
        if known.isna().any():
            raise ValueError(f"no actual value for {', '.join(map(str, months))}; pass actual=")
        actual = float(known.sum())
    before = series.loc[:first - 1]
    if before.isna().all():
        raise ValueError(f"no available month before {label} to forecast from")
    origin = _last_available(before)
    fitted = fit(before.loc[:origin], model, **options)
    horizon = (target - origin).n
    if combined:
        q, past = _sum_forecast(fitted, months, DRAWS, SEED, "past_errors")
        errors = evaluate.known_errors(past, origin, horizon)
        error = float(np.log(actual) - np.log(q["mean"]))
    else:
        index, mu, cov = fitted.distribution(horizon)
        if past is None:
            try:
                past = evaluate.errors(before.loc[:origin], model, [horizon], **options)
            except ValueError:  # too short a history to have any past error
                past = pd.DataFrame()
        errors = evaluate.known_errors(past, origin, horizon)
        sd = errors.rms() if len(errors) >= evaluate.MIN_ERRORS else np.sqrt(cov[-1, -1])
        q = _band(index[-1:], mu[-1:], np.array([sd]), fitted.log).iloc[0]
        error = float(fitted.to_scale(np.array([actual]))[0] - mu[-1])
    if np.isnan(q["mean"]):
        raise ValueError(f"{fitted.model} has no forecast for {label}: {fitted.warnings[-1]}")
    calibrated = len(errors) >= evaluate.MIN_ERRORS
    judged = len(errors) >= evaluate.MIN_JUDGED
    percentile = errors.percentile(error) if judged else np.nan
    # the flag follows the rank where there are enough past errors to rank against
    flag = (bool(percentile < 2.5 or percentile > 97.5) if judged
            else bool(actual < q["lo95"] or actual > q["hi95"]))
    change = 100.0 * (actual / q["mean"] - 1.0)
    kind = _kind(combined, horizon)
    judgement = (f"percentile {percentile:.0f} among its last {len(errors)} {kind} errors"
                 if judged else f"too few past forecasts to judge ({len(errors)} {kind} errors, "
                 f"{evaluate.MIN_JUDGED} needed)")
    sentence = (f"{label}: {actual:,.0f} {unit}, {abs(change):.1f}% "
                f"{'below' if change < 0 else 'above'} the {fitted.model.replace('_', ' ')} "
                f"forecast of {q['mean']:,.0f} {unit} (95% interval {q['lo95']:,.0f}–"
                f"{q['hi95']:,.0f}, from {'its past errors' if calibrated else 'the model'}); "
                f"{judgement}; {'outside' if flag else 'within'} "
                f"{'the central 95% of past errors' if judged else 'the 95% interval'}.")
    return Surprise(label, target, fitted.model, *(float(q[c]) for c in
                                                   ("mean", "lo80", "hi80", "lo95", "hi95")),
                    float(actual), percentile, flag, sentence, fitted.n_warnings, judged,
                    len(errors), calibrated, horizon,
                    evaluate.track_record(past, origin, horizon),
                    tuple((name, evaluate.track_record(past, origin, horizon, None, window))
                          for name, window in evaluate.WINDOWS.items()
                          if _month(window[0]) <= origin),
                    *(errors.lean() if judged else (np.nan, np.nan)))


def surprise_history(series: pd.Series, start: str | pd.Period, end: str | pd.Period,
                     model: str = "default", **options: Any) -> pd.DataFrame:
    """`surprise` for every month from start to end that has a value: one row per month with the
    forecast, its intervals, the actual, percentile, judged, n_past, flag and model used (a fit
    per month; the past errors are computed once). Months the data before them cannot forecast
    (too short a history) are left out."""
    from helpers import evaluate  # evaluate builds on this module

    series = check_series(series, positive=False)
    start, end = _month(start), _month(end)
    months = [m for m in pd.period_range(start, end, freq="M")
              if m in series.index and pd.notna(series[m])]
    columns = ["mean", "lo80", "hi80", "lo95", "hi95", "actual", "percentile", "judged", "n_past",
               "flag", "model"]
    try:
        past = evaluate.errors(series.loc[:end], model, range(1, 2 * SEASON + 1), **options)
    except ValueError:
        past = pd.DataFrame()
    rows = {}
    for m in months:
        try:
            s = surprise(series, m, model=model, past=past, **options)
        except ValueError:
            continue
        rows[m] = {k: getattr(s, k) for k in columns}
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("month")


def extreme_since(history: pd.DataFrame, month: str | pd.Period, low: bool = True) -> pd.Period | None:
    """The latest earlier month of a `surprise_history` whose percentile was at least as extreme
    (as low, or as high with ``low=False``): "the lowest relative to expectation since ...".
    None when no earlier month was: the most extreme in the history."""
    m = _month(month)
    if m not in history.index:
        raise ValueError(f"{m} is not in the surprise history")
    p = history["percentile"]
    earlier = p[p.index < m]
    hits = earlier[earlier <= p[m]] if low else earlier[earlier >= p[m]]
    return hits.index[-1] if len(hits) else None
