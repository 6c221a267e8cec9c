"""helpers.models on series built here, with expectations computed by hand."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import evaluate, models
from helpers.errors import DataError

Z95 = stats.norm.ppf(0.975)


def monthly(values, start="2020-01"):
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


def seasonal_series(n=96, start="2016-01", seed=0, step=None):
    """exp(8 + seasonal pattern + AR(1) noise [+ step]); January and February missing after the
    first two years, as in the customs series."""
    rng = np.random.default_rng(seed)
    pattern = 0.25 * np.sin(2 * np.pi * np.arange(12) / 12)
    noise = np.zeros(n)
    for t in range(1, n):
        noise[t] = 0.5 * noise[t - 1] + rng.normal(0, 0.08)
    log = 8 + np.resize(pattern, n) + noise
    series = monthly(np.exp(log), start)
    if step is not None:
        month, size = step
        series[series.index >= pd.Period(month, freq="M")] *= np.exp(size)
    series[(series.index.month <= 2) & (series.index.year >= series.index[0].year + 2)] = np.nan
    return series


def test_seasonal_naive_forecasts_exactly():
    y = monthly(100 + np.arange(24.0))  # 2020-01 .. 2021-12
    y["2021-03"] = np.nan
    fc = models.fit(y, "seasonal_naive").forecast(14, intervals="model")
    expected = list(100 + 12 + np.arange(12.0)) + [112, 113]
    expected[2] = 102  # March 2021 missing: the latest March, two years back
    assert fc["mean"].tolist() == pytest.approx(expected, rel=1e-12)
    assert str(fc.index[0]) == "2022-01" and str(fc.index[-1]) == "2023-02"
    # step variance: squared log changes between the two years of each calendar month but March
    changes = [np.log(112 + i) - np.log(100 + i) for i in range(12) if i != 2]
    s2 = sum(d * d for d in changes) / 11
    assert fc["lo95"].iloc[0] == pytest.approx(112 * np.exp(-Z95 * np.sqrt(s2)))
    assert fc["hi95"].iloc[2] == pytest.approx(102 * np.exp(Z95 * np.sqrt(2 * s2)))  # two years
    assert fc["hi95"].iloc[12] == pytest.approx(112 * np.exp(Z95 * np.sqrt(2 * s2)))


def test_naive_uses_latest_value_and_counts_gap_steps():
    y = monthly([100, 110, np.nan, 121, np.nan, np.nan])
    fc = models.fit(y, "naive").forecast(2, intervals="model")
    # changes: log 1.1 over one month, log 1.1 over two months -> s2 = 2 (log 1.1)^2 / 3
    s2 = 2 * np.log(1.1) ** 2 / 3
    assert fc["mean"].tolist() == pytest.approx([121, 121])
    assert fc["lo95"].iloc[0] == pytest.approx(121 * np.exp(-Z95 * np.sqrt(3 * s2)))
    assert fc["lo95"].iloc[1] == pytest.approx(121 * np.exp(-Z95 * np.sqrt(4 * s2)))


def test_naive_interval_coverage_on_random_walks():
    rng = np.random.default_rng(1)
    walks = np.exp(7 + 0.1 * rng.standard_normal((1500, 52)).cumsum(axis=1))
    inside = {(h, level): 0 for h in (1, 4) for level in (80, 95)}
    for walk in walks:
        fc = models.fit(monthly(walk[:48]), "naive").forecast(4, intervals="model")
        for h in (1, 4):
            for level in (80, 95):
                row = fc.iloc[h - 1]
                inside[h, level] += row[f"lo{level}"] <= walk[47 + h] <= row[f"hi{level}"]
    for (h, level), count in inside.items():
        assert count / 1500 == pytest.approx(level / 100, abs=0.03), (h, level)


def test_state_space_models_fit_through_missing_months():
    y = seasonal_series()
    y["2019-05":"2019-09"] = np.nan
    y.iloc[-1] = np.nan  # the window may end on a gap: forecasts start after it
    fits = models.fit_many(y, ["ets", "sarima", "combo", "combo_mean12"])
    for name, fitted in fits.items():
        assert fitted.model == name and fitted.failures == {}
        assert fitted.series.isna().sum() == y.isna().sum()  # nothing imputed
        fc = fitted.forecast(6, intervals="model")
        assert str(fc.index[0]) == str(y.index[-1] + 1)
        assert np.isfinite(fc.to_numpy()).all()
        assert fitted.n_warnings == 0
        assert (fc["lo95"] < fc["lo80"]).all() and (fc["lo80"] < fc["mean"]).all()
        assert (fc["mean"] < fc["hi80"]).all() and (fc["hi80"] < fc["hi95"]).all()
        assert fc["mean"].between(np.exp(7.3), np.exp(8.7)).all()


def test_a_calendar_month_never_available_gets_no_forecast():
    y = seasonal_series()
    y[y.index.month == 1] = np.nan
    for name in ("seasonal_naive", "ets", "sarima", "combo"):
        fitted = models.fit(y, name)
        fc = fitted.forecast(3, intervals="model")  # January, February, March
        assert fc.loc["2024-01"].isna().all() and fc.loc["2024-02":].notna().all().all()
        assert "no forecast for 2024-01" in fitted.warnings[-1]
    with pytest.raises(ValueError, match="no forecast"):
        models.surprise(y, "2024-01", actual=3000.0, model="ets", past=pd.DataFrame())


def test_forecast_covariance_matches_statsmodels_variance():
    fitted = models.fit(seasonal_series(), "sarima")
    _, _, cov = fitted.distribution(5)
    variance = fitted.core.res.get_forecast(5).var_pred_mean
    assert np.diag(cov) == pytest.approx(np.asarray(variance))
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    # the specification the module docstring gives: SARIMA (1,0,0)(0,1,1)12 and a local level
    # with a stochastic monthly seasonal, fitted on logs
    assert (fitted.core.res.model.order, fitted.core.res.model.seasonal_order, fitted.log) == \
        ((1, 0, 0), (0, 1, 1, 12), True)
    ets = models.fit(seasonal_series(), "ets").core.res.model
    assert (ets.trend_specification, ets.seasonal_periods, ets.stochastic_seasonal) == \
        ("local level", 12, True)


def test_warnings_are_counted_not_shown(capsys):
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        fitted = models.fit(seasonal_series(), "sarima", maxiter=1)
        fitted.forecast(3)
    assert shown == []
    assert capsys.readouterr() == ("", "")
    assert fitted.n_warnings >= 1
    assert any("ConvergenceWarning" in w for w in fitted.warnings)


def test_failed_fit_falls_back_and_says_why():
    short = seasonal_series(n=20)
    fitted = models.fit(short, "combo")
    assert (fitted.model, fitted.requested) == ("seasonal_naive", "combo")
    assert "fewer than 24" in fitted.failures["sarima"]
    # 24 available months (the first two years have January and February) are enough; 23 not
    assert models.fit(seasonal_series(n=24), "sarima").model == "sarima"
    assert models.fit(seasonal_series(n=23), "sarima").model == "seasonal_naive"
    broken = models.fit(seasonal_series(), "sarima", order=(1, 0, 0, 0))
    assert broken.model == "seasonal_naive"
    assert broken.failures["sarima"].startswith("ValueError")


def test_default_is_a_known_model():
    assert models.DEFAULT in models.MODELS
    assert models.fit(seasonal_series(), "default").requested == models.DEFAULT


@pytest.mark.parametrize("series, message", [
    (pd.Series([1.0, 2.0], index=pd.date_range("2020-01-01", periods=2, freq="MS")),
     "PeriodIndex"),
    (monthly([1.0, 2.0]).iloc[[1, 0]], "contiguous"),
    (monthly([1.0, 0.0, 3.0]), "positive"),
    (monthly([np.nan, np.nan]), "no available month"),
])
def test_bad_series_raise_value_error(series, message):
    with pytest.raises(ValueError, match=message):
        models.fit(series, "naive")


def test_argument_misuse_raises_value_error_not_data_error():
    y = seasonal_series()
    for call in (lambda: models.fit(y, "prophet"), lambda: models.fit(y).forecast(0),
                 lambda: models.fit(y).forecast(2, intervals="bootstrap"),
                 lambda: models.surprise(y, "March 2030x"),
                 lambda: models.surprise(y, "2023-05", combined=True)):
        with pytest.raises(ValueError) as caught:
            call()
        assert not isinstance(caught.value, DataError)


def test_janfeb_sum_accounts_for_correlation():
    # naive on a walk whose every monthly log change is +-0.2: Jan = D e^a, Feb = D e^(a+b)
    y = monthly(np.exp(7 + 0.2 * (np.arange(24) % 2)), "2022-01")  # ends December 2023
    fc = models.forecast_janfeb(y, 2024, "naive", intervals="model")
    rng = np.random.default_rng(123)
    a, b = 0.2 * rng.standard_normal((2, 400_000))
    last = y.iloc[-1]
    correlated = last * (np.exp(a) + np.exp(a + b))
    independent = last * (np.exp(a) + np.exp(np.sqrt(2) * b))
    for column, q in [("mean", 0.5), ("lo80", 0.1), ("hi80", 0.9), ("lo95", 0.025),
                      ("hi95", 0.975)]:
        assert fc[column] == pytest.approx(np.quantile(correlated, q), rel=0.015), column
    assert fc["hi95"] - fc["lo95"] > 1.1 * (np.quantile(independent, 0.975)
                                            - np.quantile(independent, 0.025))
    # a series that runs into the year is cut before January; the seed makes it repeatable
    longer = pd.concat([y, monthly([900.0, 1200.0], "2024-01")])
    pd.testing.assert_series_equal(models.forecast_janfeb(longer, 2024, "naive", intervals="model"), fc)


def known_errors_series():
    """61 months whose seasonal-naive one-month error is known: log y rises by d[t] on the same
    month a year earlier (d = 0 in the first year)."""
    t = np.arange(61)
    d = np.where(t >= 12, 0.1 * np.cos(1.3 * t) + 0.02 * (t % 3), 0.0)
    log = np.resize(0.3 * np.sin(np.arange(12)), 61)
    for i in range(12, 61):
        log[i] = log[i - 12] + d[i]
    return monthly(np.exp(7 + log), "2020-01"), 7 + log, d


def test_interval_from_known_past_errors():
    y, log, d = known_errors_series()
    # at origin 2024-12 (position 60) the 48 latest one-month errors are d[13..60] (the origins
    # before position 12 were forecast by the naive fallback, and are older)
    rms = np.sqrt(np.mean(d[13:61] ** 2))
    fc = models.fit(y, "seasonal_naive").forecast(1)
    z80 = stats.norm.ppf(0.9)
    assert fc["mean"].iloc[0] == pytest.approx(np.exp(log[49]))
    assert fc["lo80"].iloc[0] == pytest.approx(np.exp(log[49] - z80 * rms))
    assert fc["hi95"].iloc[0] == pytest.approx(np.exp(log[49] + Z95 * rms))
    # with fewer than 24 past errors the interval is the model's own
    short = y.iloc[:20]
    pd.testing.assert_frame_equal(models.fit(short, "seasonal_naive").forecast(2),
                                  models.fit(short, "seasonal_naive").forecast(2, intervals="model"))


def test_surprise_rank_among_known_past_errors():
    y, log, d = known_errors_series()
    month = y.index[-1] + 1  # 2025-02, forecast from 2025-01 with errors d[13..60] known
    past = d[13:61]
    actual = np.exp(log[49] + 0.05)  # error 0.05 against the seasonal-naive median
    result = models.surprise(y, month, actual=actual, model="seasonal_naive")
    below, ties = int((past < 0.05).sum()), int((past == 0.05).sum())
    assert result.judged and result.n_past == 48 and result.horizon == 1
    assert result.percentile == pytest.approx(100 * (below + ties / 2 + 0.5) / 49)
    assert result.mean == pytest.approx(np.exp(log[49]))
    assert result.lo95 == pytest.approx(np.exp(log[49] - Z95 * np.sqrt(np.mean(past ** 2))))
    assert result.calibrated and not result.flag
    assert "percentile" in result.sentence and "48 one-month-ahead errors" in result.sentence
    # exp(0.05) - 1 = 5.13% above the median
    assert f"{actual:,.0f} t, 5.1% above the seasonal naive forecast" in result.sentence
    far = models.surprise(y, month, actual=10 * result.hi95, model="seasonal_naive")
    assert far.flag and far.percentile == pytest.approx(100 * 48.5 / 49)
    assert "above" in far.sentence and "outside the central 95% of past errors" in far.sentence


def test_surprise_with_too_few_past_forecasts_says_so():
    y = seasonal_series(n=20)
    month = y.index[-1]
    result = models.surprise(y, month, model="seasonal_naive")
    expected = models.fit(y.loc[:month - 1], "seasonal_naive").forecast(1, intervals="model")
    assert not result.judged and np.isnan(result.percentile) and result.n_past < 24
    assert not result.calibrated
    assert result.hi95 == pytest.approx(expected["hi95"].iloc[0])
    assert "too few past forecasts to judge" in result.sentence


def test_surprise_uses_only_earlier_months():
    y = seasonal_series()
    month = y.index[-3]
    expected = models.fit(y.loc[:month - 1], "seasonal_naive").forecast(1).iloc[0]
    y[month] = 10 * expected["hi95"]
    result = models.surprise(y, month, model="seasonal_naive")
    assert result.mean == pytest.approx(expected["mean"])
    assert result.hi95 == pytest.approx(expected["hi95"])
    assert result.mean == pytest.approx(y[month - 12])
    assert result.actual == y[month] and result.flag
    # the highest error of all: the top rank among the past ones
    assert result.percentile == pytest.approx(100 * (result.n_past + 0.5) / (result.n_past + 1))


def test_surprise_on_a_combined_january_february():
    y = seasonal_series()  # January and February missing: pass the combined figure
    year = y.index[-1].year
    fc = models.forecast_janfeb(y, year, "default")
    result = models.surprise(y, f"{year}-02", actual=fc["hi80"], model="default", combined=True)
    assert result.label == f"January–February {year}" and result.horizon == 2
    assert (result.mean, result.lo95) == pytest.approx((fc["mean"], fc["lo95"]))
    assert not result.flag
    # ranked among the model's past errors of two-month sums known in December
    table = evaluate.sum_errors(y.loc[:f"{year - 1}-12"], "default")
    past = evaluate.known_errors(table, f"{year - 1}-12", 2)
    assert result.n_past == len(past) and result.judged == (len(past) >= 24)
    with pytest.raises(ValueError, match="actual"):
        models.surprise(y, year, model="default", combined=True)


def test_surprise_history_and_extreme_since():
    y = monthly(100 + 10 * np.sin(np.arange(40.0)))
    history = models.surprise_history(y, y.index[-6], y.index[-1], model="seasonal_naive")
    assert list(history.index) == list(y.index[-6:])
    one = models.surprise(y, y.index[-2], model="seasonal_naive")
    assert history.loc[y.index[-2], "hi95"] == pytest.approx(one.hi95)
    assert history.loc[y.index[-2], "judged"] == one.judged
    np.testing.assert_allclose(history.loc[y.index[-2], "percentile"], one.percentile)
    made = pd.DataFrame({"percentile": [5.0, 40.0, 3.0, 60.0, 4.0]},
                        index=pd.period_range("2025-01", periods=5, freq="M"))
    assert str(models.extreme_since(made, "2025-05")) == "2025-03"
    assert models.extreme_since(made, "2025-03") is None
    assert models.extreme_since(made, "2025-04", low=False) is None
    assert models.extreme_since(made, "2025-02", low=False) is None
