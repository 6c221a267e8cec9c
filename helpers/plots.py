"""Figures a person reads: titled, axes with units, sources under them, policy events marked.

Reported months are drawn solid, derived months hollow, missing months as gaps; the combined
January-February figure, when the single months are unknown, is drawn as a dotted segment at
its monthly average and labelled as such.
"""

from __future__ import annotations

import matplotlib.dates
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

KIND_COLOURS = {"control": "#b2182b", "relaxation": "#2166ac", "talks": "#7b3294",
                "supply": "#8c510a", "legal": "#4d4d4d", "other": "#999999"}
LINE = "#1b4f72"


def style() -> None:
    """One look for every figure of the package."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "figure.figsize": (10, 4.6),
                         "axes.titleweight": "bold", "axes.titlesize": 12})


def source_note(fig: plt.Figure, text: str) -> None:
    """The source line under a figure."""
    fig.text(0.01, 0.005, f"Source: {text}", fontsize=7.5, color="#555555", ha="left",
             va="bottom", wrap=True)
    fig.subplots_adjust(bottom=0.2)


def mark_events(ax: plt.Axes, events: pd.DataFrame, numbered: bool = True) -> list[str]:
    """Vertical lines at each event inside the axis range; returns the legend lines."""
    lo, hi = ax.get_xlim()
    legend = []
    for number, (_, event) in enumerate(events.iterrows(), start=1):
        x = pd.Period(event["date"], "M").to_timestamp()
        if not lo <= matplotlib.dates.date2num(x) <= hi:
            continue
        colour = KIND_COLOURS.get(event["kind"], "#999999")
        ax.axvline(x, color=colour, lw=1, ls="--", alpha=0.8, zorder=1)
        if numbered:
            ax.annotate(str(number), (x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -12), textcoords="offset points", fontsize=8, color=colour)
        legend.append(f"{number}: {event['date']:%Y-%m-%d} {event['title']} ({event['kind']})")
    return legend


def monthly_chart(provenance: pd.DataFrame, *, title: str, ylabel: str, source: str,
                  events: pd.DataFrame | None = None, janfeb: pd.Series | None = None,
                  forecast: pd.DataFrame | None = None, actual_label: str = "reported",
                  forecast_label: str | None = None,
                  ax: plt.Axes | None = None) -> tuple[plt.Figure, list[str]]:
    """A monthly series by origin, with optional Jan-Feb segments, forecast fan and events."""
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
                    label="Jan+Feb published combined (shown at its monthly average)"
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
    legend = mark_events(ax, events) if events is not None else []
    ax.legend(loc="lower left", fontsize=8, frameon=True, ncols=2)
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
    colours = [KIND_COLOURS["control"] if signed and v < 0 else LINE for v in values.fillna(0)]
    ax.bar(x, values, width=20 if monthly else 0.8, color=colours)
    if signed:
        ax.axhline(0, color="black", lw=0.8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    legend = mark_events(ax, events) if events is not None and monthly else []
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


def _finish(fig: plt.Figure, ax: plt.Axes, title: str, ylabel: str, source: str,
            events: pd.DataFrame | None) -> tuple[plt.Figure, list[str]]:
    """Title, axis labels, zero floor, events, legend and source line of a monthly chart."""
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.set_ylim(bottom=0)
    legend = mark_events(ax, events) if events is not None else []
    ax.legend(fontsize=8, loc="upper left")
    source_note(fig, source)
    return fig, legend


def lines_chart(frame: pd.DataFrame, *, title: str, ylabel: str, source: str,
                events: pd.DataFrame | None = None) -> tuple[plt.Figure, list[str]]:
    """Several monthly series (columns) on one axis, gaps kept as gaps."""
    style()
    fig, ax = plt.subplots()
    for column in frame.columns:
        ax.plot(frame.index.to_timestamp(), frame[column], marker="o", ms=3.5, lw=1.3,
                label=column)
    return _finish(fig, ax, title, ylabel, source, events)


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
