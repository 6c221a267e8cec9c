"""Each research notebook runs with non-default parameters and records the numbers it shows."""

import json

import pytest

from helpers import evaluate, events, interventions, models, notebooks, paths, series


def run(tmp_path, name, **parameters):
    out = tmp_path / "metrics.json"
    notebooks.execute(paths.NOTEBOOKS / name, {**parameters, "metrics_out": str(out)},
                      output=tmp_path / name)
    return json.loads(out.read_text())


def test_customs_series_for_magnets(tmp_path):
    got = run(tmp_path, "01_customs_series.ipynb", product="magnets", start="2023-01")
    months = series.build("magnets").months.loc["2023-01":]
    assert got["product"] == "magnets" and got["first"] == "2023-01"
    assert got["reported"] == int((months["origin"] == "reported").sum())
    known = months[months["origin"] != "missing"]
    assert got["latest_month"] == str(known.index[-1])
    assert got["latest_value"] == known["value"].iloc[-1]


def test_forecast_models_short_backtest(tmp_path):
    got = run(tmp_path, "02_forecast_models.ipynb", n_origins=6, horizons=[1], start="2020-01")
    table = evaluate.backtest(series.monthly().loc["2020-01":], horizons=(1,), n_origins=6)
    ranking = evaluate.rank(table)
    assert got["n_origins"] == 6
    assert got["best_model"] == ranking.index[0]
    assert got["seasonal_naive_mase"] == round(float(ranking.loc["seasonal_naive", "mase"]), 3)
    assert got["default_model"] == models.DEFAULT


def test_export_controls_other_event(tmp_path):
    got = run(tmp_path, "03_export_controls.ipynb", partners=["World", "India"],
              event_ids=["2025-04-licences"], contrast_event_ids=["2025-04-licences"])
    study = interventions.event_study(series.monthly("magnets"), "2025-04-licences",
                                      events=events.load())
    direct = interventions.cumulative(study, "2025-04", "2025-06")
    first3 = got["studies"]["World|2025-04-licences"]["first 3 months"]
    assert got["partners"] == ["World", "India"] and got["events"] == ["2025-04-licences"]
    assert (first3["start"], first3["end"], first3["months"]) == ("2025-04", "2025-06", 3)
    assert first3["pct"] == round(direct["pct"], 1) and first3["pct_hi95"] < 0
    assert got["verdicts"]["World|2025-04-licences"].startswith("World: 56% below expectation")
    assert "India|2025-04-licences" not in got["studies"]
    assert "too little history" in got["skipped"]["India|2025-04-licences"]
    assert list(got["contrast"]["regression_effect_pct"]) == ["2025-04-licences"]
