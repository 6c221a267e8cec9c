"""Figures a person reads: titled, axes with units, sources under them, policy events marked.

Reported months are drawn solid, derived months hollow, missing months as gaps; the combined
January-February figure, when the single months are unknown, is drawn as a dotted segment at
its monthly average and labelled as such.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

KIND_STYLES = {  # how each kind of event is drawn: colour, line style, line width
    "measure": ("#b2182b", "-", 1.4), "informal": ("#d6604d", "--", 1.2),
    "relaxation": ("#2166ac", "-", 1.4), "talks": ("#7b3294", ":", 1.6),
    "supply": ("#8c510a", "-.", 1.2), "legal": ("#4d4d4d", "-", 0.9),
    "other": ("#999999", ":", 1.0)}
KIND_COLOURS = {kind: colour for kind, (colour, _, _) in KIND_STYLES.items()}
LINE = "#1b4f72"
#: Colour and marker of each series when several share an axis with events: Okabe and Ito's
#: colour-blind-safe set without the blue and vermilion that read as a relaxation or a measure.
SERIES_STYLES = [("#000000", "o"), ("#e69f00", "s"), ("#009e73", "^"), ("#56b4e9", "D"),
                 ("#cc79a7", "v"), ("#999933", "P"), ("#777777", "X")]
SOURCE_SIZE = 9
_ROW = 11  # points between staggered rows of event numbers


def style() -> None:
    """One look for every figure of the package."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "figure.figsize": (10, 4.6),
                         "axes.titleweight": "bold", "axes.titlesize": 12,
                         # the title sits at the top of the axis (no chart has ticks there),
                         # not placed anew at each draw by measuring the axis labels
                         "axes.titley": 1.0})


def source_note(fig: plt.Figure, text: str) -> None:
    """The source line under a figure, in a size a reader can read."""
    fig.text(0.01, 0.01, f"Source: {text}", fontsize=SOURCE_SIZE, color="#444444", ha="left",
             va="bottom", wrap=True)
    fig.subplots_adjust(bottom=0.2)


def _overlaps(box, placed) -> bool:
    return any(box.x0 < other.x1 and other.x0 < box.x1 for other in placed)


def mark_events(ax: plt.Axes, events: pd.DataFrame, numbered: bool = True) -> list[str]:
    """Lines at the events inside the axis range, one style per kind; returns the legend lines.

    An event is drawn at its effective date when it has one, with its announcement marked by
    a hollow triangle at the top and a thin link to the line; at its announcement when the
    effective date lies beyond the axis. The numbers sit in staggered rows
    above the axis, a number going up a row until it overprints no other; the title moves above
    them. Proxy handles for the kinds drawn are added to the axis legend entries.
    """
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi)  # drawing the events must not move the axis under their numbers
    legend: list[str] = []
    kinds: list[str] = []
    rows: list[list] = []
    marked = False  # a hollow triangle drawn at some announcement
    renderer = ax.figure.canvas.get_renderer()

    def inside(day: pd.Timestamp) -> bool:
        return lo <= matplotlib.dates.date2num(day) <= hi

    for _, event in events.iterrows():
        announced = pd.Timestamp(event["date"])
        effective = event.get("effective")
        takes_effect = pd.Timestamp(effective) if pd.notna(effective) else announced
        # at the effective date; at the announcement when the effect falls beyond the axis
        at = next((d for d in (takes_effect, announced) if inside(d)), None)
        if at is None:
            continue
        colour, ls, lw = KIND_STYLES.get(event["kind"], KIND_STYLES["other"])
        ax.axvline(at, color=colour, lw=lw, ls=ls, alpha=0.85, zorder=1)
        if at != announced and inside(announced):
            ax.plot([announced, at], [0.985, 0.985], transform=ax.get_xaxis_transform(),
                    color=colour, lw=0.8, zorder=1, label="_link")
            ax.plot([announced], [0.985], transform=ax.get_xaxis_transform(), marker="v",
                    ms=6, mfc="white", mec=colour, ls="none", zorder=3, label="_announced")
            marked = True
        kinds.append(event["kind"])
        number = len(legend) + 1
        when = f"{announced:%Y-%m-%d}" + (f", in effect {takes_effect:%Y-%m-%d}"
                                          if takes_effect != announced else "")
        legend.append(f"{number}: {when} {event['title']} ({event['kind']})")
        if not numbered:
            continue
        for row, placed in enumerate(rows + [[]]):
            label = ax.annotate(str(number), (at, 1.0), xycoords=("data", "axes fraction"),
                                xytext=(0, 3 + _ROW * row), textcoords="offset points",
                                ha="center", va="bottom", fontsize=8, color=colour,
                                fontweight="bold", annotation_clip=False)
            box = label.get_window_extent(renderer).expanded(1.5, 1.0)
            if not _overlaps(box, placed):
                if row == len(rows):
                    rows.append([])
                rows[row].append(box)
                break
            label.remove()
    if rows:
        pad = 6 + _ROW * len(rows)
        ax.set_title(ax.get_title(), pad=pad)
        height = ax.figure.get_figheight() * 72  # points; the title and numbers fit above
        ax.figure.subplots_adjust(top=min(0.9, 1 - (pad + 22) / height))
    for kind in KIND_STYLES:
        if kind in kinds:
            colour, ls, lw = KIND_STYLES[kind]
            ax.plot([], [], color=colour, ls=ls, lw=lw, label=f"event: {kind}")
    if marked:
        ax.plot([], [], marker="v", mfc="white", mec="#555555", ls="none",
                label="announced (line: in effect)")
    return legend


