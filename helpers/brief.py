"""The numbers of the monthly brief, computed once from series built once.

`compute(month)` returns a frozen `Numbers` record: the headline line, the forecast made before
the release, magnets by destination, the three definitions side by side, value and unit value,
the policy events up to the month, alerts, and every source behind them as numbered notes.
Only figures whose period ends by the brief's month are used, and only events dated by then,
so a brief of month M knows nothing that happened after M. `helpers.wording` turns the record
into text; `helpers.render` renders the template notebook that calls both.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from helpers import events as events_mod
from helpers import figures as figures_mod
from helpers import models, releases, series
from helpers.errors import DataError

#: Destinations every brief lists, published or not.
MAIN_DESTINATIONS = ["Japan", "United States", "Germany", "South Korea", "India", "Vietnam"]
#: Aggregates of several destinations: listed, never counted in shares of the total.
AGGREGATES = {"European Union"}
CHART_YEARS = 5
#: Events drawn on the brief's charts, if they bear on rare earths (all are listed in its
#: policy section).
CHART_KINDS = ("measure", "informal", "relaxation", "talks")
DESTINATION_MONTHS = 24
#: A magnet figure missing in the month shows the latest one of this many months before it.
LATEST_MONTHS = 12
POLICY_MONTHS = 6
ALERT_YOY_PCT = 30.0
ALERT_SHARE_POINTS = 10.0


@dataclass(frozen=True)
class Source:
    """One publication behind a number: what the reader sees as link text, and its address."""

    title: str
    url: str
    published: str
    rank: int

    @property
    def weak(self) -> bool:
        return self.rank >= 4


@dataclass(frozen=True)
class Number:
    """A number of the brief: its period, value, how it was obtained, and its notes."""

    label: str
    start: str
    end: str
    value: float | None
    origin: str  # reported | derived | sum of months | published | missing
    notes: tuple[int, ...] = ()
    weak: bool = False  # rests on a single weak source: unconfirmed

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Destination:
    """Magnets to one partner in the brief's month."""

    partner: str
    quantity: Number
    share_pct: float | None
    mom_pct: float | None
    yoy_pct: float | None
    share_change_pts: float | None
    aggregate: bool = False
    judged: tuple[float | None, int] | None = None  # screen: (percentile, past errors) or None
    yoy_published: Number | None = None  # the release's own change, when yoy_pct is that
    latest: Number | None = None  # when quantity is missing: its latest figure before the month


@dataclass(frozen=True)
class Numbers:
    """Everything a brief says, as numbers and records (see the module docstring)."""

    month: pd.Period
    product: str
    combined: bool
    stage: str
    preliminary: releases.Release
    detailed: releases.Release
    now: Number
    previous: Number | None
    year_ago: Number
    ytd: Number
    ytd_year_ago: Number
    mom_pct: float | None
    yoy_pct: float | None
    ytd_yoy_pct_computed: float | None
    ytd_yoy_published: Number | None
    february: Number | None
    value_usd: Number
    value_usd_year_ago: Number
    unit_value_usd_t: float | None
    value_caveat: str
    surprise: models.Surprise | None
    no_forecast: str
    magnets_total: Number
    magnets_mom_pct: float | None  # against the month before (None for a combined release)
    magnets_yoy_pct: float | None
    magnets_yoy_published: Number | None  # the release's own change, when magnets_yoy_pct is that
    magnets_judged: tuple[float | None, int] | None  # the total's (percentile, past errors)
    magnets_latest: Number | None  # when the total is missing: its latest figure before
    destinations: tuple[Destination, ...]
    bbg: Number
    imports: Number
    events: pd.DataFrame = field(repr=False)
    chart_events: pd.DataFrame = field(repr=False)
    since_measure: dict | None
    mirror: tuple[str, ...]
    alerts: tuple[dict, ...]
    sources: tuple[Source, ...]
    missing_months: tuple[str, ...]
    contradictions: tuple[dict, ...]
    currency: dict
    chart_months: pd.DataFrame = field(repr=False)
    chart_janfeb: pd.Series = field(repr=False)
    destination_panel: pd.DataFrame = field(repr=False)

    @property
    def ytd_yoy_pct(self) -> float | None:
        """GACC's own year-to-date change where a release published it, else the computed one."""
        if self.ytd_yoy_published is not None:
            return self.ytd_yoy_published.value
        return self.ytd_yoy_pct_computed


