"""helpers.evaluate on tiny series scored by hand and on series drawn from known distributions."""

import numpy as np
import pandas as pd
import pytest
import threadpoolctl
from scipy import stats

from helpers import evaluate, models, series
from helpers.errors import DataError


def monthly(values, start="2020-01"):
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


TINY = monthly([100, 120, 90, 110, 100, 105, 95, 100, 110, 120, 130, 125,  # 2020
                110, 130, 99])                                               # 2021-01..03


def test_origins_are_available_months_with_a_later_one():
    y = TINY.copy()
    y["2021-02"] = np.nan
    assert [str(p) for p in evaluate.origins(y, 2)] == ["2020-12", "2021-01"]


def test_mase_and_smape_by_hand():
    table = evaluate.backtest(TINY, ["naive", "seasonal_naive"], horizons=(1, 2), n_origins=2)
    table = table.set_index(["model", "horizon"])
    # origins 2021-01 (scale |110-100| = 10) and 2021-02 (scale mean(10, |130-120|) = 10)
    # naive, h=1: 110 -> 130 (error 20), 130 -> 99 (error 31); h=2: 110 -> 99 (error 11)
    assert table.loc[("naive", 1), "n"] == 2
    assert table.loc[("naive", 1), "mase"] == pytest.approx((20 / 10 + 31 / 10) / 2)
    assert table.loc[("naive", 1), "mase_median"] == pytest.approx(2.55)
    assert table.loc[("naive", 1), "smape"] == pytest.approx(
        (200 * 20 / (130 + 110) + 200 * 31 / (99 + 130)) / 2)
    assert table.loc[("naive", 2), "n"] == 1
    assert table.loc[("naive", 2), "mase"] == pytest.approx(11 / 10)
    # seasonal naive, h=1: February 2020 (120) for 130, March 2020 (90) for 99
    assert table.loc[("seasonal_naive", 1), "mase"] == pytest.approx((10 / 10 + 9 / 10) / 2)
    assert table.loc[("seasonal_naive", 2), "smape"] == pytest.approx(200 * 9 / (99 + 90))


def test_width_and_coverage_are_read_from_the_forecast_rows():
    rows = evaluate.forecasts(TINY, ["naive"], horizons=(1,), n_origins=2)
    table = evaluate.score(rows)
    inside = ((rows["lo80"] <= rows["actual"]) & (rows["actual"] <= rows["hi80"])).mean()
    assert table.loc[0, "coverage80"] == inside
    assert table.loc[0, "width80"] == pytest.approx(((rows["hi80"] - rows["lo80"]) / 10).mean())
    assert list(rows["origin"].astype(str)) == ["2021-01", "2021-02"]


@pytest.mark.parametrize("model, log", [
    ("naive", np.cumsum(np.random.default_rng(2).normal(0, 0.1, 1100))),         # random walk
    ("seasonal_naive", np.resize(np.linspace(-0.3, 0.3, 12), 1100)
     + np.random.default_rng(3).normal(0, 0.1, 1100)),                            # iid around a pattern
])
def test_coverage_is_nominal_on_a_known_distribution(model, log):
    # 1000 one-step forecasts: a binomial share has sd 0.013 at 80%, 0.007 at 95%
    y = monthly(np.exp(7 + log), "1900-01")
    table = evaluate.backtest(y, [model], horizons=(1,), n_origins=1000)
    assert table.loc[0, "n"] == 1000
    assert table.loc[0, "coverage80"] == pytest.approx(0.80, abs=0.035)
    assert table.loc[0, "coverage95"] == pytest.approx(0.95, abs=0.02)


