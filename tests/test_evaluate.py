"""helpers.evaluate on tiny series scored by hand and on series drawn from known distributions."""

import numpy as np
import pandas as pd
import pytest

from helpers import evaluate, models


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


def test_backtest_is_deterministic():
    rng = np.random.default_rng(4)
    y = monthly(np.exp(8 + np.resize(0.2 * np.sin(np.arange(12)), 84) + rng.normal(0, 0.1, 84)))
    y[(y.index.month <= 2) & (y.index.year > 2020)] = np.nan
    first = evaluate.backtest(y, ["ets", "combo"], n_origins=6)
    second = evaluate.backtest(y, ["ets", "combo"], n_origins=6)
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