def pct(new: float | None, old: float | None) -> float | None:
    """Percentage change, None when either side is unknown or the base is zero."""
    if new is None or old is None or not old or any(map(math.isnan, (new, old))):
        return None
    return round(100.0 * (new / old - 1.0), 1)


def signed_pct(value: float, as_published: bool = False) -> str:
    """+23.0%; a change a release published as it gave it, with no decimal added (-74%)."""
    return f"{value:+g}%" if as_published else f"{value:+.1f}%"


#: The part of an outlet's parenthesis after ';' when it is a curator's note (a figure, a
#: quote, a remark on the copy) rather than another outlet.
_CURATOR_NOTE = re.compile(r"\(([^();]*);([^()]*(?:\d|['\"“「]|figures\.csv|already|mirror|"
                           r"rewrite|host|quote)[^()]*)\)", re.I)


def display_title(source: str) -> str:
    """The outlet and headline of a source title, without curators' notes: the text before the
    first ';' or ' — ' outside parentheses, with '(weak source)' and similar flags and a note
    after ';' inside the outlet's parenthesis dropped."""
    depth, cut = 0, len(source)
    for i, char in enumerate(source):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and (char == ";" or source.startswith((" — ", " – "), i)):
            cut = i
            break
    head = source[:cut]
    head = re.sub(r"\s*\((?:weak source|copy|rounded)[^)]*\)", "", head, flags=re.I)
    head = _CURATOR_NOTE.sub(r"(\1)", head)
    return " ".join(head.split()).strip(" ,") or source[:80]


def _is_ip_host(url: str) -> bool:
    try:
        ipaddress.ip_address(urlsplit(url).hostname or "")
    except ValueError:
        return False
    return True


class _Notes:
    """Numbered sources: each publication once, in the order the brief cites them."""

    def __init__(self) -> None:
        self.items: list[Source] = []

    def cite(self, copies: list[dict[str, str]], data: pd.DataFrame) -> tuple[int, ...]:
        """Note numbers for the best copy among `copies` (wire or official before mirrors,
        never an IP-address host when another copy exists)."""
        if not copies:
            return ()
        ranked = []
        for copy in copies:
            row = data.loc[copy["id"]] if copy.get("id") in data.index else None
            note = "" if row is None else str(row["note"])
            rank = series.source_rank(copy["source"], copy["url"], note)
            ranked.append((rank, _is_ip_host(copy["url"]), str(copy["published"]), copy))
        rank, _, _, best = min(ranked, key=lambda r: r[:3])
        urls = [item.url for item in self.items]
        if best["url"] not in urls:  # one note per address, whatever title a copy carries
            self.items.append(Source(display_title(best["source"]), best["url"],
                                     str(best["published"]), rank))
            urls.append(best["url"])
        return (urls.index(best["url"]) + 1,)


def _month_number(built: series.Built, month: pd.Period, notes: _Notes, data: pd.DataFrame,
                  label: str | None = None) -> Number:
    """One month of a built series, with its sources (all figures of a derivation)."""
    months = built.months
    label = label or month.strftime("%B %Y")
    if month not in months.index or months.at[month, "origin"] == "missing":
        return Number(label, str(month), str(month), None, "missing")
    row = months.loc[month]
    if row["origin"] == "derived":
        copies = [{"id": i, **data.loc[i, ["source", "url", "published"]].to_dict()}
                  for i in row["ids"] if i in data.index]
        cited = tuple(n for c in copies for n in notes.cite([c], data))
        return Number(label, str(month), str(month), float(row["value"]), "derived",
                      tuple(dict.fromkeys(cited)))
    copies = [dict(s) for s in row["sources"]]
    weak = int(row["rank"]) >= 4
    return Number(label, str(month), str(month), float(row["value"]), "reported",
                  notes.cite(copies, data), weak)


