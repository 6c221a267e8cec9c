"""Each research notebook runs with non-default parameters and records the numbers it shows."""

import json

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
    got = run(tmp_path, "02_forecast_models.ipynb", n_origins=6, horizons=[1], start="2020-01",
              windows=[["2023-01", "2023-12"]])
    values = series.monthly().loc["2020-01":]
    rows = evaluate.forecasts(values, horizons=(1,), n_origins=6)
    ranking = evaluate.rank(evaluate.score(rows))
    assert got["n_origins"] == 6
    assert got["best_model"] == ranking.index[0]
    assert got["seasonal_naive_mase"] == round(float(ranking.loc["seasonal_naive", "mase"]), 3)
    assert got["default_model"] == models.DEFAULT
    assert got["default_coverage80"] == round(float(ranking.loc[models.DEFAULT, "coverage80"]), 3)
    # release surprises, as in the brief, come from the whole series
    whole = series.monthly()
    surprises = models.surprise_history(whole, whole.index[0], whole.dropna().index[-1])
    judged = surprises["percentile"].dropna()
    assert got["surprises_judged"] == len(judged)
    assert got["surprises_outside80"] == round(float(((judged < 10) | (judged > 90)).mean()), 3)
    # the fixed window is backtested on the whole series, not the part from `start`
    fixed = evaluate.forecasts(series.monthly(), [models.DEFAULT], horizons=(1,),
                               origins=("2023-01", "2023-12"))
    held = evaluate.score(fixed).iloc[0]
    cover = evaluate.coverage_interval(fixed).loc[80]
    assert got["windows"] == {"2023-01..2023-12": {
        "forecasts": int(held["n"]), "coverage80": round(float(held["coverage80"]), 3),
        "coverage95": round(float(held["coverage95"]), 3),
        "coverage80_interval90": [round(float(cover["lo"]), 3), round(float(cover["hi"]), 3)]}}


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


def test_mirror_check_on_fake_snapshots(tmp_path):
    from comtrade_fake import snapshot_folder

    folder = snapshot_folder(tmp_path / "snap")
    got = run(tmp_path, "04_mirror_check.ipynb", data_files=[str(folder)],
              partners=["Japan", "United States", "Germany"])
    assert got["snapshots"] == 1 and got["cmd"] == "850511"
    japan, us, germany = (got["summary"][p] for p in ["Japan", "United States", "Germany"])
    # Japan/China in tonnes: January 1,150/1,200, February 1,100/1,000; next month 1,100/1,200
    # and 1,300/1,000; in dollars 61/60 and 54/50 (March has Japan's side only)
    assert japan == {"months_both": 2, "first": "2025-01", "last": "2025-02",
                     "median_ratio_t": round((1150 / 1200 + 1.1) / 2, 4),
                     "median_ratio_t_next": round((1100 / 1200 + 1.3) / 2, 4),
                     "median_ratio_usd": round((61 / 60 + 54 / 50) / 2, 4)}
    assert us["months_both"] == 1 and us["median_ratio_t"] == 1.025  # 820 / 800
    assert us["median_ratio_t_next"] is None  # the US February has no weight
    assert us["median_ratio_usd"] == round(38 / 36, 4)  # = 28.5 / 27 in February
    assert germany["months_both"] == 0 and germany["median_ratio_t"] is None


def test_brief_template_carries_no_outputs():
    """The template is papermill's input; outputs committed with it would show an old month
    with whatever the code said then (rendered briefs live in reports/)."""
    import nbformat

    template = nbformat.read(paths.BRIEF_TEMPLATE, as_version=4)
    assert [c for c in template.cells if c.cell_type == "code" and c.outputs] == []


def test_record_writes_nan_as_null_and_nothing_without_a_path(tmp_path):
    notebooks.record(None, {"x": 1})  # the committed runs record nothing
    assert list(tmp_path.iterdir()) == []
    notebooks.record(tmp_path / "m.json", {"pct": float("nan"), "t": 4392.0, "where": "日本"})
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == (
        '{\n  "pct": null,\n  "t": 4392.0,\n  "where": "日本"\n}\n')


def test_run_metadata_dropped_and_code_cells_numbered(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"papermill": {"duration": 1.5}})
    nb.cells = [nbformat.v4.new_markdown_cell("# t", metadata={"papermill": {}}),
                nbformat.v4.new_code_cell("1", execution_count=7, metadata={
                    "papermill": {"start_time": "x"}, "execution": {"iopub": "y"}, "tags": ["a"]},
                    outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1"},
                                                    execution_count=7)]),
                nbformat.v4.new_code_cell("2", execution_count=None)]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    notebooks._strip_papermill_metadata(path)
    out = nbformat.read(path, as_version=4)
    assert "papermill" not in out.metadata
    assert [c.metadata for c in out.cells] == [{}, {"tags": ["a"]}, {}]
    assert [c.get("execution_count") for c in out.cells] == [None, 1, 2]
    assert out.cells[1].outputs[0]["execution_count"] == 1
