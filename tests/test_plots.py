"""Figures a person reads: a title, axes with units, the source under them, events marked."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from helpers import (  # noqa: E402
    brief,  # noqa: E402
    events,
    plots,
    series,
)


def texts(fig):
    return [t.get_text() for t in fig.texts]


def test_monthly_chart_has_title_units_source_and_events():
    prov = series.provenance().loc["2024-01":"2025-12"]
    timeline = events.pick(events.load(), kinds=["control"], start="2024-01-01", end="2025-12")
    fig, legend = plots.monthly_chart(prov, title="T", ylabel="tonnes per month",
                                      source="GACC", events=timeline)
    ax = fig.axes[0]
    assert ax.get_title() == "T" and ax.get_ylabel() == "tonnes per month"
    assert texts(fig) == ["Source: GACC"]
    assert len(legend) == len(timeline) and legend[0].startswith("1: 2024-10-01")
    assert len([line for line in ax.lines if line.get_linestyle() == "--"]) == len(timeline)


def test_missing_months_are_gaps_not_zeros():
    prov = series.provenance().loc["2022-01":"2022-12"]
    fig, _ = plots.monthly_chart(prov, title="T", ylabel="t", source="s")
    line = fig.axes[0].lines[0]
    y = pd.Series(line.get_ydata())
    assert y.isna().sum() == 2  # January and February 2022: only their sum was published


def test_brief_chart_marks_forecast():
    fig, legend = plots.brief_headline_chart(brief.compute("2025-12"))
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "forecast (before the release)" in labels and "95% interval" in labels
    assert "tonnes" in fig.axes[0].get_ylabel()
    assert texts(fig)[0].startswith("Source: GACC")
    assert legend


def test_signed_monthly_bars_mark_negatives_and_events():
    values = pd.Series([10.0, -5.0, float("nan")],
                       index=pd.period_range("2025-03", periods=3, freq="M"))
    timeline = events.pick(events.load(), ["2025-04-licences"])
    fig, legend = plots.bars(values, title="T", ylabel="percent", xlabel="month", source="s",
                             events=timeline, signed=True)
    ax = fig.axes[0]
    colours = [patch.get_facecolor() for patch in ax.patches]
    assert colours[0] != colours[1]  # the negative bar is drawn in another colour
    assert legend == ["1: 2025-04-04 Licences for seven medium/heavy rare earths (No.18) (control)"]
    assert ax.get_ylabel() == "percent" and texts(fig) == ["Source: s"]


def test_counterfactual_chart_draws_actual_and_band():
    index = pd.period_range("2025-01", periods=3, freq="M")
    path = pd.DataFrame({"actual": [1.0, 2, 3], "counterfactual": [1.0, 1.5, 2],
                         "lo95": [0.5, 1, 1.5], "hi95": [1.5, 2, 2.5]}, index=index)
    fig, _ = plots.counterfactual_chart(path, title="T", ylabel="tonnes per month", source="s")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["actual (published)", "counterfactual (no event effects)",
                      "counterfactual 95% interval"]