def _latest(built: series.Built | None, month: pd.Period, combined: bool, notes: _Notes,
            data: pd.DataFrame) -> Number | None:
    """The latest month with a figure in the LATEST_MONTHS before the brief's period (before
    January for a combined release), so that a missing figure still shows where it stood."""
    if built is None:
        return None
    first = pd.Period(f"{month.year}-01", "M") if combined else month
    months = built.months
    held = months.index[(months["origin"] != "missing") & (months.index < first)
                        & (months.index >= first - LATEST_MONTHS)]
    return None if held.empty else _month_number(built, held.max(), notes, data)


def _interval_number(built: series.Built, start: pd.Period, end: pd.Period, notes: _Notes,
                     data: pd.DataFrame, label: str) -> Number:
    """An interval sum: as published (with its sources) or from the months."""
    for interval in built.intervals:
        if interval.start == start and interval.end == end:
            return Number(label, str(start), str(end), interval.value, "published",
                          notes.cite(interval.sources, data), interval.rank >= 4)
    total = series.interval_total(built, start, end)
    if total is None:
        return Number(label, str(start), str(end), None, "missing")
    cited: list[int] = []
    for m in pd.period_range(start, end, freq="M"):
        if m in built.months.index and built.months.at[m, "origin"] != "missing":
            cited += _month_number(built, m, notes, data).notes
    if start.month == 1 and start.year in built.janfeb.index:
        for i in built.janfeb.loc[start.year, "ids"]:
            if i in data.index:
                cited += notes.cite([{"id": i, **data.loc[i, ["source", "url",
                                                               "published"]].to_dict()}], data)
    return Number(label, str(start), str(end), total[0], total[1], tuple(dict.fromkeys(cited)))


def _ytd_label(month: pd.Period) -> str:
    return f"January–{month.strftime('%B %Y')}" if month.month > 1 else month.strftime("%B %Y")


def _value(built: series.Built | None, month: pd.Period, combined: bool, notes: _Notes,
           data: pd.DataFrame) -> Number:
    """The month's figure, or for a combined-release February the January-February total."""
    if built is None:
        return Number(month.strftime("%B %Y"), str(month), str(month), None, "missing")
    if combined:
        jan = pd.Period(f"{month.year}-01", "M")
        return _interval_number(built, jan, month, notes, data, f"January–February {month.year}")
    return _month_number(built, month, notes, data)


def build_or_none(product: str, data: pd.DataFrame, partner: str = "World",
                  flow: str = "export", measure: str = "quantity_t") -> series.Built | None:
    """The built series, or None when the data hold no figure of it."""
    try:
        return series.build(product, flow, partner, measure, figures=data)
    except DataError:
        return None


def _published_change(data: pd.DataFrame, product: str, start: pd.Period, end: pd.Period,
                      notes: _Notes, partner: str = "World") -> Number | None:
    """The change on the year a release published for this interval (majority value)."""
    rows = series.select(data, product, "export", partner, "yoy_pct")
    rows = rows[(rows["start"] == str(start)) & (rows["end"] == str(end))]
    if rows.empty:
        return None
    value = rows["value"].mode().iloc[0]
    copies = [{"id": i, "source": r["source"], "url": r["url"], "published": r["published"]}
              for i, r in rows[rows["value"] == value].iterrows()]
    cited = notes.cite(copies, data)
    label = end.strftime("%B %Y") if start == end else _ytd_label(end)
    return Number(f"{label}, change on the year as published", str(start), str(end),
                  float(value), "published", cited, notes.items[cited[0] - 1].weak)


def _yoy(computed: float | None, number: Number, data: pd.DataFrame, notes: _Notes,
         partner: str = "World") -> tuple[float | None, Number | None]:
    """A magnet figure's change on the year: computed from the months held; else, when the
    data lack the year-before month, the change the release published (GACC's own, against its
    revised year-before figure), returned with its note as the second item."""
    if computed is not None or not number.known:
        return computed, None
    published = _published_change(data, "magnets", pd.Period(number.start, "M"),
                                  pd.Period(number.end, "M"), notes, partner)
    return (None, None) if published is None else (published.value, published)