def test_missing_targets_are_not_scored():
    y = monthly(np.exp(np.resize(np.linspace(6, 7, 12), 60)), "2019-01")
    y[y.index.month.isin([1, 2])] = np.nan
    y["2023-06"] = np.nan
    rows = evaluate.forecasts(y, ["seasonal_naive"], horizons=(1, 3), n_origins=12)
    assert rows["actual"].notna().all()
    assert not rows["target"].isin(y.index[y.isna().to_numpy()]).any()
    origins = evaluate.origins(y, 12)
    expected = sum(pd.notna(y.get(o + h)) for o in origins for h in (1, 3))
    assert len(rows) == expected
    # the model's own intervals rest on no past errors
    model = evaluate.forecasts(y, ["seasonal_naive"], horizons=(1,), n_origins=12,
                               intervals="model")
    assert len(model) and (model["n_past"] == 0).all()


def test_backtest_is_deterministic():
    rng = np.random.default_rng(4)
    y = monthly(np.exp(8 + np.resize(0.2 * np.sin(np.arange(12)), 84) + rng.normal(0, 0.1, 84)))
    y[(y.index.month <= 2) & (y.index.year > 2020)] = np.nan
    first = evaluate.backtest(y, ["ets", "combo"], n_origins=6, intervals="model")
    second = evaluate.backtest(y, ["ets", "combo"], n_origins=6, intervals="model")
    pd.testing.assert_frame_equal(first, second)
    assert set(first["model"]) == {"ets", "combo"} and (first["n"] > 0).all()


def test_rank_and_summary_name_the_default():
    other = next(name for name in models.MODELS if name not in ("naive", models.DEFAULT,
                                                                 "seasonal_naive"))
    table = pd.DataFrame({
        "model": ["seasonal_naive"] * 2 + [models.DEFAULT] * 2 + ["naive"] * 2 + [other] * 2,
        "horizon": [1, 6] * 4, "n": [30, 10] * 4,
        "mase": [1.0, 1.2, 0.8, 1.0, 1.5, 1.5, 0.95, 1.05],
        "coverage80": [0.8, 0.6, 0.9, 0.7, 0.5, 0.5, 0.8, 0.8],
        "coverage95": [1.0, 0.9, 1.0, 1.0, 0.9, 0.8, 0.9, 0.9]})
    ranked = evaluate.rank(table)
    assert list(ranked.index) == [models.DEFAULT, other, "seasonal_naive", "naive"]
    assert ranked.loc[models.DEFAULT, "vs_baseline"] == pytest.approx(100 * (0.9 / 1.1 - 1))
    assert ranked.loc["seasonal_naive", "coverage80"] == pytest.approx((30 * 0.8 + 10 * 0.6) / 40)
    assert ranked["default"].tolist() == [True, False, False, False]
    assert evaluate.summary(table).endswith("It is the default model.")
    swapped = table.assign(model=table["model"].replace({models.DEFAULT: "x", other: models.DEFAULT})
                           .replace({"x": other}))
    assert "ranks 2" in evaluate.summary(swapped)


def test_errors_are_log_errors_of_the_backtest_rows():
    e = evaluate.errors(TINY, "naive", horizons=(1, 2))
    # origin 2021-01 (110): 2021-02 is 130, 2021-03 is 99; origin 2021-02 (130): 2021-03 is 99
    assert e.loc[pd.Period("2021-01", "M"), 1] == pytest.approx(np.log(130 / 110))
    assert e.loc[pd.Period("2021-01", "M"), 2] == pytest.approx(np.log(99 / 110))
    assert e.loc[pd.Period("2021-02", "M"), 1] == pytest.approx(np.log(99 / 130))
    assert np.isnan(e.loc[pd.Period("2021-02", "M"), 2])
    assert list(e.columns) == [1, 2]


def test_past_rmse_uses_only_errors_known_at_the_month():
    index = pd.period_range("2020-01", periods=4, freq="M", name="origin")
    table = pd.DataFrame({1: [0.1, -0.2, 0.3, 0.4], 2: [0.2, 0.2, np.nan, 0.5]}, index=index)
    got = evaluate.past_rmse(table, "2020-04", window=2, min_errors=1)
    # h=1: origins up to 2020-03 are known, the last two are -0.2 and 0.3
    assert got[1] == pytest.approx(np.sqrt((0.04 + 0.09) / 2))
    # h=2: origins up to 2020-02: 0.2 and 0.2
    assert got[2] == pytest.approx(0.2)
    assert np.isnan(evaluate.past_rmse(table, "2020-04", min_errors=3)[2])


