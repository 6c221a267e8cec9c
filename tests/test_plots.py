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
    timeline = events.pick(events.load(), kinds=["measure"], start="2024-01-01", end="2025-12")
    fig, legend = plots.monthly_chart(prov, title="T", ylabel="tonnes per month",
                                      source="GACC", events=timeline)
    ax = fig.axes[0]
    assert ax.get_title() == "T" and ax.get_ylabel() == "tonnes per month"
    assert texts(fig) == ["Source: GACC"]
    assert fig.texts[0].get_fontsize() >= 9
    assert len(legend) == len(timeline)
    # the regulations are drawn where they took effect, their announcement marked too
    assert legend[0] == ("1: 2024-06-29, in effect 2024-10-01 Rare Earth Management "
                         "Regulations (State Council Order No.785) (measure)")
    red, solid = plots.KIND_STYLES["measure"][:2]
    drawn = [line for line in ax.lines if line.get_linestyle() == solid
             and line.get_color() == red and len(line.get_xdata()) == 2
             and line.get_label().startswith("_child")]
    assert len(drawn) == len(timeline)
    assert "event: measure" in ax.get_legend_handles_labels()[1]
    assert "announced (line: in effect)" in ax.get_legend_handles_labels()[1]


def _event_numbers(fig):
    return [t for t in fig.axes[0].texts if t.get_text().isdigit()]


def test_event_numbers_never_overprint_on_a_crowded_window():
    prov = series.provenance().loc["2025-04":"2026-02"]
    timeline = events.pick(events.load(), start="2025-04-01", end="2026-02")
    fig, legend = plots.monthly_chart(prov, title="T", ylabel="t", source="s", events=timeline)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    numbers = _event_numbers(fig)
    boxes = [t.get_window_extent(renderer) for t in numbers]
    assert len(numbers) == len(legend) >= 12  # every event drawn has its number
    assert sorted(int(t.get_text()) for t in numbers) == list(range(1, len(legend) + 1))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    # 2025-11-07, 2025-11-08 (the October measures' effective date) and 2025-11-09 are a
    # day apart: their numbers sit in three rows
    assert len({round(b.y0) for b in boxes}) >= 3
    ax = fig.axes[0]
    title = ax.title.get_window_extent(renderer)
    assert all(not title.overlaps(b) for b in boxes)
    legend_box = ax.get_legend().get_window_extent(renderer)
    assert not legend_box.overlaps(ax.get_window_extent(renderer))  # the legend is outside
    assert legend[-1].startswith("13: 2026-02-24")  # late in the last month, still drawn


def test_each_kind_has_its_own_style():
    styles = {style[:2] for style in plots.KIND_STYLES.values()}
    assert len(styles) == len(plots.KIND_STYLES) and set(plots.KIND_STYLES) == set(events.KINDS)
    assert plots.KIND_STYLES["informal"][1] == "--" and plots.KIND_STYLES["talks"][1] == ":"


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


def test_both_brief_charts_number_the_same_events_alike():
    # April 2025: magnets to the main destinations are published from May 2024 only, yet the
    # chart spans its 24 months (May 2023 on), so its numbers match those of the 稀土 chart:
    # four rare-earth events from 2023-11-07 (reporting list) to 2025-04-04 (licences)
    n = brief.compute("2025-04")
    _, magnets = plots.brief_destinations_chart(n)
    _, headline = plots.brief_headline_chart(n)
    assert magnets == headline
    assert magnets[0].startswith("1: 2023-11-07") and magnets[-1].startswith("4: 2025-04-04")


def test_the_magnets_chart_spans_its_24_months_even_with_one_figure():
    # December 2024: one destination figure (the US, May 2024) in the window
    fig, _ = plots.brief_destinations_chart(brief.compute("2024-12"))
    lo, hi = (matplotlib.dates.num2date(x).date() for x in fig.axes[0].get_xlim())
    assert (lo, hi) == (pd.Timestamp("2022-12-17").date(), pd.Timestamp("2024-12-31").date())


def test_a_monthly_chart_runs_through_a_month_after_its_series_ends():
    # a year of the 稀土 line to December 2024, drawn through June 2025: the licences of
    # 2025-04-04 fall inside the axis although no month after December is in the series
    prov = series.provenance().loc["2024-01":"2024-12"]
    timeline = events.pick(events.load(), kinds=["measure"], start="2025-04-01", end="2025-04")
    _, short = plots.monthly_chart(prov, title="T", ylabel="t", source="S", events=timeline)
    fig, legend = plots.monthly_chart(prov, title="T", ylabel="t", source="S", events=timeline,
                                      through=pd.Period("2025-06", "M"))
    right = matplotlib.dates.num2date(fig.axes[0].get_xlim()[1])
    assert short == [] and right.date() >= pd.Timestamp("2025-06-30").date()
    assert legend == ["1: 2025-04-04 Licences for seven medium/heavy rare earths (No.18) (measure)"]