def _combined(built: series.Built | None, month: pd.Period) -> bool:
    """A February released only combined with January (no single February figure)."""
    if built is None or month.month != 2 or month.year not in built.janfeb.index:
        return False
    months = built.months
    return not (month in months.index and months.at[month, "origin"] != "missing"
                and pd.Period(f"{month.year}-01", "M") in months.index
                and months.at[pd.Period(f"{month.year}-01", "M"), "origin"] != "missing")


def _judged(row: pd.Series) -> tuple[float | None, int]:
    """A screen row's percentile (None unless judged) and its number of past errors."""
    return (round(float(row["percentile"]), 1) if row["judged"] else None, int(row["n_past"]))


def _destinations(data: pd.DataFrame, month: pd.Period, combined: bool, total: Number,
                  magnets: series.Built | None, notes: _Notes
                  ) -> tuple[tuple[Destination, ...], pd.DataFrame, tuple[float | None, int] | None]:
    """Magnets by destination: the main ones always, then any other published partner; the
    monthly panel of the main destinations for the chart; and the total's screen judgement. A
    single month is screened (`helpers.screen`: changes, share, and how its forecast error ranks
    among the series' past ones); a combined January-February release is compared with the year
    before."""
    from helpers import screen

    built = {p: b for p in figures_mod.PARTNERS if p != "World"
             if (b := build_or_none("magnets", data, p)) is not None}
    panel = pd.DataFrame({p: b.months["value"].astype(float) for p, b in built.items()})
    if magnets is not None:
        panel["World"] = magnets.months["value"].astype(float)
    panel = panel.reindex(pd.period_range(panel.index.min(), max(panel.index.max(), month),
                                          freq="M")) if len(panel.columns) else panel
    screened = (screen.screen(panel, month, total="World" if "World" in panel else None)
                if len(panel.columns) and not combined else None)
    rows = []
    for partner in [*MAIN_DESTINATIONS, *sorted(set(built) - set(MAIN_DESTINATIONS))]:
        if partner not in built:
            if partner in MAIN_DESTINATIONS:
                rows.append(Destination(partner, Number(partner, str(month), str(month), None,
                                                        "missing"), None, None, None, None))
            continue
        now = _value(built[partner], month, combined, notes, data)
        if not now.known and partner not in MAIN_DESTINATIONS:
            continue
        aggregate = partner in AGGREGATES
        judged = None
        if screened is not None:
            row = screened.loc[partner]
            changes = [None if pd.isna(row[c]) else round(float(row[c]), 1)
                       for c in ("share_pct", "mom_pct", "yoy_pct", "share_change_pts")]
            judged = _judged(row)
        else:
            year_ago = _value(built[partner], month - 12, True, _Notes(), data)
            share = (round(100 * now.value / total.value, 1)
                     if now.known and total.known else None)
            changes = [share, None, pct(now.value, year_ago.value), None]
        if aggregate:
            changes[0] = changes[3] = None
        changes[2], published = _yoy(changes[2], now, data, notes, partner)
        latest = None if now.known else _latest(built[partner], month, combined, notes, data)
        rows.append(Destination(partner, now, *changes, aggregate, judged, published, latest))
    main = [r for r in rows if r.partner in MAIN_DESTINATIONS]
    others = sorted((r for r in rows if r.partner not in MAIN_DESTINATIONS),
                    key=lambda r: -(r.quantity.value or 0))
    start = month - DESTINATION_MONTHS + 1
    chart = panel.reindex(columns=MAIN_DESTINATIONS,  # all, so each keeps its chart colour
                          index=pd.period_range(start, month, freq="M"))
    whole = (_judged(screened.loc["World"]) if screened is not None and "World" in screened.index
             else None)
    return tuple(main + others), chart.rename_axis("month"), whole


