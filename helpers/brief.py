"""The monthly brief: what the template notebook shows, and how papermill renders it.

`Brief(month)` computes every number of the brief from the figures (headline, year-to-date,
forecast made before the release, magnets by destination, imports, unit value, Bloomberg's
total, policy, data notes) so the notebook only narrates. `render` runs the template with
papermill into a temporary folder, converts it to self-contained HTML without code (and PDF
when Chromium is installed) and moves the folder into `reports/YYYY-MM/` only on success.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from helpers import events as events_mod
from helpers import figures as figures_mod
from helpers import models, releases, series
from helpers.errors import DataError

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Figure_

DESTINATIONS = ["Japan", "United States", "Germany", "South Korea", "India", "Vietnam",
                "European Union", "Thailand", "Italy", "Hong Kong"]
CHART_YEARS = 5
POLICY_MONTHS = 6
HISTORY_MONTHS = 36


def _pct(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or not old or any(map(math.isnan, (new, old))):
        return None
    return round(100.0 * (new / old - 1.0), 1)


@dataclass
class Figure:
    """A number of the brief with where it came from."""

    label: str
    value: float | None
    how: str


class Brief:
    """Every number of the brief for one month of one product (export, World, tonnes)."""

    def __init__(self, month: str | None = None, product: str = "rare_earths",
                 data_files: list[str | Path] | None = None) -> None:
        self.data = figures_mod.load_all(data_files)
        self.product = product
        self.built = series.build(product, figures=self.data)
        self.month = releases.check_month(month, releases.available_months(self.built),
                                          set(self.built.janfeb.index))
        self.series = self.built.months["value"].astype(float)
        self.series.index.name = "month"
        jf = self.built.janfeb
        self.combined = self.month.month == 2 and self.month.year in jf.index
        self.events = events_mod.load()

    # --- headline -------------------------------------------------------------------------
    def _value(self, month: pd.Period) -> Figure:
        """One month, or for a combined-release February the Jan-Feb total."""
        if self.combined and month.month == 2:
            jf = self.built.janfeb
            if month.year in jf.index:
                return Figure(f"January–February {month.year}", float(jf.loc[month.year, "value"]),
                              str(jf.loc[month.year, "origin"]))
            return Figure(f"January–February {month.year}", None, "missing")
        months = self.built.months
        if month in months.index and months.at[month, "origin"] != "missing":
            return Figure(month.strftime("%B %Y"), float(months.at[month, "value"]),
                          str(months.at[month, "origin"]))
        return Figure(month.strftime("%B %Y"), None, "missing")

    def _ytd(self, month: pd.Period) -> Figure:
        total = series.interval_total(self.built, f"{month.year}-01", month)
        label = (f"January–{month.strftime('%B %Y')}" if month.month > 1
                 else month.strftime("%B %Y"))
        return Figure(label, *total) if total else Figure(label, None, "missing")

    def headline(self) -> dict[str, Figure | float | None]:
        """This month, last month, a year earlier, year-to-date and their changes."""
        m = self.month
        now, year_ago = self._value(m), self._value(m - 12)
        previous = None if self.combined else self._value(m - 1)
        ytd, ytd_ago = self._ytd(m), self._ytd(m - 12)
        return {"now": now, "previous": previous, "year_ago": year_ago, "ytd": ytd,
                "ytd_year_ago": ytd_ago,
                "mom_pct": None if previous is None else _pct(now.value, previous.value),
                "yoy_pct": _pct(now.value, year_ago.value),
                "ytd_yoy_pct": _pct(ytd.value, ytd_ago.value)}

    def headline_text(self) -> str:
        """The headline paragraph in Markdown."""
        h = self.headline()
        now = h["now"]
        parts = [f"**China exported {now.value:,.1f} t of rare earths (customs 稀土 line) in "
                 f"{now.label}**" + (" (published combined: GACC releases January and February "
                                     "together)" if self.combined else "") + "."]
        february = self.built.months["value"].get(self.month) if self.combined else None
        if february is not None and not math.isnan(february):
            parts.append(f"February alone: {february:,.1f} t "
                         f"({self.built.months.at[self.month, 'origin']}).")
        if h["previous"] is not None:
            parts.append(_change("on the month", h["mom_pct"], h["previous"]))
        parts.append(_change("on the year", h["yoy_pct"], h["year_ago"]))
        ytd = h["ytd"]
        if ytd.value is not None:
            parts.append(f"Year to date ({ytd.label}): {ytd.value:,.1f} t"
                         + (f", {h['ytd_yoy_pct']:+.1f}% on the same period a year earlier."
                            if h["ytd_yoy_pct"] is not None else
                            " (the same period a year earlier is not known)."))
        else:
            parts.append("The year-to-date total is not known (a month of this year is missing).")
        return " ".join(parts)

    # --- expectation ----------------------------------------------------------------------
    def surprise(self) -> models.Surprise | None:
        """The default model's forecast from data before this month's release (None, with the
        reason kept, when the earlier months cannot support one)."""
        if not hasattr(self, "_surprise"):
            now = self._value(self.month)
            try:
                self._surprise = models.surprise(self.series, self.month, actual=now.value,
                                                 combined=self.combined)
            except DataError as exc:
                self._surprise, self._no_forecast = None, str(exc).split(": ")[-1]
        return self._surprise

    def history(self) -> pd.DataFrame:
        """Surprises of the previous months and this one (same model), to rank this one."""
        if not hasattr(self, "_history"):
            start = self.month - HISTORY_MONTHS
            self._history = models.surprise_history(self.series.loc[:self.month], start,
                                                    self.month)
        return self._history

    def expectation_text(self) -> str:
        """A plain sentence on the surprise and how it ranks among recent months."""
        s = self.surprise()
        if s is None:
            return f"No forecast for {self.month}: {self._no_forecast}."
        rank = "within the usual range (between the 10th and 90th percentiles)"
        if not 10 <= s.percentile <= 90:
            low = s.percentile < 10
            word = "lowest" if low else "highest"
            history = self.history()
            since = (models.extreme_since(history, self.month, low=low)
                     if self.month in history.index else None)
            rank = (f"the {word} relative to expectation since {since}" if since is not None
                    else f"the {word} relative to expectation of the {len(history)} months "
                         f"with a figure since {history.index[0]}" if len(history)
                    else f"an unusually {'low' if low else 'high'} figure")
        return (f"{s.sentence} In words: {rank}. The forecast uses only months published "
                f"before {s.label}; model `{s.model}`"
                + (f" ({s.n_warnings} fitting warnings caught)" if s.n_warnings else "") + ".")

    def forecast_frame(self) -> pd.DataFrame:
        """The forecast for this month as a one-row frame; for a combined release, the Jan+Feb
        forecast halved and drawn at February, like the combined figure's monthly average."""
        s = self.surprise()
        if s is None:
            return pd.DataFrame()
        scale = 0.5 if self.combined else 1.0
        return pd.DataFrame({k: [scale * getattr(s, k)]
                             for k in ("mean", "lo80", "hi80", "lo95", "hi95")},
                            index=pd.PeriodIndex([self.month], freq="M"))

    # --- chart ----------------------------------------------------------------------------
    def chart(self) -> tuple[Figure_, list[str]]:
        """Five years of the series with the forecast fan and the policy events."""
        from helpers import plots

        start = self.month - 12 * CHART_YEARS + 1
        prov = self.built.months.loc[start:self.month]
        events = events_mod.pick(self.events, kinds=["measure", "informal", "relaxation"],
                                 start=str(start.start_time.date()), end=str(self.month))
        fig, legend = plots.monthly_chart(
            prov, title=f"China's rare-earth exports (customs 'rare earths' line), to {self.month}",
            ylabel="tonnes per month", events=events, janfeb=self.built.janfeb["value"],
            forecast=self.forecast_frame(),
            forecast_label="forecast of Jan+Feb (monthly average)" if self.combined else None,
            source="GACC via the press reports listed in the data notes; forecast: "
                   "helpers.models fitted on earlier months; events: data/events.csv")
        return fig, legend

    # --- magnets, imports, other totals ---------------------------------------------------
    def _point(self, product: str, partner: str = "World", flow: str = "export",
               measure: str = "quantity_t", month: pd.Period | None = None) -> float | None:
        month = month or self.month
        rows = series.select(self.data, product, flow, partner, measure)
        if not ((rows["start"] == str(month)) & (rows["end"] == str(month))).any():
            return None
        value = series.monthly(product, flow, partner, measure, figures=self.data).get(month)
        return None if value is None or math.isnan(value) else float(value)

    def magnets(self) -> pd.DataFrame | None:
        """HS 85051110 exports this month: total and by destination, shares and changes."""
        total = self._point("magnets")
        rows = []
        for partner in ["World", *DESTINATIONS]:
            value = self._point("magnets", partner)
            if value is None:
                continue
            rows.append({"destination": "Total" if partner == "World" else partner,
                         "tonnes": value,
                         "share_of_total": None if total is None or partner == "World"
                         else round(100 * value / total, 1),
                         "mom_pct": _pct(value, self._point("magnets", partner,
                                                            month=self.month - 1)),
                         "yoy_pct": _pct(value, self._point("magnets", partner,
                                                            month=self.month - 12))})
        return pd.DataFrame(rows).set_index("destination") if rows else None

    def others(self) -> pd.DataFrame:
        """Imports, export value and unit value, Bloomberg's total for this month, where known."""
        quantity = self._point(self.product)
        value = self._point(self.product, measure="value_usd")
        month = self.month.strftime("%B %Y")
        items = {
            f"Imports, customs 稀土 line, {month} (t)": self._point(self.product, flow="import"),
            f"Export value, {month} (USD million)": None if value is None
            else round(value / 1e6, 1),
            f"Export unit value, {month} (USD per t)": None if value is None or not quantity
            else round(value / quantity),
            f"Bloomberg 'rare-earth products incl. magnets', {month} (t)":
                self._point("rare_earth_products_bbg"),
        }
        return pd.DataFrame({"value": items}).dropna()

    def bloomberg_text(self) -> str | None:
        """One sentence on why Bloomberg's total differs from the customs line."""
        bbg = self._point("rare_earth_products_bbg")
        now = self._value(self.month).value
        if bbg is None or now is None:
            return None
        return (f"Bloomberg's 'rare-earth products incl. magnets' total for {self.month} is "
                f"{bbg:,.0f} t against {now:,.1f} t on the customs 稀土 line "
                f"({'higher' if bbg > now else 'lower'} by {abs(bbg - now):,.0f} t): Bloomberg "
                "adds up lines of the detailed release, magnets among them, so it measures a "
                "different basket; news stories that quote one as the other disagree for this "
                "reason alone.")

    # --- policy and notes -----------------------------------------------------------------
    def policy(self) -> pd.DataFrame:
        """Events in the six months up to this month."""
        start = (self.month - POLICY_MONTHS + 1).start_time
        picked = events_mod.pick(self.events, start=str(start.date()), end=str(self.month))
        out = picked[["date", "kind", "title", "url"]].copy()
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        return out.set_index("date")

    def data_notes(self) -> pd.DataFrame:
        """Every figure behind the headline: value, how it was obtained, sources, conflicts."""
        rows = []
        for fig in self._figures():
            sources, derivation, alternatives = self._sources_for(fig)
            rows.append({"figure": fig.label,
                         "tonnes": None if fig.value is None else round(fig.value, 1),
                         "origin": fig.how, "derivation": derivation,
                         "sources": sources, "conflicting copies": alternatives})
        return pd.DataFrame(rows).set_index("figure")

    def _figures(self) -> list[Figure]:
        """The headline's figures, each once (for February the year-to-date is the month)."""
        h, seen, out = self.headline(), set(), []
        for key in ("now", "previous", "year_ago", "ytd", "ytd_year_ago"):
            if h[key] is not None and h[key].label not in seen:
                seen.add(h[key].label)
                out.append(h[key])
        return out

    def _sources_for(self, fig: Figure) -> tuple[list[dict[str, str]], str, str]:
        """(sources as [{source, url}], derivation, conflicting copies) behind one figure."""
        months = self.built.months
        month = pd.Period(pd.Timestamp(fig.label.split("–")[-1]), "M")
        if fig.label.startswith("January–"):
            interval = next((i for i in self.built.intervals if i.start.month == 1
                             and i.start.year == month.year and i.end == month), None)
            if interval is None:
                return [], fig.how, ""
            return (interval.sources[:3], "",
                    "; ".join(f"{a['value']:,.1f} ({a['url']})" for a in interval.alternatives))
        row = months.loc[month]
        if row["origin"] == "derived":
            used = self.data.loc[[i for i in row["ids"] if i in self.data.index]]
            return ([{"source": r.source, "url": r.url} for r in used.itertuples()],
                    row["derivation"], "")
        return (row["sources"][:3], "",
                "; ".join(f"{a['value']:,.1f} ({a['url']})" for a in row["alternatives"]))

    def magnets_text(self) -> str:
        """Magnets section: a table with Japan in bold, or why there is none."""
        table = self.magnets()
        if table is None:
            text = (f"The detailed release for {self.month} (magnets by destination) is not "
                    "in the data.")
            combined = series.interval_total(series.build("magnets", figures=self.data),
                                             f"{self.month.year}-01", self.month) \
                if self.month.month == 2 else None
            if combined is not None:
                text += (f" January–February {self.month.year} combined: {combined[0]:,.1f} t "
                         f"({combined[1]}).")
            return text
        return ("Exports of rare-earth permanent magnets (HS 85051110), tonnes; share of the "
                "month's total; change on the month and on the year where the earlier month "
                "is known. Destinations without a published figure are left out. Japan, the "
                "target of the January 2026 measures, in bold.\n\n"
                + markdown_table(table, bold="Japan"))

    def others_text(self) -> str:
        """Imports, value, unit value and Bloomberg's total, with the definition sentence."""
        table = self.others()
        if table.empty:
            return "No import, value or Bloomberg figure for this month in the data."
        text = markdown_table(table)
        note = self.bloomberg_text()
        return text + ("\n\n" + note if note else "")

    def policy_text(self) -> str:
        """Events of the six months up to the month, with their sources."""
        events = self.policy()
        if events.empty:
            return f"No event in the {POLICY_MONTHS} months up to {self.month}."
        return "\n".join(f"- **{date}** ({row.kind}): {row.title} — " + (
            f"[source]({row.url})" if row.url.startswith("http") else f"source: `{row.url}`")
            for date, row in events.iterrows())

    def notes_text(self) -> str:
        """Every figure used, how it was obtained, its sources and conflicting copies."""
        lines = []
        for label, row in self.data_notes().iterrows():
            value = "not known" if row["tonnes"] is None or math.isnan(row["tonnes"]) \
                else f"{row['tonnes']:,.1f} t"
            line = f"- **{label}**: {value} ({row['origin']})"
            if row["derivation"]:
                line += f"; derived as {row['derivation']}"
            if row["sources"]:
                line += f". Sources: {_links(row['sources'])}"
            if row["conflicting copies"]:
                line += f". Conflicting copies: {row['conflicting copies']}"
            lines.append(line + ".")
        missing = self.missing_months()
        lines.append("- Months of the chart window nobody published singly: "
                     + (", ".join(missing) if missing else "none") + ".")
        first_year = self.month.year - CHART_YEARS + 1
        shown = [c for c in self.built.contradictions
                 if first_year <= int(c["interval"][:4]) <= self.month.year]
        if shown:
            lines.append("- Year-to-date totals of the chart window that contradict their months "
                         "beyond rounding (reported, not averaged): " + "; ".join(
                             f"{c['interval']} published {c['published']:,.1f} t, months sum to "
                             f"{c['sum_of_months']:,.1f} t" for c in shown) + ".")
        return "\n".join(lines)

    def missing_months(self) -> list[str]:
        """Months of the chart window nobody published."""
        start = self.month - 12 * CHART_YEARS + 1
        window = self.built.months.loc[start:self.month]
        return [str(m) for m in window.index if window.at[m, "origin"] == "missing"]

    def currency(self, today: date | None = None) -> dict[str, object]:
        """How current the brief is: the latest publication date among the figures it can use
        (periods up to its month), the day it was made, and the releases GACC has published
        since the data end that the data do not hold."""
        today = today or date.today()
        used = self.data[self.data["end"] <= str(self.month)]
        known = self.built.months.index[self.built.months["origin"] != "missing"]
        last = max([known[-1], *(pd.Period(f"{y}-02", "M") for y in self.built.janfeb.index)])
        return {"data_as_of": str(used["published"].max()), "generated": today.isoformat(),
                "releases_missing": [str(m) for m in releases.due(last, today)],
                "data_end": str(last)}

    def banner_text(self, today: date | None = None) -> str:
        """The line that opens the brief: data as of, and a warning when releases are missing."""
        c = self.currency(today)
        text = f"Data as of {c['data_as_of']} (latest publication used); brief made {c['generated']}."
        if c["releases_missing"] and c["data_end"] == str(self.month):
            missing = [pd.Period(m, "M") for m in c["releases_missing"]]
            text = (f"**Not the latest month: GACC has published {releases.span(missing)} since "
                    f"these data end ({c['data_end']}).** " + text)
        return text

    def metrics(self) -> dict[str, object]:
        """The brief's numbers for machines (reports/YYYY-MM/metrics.json)."""
        h = self.headline()
        s = self.surprise()
        sources = []
        for fig in self._figures():
            if fig.value is None:
                continue
            cited, _, _ = self._sources_for(fig)
            start, end = _bounds(fig.label)
            sources.append({"start": start, "end": end, "value": round(fig.value, 1),
                            "source": cited[0]["source"] if cited else fig.how,
                            "url": cited[0]["url"] if cited else ""})
        return {
            "month": str(self.month), "product": self.product, **self.currency(),
            "period": f"{self.month.year}-01..{self.month}" if self.combined else str(self.month),
            "quantity_t": _round(h["now"].value), "mom_pct": h["mom_pct"],
            "yoy_pct": h["yoy_pct"], "ytd_t": _round(h["ytd"].value),
            "ytd_yoy_pct": h["ytd_yoy_pct"],
            "forecast": {k: None if s is None else _round(getattr(s, k))
                         for k in ("mean", "lo80", "hi80", "lo95", "hi95")},
            "model": None if s is None else s.model,
            "surprise_pct": None if s is None else round(s.percentile, 1),
            "flag": None if s is None else s.flag,
            "sources": sources,
        }

    def write_metrics(self, folder: str | Path | None) -> Path | None:
        """Write metrics.json into folder (nothing when folder is None, as in the template)."""
        if folder is None:
            return None
        path = Path(folder) / "metrics.json"
        path.write_text(json.dumps(self.metrics(), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return path


def formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers at the precision that means something: tonnes to one decimal, percentages as
    signed with one decimal, missing as a dash; columns ending in _pct are percentages."""
    out = frame.astype(object).copy()
    for column in frame.columns:
        pct, share = str(column).endswith("_pct"), str(column).startswith("share")
        out[column] = [("–" if v is None or (isinstance(v, float) and math.isnan(v)) else
                        f"{v:+.1f}%" if pct else f"{v:.1f}%" if share else
                        f"{v:,.1f}" if isinstance(v, (int, float)) else v)
                       for v in frame[column]]
    return out.rename(columns=lambda c: str(c).replace("_pct", " (%)").replace("_", " "))


def markdown_table(frame: pd.DataFrame, bold: str | None = None) -> str:
    """A formatted frame as a Markdown table, the row named `bold` in bold."""
    shown = formatted(frame)
    head = [shown.index.name or "", *shown.columns]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * len(shown.columns) + "|"]
    for name, row in shown.iterrows():
        cells = [str(name), *map(str, row.tolist())]
        if name == bold:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _change(what: str, pct: float | None, base: Figure) -> str:
    if pct is None:
        return f"Change {what}: not computable ({base.label} is not known)."
    return (f"{'Up' if pct >= 0 else 'Down'} {abs(pct):.1f}% {what} (from {base.value:,.1f} t "
            f"in {base.label}).")


def _links(sources: list[dict[str, str]]) -> str:
    """Sources as Markdown links (brackets in titles escaped)."""
    return "; ".join("[" + re.sub(r"([\[\]])", r"\\\1", s["source"]) + f"](<{s['url']}>)"
                     for s in sources)


def _bounds(label: str) -> tuple[str, str]:
    end = pd.Period(pd.Timestamp(label.split("–")[-1]), "M")
    start = pd.Period(f"{end.year}-01", "M") if label.startswith("January–") else end
    return str(start), str(end)