def test_sum_errors_are_the_log_misses_of_the_next_two_months_sum():
    y = monthly(100 + 20 * np.sin(np.arange(40.0)) + np.arange(40.0), "2020-01")
    y["2022-06"] = np.nan
    table = evaluate.sum_errors(y, "seasonal_naive")
    assert list(table.columns) == [2]
    # an origin needs itself and both months after it; none after 2023-02 (two months before
    # the end), none whose sum would take in 2022-06
    assert table.index[-1] == pd.Period("2023-02", "M")
    assert not table.index.isin(pd.PeriodIndex(["2022-04", "2022-05", "2022-06"], freq="M")).any()
    origin = pd.Period("2022-09", "M")
    months = pd.period_range("2022-10", "2022-11", freq="M")
    median = models.forecast_sum(models.fit(y.loc[:origin], "seasonal_naive"), months)["mean"]
    expected = np.log(y["2022-10"] + y["2022-11"]) - np.log(median)
    assert table.loc[origin, 2] == pytest.approx(expected)


def test_past_rmse_defaults_are_the_registered_rule():
    # the rule chosen on 2019-06..2022-10: the latest 48 errors, at least 24, equal weights.
    # 60 one-month errors: 12 of 1.0, then 48 of 0.1; each known the month after its origin
    index = pd.period_range("2015-01", periods=60, freq="M", name="origin")
    table = pd.DataFrame({1: [1.0] * 12 + [0.1] * 48}, index=index)
    assert evaluate.past_rmse(table, "2020-01")[1] == pytest.approx(0.1)  # the 1.0s are older
    # at 2019-12 the latest 48 are the last 1.0 and 47 of 0.1, equally weighted
    assert evaluate.past_rmse(table, "2019-12")[1] == pytest.approx(np.sqrt((1 + 47 * 0.01) / 48))
    # at 2017-01 the errors of origins 2015-01..2016-12 are known: 24, enough; at 2016-12, 23
    assert not np.isnan(evaluate.past_rmse(table, "2017-01")[1])
    assert np.isnan(evaluate.past_rmse(table, "2016-12")[1])


def test_decayed_errors_weigh_by_months_known():
    index = pd.period_range("2020-01", periods=4, freq="M", name="origin")
    table = pd.DataFrame({1: [0.1, -0.2, 0.3, 0.4]}, index=index)
    # at 2020-04, h=1: 0.1 known since 2020-02 (2 months), -0.2 for 1, 0.3 for 0
    past = evaluate.known_errors(table, "2020-04", 1, window=None, decay=0.5)
    np.testing.assert_allclose(past.weights, [0.25, 0.5, 1.0])
    assert past.rms() == pytest.approx(np.sqrt((0.25 * 0.01 + 0.5 * 0.04 + 0.09) / 1.75))
    got = evaluate.past_rmse(table, "2020-04", window=None, min_errors=1, decay=0.5)
    assert got[1] == pytest.approx(past.rms())
    # a new error of 0.0: below it -0.2 (weight 0.5), the new one counts half of its weight 1
    assert past.percentile(0.0) == pytest.approx(100 * (0.5 + 0.5) / (1.75 + 1))
    with pytest.raises(ValueError, match="decay"):
        evaluate.weights(np.array([1.0]), 1.5)