def _reserve(fig: plt.Figure, ax: plt.Axes) -> None:
    """Room right of the axis for the legend and under it for the source line, set before
    the events are placed so that their numbers are measured at the final width; short
    month labels so that they fit the narrower axis."""
    fig.subplots_adjust(left=0.08, right=0.74, bottom=0.2)
    locator = matplotlib.dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))


def _window(ax: plt.Axes, first: pd.Period, last: pd.Period) -> None:
    """The axis spans exactly the months first..last (half a month of room before the first),
    data or not: a chart with events spans its window whatever months have figures, so two
    charts of the brief given the same events draw (and number) the same ones."""
    ax.set_xlim(matplotlib.dates.date2num(first.start_time - pd.Timedelta(days=15)),
                matplotlib.dates.date2num(last.end_time))


def _legend_outside(ax: plt.Axes) -> None:
    """The legend in the room right of the axis, never over the data."""
    if ax.get_legend_handles_labels()[1]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=True,
                  borderaxespad=0)


def monthly_chart(provenance: pd.DataFrame, *, title: str, ylabel: str, source: str,
                  events: pd.DataFrame | None = None, janfeb: pd.Series | None = None,
                  forecast: pd.DataFrame | None = None, actual_label: str = "reported",
                  forecast_label: str | None = None, through: pd.Period | None = None,
                  ax: plt.Axes | None = None) -> tuple[plt.Figure, list[str]]:
    """A monthly series by origin, with optional Jan-Feb segments, forecast fan and events;
    the axis runs to the end of `through` when the series stops before it."""
    style()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots()
    x = provenance.index.to_timestamp()
    values = provenance["value"].astype(float)
    ax.plot(x, values, color=LINE, lw=1.4, zorder=2, label="_line")
    for origin, marker, face in (("reported", "o", LINE), ("derived", "o", "white")):
        mask = (provenance["origin"] == origin).to_numpy()
        ax.scatter(x[mask], values[mask], s=18, marker=marker, facecolor=face, edgecolor=LINE,
                   zorder=3, label=actual_label if origin == "reported" else
                   "derived from year-to-date totals")
    if janfeb is not None:
        first = True
        for year, total in janfeb.items():
            jan = pd.Period(f"{year}-01", "M")
            if jan not in provenance.index or provenance.loc[jan, "origin"] != "missing":
                continue
            xs = [jan.to_timestamp(), pd.Period(f"{year}-02", "M").to_timestamp()]
            ax.plot(xs, [total / 2] * 2, color=LINE, ls=":", lw=2, zorder=2,
                    label="Jan+Feb published combined\n(shown at its monthly average)"
                    if first else "_jf")
            first = False
    if forecast is not None and len(forecast):
        fx = forecast.index.to_timestamp()
        if len(forecast) > 1:
            ax.fill_between(fx, forecast["lo95"], forecast["hi95"], color="#f4a582", alpha=0.35,
                            label="95% interval", zorder=1)
            ax.fill_between(fx, forecast["lo80"], forecast["hi80"], color="#d6604d", alpha=0.35,
                            label="80% interval", zorder=1)
        else:  # one month: the fan is a bar
            ax.vlines(fx, forecast["lo95"], forecast["hi95"], color="#f4a582", lw=6,
                      label="95% interval", zorder=1)
            ax.vlines(fx, forecast["lo80"], forecast["hi80"], color="#d6604d", lw=6,
                      label="80% interval", zorder=1)
        ax.scatter(fx, forecast["mean"], marker="D", s=30, color="#b2182b", zorder=4,
                   label=forecast_label or "forecast (before the release)")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.set_ylim(bottom=0)
    last = matplotlib.dates.date2num(max(provenance.index[-1], through or provenance.index[-1])
                                     .end_time)
    ax.set_xlim(right=max(ax.get_xlim()[1], last))  # events late in the last month show
    _reserve(fig, ax)
    legend = mark_events(ax, events) if events is not None else []
    _legend_outside(ax)
    source_note(fig, source)
    return fig, legend


