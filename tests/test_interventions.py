"""helpers.interventions on series built here with known effects, and on the shipped magnets."""

import numpy as np
import pandas as pd
import pytest
from test_models import seasonal_series

from helpers import interventions, series


def timeline(*rows):
    """An events frame of (id, date, kind[, effective, ends]) rows, as issue 15's schema."""
    frame = pd.DataFrame([list(r) + [""] * (5 - len(r)) for r in rows],
                         columns=["id", "date", "kind", "effective", "ends"])
    frame["title"] = frame["id"]
    frame["date"] = pd.to_datetime(frame["date"])
    frame["effective"] = pd.to_datetime(frame["effective"].replace("", None))
    return frame


def shocked(scale, months, seed=5):
    """A gap-free seasonal series 2012-01..2024-12 multiplied by `scale` in `months`."""
    y = seasonal_series(n=156, start="2012-01", seed=seed)
    y = y.fillna(np.exp(8.0))  # no gaps here: the study's own calibration is under test
    for m in months:
        y[m] *= scale
    return y


def test_a_two_month_halving_is_recovered_within_its_interval():
    y = shocked(0.5, ["2022-06", "2022-07"])
    study = interventions.event_study(y, "2022-06-15")
    assert study.origin == pd.Period("2022-05", "M") and study.model == "combo_mean12"
    assert study.frame.loc[:"2022-05", "expected"].isna().all()
    assert set(study.frame.loc["2022-06":, "band"]) == {"past errors"}
    june = study.frame.loc["2022-06"]  # the abnormal band is the actual against the forecast's
    assert june["abnormal_lo95"] == pytest.approx(100 * (june["actual"] / june["hi95"] - 1))
    assert june["abnormal_hi95"] == pytest.approx(100 * (june["actual"] / june["lo95"] - 1))
    assert june["abnormal_lo95"] < june["abnormal_lo80"] < june["abnormal_pct"] \
        < june["abnormal_hi80"] < june["abnormal_hi95"]
    got = interventions.cumulative(study, "2022-06", "2022-07")
    assert got["method"].startswith("past errors") and got["months"] == 2
    assert got["pct_lo95"] < -50 < got["pct_hi95"] < 0
    assert got["pct"] == pytest.approx(100 * (got["actual"] / got["expected"] - 1))
    assert got["tonnes"] == pytest.approx(got["actual"] - got["expected"])
    # the tonnes interval is the percent interval's, in tonnes: actual less the same quantile
    assert got["tonnes_lo95"] < got["tonnes_lo80"] < got["tonnes"] < got["tonnes_hi80"] < 0
    for key in ("lo80", "hi80", "lo95", "hi95"):
        quantile = got["actual"] / (1 + got[f"pct_{key}"] / 100)
        assert got[f"tonnes_{key}"] == pytest.approx(got["actual"] - quantile)
    hand = y["2022-06":"2022-07"].sum() / study.frame.loc["2022-06":"2022-07", "expected"].sum()
    assert got["pct"] == pytest.approx(100 * (hand - 1))
    after = interventions.cumulative(study, "2022-09", "2022-11")  # the drop is over
    assert after["pct_lo95"] < 0 < after["pct_hi95"]


def test_placebos_on_the_calm_part_centre_on_zero():
    y = shocked(0.5, ["2022-06", "2022-07"])
    events = timeline(("drop", "2022-06-15", "measure"))
    table = interventions.placebos(y, events, months=2)
    assert len(table) > 80
    near = pd.period_range("2022-05", "2022-09", freq="M")  # 3 months before to the window's end
    assert not set(near) & set(table.index) and {near[0] - 1, near[-1] + 1} <= set(table.index)
    assert abs(table["pct"].median()) < 4
    share = interventions.placebo_share(-50.0, table)
    assert share["n"] == len(table) and share["share"] < 0.02


def test_a_bump_before_the_announcement_shows_in_the_stockpiling_window():
    y = shocked(1.4, ["2022-03", "2022-04", "2022-05"])
    got = interventions.stockpiling(y, "2022-06-15")
    assert (got["start"], got["end"]) == ("2022-03", "2022-05")
    assert got["pct_lo95"] > 0 and got["pct"] == pytest.approx(40, abs=15)
    calm = interventions.stockpiling(shocked(1.0, []), "2022-06-15")
    assert calm["pct_lo95"] < 0 < calm["pct_hi95"]