def _alerts(n: dict) -> list[dict]:
    """Machine-readable alerts: outside the 95% interval, a y/y beyond ±30%, a destination's
    share moving more than 10 points; each with its sentence, and `unconfirmed` (said in the
    sentence too) when the month's figure behind it, or the headline's year-ago figure, rests
    on a single weak source."""
    out = []
    caveat = " (unconfirmed: a single weak source)"
    s = n["surprise"]
    if s is not None and s.flag:
        out.append({"kind": "outside_95", "series": "rare_earths", "unconfirmed": n["weak"],
                    "sentence": f"The headline figure's miss of the forecast is beyond the "
                                f"central 95% of the model's past misses (percentile "
                                f"{s.percentile:.0f})." if s.judged else
                                f"The headline figure is outside the forecast's 95% interval "
                                f"({s.lo95:,.0f}–{s.hi95:,.0f} t)."})
    def published(note: Number | None) -> tuple[bool, str]:  # a release's own change: its note
        return (note is not None and note.weak), " as published" * (note is not None)

    for name, change, weak, note in (
            ("rare_earths", n["yoy_pct"], n["yoy_weak"], None),
            ("magnets", n["magnets_yoy_pct"], n["magnets_total"].weak, n["magnets_yoy_published"])):
        if change is not None and abs(change) > ALERT_YOY_PCT:
            what = "Rare earths (稀土 line)" if name == "rare_earths" else "Magnets"
            weak_note, said = published(note)
            weak = weak or weak_note
            out.append({"kind": "yoy", "series": name, "value": change, "unconfirmed": weak,
                        "sentence": f"{what} {signed_pct(change, note is not None)} on the "
                                    f"year{said} (beyond "
                                    f"±{ALERT_YOY_PCT:.0f}%){caveat * weak}."})
    for d in n["destinations"]:
        weak = d.quantity.weak
        if d.yoy_pct is not None and abs(d.yoy_pct) > ALERT_YOY_PCT and d.partner in MAIN_DESTINATIONS:
            weak_note, said = published(d.yoy_published)
            out.append({"kind": "yoy", "series": f"magnets {d.partner}", "value": d.yoy_pct,
                        "unconfirmed": weak or weak_note,
                        "sentence": f"Magnets to {d.partner} "
                                    f"{signed_pct(d.yoy_pct, d.yoy_published is not None)} on the year"
                                    f"{said}{caveat * (weak or weak_note)}."})
        if d.share_change_pts is not None and abs(d.share_change_pts) > ALERT_SHARE_POINTS:
            out.append({"kind": "share", "series": f"magnets {d.partner}",
                        "value": d.share_change_pts, "unconfirmed": weak,
                        "sentence": f"{d.partner}'s share of magnet exports moved "
                                    f"{d.share_change_pts:+.1f} points on a year earlier"
                                    f"{caveat * weak}."})
    return out


def load_data(data_files: list[str | Path] | None = None
              ) -> tuple[pd.DataFrame, list[Path]]:
    """data/figures.csv with the extra figures files and UN Comtrade snapshot folders given
    (their HS6 products of their own), and the snapshot folders for the mirror check."""
    from helpers import snapshots

    folders = [Path(f) for f in data_files or [] if snapshots.is_folder(Path(f))]
    return figures_mod.load_all(data_files), folders