def test_one_blas_thread_limits_blas_inside_and_restores_it():
    def blas_threads():
        return {p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"}

    assert blas_threads(), "numpy's BLAS is not visible to threadpoolctl"
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        with evaluate.one_blas_thread():
            assert blas_threads() == {1}
        assert blas_threads() == {2}


def test_track_record_of_hand_computed_intervals():
    index = pd.period_range("2020-01", periods=6, freq="M", name="origin")
    table = pd.DataFrame({1: [0.1, -0.1, 0.1, -0.1, 0.5, 0.05]}, index=index)
    options = {"window": None, "min_errors": 2, "decay": None}
    # origins 2020-03 and 2020-04 have rms 0.1 behind them and miss by 0.1 (inside);
    # 2020-05 misses by 0.5 against 0.1 (outside); 2020-06 by 0.05 against sqrt(0.058) (inside)
    got = evaluate.track_record(table, "2020-07", 1, **options)
    assert (got.n, got.held80, got.held95) == (4, 3, 3)
    assert (str(got.first), str(got.last)) == ("2020-04", "2020-07")
    assert got.pvalue80 == pytest.approx(stats.binomtest(3, 4, 0.8).pvalue)
    latest = evaluate.track_record(table, "2020-07", 1, last=2, **options)
    assert (latest.n, latest.held80, str(latest.first)) == (2, 1, "2020-06")
    # known at 2020-05: only the forecasts of 2020-04 and 2020-05
    early = evaluate.track_record(table, "2020-05", 1, **options)
    assert (early.n, early.held80, str(early.last)) == (2, 2, "2020-05")
    nothing = (0, 0, 0, None, None)
    # no horizon 3 in the table; at 2020-03 no forecast has 2 past errors behind it yet
    for empty in (evaluate.track_record(table, "2020-07", 3),
                  evaluate.track_record(table, "2020-03", 1, **options)):
        assert (empty.n, empty.held80, empty.held95, empty.first, empty.last) == nothing
        assert np.isnan(empty.pvalue80)
    # a window of origins: 2020-04 and 2020-05 (one inside, one outside)
    window = evaluate.track_record(table, "2020-07", 1, None, ("2020-04", "2020-05"), **options)
    assert (window.n, window.held80, str(window.first), str(window.last)) == \
        (2, 1, "2020-05", "2020-06")


def test_window_scores_of_a_known_error():
    # 24 errors of +-0.1 (rms 0.1), then 0.3: the 25th error is the first with 24 errors behind
    # it, so every window gives it the same interval (sd 0.1) and earlier rows are NaN
    errors = np.array([0.1, -0.1] * 12 + [0.3])
    got = evaluate.window_scores(errors, np.arange(25), 1, 24)
    assert np.isnan(got[:24]).all()
    # 80%: width 2 * 0.128155 plus 10 times the miss 0.3 - 0.128155; 95%: 2 * 0.195996 plus 40 times
    is80 = 2 * 0.1281552 + 10 * (0.3 - 0.1281552)
    is95 = 2 * 0.1959964 + 40 * (0.3 - 0.1959964)
    np.testing.assert_allclose(got[24], (is80 + is95) / 2, rtol=1e-6)


def test_adaptive_window_picks_the_lowest_recent_mean_score():
    # columns: windows 24, 36, 48, all; row 1 has an unscored window, so it never counts
    scores = np.array([[1.0, 9.0, 9.0, 9.0],
                       [0.0, np.nan, 0.0, 0.0],
                       [5.0, 2.0, 2.0, 3.0],
                       [5.0, 2.0, 2.0, 1.0]])
    ordinals = np.arange(4)
    # known at 4 (h=1): rows 0, 2, 3; the latest two favour 36 and 48 equally, so the shorter
    assert evaluate.adaptive_window(scores, ordinals, 1, 4, 2) == 36
    # all three: 24 scores 11/3, 36 and 48 13/3, all errors 13/3
    assert evaluate.adaptive_window(scores, ordinals, 1, 4, 3) == 24
    # known at 3: rows 0 and 2 only, fewer than 3: the fixed window
    assert evaluate.adaptive_window(scores, ordinals, 1, 3, 3) == evaluate.WINDOW
    # at horizon 2 a row is known two months after its origin: at 4, rows 0 and 2 (24: 3, 36: 5.5)
    assert evaluate.adaptive_window(scores, ordinals, 2, 4, 2) == 24


def test_adaptive_intervals_use_the_window_chosen_at_each_origin():
    rng = np.random.default_rng(5)
    y = monthly(np.exp(7 + np.resize(0.3 * np.sin(np.arange(12)), 90) + rng.normal(0, 0.1, 90)),
                "2015-01")
    rows = evaluate.forecasts(y, ["seasonal_naive"], horizons=(1,), n_origins=60, decay=None,
                              adapt=12)
    table = evaluate.errors(y, "seasonal_naive", horizons=(1,))
    ordinals = np.array([p.ordinal for p in table.index])
    scores = evaluate.window_scores(table[1].to_numpy(), ordinals, 1, evaluate.MIN_ERRORS)
    chosen = set()
    for _, row in rows.iterrows():
        window = evaluate.adaptive_window(scores, ordinals, 1, row["origin"].ordinal, 12)
        chosen.add(window)
        past = evaluate.known_errors(table, row["origin"], 1, window=window, decay=None)
        if len(past) >= evaluate.MIN_ERRORS:
            assert row["sd"] == pytest.approx(past.rms())
    assert len(chosen) > 1  # the choice moved, so the test saw more than the fallback
    with pytest.raises(ValueError, match="adapt"):
        evaluate.forecasts(y, ["seasonal_naive"], horizons=(1,), decay=0.97, adapt=12)


def test_origins_as_a_window_of_months():
    assert [str(p) for p in evaluate.origins(TINY, window=("2020-11", "2021-01"))] == \
        ["2020-11", "2020-12", "2021-01"]
    rows = evaluate.forecasts(TINY, ["naive"], horizons=(1,), origins=("2020-11", "2021-01"))
    assert sorted(rows["origin"].astype(str).unique()) == ["2020-11", "2020-12", "2021-01"]
    for window in [("2021-03", "2021-01"), ("2030-01", "2030-12")]:
        with pytest.raises(ValueError):
            evaluate.origins(TINY, window=window)


def test_backtest_intervals_are_the_rms_of_errors_known_at_each_origin():
    rng = np.random.default_rng(5)
    y = monthly(np.exp(7 + np.resize(0.3 * np.sin(np.arange(12)), 90) + rng.normal(0, 0.1, 90)),
                "2015-01")
    rows = evaluate.forecasts(y, ["seasonal_naive"], horizons=(1, 3), n_origins=20, decay=None)
    table = evaluate.errors(y, "seasonal_naive", horizons=(1, 3))
    z80 = stats.norm.ppf(0.9)
    for _, row in rows.iterrows():
        past = evaluate.known_errors(table, row["origin"], row["horizon"], decay=None)
        assert row["n_past"] == len(past) >= 24
        rms = np.sqrt(np.mean(past.errors ** 2))
        assert row["sd"] == pytest.approx(rms)
        assert row["hi80"] == pytest.approx(row["mean"] * np.exp(z80 * rms))
        assert row["percentile"] == pytest.approx(
            100 * stats.norm.cdf(np.log(row["actual"] / row["mean"]) / rms))
    # no look-ahead: the last origin's interval is the same on the series cut at that origin
    last = rows["origin"].max()
    cut = evaluate.forecasts(y.loc[:last + 3], ["seasonal_naive"], horizons=(1, 3), n_origins=1,
                             decay=None)
    assert cut["sd"].to_numpy() == pytest.approx(rows.loc[rows["origin"] == last, "sd"].to_numpy())


def test_interval_score_and_width_of_a_known_case():
    rows = pd.DataFrame({"model": ["m", "m"], "horizon": [1, 1], "actual": [120.0, 100.0],
                         "mean": [100.0, 100.0], "lo80": [90.0, 90.0], "hi80": [110.0, 110.0],
                         "lo95": [80.0, 80.0], "hi95": [130.0, 130.0], "scale": [10.0, 10.0]})
    table = evaluate.score(rows).iloc[0]
    # 80%: width 20 plus 2/0.2 x the miss of 10 above, then inside: (120 + 20) / 2 / 10
    assert table["interval_score80"] == pytest.approx((20 + 10 * 10 + 20) / 2 / 10)
    assert table["interval_score95"] == pytest.approx(50 / 10)
    assert table["width80_t"] == pytest.approx(20) and table["width80"] == pytest.approx(2)
    assert table["coverage80"] == 0.5 and table["coverage95"] == 1.0


def test_rank_percentile_of_a_known_error():
    past = np.array([0.1, -0.2, 0.05, 0.3])
    # below: -0.2; tie: 0.05 -> (1 + 0.5 + 0.5) / 5
    assert evaluate.rank_percentile(0.05, past) == pytest.approx(40)
    assert evaluate.rank_percentile(1.0, past) == pytest.approx(100 * 4.5 / 5)
    panel = np.array([[0.1, np.nan], [-0.2, 1.0], [0.05, 2.0]])
    np.testing.assert_allclose(evaluate.rank_percentile(np.array([0.0, 3.0]), panel),
                               [100 * 1.5 / 4, 100 * 2.5 / 3])
    assert np.isnan(evaluate.rank_percentile(0.0, np.array([np.nan])))
    # weights: a tie of weight 2 and a value below of weight 0.5, out of 3.5 + 1
    weighted = evaluate.rank_percentile(0.05, past, np.array([1.0, 0.5, 2.0, 1.0]))
    assert weighted == pytest.approx(100 * (0.5 + 1.0 + 0.5) / 5.5)


def test_the_lean_of_known_past_errors():
    # nine figures above the forecast, one below: 90%; P(X >= 9 | n = 10, p = 1/2) = 11/1024,
    # twice that two-sided
    share, pvalue = evaluate.Past(np.array([0.1] * 9 + [-0.1]), np.ones(10)).lean()
    assert share == pytest.approx(90) and pvalue == pytest.approx(22 / 1024)
    # a zero error counts half; two above, one zero, one below: 62.5%
    share, pvalue = evaluate.Past(np.array([0.2, 0.1, 0.0, -0.3]), np.ones(4)).lean()
    assert share == pytest.approx(62.5) and pvalue == pytest.approx(1.0)


def test_calibration_histogram_and_uniformity_test():
    p = np.array([5.0, 15.0, 50.0, 95.0, 99.0, np.nan])
    result = evaluate.calibration(p, bins=4)
    assert result.n == 5
    assert result.histogram["count"].tolist() == [2, 0, 1, 2]
    assert result.outside80 == pytest.approx(3 / 5) and result.outside95 == pytest.approx(1 / 5)
    assert result.ks_pvalue == pytest.approx(stats.kstest(p[:5] / 100, "uniform").pvalue)
    # 3 of 5 outside 10-90 against a claimed 20%: P(X >= 3) = 0.0579 and the less likely
    # outcomes below (none), so the two-sided p is 0.0579; 1 of 5 outside 2.5-97.5 at 5%
    assert result.outside80_pvalue == pytest.approx(10 * 0.2**3 * 0.8**2 + 5 * 0.2**4 * 0.8
                                                    + 0.2**5)
    assert result.outside95_pvalue == pytest.approx(1 - 0.95**5)
    with pytest.raises(ValueError):
        evaluate.calibration([120.0])
    # a release below or above every past error is at 0 or 100, both valid; deciles by default
    ends = evaluate.calibration([0.0, 100.0])
    assert ends.histogram["lo"].tolist() == [10.0 * k for k in range(10)]
    assert ends.histogram["count"].tolist() == [1] + [0] * 8 + [1]


def test_gain_interval_of_a_known_gain():
    index = pd.period_range("2020-01", periods=30, freq="M")
    rng = np.random.default_rng(6)
    base = rng.uniform(5, 15, 30)
    rows = pd.concat([pd.DataFrame({"model": name, "origin": index, "horizon": 1, "scale": 10.0,
                                    "actual": 100.0, "mean": 100.0 + factor * base})
                      for name, factor in [("seasonal_naive", 1.0), (models.DEFAULT, 0.8)]])
    gain = evaluate.gain_interval(rows, block=6, draws=500)
    assert gain["gain_pct"] == pytest.approx(-20) and gain["n_origins"] == 30
    assert gain["lo"] == pytest.approx(-20) and gain["hi"] == pytest.approx(-20)
    noisy = rows.assign(mean=rows["mean"] + np.r_[np.zeros(30), rng.normal(0, 5, 30)])
    gain = evaluate.gain_interval(noisy, block=6, draws=500)
    assert gain["lo"] < gain["gain_pct"] < gain["hi"]


def test_coverage_interval_by_hand():
    # origin 2020-01: two forecasts (h 1 and 3), both inside their 80% band; 2020-02 and 2020-03:
    # one each, outside. Pooled as in `rank`, 80% coverage is 2 / 4 (not the mean of the
    # origins' shares, 1/3); every forecast is inside its 95% band
    rows = pd.DataFrame({
        "model": models.DEFAULT, "origin": pd.PeriodIndex(["2020-01", "2020-01", "2020-02",
                                                           "2020-03"], freq="M"),
        "horizon": [1, 3, 1, 1], "actual": [100.0, 100.0, 130.0, 70.0], "mean": 100.0,
        "lo80": 90.0, "hi80": 110.0, "lo95": 60.0, "hi95": 140.0})
    whole = evaluate.coverage_interval(rows, block=3, draws=50)  # one block: the whole window
    assert whole.loc[80, ["coverage", "lo", "hi"]].tolist() == [0.5, 0.5, 0.5]
    assert whole.loc[95, ["coverage", "lo", "hi"]].tolist() == [1.0, 1.0, 1.0]
    assert whole.loc[80, "n_origins"] == 3 and whole.loc[80, "block"] == 3
    single = evaluate.coverage_interval(rows, block=1, draws=2000, level=0.9)
    # resampling single origins: with k draws of 2020-01 among three, coverage is 2k / (k + 3):
    # 0, 0.5, 0.8, 1 with chances 8/27, 12/27, 6/27, 1/27, so the 5th percentile is 0 and the
    # 95th is 0.8 (26/27 of the draws are at most 0.8)
    assert single.loc[80, "lo"] == 0.0 and single.loc[80, "hi"] == pytest.approx(0.8)
    assert single.loc[95, ["lo", "hi"]].tolist() == [1.0, 1.0]
    # blocks of two origins, two blocks cut to three origins: starts (s1, s2) in {0, 1}, each pair
    # with chance 1/4, draw origins s1, s1 + 1, s2: A B A 0.8, A B B 0.5, B C A 0.5, B C B 0
    # (A = 2020-01, B, C the others), so the 10th and 90th percentiles are 0 and 0.8 and the
    # 30th and 70th both 0.5
    pairs = evaluate.coverage_interval(rows, block=2, draws=2000, level=0.8)
    assert pairs.loc[80, ["lo", "hi"]].tolist() == pytest.approx([0.0, 0.8])
    middle = evaluate.coverage_interval(rows, block=2, draws=2000, level=0.4)
    assert middle.loc[80, ["lo", "hi"]].tolist() == pytest.approx([0.5, 0.5])
    with pytest.raises(ValueError):
        evaluate.coverage_interval(rows, model="naive")
    with pytest.raises(ValueError):
        evaluate.coverage_interval(rows, level=1.0)


def test_argument_misuse_raises_value_error():
    for call in (lambda: evaluate.backtest(TINY, ["naive"], intervals="bootstrap"),
                 lambda: evaluate.backtest(TINY, ["naive"], horizons=(0,)),
                 lambda: evaluate.rank(evaluate.backtest(TINY, ["naive"]), baseline="x"),
                 lambda: evaluate.origins(TINY.iloc[:1])):
        with pytest.raises(ValueError) as caught:
            call()
        assert not isinstance(caught.value, DataError)


# The shipped headline series on fixed windows of origins (targets up to 2026-05 at most).
EARLY, LATE = ("2019-06", "2022-10"), ("2022-11", "2025-11")


@pytest.fixture(scope="module")
def headline():
    """The headline series to February 2026, the data these targets were set on: later months
    (targets of the late window's 6-month forecasts) must not move them."""
    return series.monthly().loc[:"2026-02"]


@pytest.fixture(scope="module")
def headline_rows(headline):
    return {window: evaluate.forecasts(headline, [models.DEFAULT, "seasonal_naive"],
                                       origins=window) for window in (EARLY, LATE)}


def _pooled(rows, model=models.DEFAULT):
    ranked = evaluate.rank(evaluate.score(rows))
    return ranked.loc[model]


def test_headline_default_coverage_early_window(headline_rows):
    got = _pooled(headline_rows[EARLY])
    assert 0.70 <= got["coverage80"] <= 0.92 and 0.87 <= got["coverage95"] <= 0.995


@pytest.mark.xfail(strict=True, reason="the rule chosen on 2019-2022 in all three rounds (48 "
                   "equal errors) still holds the 2020 collapse: 80% coverage 0.97 on 2022-11..2025-11")
def test_headline_default_coverage_late_window(headline_rows):
    got = _pooled(headline_rows[LATE])
    assert 0.70 <= got["coverage80"] <= 0.92 and 0.87 <= got["coverage95"] <= 0.995


def test_headline_default_interval_score_and_mase_late_window(headline_rows):
    got = _pooled(headline_rows[LATE])
    assert got["interval_score80"] <= 3.9
    assert got["mase"] <= 0.95 * _pooled(headline_rows[LATE], "seasonal_naive")["mase"]


@pytest.fixture(scope="module")
def headline_surprises(headline):
    return models.surprise_history(headline, "2019-06", "2026-02")


def test_headline_surprises_outside_10_90_share(headline_surprises):
    got = evaluate.calibration(headline_surprises["percentile"])
    assert got.n >= 40
    assert 0.10 <= got.outside80 <= 0.30


@pytest.mark.xfail(strict=True, reason="measured KS p = 0.03 over the 52 judged months: no "
                   "percentile below 10, several above 90 in the 2021 rebound")
def test_headline_surprises_not_rejected_as_uniform(headline_surprises):
    assert evaluate.calibration(headline_surprises["percentile"]).ks_pvalue > 0.05


def test_by_window_agrees_with_the_backtest_rows_and_marks_an_empty_window(headline,
                                                                           headline_rows):
    got = evaluate.by_window(headline, {"early": EARLY, "none": ("2030-01", "2030-12")})
    rows = headline_rows[EARLY]
    mine = rows[(rows["model"] == models.DEFAULT) & rows["mean"].notna()]
    held = int(((mine["actual"] >= mine["lo80"]) & (mine["actual"] <= mine["hi80"])).sum())
    early = got.loc["early"]
    assert early["forecasts"] == len(mine) and early["coverage80"] == pytest.approx(held / len(mine))
    assert early["coverage80_pvalue"] == pytest.approx(stats.binomtest(held, len(mine), 0.8).pvalue)
    assert early["vs_baseline"] == pytest.approx(_pooled(rows)["vs_baseline"])
    cover = evaluate.coverage_interval(rows).loc[80]
    assert (early["coverage80_lo"], early["coverage80_hi"]) == (cover["lo"], cover["hi"])
    assert early["coverage80_lo"] < early["coverage80"] < early["coverage80_hi"]
    assert early["note"] == ""
    assert got.loc["none", "note"].startswith("no origin") and np.isnan(got.loc["none", "coverage80"])
