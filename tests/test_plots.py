"""Figures a person reads: a title, axes with units, the source under them, events marked."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from helpers import events, plots, series  # noqa: E402
from helpers.brief import Brief  # noqa: E402


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
    fig, legend = Brief("2025-12").chart()
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "forecast (before the release)" in labels and "95% interval" in labels
    assert "tonnes" in fig.axes[0].get_ylabel()
    assert texts(fig)[0].startswith("Source: GACC")
    assert legend