def bars(values: pd.Series, *, title: str, ylabel: str, xlabel: str, source: str,
         events: pd.DataFrame | None = None, signed: bool = False) -> tuple[plt.Figure, list[str]]:
    """Vertical bars: by category (e.g. calendar month) or by month (a PeriodIndex, with
    events marked); `signed` colours negative bars red and draws the zero line."""
    style()
    monthly = isinstance(values.index, pd.PeriodIndex)
    fig, ax = plt.subplots(figsize=None if monthly else (9, 3.8))
    x = values.index.to_timestamp() if monthly else values.index.astype(str)
    colours = [KIND_COLOURS["measure"] if signed and v < 0 else LINE for v in values.fillna(0)]
    ax.bar(x, values, width=20 if monthly else 0.8, color=colours)
    if signed:
        ax.axhline(0, color="black", lw=0.8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    legend = []
    if events is not None and monthly:
        _reserve(fig, ax)
        legend = mark_events(ax, events)
        _legend_outside(ax)
    source_note(fig, source)
    return fig, legend


def counterfactual_chart(path: pd.DataFrame, *, title: str, ylabel: str, source: str,
                         events: pd.DataFrame | None = None) -> tuple[plt.Figure, list[str]]:
    """Actual against an intervention model's counterfactual (columns actual, counterfactual,
    lo95, hi95, monthly PeriodIndex)."""
    style()
    fig, ax = plt.subplots()
    x = path.index.to_timestamp()
    ax.plot(x, path["actual"], marker="o", ms=3.5, color=LINE, label="actual (published)")
    ax.plot(x, path["counterfactual"], color="#b2182b", lw=1.5,
            label="counterfactual (no event effects)")
    ax.fill_between(x, path["lo95"], path["hi95"], color="#f4a582", alpha=0.35,
                    label="counterfactual 95% interval")
    return _finish(fig, ax, title, ylabel, source, events)


def event_study_chart(study: pd.DataFrame, *, title: str, ylabel: str, source: str,
                      events: pd.DataFrame | None = None) -> tuple[plt.Figure, list[str]]:
    """Actual against the expectation formed before an event (an event study's frame: columns
    actual, expected, lo80, hi80, lo95, hi95), with the event's dates (announcement, effect,
    suspension) marked. Drawn up to the latest figure: beyond it the expectation has nothing to
    be compared with, and its widening band would set the scale of the whole chart."""
    style()
    last = study["actual"].last_valid_index()
    study = study.loc[:last] if last is not None else study
    fig, ax = plt.subplots()
    x = study.index.to_timestamp()
    ax.plot(x, study["actual"], marker="o", ms=4, color=LINE, label="actual (published)")
    ax.plot(x, study["expected"], color="#b2182b", lw=1.5, ls="--", marker=".",
            label="expected (forecast before the announcement)")
    ax.fill_between(x, study["lo95"], study["hi95"], color="#f4a582", alpha=0.35,
                    label="95% interval")
    ax.fill_between(x, study["lo80"], study["hi80"], color="#d6604d", alpha=0.3,
                    label="80% interval")
    return _finish(fig, ax, title, ylabel, source, events)


def _finish(fig: plt.Figure, ax: plt.Axes, title: str, ylabel: str, source: str,
            events: pd.DataFrame | None) -> tuple[plt.Figure, list[str]]:
    """Title, axis labels, zero floor, events, legend and source line of a monthly chart."""
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.set_ylim(bottom=0)
    _reserve(fig, ax)
    legend = mark_events(ax, events) if events is not None else []
    _legend_outside(ax)
    source_note(fig, source)
    return fig, legend


def lines_chart(frame: pd.DataFrame, *, title: str, ylabel: str, source: str,
                events: pd.DataFrame | None = None) -> tuple[plt.Figure, list[str]]:
    """Several monthly series (columns) on one axis, gaps kept as gaps, none in the colour
    of an event kind. A column's style follows its position, so a frame with the same columns
    keeps each series' colour; a column with no value is not drawn, nor in the legend."""
    style()
    fig, ax = plt.subplots()
    for k, column in enumerate(frame.columns):
        colour, marker = SERIES_STYLES[k % len(SERIES_STYLES)]
        if frame[column].notna().any():
            ax.plot(frame.index.to_timestamp(), frame[column], marker=marker, ms=3.5, lw=1.3,
                    color=colour, label=column)
    if events is not None:  # the events of the whole window, not of the months with data
        _window(ax, frame.index[0], frame.index[-1])
    return _finish(fig, ax, title, ylabel, source, events)


def ratio_chart(ratios: pd.DataFrame, *, title: str, ylabel: str, source: str
                ) -> plt.Figure:
    """Ratios by month (one column a line) around the line of agreement at 1; an empty frame
    gives an empty chart that says there are no data."""
    style()
    fig, ax = plt.subplots()
    ax.axhline(1, color="black", lw=0.8, label="the two sides agree")
    for column in ratios.columns:
        ax.plot(ratios.index.to_timestamp(), ratios[column], marker="o", ms=3.5, lw=1.3,
                label=column)
    if ratios.columns.empty:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="#555555")
    ax.xaxis.set_major_locator(matplotlib.dates.MonthLocator(
        interval=max(1, len(ratios.index) // 12)))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m"))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.legend(fontsize=8, loc="upper left")
    source_note(fig, source)
    return fig


def show(fig: plt.Figure, alt: str) -> None:
    """Display `fig` in a notebook with its alternative text (kept in the output's metadata,
    where the brief's HTML template reads it) and close it, so that it is shown once."""
    from IPython.display import display

    display(fig, metadata={"image/png": {"alt": alt}})
    plt.close(fig)


def brief_headline_chart(n: Any) -> tuple[plt.Figure, list[str]]:
    """The brief's five years of the 稀土 line with the forecast made before the release and
    the events up to the brief's month (`n`: a `helpers.brief.Numbers`)."""
    from helpers.wording import forecast_frame

    return monthly_chart(
        n.chart_months, title=f"Customs 'rare earths' line, five years to {n.month:%B %Y}",
        ylabel="tonnes per month", events=n.chart_events, janfeb=n.chart_janfeb,
        forecast=forecast_frame(n),
        forecast_label="forecast of Jan+Feb\n(monthly average)" if n.combined else None,
        through=n.month,
        source="GACC preliminary releases via the press (notes below); forecast from earlier "
               "months only")


def brief_destinations_chart(n: Any) -> tuple[plt.Figure, list[str]]:
    """The brief's 24 months of magnet exports to the main destinations."""
    panel = n.destination_panel
    return lines_chart(
        panel, title=f"Magnet exports to the main destinations, 24 months to {n.month:%B %Y}",
        ylabel="tonnes per month", source="GACC detailed release via the press (notes below)",
        events=n.chart_events)


def calibration_chart(histograms: dict[str, pd.DataFrame], *, title: str,
                      source: str) -> plt.Figure:
    """Percentile histograms (``helpers.evaluate.calibration(...).histogram``: lo, hi, share,
    expected), one set of bars per label, against the flat share calibrated percentiles give."""
    style()
    fig, ax = plt.subplots()
    width = 1 / (len(histograms) + 1)
    for i, (label, hist) in enumerate(histograms.items()):
        centre = (hist["lo"] + hist["hi"]) / 2
        step = hist["hi"] - hist["lo"]
        ax.bar(centre + (i - (len(histograms) - 1) / 2) * width * step, 100 * hist["share"],
               width=width * step, label=label)
    first = next(iter(histograms.values()))
    ax.axhline(100 * first["expected"].iloc[0], color=LINE, ls="--", lw=1,
               label="expected if calibrated")
    ax.set_xticks(list(first["lo"]) + [first["hi"].iloc[-1]])
    ax.set_title(title)
    ax.set_xlabel("percentile of the actual in the forecast made before it")
    ax.set_ylabel("share of actuals, %")
    ax.legend(fontsize=8, loc="upper left")
    source_note(fig, source)
    return fig
