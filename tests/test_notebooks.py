"""Each research notebook runs with non-default parameters and records the numbers it shows."""

import json

import pytest

from helpers import evaluate, models, notebooks, paths, series


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
    assert got["latest_month"] == "2026-03" and got["latest_value"] == 5238.0  # Reuters, March 2026


def test_forecast_models_short_backtest(tmp_path):
    got = run(tmp_path, "02_forecast_models.ipynb", n_origins=6, horizons=[1], start="2020-01")
    values = series.monthly().loc["2020-01":]
    rows = evaluate.forecasts(values, horizons=(1,), n_origins=6)
    ranking = evaluate.rank(evaluate.score(rows))
    assert got["n_origins"] == 6
    assert got["best_model"] == ranking.index[0]
    assert got["seasonal_naive_mase"] == round(float(ranking.loc["seasonal_naive", "mase"]), 3)
    assert got["default_model"] == models.DEFAULT
    assert got["default_coverage80"] == round(float(ranking.loc[models.DEFAULT, "coverage80"]), 3)
    surprises = models.surprise_history(values, values.index[0], values.dropna().index[-1])
    judged = surprises["percentile"].dropna()
    assert got["surprises_judged"] == len(judged)
    assert got["surprises_outside80"] == round(float(((judged < 10) | (judged > 90)).mean()), 3)


def test_export_controls_other_event(tmp_path):
    got = run(tmp_path, "03_export_controls.ipynb", event_ids=["2025-04-licences"],
              regressor="pulse", start="2020-01")
    direct = models.intervention(series.monthly().loc["2020-01":], ["2025-04-licences"],
                                 regressor="pulse")
    effect = direct.effects.loc["2025-04-licences"]
    assert got["events"] == ["2025-04-licences"] and got["regressor"] == "pulse"
    assert got["effect_pct"]["2025-04-licences"] == pytest.approx(round(effect["effect_pct"], 1))
    assert got["lo95"]["2025-04-licences"] < got["effect_pct"]["2025-04-licences"] \
        < got["hi95"]["2025-04-licences"]