def compute(month: str | None = None, product: str = "rare_earths",
            data_files: list[str | Path] | None = None, today: date | None = None) -> Numbers:
    """Every number of the brief for `month` (default: the latest with a figure)."""
    from helpers import mirror

    today = today or date.today()
    everything, folders = load_data(data_files)
    headline_all = build_or_none(product, everything)
    magnets_all = build_or_none("magnets", everything)
    if headline_all is None:
        raise DataError(None, None, f"no figures for {product}")
    ends = everything["end"]
    available = releases.available_months(headline_all, magnets_all, ends)
    period = releases.check_month(month, available, set(headline_all.janfeb.index),
                                  releases.known_later(headline_all, magnets_all, ends))
    data = everything[everything["end"] <= str(period)]
    notes = _Notes()
    headline = build_or_none(product, data)
    magnets = build_or_none("magnets", data)
    combined = _combined(headline, period) if headline is not None else _combined(magnets,
                                                                                   period)
    now = _value(headline, period, combined, notes, data)
    previous = None if combined else _value(headline, period - 1, False, notes, data)
    year_ago = _value(headline, period - 12, combined, notes, data)
    jan = pd.Period(f"{period.year}-01", "M")
    if headline is not None:
        ytd = _interval_number(headline, jan, period, notes, data, _ytd_label(period))
        ytd_ago = _interval_number(headline, jan - 12, period - 12, notes, data,
                                   _ytd_label(period - 12))
    else:
        ytd = ytd_ago = Number(_ytd_label(period), str(jan), str(period), None, "missing")
    february = None
    if combined and headline is not None:
        single = _month_number(headline, period, notes, data, f"February {period.year} alone")
        february = single if single.known else None
    value_built = build_or_none(product, data, measure="value_usd")
    value = _value(value_built, period, combined, notes, data)
    value_caveat = ""
    if value.known and (value.weak or now.weak):
        value_caveat = "rests on a single weak source: unconfirmed"
    unit_value = (round(value.value / now.value) if value.known and now.known and now.value
                  else None)
    series_values = (headline.months["value"].astype(float) if headline is not None
                     else pd.Series(dtype=float))
    surprise, no_forecast = None, ""
    if now.known:
        try:
            surprise = models.surprise(series_values.rename_axis("month"), period,
                                       actual=now.value, combined=combined)
        except (DataError, ValueError) as exc:
            no_forecast = str(exc).split(": ")[-1]
    else:
        no_forecast = "the headline figure for the month is not in the data"
    magnets_now = _value(magnets, period, combined, notes, data)
    # the month before and the year before, for the changes only (not shown, so not numbered)
    magnets_before = None if combined else _value(magnets, period - 1, False, _Notes(), data)
    magnets_mom = None if magnets_before is None else pct(magnets_now.value, magnets_before.value)
    magnets_yoy, magnets_yoy_published = _yoy(
        pct(magnets_now.value, _value(magnets, period - 12, combined, _Notes(), data).value),
        magnets_now, data, notes)
    destinations, panel, magnets_judged = _destinations(data, period, combined, magnets_now,
                                                         magnets, notes)
    magnets_latest = (None if magnets_now.known
                      else _latest(magnets, period, combined, notes, data))
    detail = magnets_now.known or any(d.quantity.known for d in destinations)
    stage = ("detailed release in" if detail and now.known else
             "detailed release only" if detail else "preliminary release only")
    timeline = events_mod.load()
    shown = events_mod.pick(timeline, start=str((period - POLICY_MONTHS + 1).start_time.date()),
                            end=str(period))
    since = _since_measure(magnets, headline, period, timeline)
    calendar = releases.load()
    currency = {**_currency(headline_all, data, today, calendar),
                "latest": period == available[-1]}
    start = period - 12 * CHART_YEARS + 1
    chart = (headline.months.loc[start:period] if headline is not None
             else pd.DataFrame(columns=["value", "origin"]))
    janfeb = (headline.janfeb["value"] if headline is not None and not headline.janfeb.empty
              else pd.Series(dtype=float))
    contradictions = tuple(c for c in (headline.contradictions if headline is not None else [])
                           if period.year - 1 <= int(c["interval"][:4]) <= period.year)
    missing = tuple(str(m) for m in chart.index if chart.at[m, "origin"] == "missing")
    parts = {"surprise": surprise, "yoy_pct": pct(now.value, year_ago.value),
             "weak": now.weak, "yoy_weak": now.weak or year_ago.weak, "magnets_total": magnets_now,
             "magnets_yoy_pct": magnets_yoy, "magnets_yoy_published": magnets_yoy_published,
             "destinations": destinations}
    return Numbers(
        month=period, product=product, combined=combined, stage=stage,
        preliminary=releases.release(period, "preliminary", calendar),
        detailed=releases.release(period, "monthly_tables", calendar),
        now=now, previous=previous, year_ago=year_ago, ytd=ytd, ytd_year_ago=ytd_ago,
        mom_pct=None if previous is None else pct(now.value, previous.value),
        yoy_pct=parts["yoy_pct"], ytd_yoy_pct_computed=pct(ytd.value, ytd_ago.value),
        ytd_yoy_published=_published_change(data, product, jan, period, notes),
        february=february, value_usd=value, unit_value_usd_t=unit_value,
        value_usd_year_ago=_value(value_built, period - 12, combined, _Notes(), data),
        value_caveat=value_caveat, surprise=surprise, no_forecast=no_forecast,
        magnets_total=magnets_now, magnets_mom_pct=magnets_mom, magnets_yoy_pct=magnets_yoy,
        magnets_yoy_published=magnets_yoy_published,
        magnets_judged=magnets_judged, magnets_latest=magnets_latest, destinations=destinations,
        bbg=_value(build_or_none("rare_earth_products_bbg", data), period, False, notes, data),
        imports=_value(build_or_none(product, data, flow="import"), period, combined, notes, data),
        events=shown, since_measure=since,
        mirror=tuple(filter(None, (mirror.brief_line(folders, p, str(period))
                                   for p in MAIN_DESTINATIONS))) if folders else (),
        chart_events=events_mod.pick(
            timeline, kinds=CHART_KINDS, about=events_mod.ON_RARE_EARTHS,
            start=str((period - DESTINATION_MONTHS + 1).start_time.date()), end=str(period)),
        alerts=tuple(_alerts(parts)),
        sources=tuple(notes.items), missing_months=missing, contradictions=contradictions,
        currency=currency, chart_months=chart, chart_janfeb=janfeb, destination_panel=panel)