def test_signed_monthly_bars_mark_negatives_and_events():
    values = pd.Series([10.0, -5.0, float("nan")],
                       index=pd.period_range("2025-03", periods=3, freq="M"))
    timeline = events.pick(events.load(), ["2025-04-licences"])
    fig, legend = plots.bars(values, title="T", ylabel="percent", xlabel="month", source="s",
                             events=timeline, signed=True)
    ax = fig.axes[0]
    colours = [patch.get_facecolor() for patch in ax.patches]
    assert colours[0] != colours[1]  # the negative bar is drawn in another colour
    assert legend == ["1: 2025-04-04 Licences for seven medium/heavy rare earths (No.18) (measure)"]
    assert ax.get_ylabel() == "percent" and texts(fig) == ["Source: s"]


def test_counterfactual_chart_draws_actual_and_band():
    index = pd.period_range("2025-01", periods=3, freq="M")
    path = pd.DataFrame({"actual": [1.0, 2, 3], "counterfactual": [1.0, 1.5, 2],
                         "lo95": [0.5, 1, 1.5], "hi95": [1.5, 2, 2.5]}, index=index)
    fig, _ = plots.counterfactual_chart(path, title="T", ylabel="tonnes per month", source="s")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["actual (published)", "counterfactual (no event effects)",
                      "counterfactual 95% interval"]


def test_several_series_never_take_the_colour_of_an_event_kind():
    # the deep palette gave Japan the relaxations' blue and South Korea the measures' red
    index = pd.period_range("2025-01", periods=3, freq="M")
    frame = pd.DataFrame({p: [1.0, 2, 3] for p in brief.MAIN_DESTINATIONS + ["Total"]},
                         index=index)
    fig, _ = plots.lines_chart(frame, title="T", ylabel="tonnes per month", source="s")
    drawn = [(matplotlib.colors.to_hex(line.get_color()), line.get_marker())
             for line in fig.axes[0].lines]
    assert len(set(drawn)) == len(frame.columns)
    assert not {c for c, _ in drawn} & set(plots.KIND_COLOURS.values())


def test_a_series_with_no_value_is_not_drawn_and_the_others_keep_their_colours():
    # January 2019's brief listed Germany and South Korea in the legend with no point drawn
    index = pd.period_range("2025-01", periods=3, freq="M")
    frame = pd.DataFrame({"A": [1.0, 2, 3], "B": [None] * 3, "C": [3.0, None, 1]}, index=index)
    fig, _ = plots.lines_chart(frame, title="T", ylabel="tonnes per month", source="s")
    lines = fig.axes[0].lines
    assert [line.get_label() for line in lines] == ["A", "C"]
    assert [matplotlib.colors.to_hex(line.get_color()) for line in lines] == [
        matplotlib.colors.to_hex(plots.SERIES_STYLES[k][0]) for k in (0, 2)]


def test_an_event_study_chart_stops_at_the_latest_figure():
    # a year of expectation after the event, figures for its first two months only: the band
    # of the ten months with nothing to compare must neither be drawn nor set the scale
    index = pd.period_range("2025-09", periods=13, freq="M")
    growth = pd.Series([1.1 ** (2 * k) for k in range(13)], index=index)
    study = pd.DataFrame({"actual": [300.0, 320, 310] + [None] * 10, "expected": 300.0,
                          "lo80": 300 / growth, "hi80": 300 * growth,
                          "lo95": 250 / growth, "hi95": 400 * growth}, index=index)
    fig, _ = plots.event_study_chart(study, title="T", ylabel="tonnes per month", source="s")
    ax = fig.axes[0]
    assert max(max(line.get_xdata()) for line in ax.lines[:2]) == pd.Timestamp("2025-11-01")
    assert ax.get_ylim()[1] < 400 * 1.1 ** 4 * 1.1  # the band to 2025-11, plus the margin


def test_an_event_taking_effect_after_the_axis_is_drawn_at_its_announcement():
    prov = series.provenance().loc["2025-06":"2025-10"]
    timeline = events.pick(events.load(), ["2025-10-expansion"])  # in effect 2025-11-08
    fig, legend = plots.monthly_chart(prov, title="T", ylabel="t", source="s", events=timeline)
    assert legend == ["1: 2025-10-09, in effect 2025-11-08 October expansion: five more "
                      "elements, equipment, extraterritorial rules (measure)"]
    [number] = _event_numbers(fig)
    assert pd.Timestamp(number.xy[0]) == pd.Timestamp("2025-10-09")
    # no announcement triangle is drawn, so the legend does not explain one
    assert "announced (line: in effect)" not in fig.axes[0].get_legend_handles_labels()[1]


def _inside_figure(fig) -> bool:
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    width, height = fig.get_size_inches()
    return box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height


def test_the_brief_charts_fit_inside_their_figures():
    # the brief saves its charts uncropped (no tight bounding box): a legend, an event number
    # or the title that spills over the figure's edge would be cut off. February 2026 has the
    # longest legend (the combined January-February segment and its forecast) and the most
    # rows of event numbers; June 2025 the most destinations
    for month in ("2026-02", "2025-06"):
        n = brief.compute(month)
        for chart in (plots.brief_headline_chart, plots.brief_destinations_chart):
            fig, _ = chart(n)
            assert _inside_figure(fig), (month, chart.__name__)
    n = brief.compute("2026-02")
    fig, _ = plots.brief_headline_chart(n)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "forecast of Jan+Feb\n(monthly average)" in labels
    fig.axes[0].get_legend().get_texts()[0].set_text("x" * 60)  # a legend too wide is caught
    assert not _inside_figure(fig)