def test_effective_date_and_suspension_shape_the_window():
    events = timeline(("rule", "2022-04-20", "measure", "2022-06-01"),
                      ("pause", "2022-09-05", "relaxation", "", "rule"))
    y = shocked(0.6, ["2022-06", "2022-07", "2022-08"])
    study = interventions.event_study(y, "rule", before=2, after=6, events=events)
    assert study.origin == pd.Period("2022-03", "M")  # forecast before the announcement
    phases = study.frame["phase"]
    assert phases["2022-02":"2022-03"].eq("before").all()
    assert phases["2022-04":"2022-05"].eq("announced").all()
    assert phases["2022-06":"2022-08"].eq("in force").all()
    assert phases["2022-09":].eq("ended").all() and phases.index[-1] == pd.Period("2022-12", "M")
    assert study.window(1) == (pd.Period("2022-06", "M"), pd.Period("2022-06", "M"))
    assert study.window(6) == (pd.Period("2022-06", "M"), pd.Period("2022-08", "M"))
    assert list(study.event.marks()["title"]) == ["rule (announced)", "rule (takes effect)",
                                                  "ended by pause"]
    never = timeline(("rule", "2022-04-20", "measure", "2022-12-01"),
                     ("pause", "2022-09-05", "relaxation", "", "rule"))
    assert interventions.event_study(y, "rule", events=never).window(3) is None
    # and the verdicts say so
    said = interventions.panel({"y": y}, events[events["id"] == "rule"], events, windows=(1,))
    assert " — ended by pause from 2022-09" in said.verdicts[("y", "rule")]
    unborn = interventions.panel({"y": y}, never[never["id"] == "rule"], never, windows=(1,))
    assert (" — suspended from 2022-09 before it took effect, so this covers the months between "
            "announcement and suspension") in unborn.verdicts[("y", "rule")]


def test_a_timeline_without_effective_or_ends_columns_works():
    events = timeline(("rule", "2022-06-15", "measure"))[["id", "date", "kind", "title"]]
    event = interventions.event_of("rule", events)
    assert event.effective == event.announced == pd.Period("2022-06", "M")
    assert event.ended is None and event.kind == "measure"
    with pytest.raises(ValueError, match="unknown event"):
        interventions.event_of("no-such-id", events)


def test_a_window_outside_the_study_is_misuse():
    study = interventions.event_study(shocked(1.0, []), "2022-06-15", after=3)
    with pytest.raises(ValueError, match="within"):
        interventions.cumulative(study, "2022-05", "2022-06")
    with pytest.raises(ValueError, match="within"):
        interventions.cumulative(study, "2022-06", "2022-12")


def test_missing_months_are_left_out_and_a_thin_history_falls_back():
    y = shocked(1.0, [])
    y["2022-07"] = np.nan
    study = interventions.event_study(y, "2022-06-15", after=3)
    got = interventions.cumulative(study, "2022-06", "2022-08")
    assert got["months"] == 2 and got["missing"] == ["2022-07"]
    short = y.loc["2021-07":]  # 11 months before the event: fewer than 12 past errors
    thin = interventions.event_study(short, "2022-06-15", after=3)
    assert set(thin.frame.loc["2022-06":, "band"]) == {"model"}
    assert interventions.cumulative(thin, "2022-06", "2022-08")["method"].startswith("model")
    nothing = interventions.event_study(y.loc[:"2022-05"], "2022-06-15", after=3)
    empty = interventions.cumulative(nothing, "2022-06", "2022-08")
    assert empty["months"] == 0 and empty["method"] == "no figure" and np.isnan(empty["pct"])


def test_since_last_measure_uses_only_what_was_known():
    y = shocked(0.5, ["2022-06", "2022-07"])
    events = timeline(("rule", "2022-06-15", "measure"),
                      ("pause", "2022-11-02", "relaxation", "", "rule"))
    got = interventions.since_last_measure(y, "2022-07", events)
    later = y.copy()
    later["2022-08":] *= 3  # what comes after July cannot change July's line
    assert interventions.since_last_measure(later, "2022-07", events) == got
    study = interventions.event_study(y.loc[:"2022-07"], "rule", events=events.iloc[:1])
    assert got["pct"] == pytest.approx(interventions.cumulative(study, "2022-06", "2022-07")["pct"])
    assert got["event"] == "rule" and got["date"] == pd.Timestamp("2022-06-15")
    assert interventions.since_last_measure(y, "2022-05", events) is None  # before it
    assert interventions.since_last_measure(y, "2022-11", events) is None  # suspended
    assert interventions.since_last_measure(y, "2023-10", events.iloc[:1]) is None  # over