def _since_measure(magnets: series.Built | None, headline: series.Built | None,
                   month: pd.Period, timeline: pd.DataFrame) -> dict | None:
    """The cumulative abnormal since the last rare-earth export control, on magnets (the goods
    the controls are about) when the month has a magnet figure and enough history to study,
    else on the headline line (its ``series``: "magnets" or "headline"). Only events about
    rare-earth exports on all partners count for the World series: not a control on gallium,
    nor a production quota, nor a measure aimed at one country."""
    from helpers import interventions

    known = timeline[timeline["date"] < month.end_time]
    worldwide = known[(known["about"] == "rare-earth exports")
                      & (known["partners"] == events_mod.ALL_PARTNERS)]
    for name, built in (("magnets", magnets), ("headline", headline)):
        if built is None or month not in built.months.index \
                or built.months.at[month, "origin"] == "missing":
            continue
        values = built.months["value"].astype(float).rename_axis("month")
        try:
            found = interventions.since_last_measure(values.loc[:month], month, worldwide)
        except (DataError, ValueError):
            continue
        if found is not None:
            return {**found, "series": name}
    return None


def _currency(headline_all: series.Built, used: pd.DataFrame, today: date,
              calendar: pd.DataFrame) -> dict:
    """Data as of (latest publication used), made on, and releases due but missing."""
    months = headline_all.months
    known = list(months.index[months["origin"] != "missing"])
    known += [pd.Period(f"{y}-02", "M") for y in headline_all.janfeb.index]
    last = max(known)
    return {"data_as_of": str(used["published"].max()), "generated": today.isoformat(),
            "releases_missing": [str(m) for m in releases.due(last, today, calendar=calendar)],
            "data_end": str(last)}


