"""helpers.screen on panels built here: changes and ranks by hand, and agreement with models."""

import numpy as np
import pandas as pd
import pytest

from helpers import evaluate, models, screen


def panel(columns, start="2020-01"):
    frame = pd.DataFrame(columns, dtype=float)
    frame.index = pd.period_range(start, periods=len(frame), freq="M")
    return frame


def test_three_series_by_hand():
    months = 14
    a = np.full(months, 100.0)
    a[-1], a[-2], a[1] = 150.0, 120.0, 80.0           # y/y +87.5% (on 80), m/m +25%
    b = np.full(months, 50.0)
    b[-1] = np.nan                                     # no value this month
    c = np.r_[np.full(months - 13, np.nan), np.full(13, 10.0)]
    c[-1] = 5.0                                        # y/y -50%, share 5 of 155
    out = screen.screen(panel({"A": a, "B": b, "C": c}), min_history=1, window=None)
    assert out.loc["A", "yoy_pct"] == pytest.approx(87.5)
    assert out.loc["A", "mom_pct"] == pytest.approx(25.0)
    assert out.loc["C", "yoy_pct"] == pytest.approx(-50.0)
    assert out.loc["A", "share_pct"] == pytest.approx(100 * 150 / 155)
    # a year earlier (2020-02): A 80, B 50, C 10 (the first month of C) -> A 80/140
    assert out.loc["A", "share_change_pts"] == pytest.approx(100 * 150 / 155 - 100 * 80 / 140)
    assert np.isnan(out.loc["B", "value"]) and not out.loc["B", "judged"]
    assert out.loc["B", "note"] == "no value this month"
    # A's one-month forecast for 2021-02: lane 80 (2020-02), mean of 12 logs before; its past
    # errors are those of the months with both parts (from 2020-07 on)
    log = np.log(a)
    expected = 0.5 * (log[1] + log[1:13].mean())
    assert out.loc["A", "forecast"] == pytest.approx(np.exp(expected))
    past = []
    for t in range(6, months - 1):
        lane = log[t - 12] if t >= 12 else np.nan
        if np.isfinite(lane):
            past.append(log[t] - 0.5 * (lane + log[max(0, t - 12):t].mean()))
    now = log[-1] - expected
    below = sum(e < now for e in past)
    assert out.loc["A", "n_past"] == len(past) == 1
    assert out.loc["A", "percentile"] == pytest.approx(100 * (below + 0.5) / (len(past) + 1))
    strict = screen.screen(panel({"A": a, "B": b, "C": c}))
    assert not strict["judged"].any() and len(strict) == 3
    assert strict.loc["A", "note"] == "too few past forecasts to judge"


def test_share_of_a_total_column_and_month():
    frame = panel({"World": [10.0, 20.0, 40.0], "Japan": [5.0, 5.0, 10.0]})
    out = screen.screen(frame, month="2020-02", total="World")
    assert out.loc["Japan", "share_pct"] == pytest.approx(25.0)
    assert out.loc["World", "share_pct"] == pytest.approx(100.0)
    assert np.isnan(out.loc["Japan", "yoy_pct"]) and out.loc["Japan", "mom_pct"] == 0.0


def test_percentile_agrees_with_the_default_models_surprise():
    rng = np.random.default_rng(7)
    log = 7 + np.resize(0.2 * np.sin(np.arange(12)), 90) + rng.normal(0, 0.1, 90)
    frame = panel({"x": np.exp(log)}, "2016-01")
    out = screen.screen(frame)
    s = models.surprise(frame["x"], frame.index[-1])
    assert out.loc["x", "forecast"] == pytest.approx(s.mean)
    assert out.loc["x", "n_past"] == s.n_past == evaluate.WINDOW
    assert out.loc["x", "percentile"] == pytest.approx(s.percentile)


@pytest.mark.parametrize("bad", [
    pd.DataFrame({"a": [1.0]}, index=pd.date_range("2020-01-01", periods=1, freq="MS")),
    panel({"a": [1.0, 2.0]}).iloc[[1, 0]],
])
def test_bad_panels_raise_value_error(bad):
    with pytest.raises(ValueError):
        screen.screen(bad)


def test_bad_arguments_raise_value_error():
    frame = panel({"a": [1.0, 2.0]})
    for kwargs in ({"month": "2030-01"}, {"total": "World"}, {"min_history": 0}):
        with pytest.raises(ValueError):
            screen.screen(frame, **kwargs)


def test_decayed_percentile_weighs_older_errors_less():
    rng = np.random.default_rng(8)
    log = 7 + np.resize(0.2 * np.sin(np.arange(12)), 40) + rng.normal(0, 0.1, 40)
    frame = panel({"x": np.exp(log)}, "2016-01")
    out = screen.screen(frame, window=None, decay=0.9)
    errors = log - screen.one_step_forecasts(log[:, None])[:, 0]
    r = len(log) - 1
    ages = np.arange(r - 1, -1, -1)  # the error of month i is known from month i on
    keep = ~np.isnan(errors[:r])
    w, past, now = 0.9 ** ages[keep], errors[:r][keep], errors[r]
    assert out.loc["x", "percentile"] == pytest.approx(
        100 * (w[past < now].sum() + 0.5) / (w.sum() + 1))
    assert out.loc["x", "n_past"] == keep.sum()


@pytest.mark.parametrize("known, forecast", [
    # the 12-month mean needs 6 of the 12 months before: January 2020 at 100 and 5 months at 50
    (6, 100 ** (0.5 + 1 / 12) * 50 ** (5 / 12)),
    (5, None),
])
def test_a_forecast_needs_six_of_the_past_twelve_months(known, forecast):
    x = np.full(13, np.nan)
    x[0], x[1:known], x[12] = 100.0, 50.0, 80.0
    w = np.full(13, 10.0)
    out = screen.screen(panel({"x": x, "w": w}), min_history=1, window=None)
    if forecast is None:
        assert np.isnan(out.loc["x", "forecast"]) and out.loc["x", "note"].startswith("no forecast")
    else:
        assert out.loc["x", "forecast"] == pytest.approx(forecast)
    # thirteen months: the share a year before (January 2020) is there to compare with
    assert out.loc["x", "share_change_pts"] == pytest.approx(100 * 80 / 90 - 100 * 100 / 110)


def test_a_zero_is_not_judged_and_a_one_month_panel_is_kept():
    x = np.r_[np.full(30, 100.0), 0.0]
    out = screen.screen(panel({"x": x}), min_history=1, window=None)
    assert out.loc["x", "value"] == 0 and out.loc["x", "mom_pct"] == -100
    # the forecast from the months before stands; a zero has no log error to rank
    assert out.loc["x", "forecast"] == pytest.approx(100)
    assert not out.loc["x", "judged"] and np.isnan(out.loc["x", "percentile"])
    assert out.loc["x", "note"] == "no forecast (too short a history or a non-positive value)"
    one = screen.screen(panel({"x": [5.0]}), min_history=1)
    assert one.loc["x", "value"] == 5 and one.loc["x", "note"].startswith("no forecast")
    with pytest.raises(ValueError, match="contiguous"):
        screen.screen(panel({"x": []}))