def test_magnets_world_fell_after_the_april_2025_licences():
    study = interventions.event_study(series.monthly("magnets"), "2025-04-04")
    got = interventions.cumulative(study, "2025-04", "2025-05")
    assert got["months"] == 2 and got["actual"] == 2627 + 1238  # Apr and May 2025 as published
    assert got["pct"] < -40 and got["pct_hi95"] < 0


def test_intervention_recovers_a_known_step():
    y = seasonal_series(n=120, start="2015-01", seed=3, step=("2020-06", -0.4))
    result = interventions.intervention(y, ["2020-06-15"])
    row = result.effects.loc["2020-06-15"]
    truth = 100 * np.expm1(-0.4)
    assert row["lo95"] < truth < row["hi95"]
    assert row["hi95"] - row["lo95"] < 30
    assert row["regressor"] == "step" and str(row["month"]) == "2020-06"
    # an event dated in May with a lag of one month: the same step, placed in June
    lagged = interventions.intervention(y, ["2020-05-15"], lag=1).effects.loc["2020-05-15"]
    assert str(lagged["month"]) == "2020-06" and lagged["lo95"] < truth < lagged["hi95"]
    path = result.path
    after = path.loc["2020-06":].dropna(subset=["actual"])
    ratio = np.median(after["actual"] / after["counterfactual"])
    assert ratio == pytest.approx(np.exp(-0.4), abs=0.1)
    assert path.loc[:"2020-05", "counterfactual"].isna().all()
    assert path.loc[:"2020-05", "effect_pct"].eq(0).all()
    assert path.loc["2020-06":, "effect_pct"].eq(row["effect_pct"]).all()


def test_intervention_takes_a_timeline_frame_and_regressor_types():
    y = seasonal_series(n=120, start="2015-01", seed=3, step=("2020-06", -0.4))
    timeline = pd.DataFrame({
        "id": ["2018-03-01-pulse", "2020-06-15-control", "2022-01-10-talks"],
        "date": pd.to_datetime(["2018-03-01", "2020-06-15", "2022-01-10"]),
        "kind": ["control", "control", "talks"]})
    result = interventions.intervention(y, timeline, kinds=["control"],
                                 regressor={"2018-03-01-pulse": "pulse",
                                            "2020-06-15-control": "step"})
    assert list(result.effects.index) == ["2018-03-01-pulse", "2020-06-15-control"]
    assert result.effects["regressor"].tolist() == ["pulse", "step"]
    assert result.effects.loc["2018-03-01-pulse", "lo95"] < 0 < \
        result.effects.loc["2018-03-01-pulse", "hi95"]


def test_intervention_rejects_events_it_cannot_separate():
    y = seasonal_series(n=120, start="2015-01")
    with pytest.raises(ValueError, match="told apart"):
        interventions.intervention(y, ["2020-06-01", "2020-06-20"])
    with pytest.raises(ValueError, match="outside"):
        interventions.intervention(y, ["2030-01-01"])
    with pytest.raises(ValueError, match="regressor"):
        interventions.intervention(y, ["2020-06-01"], regressor="spike")
    with pytest.raises(ValueError, match="not a date"):
        interventions.intervention(y, ["2025-04-licences"])


def test_panel_says_plainly_where_the_data_cannot_answer():
    y = shocked(0.5, ["2022-06", "2022-07"])
    thin = y.copy()
    thin[:"2022-05"] = np.nan
    thin["2022-03"] = 100.0  # one figure before the event: no expectation
    events = timeline(("rule", "2022-06-15", "measure"), ("late", "2024-12-10", "measure"))
    result = interventions.panel({"dense": y.loc[:"2024-11"], "thin": thin}, events, events,
                                 windows=(1,))
    assert result.verdicts[("dense", "late")] == ("dense: no figure after the measure yet "
                                                  "(latest figure 2024-11).")
    assert "too little history" in result.skipped[("thin", "rule")]
    text = result.verdicts[("dense", "rule")]
    assert text.startswith("dense: ") and "below expectation" in text and "clearly" in text
    recorded = interventions.record(result)
    assert recorded["studies"]["dense|rule"]["first 1 month"]["pct"] == round(
        result.tables[("dense", "rule")].loc["first 1 month", "pct"], 1)