def metrics(n: Numbers) -> dict[str, object]:
    """The brief's numbers for machines (reports/YYYY-MM/metrics.json)."""
    s = n.surprise

    def cite(number: Number) -> dict[str, str]:
        first = n.sources[number.notes[0] - 1] if number.notes else None
        return {"source": first.title if first else number.origin,
                "url": first.url if first else ""}

    def latest(number: Number | None) -> dict[str, object] | None:
        return None if number is None else {
            "month": number.start, "quantity_t": _round(number.value),
            "unconfirmed": number.weak, **cite(number)}

    sources = [{"start": x.start, "end": x.end, "value": _round(x.value), **cite(x)}
               for x in (n.now, n.previous, n.year_ago, n.ytd, n.ytd_year_ago)
               if x is not None and x.known]
    unique = [dict(t) for t in dict.fromkeys(tuple(d.items()) for d in sources)]
    return {
        "month": str(n.month), "product": n.product, **n.currency,
        "period": f"{n.month.year}-01..{n.month}" if n.combined else str(n.month),
        "stage": n.stage, "release_date": n.preliminary.date.isoformat(),
        "quantity_t": _round(n.now.value), "unconfirmed": n.now.weak,
        "mom_pct": n.mom_pct, "yoy_pct": n.yoy_pct, "ytd_t": _round(n.ytd.value),
        "ytd_yoy_pct": n.ytd_yoy_pct, "ytd_yoy_pct_computed": n.ytd_yoy_pct_computed,
        "value_usd": n.value_usd.value, "unit_value_usd_t": n.unit_value_usd_t,
        "value_yoy_pct": pct(n.value_usd.value, n.value_usd_year_ago.value),
        "forecast": {k: None if s is None else _round(getattr(s, k))
                     for k in ("mean", "lo80", "hi80", "lo95", "hi95")},
        "model": None if s is None else s.model,
        "surprise_pct": None if s is None or s.percentile is None
        or (isinstance(s.percentile, float) and math.isnan(s.percentile))
        else round(s.percentile, 1),
        "flag": None if s is None else bool(s.flag),
        "past_lean": None if s is None or math.isnan(s.above_pvalue) else {
            "above_pct": round(s.above_pct, 1), "binomial_pvalue": round(s.above_pvalue, 3)},
        "interval_record": None if s is None or not s.record.n else {
            "forecasts": s.record.n, "held80": s.record.held80, "held95": s.record.held95,
            "from": str(s.record.first), "to": str(s.record.last),
            "binomial_pvalue80": round(s.record.pvalue80, 3),
            "windows": {name: {"forecasts": r.n, "held80": r.held80, "held95": r.held95,
                               "from": str(r.first), "to": str(r.last)}
                        for name, r in s.windows if r.n}},
        "magnets": {"stage": n.stage, "total_t": _round(n.magnets_total.value),
                    "unconfirmed": n.magnets_total.weak, "latest": latest(n.magnets_latest),
                    "mom_pct": n.magnets_mom_pct, "yoy_pct": n.magnets_yoy_pct,
                    "yoy_as_published": n.magnets_yoy_published is not None,
                    "percentile": n.magnets_judged[0] if n.magnets_judged else None,
                    "destinations": [{"partner": d.partner,
                                      "quantity_t": _round(d.quantity.value),
                                      "origin": d.quantity.origin,
                                      "unconfirmed": d.quantity.weak, "share_pct": d.share_pct,
                                      "mom_pct": d.mom_pct, "yoy_pct": d.yoy_pct,
                                      "yoy_as_published": d.yoy_published is not None,
                                      "percentile": d.judged[0] if d.judged else None,
                                      "latest": latest(d.latest),
                                      **cite(d.quantity)} for d in n.destinations]},
        "definitions": {"rare_earths_t": _round(n.now.value),
                        "rare_earth_products_bbg_t": _round(n.bbg.value),
                        "magnets_t": _round(n.magnets_total.value)},
        "since_last_measure": None if n.since_measure is None else {
            k: n.since_measure.get(k) for k in ("event", "series", "pct", "pct_lo95",
                                                "pct_hi95")},
        "alerts": list(n.alerts),
        "sources": unique,
    }


def write_metrics(n: Numbers, folder: str | Path | None) -> Path | None:
    """Write metrics.json into folder (nothing when folder is None, as in the template)."""
    if folder is None:
        return None
    from helpers import csvfile

    return csvfile.write_atomic(Path(folder) / "metrics.json",
                                json.dumps(metrics(n), indent=2, ensure_ascii=False,
                                           default=str) + "\n")


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)

