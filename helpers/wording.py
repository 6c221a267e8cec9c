"""The words of the monthly brief, from `helpers.brief.Numbers`: Markdown sections with
press-style numbers (4,392 t; 5,493.9 t; +23.0%) and a numbered note on every figure.

Every string that comes from data (source titles, addresses, event titles, partner names)
passes through `csvfile.safe_markdown` or `csvfile.safe_url` where it enters the Markdown,
so no data text is live in the brief.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from helpers import csvfile, evaluate, events, releases
from helpers.brief import MAIN_DESTINATIONS, Number, Numbers, pct, signed_pct
from helpers.markdown import table
from helpers.models import Surprise

KIND_WORDS = {"measure": "measure", "informal": "reported informal measure",
              "relaxation": "relaxation", "talks": "talks", "supply": "supply",
              "legal": "law", "other": "other"}


def tonnes(value: float | None) -> str:
    """4,392 t; 5,493.9 t; 'not known'."""
    if value is None or math.isnan(value):
        return "not known"
    return f"{value:,.0f} t" if abs(value - round(value)) < 0.05 else f"{value:,.1f} t"


def signed(value: float | None, as_published: bool = False) -> str:
    """+23.0% (or as a release published it, `signed_pct`), '–' when not computable."""
    return "–" if value is None else signed_pct(value, as_published)


def yearly(value: float | None, published: Number | None) -> str:
    """A change on the year, with the note and the word 'published' when it is the release's
    own change (the data lack the month a year before), 'unconfirmed' if from a weak source."""
    if published is None:
        return signed(value)
    return (f"{signed(value, True)}{marks(published)} published"
            + (" (unconfirmed)" if published.weak else ""))


def marks(number: Number) -> str:
    """Note references of a number, e.g. ' [3]' or ' [3, 4]'."""
    return f" [{', '.join(map(str, number.notes))}]" if number.notes else ""


def _figure(number: Number, short: bool = False) -> str:
    """A figure with its notes, and 'unconfirmed' when it rests on a single weak source
    (`short`, for tables: the words are explained under the table by `TABLE_KEY`)."""
    text = tonnes(number.value) + marks(number)
    if number.weak:
        text += " (unconfirmed)" if short else " (unconfirmed: a single weak source)"
    elif number.origin == "derived":
        text += " (derived)" if short else " (derived from year-to-date totals)"
    return text


TABLE_KEY = ("Unconfirmed: the figure rests on a single weak source. Derived: computed from "
             "year-to-date totals. [n]: the numbered sources at the end.")


SERIES_WORDS = {"magnets": "Magnets (HS 85051110)", "headline": "The 稀土 line"}


def since_measure_sentence(since: dict) -> str:
    """The brief's line on the cumulative abnormal since the latest measure on all destinations
    (``helpers.brief``'s since_measure): which series, which measure, how far from expected."""
    start, end = pd.Period(since["start"], freq="M"), pd.Period(since["end"], freq="M")
    span = f"{start:%B %Y}" if start == end else f"{start:%B %Y}–{end:%B %Y}"
    months = since["months"] + len(since["missing"])
    counted = (f"{since['months']} of {months} months with figures" if since["missing"]
               else f"{months} month{'s' if months > 1 else ''}")
    effective = since["effective"]
    if effective == since["date"]:
        what, when = "in force on", f"{since['date']:%d %B %Y}"
    elif end < pd.Period(effective, freq="M"):  # announced, not yet in force by the month
        what, when = "announced for", (f"{since['date']:%d %B %Y}, to take effect "
                                       f"{effective:%d %B %Y}")
    else:
        what, when = "in force on", (f"announced {since['date']:%d %B %Y}, in force "
                                     f"{effective:%d %B %Y}")
    return csvfile.safe_markdown(
        f"{SERIES_WORDS[since['series']]} since the latest rare-earth export control {what} "
        f"all destinations ({since['title']}, {when}): {span}, "
        f"{since['actual']:,.0f} t against {since['expected']:,.0f} t expected, "
        f"{since['pct']:+.0f}% (95% interval {since['pct_lo95']:+.0f}% to "
        f"{since['pct_hi95']:+.0f}%; {counted}).")


def title(n: Numbers) -> str:
    return f"China rare-earth exports — {n.month:%B %Y}"


def top(n: Numbers) -> str:
    """Title, release dates, how current the data are, and the key points."""
    c = n.currency
    detailed = (f"detailed release (HS codes by destination) {_when(n.detailed)}"
                + ("" if n.stage != "preliminary release only" else f": {not_in_data(n)}"))
    lines = [f"# {title(n)}", "",
             f"Preliminary release {_when(n.preliminary)}; {detailed}. Data as of "
             f"{c['data_as_of']}; brief made {c['generated']}."]
    if c["releases_missing"] and c["latest"]:
        missing = releases.span([pd.Period(m, "M") for m in c["releases_missing"]])
        lines += ["", f"<div class='banner'><b>Not the latest month.</b> GACC has published "
                  f"the preliminary releases of {missing} since the 稀土 line in these data "
                  f"ends ({c['data_end']}); those releases are not in the data yet.</div>"]
    lines += ["", "## Key points", ""] + [f"- {p}" for p in key_points(n)]
    return "\n".join(lines)


def _when(release: releases.Release) -> str:
    """A release's date and where it comes from; a date by the rule is the latest day GACC has
    used for the stage, so the release came (or comes) out by then."""
    how = {"calendar": "GACC calendar", "reported": "as reported",
           "rule": "GACC's usual latest day"}
    return (f"{'by ' * (release.how == 'rule')}{release.date:%d %B %Y} "
            f"({how[release.how]})")


def not_in_data(n: Numbers) -> str:
    """'not in the data yet' while the detailed release is still to come on the day the brief
    is made; 'not in the data' from its date on (out, as `releases.due` counts it, but nobody
    has added it)."""
    made = pd.Timestamp(n.currency["generated"]).date()
    return "not in the data" + (" yet" if n.detailed.date > made else "")


def key_points(n: Numbers) -> list[str]:
    """2-5 computed sentences: headline change, surprise, magnets, policy, definitions."""
    points = []
    if n.now.known:
        changes = [f"{signed(n.mom_pct)} on the month" if n.mom_pct is not None else "",
                   f"{signed(n.yoy_pct)} on the year" if n.yoy_pct is not None else ""]
        changes = [c for c in changes if c]
        points.append(
            f"Rare-earth exports on the customs 稀土 line: **{_figure(n.now)}** in "
            f"{n.now.label}" + (" (January and February are released together)"
                                if n.combined else "")
            + (f", {' and '.join(changes)}" if changes else "") + ".")
        points.append(surprise_sentence(n))
    else:
        points.append(f"The preliminary 稀土 figure for {n.month:%B %Y} is not in the data; "
                      "this brief rests on the detailed release.")
    if n.magnets_total.known or any(d.quantity.known for d in n.destinations):
        known = [d for d in n.destinations if d.partner in MAIN_DESTINATIONS and d.quantity.known]
        parts = []
        for d in known:
            changes = [f"{signed(d.mom_pct)} m/m"] if d.mom_pct is not None else []
            published = d.yoy_published
            if d.yoy_pct is not None:
                changes.append(f"{signed(d.yoy_pct, published is not None)} y/y" + (
                    "" if published is None else f" as published{marks(published)}"
                    + (", unconfirmed" if published.weak and not d.quantity.weak else "")))
            said = "; ".join(filter(None, ["unconfirmed" * d.quantity.weak, ", ".join(changes)]))
            parts.append(f"{csvfile.safe_markdown(d.partner)} {tonnes(d.quantity.value)}"
                         + (f" ({said})" if said else ""))
        missing = [d.partner for d in n.destinations
                   if d.partner in MAIN_DESTINATIONS and not d.quantity.known]
        changes = [f"{signed(change, what == 'year' and n.magnets_yoy_published is not None)} "
                   f"on the {what}" + (
                       f" as published{marks(n.magnets_yoy_published)}"
                       if what == "year" and n.magnets_yoy_published is not None else "")
                   for change, what in ((n.magnets_mom_pct, "month"), (n.magnets_yoy_pct, "year"))
                   if change is not None]
        total = (f"**{_figure(n.magnets_total)}**" + (", " + " and ".join(changes) if changes
                                                       else "")
                 if n.magnets_total.known else "total not published")
        points.append(f"Magnets (HS 85051110): {total}"
                      + (f"; to {', '.join(parts)}" if parts else "")
                      + (f"; not published for {', '.join(missing)}" if missing else "") + ".")
    else:
        points.append(f"Magnets by destination: the detailed release for {n.month:%B %Y} is "
                      f"{not_in_data(n)}.")
    bearing = n.events[n.events["about"].isin(events.ON_RARE_EARTHS)]
    if n.since_measure is not None:
        points.append(since_measure_sentence(n.since_measure))
    elif len(bearing):  # a control on antimony is not news for rare earths
        last = bearing.iloc[-1]
        points.append(f"Latest policy event on rare earths: {last['date']:%d %B %Y}, "
                      f"{csvfile.safe_markdown(last['title'])} "
                      f"({KIND_WORDS.get(last['kind'], last['kind'])}).")
    if n.bbg.known and n.now.known:
        points.append(f"Bloomberg's “rare-earth products incl. magnets” total was "
                      f"{tonnes(n.bbg.value)}{marks(n.bbg)}: a wider basket than the 稀土 line's "
                      f"{tonnes(n.now.value)}, not a different count of the same goods.")
    return points


def surprise_sentence(n: Numbers) -> str:
    """How the figure compares with the forecast made before the release, in words."""
    s = n.surprise
    if s is None:
        return f"No forecast for {n.month:%B %Y}: {csvfile.safe_markdown(n.no_forecast)}."
    change = 100 * (s.actual / s.mean - 1)
    text = (f"Against the forecast made before the release, {s.mean:,.0f} t (80% interval "
            f"{s.lo80:,.0f}–{s.hi80:,.0f} t), it is {abs(change):.1f}% "
            f"{'below' if change < 0 else 'above'}")
    if not s.judged:
        return text + ": too few past forecasts to judge how unusual that is."
    if s.flag:
        verdict = "beyond the central 95% of past misses: unusual"
    elif s.percentile < 10 or s.percentile > 90:
        verdict = f"{'low' if s.percentile < 10 else 'high'}er than in 9 of 10 past forecasts"
    else:
        verdict = "within the usual range"
    share = 2 * min(s.percentile, 100 - s.percentile)
    return (text + f": percentile {s.percentile:.0f} among the model's past errors, {verdict} "
            f"(a miss this large either way came in about {share:.0f}% of past forecasts)."
            + lean_sentence(s) + record_sentence(s))


def lean_sentence(s: Surprise) -> str:
    """Which way the model's ranked past forecasts missed, when a binomial test at 5% says they
    lean (the reason a figure above the forecast can sit near the median); else empty."""
    if not s.above_pvalue < 0.05:  # NaN too: not judged
        return ""
    low = s.above_pct > 50
    return (f" Those past forecasts were mostly too {'low' if low else 'high'}: the figure came "
            f"in {'above' if low else 'below'} {max(s.above_pct, 100 - s.above_pct):.0f}% of "
            f"them.")


def record_sentence(s: Surprise) -> str:
    """How often the model's intervals of this kind held lately, known at the forecast's origin,
    and whether that is off the claim (two-sided binomial test at 5%); empty with no record."""
    r = s.record
    if not r.n:
        return ""
    text = (f" Its 80% interval held in {r.held80} of the model's last {r.n} {s.kind} forecasts "
            f"({r.first:%b %Y}–{r.last:%b %Y}; {r.held80 / r.n:.0%}) and its 95% interval in "
            f"{r.held95}")
    if r.pvalue80 < 0.05:
        return text + (f": lately {'wider' if r.held80 / r.n > 0.8 else 'narrower'} than it "
                       "claims.")
    return text + "."


def record_table(s: Surprise) -> str:
    """How often the model's intervals of this kind held: its last forecasts, then each fixed
    window of origins, as known before the release (empty with no record at all)."""
    rows = [(f"its last {s.record.n} forecasts", s.record),
            *((f"origins {name}", r) for name, r in s.windows if r != s.record)]
    cells = [[label, f"{r.first:%b %Y}–{r.last:%b %Y}", str(r.n),
              f"{r.held80} ({r.held80 / r.n:.0%})", f"{r.held95} ({r.held95 / r.n:.0%})"]
             for label, r in rows if r.n]
    if not cells:
        return ""
    return (f"How often the {s.kind} forecast's intervals held, as known before this release "
            "(intervals from past errors only; their rule was chosen on the 2019–2022 origins):"
            "\n\n"
            + table(["", "months forecast", "forecasts", "inside 80%", "inside 95%"], cells))


def headline_section(n: Numbers) -> str:
    """The headline line's table: the month, a month and a year earlier, year to date. Shown
    whenever one of them is known, so that every source the brief numbers is cited in it."""
    rows = [(n.now.label, n.now, ""),
            *([(n.february.label, n.february, "")] if n.february is not None else []),
            *([(n.previous.label, n.previous, signed(n.mom_pct))] if n.previous else []),
            (n.year_ago.label, n.year_ago, signed(n.yoy_pct)),
            (n.ytd.label, n.ytd, ""),
            (n.ytd_year_ago.label, n.ytd_year_ago, signed(n.ytd_yoy_pct))]
    if not any(number.known for _, number, _ in rows):
        return ""
    shown: dict[str, list[str]] = {}
    for label, number, change in rows:  # each period once (a February's year to date is it)
        figure = _figure(number, short=True) if number.known else "not in the data"
        shown.setdefault(label, [label, figure, change])
    lines = ["## Customs 稀土 line (preliminary release)", "",
             table(["", "tonnes", f"{n.now.label} against it"], shown.values())]
    notes = []
    published, computed = n.ytd_yoy_published, n.ytd_yoy_pct_computed
    if published is not None:
        text = f"Year-to-date change as GACC published it: {signed(published.value)}{marks(published)}"
        if computed is not None and abs(computed - published.value) >= 0.1:
            text += (f"; from the months held: {signed(computed)}, because GACC compares "
                     f"against its revised {n.month.year - 1} figures")
        notes.append(text + ".")
    if n.value_usd.known:
        value = f"Export value {n.value_usd.value / 1e6:,.1f} million USD{marks(n.value_usd)}"
        value_yoy = pct(n.value_usd.value, n.value_usd_year_ago.value)
        if value_yoy is not None:
            tonnage = ("tonnes not comparable" if n.yoy_pct is None
                       else f"against {signed(n.yoy_pct)} in tonnes")
            value += f" ({signed(value_yoy)} on the year, {tonnage})"
        if n.unit_value_usd_t:
            value += f", {n.unit_value_usd_t:,.0f} USD per tonne"
        if n.value_caveat:
            value += f" ({n.value_caveat})"
        notes.append(value + ".")
    if n.imports.known:
        notes.append(f"Imports on the same line: {_figure(n.imports)}.")
    record = record_table(n.surprise) if n.surprise is not None else ""
    return "\n".join(lines + [""] + notes + [TABLE_KEY] + ([f"\n{record}"] if record else []))


def magnets_section(n: Numbers) -> str:
    """Magnets by destination: the main destinations always, then others, then the total."""
    stage = {"detailed release in": "Detailed release in the data.",
             "detailed release only": "Only the detailed release is in the data.",
             "preliminary release only": "Preliminary release only: the detailed release "
                                         f"(magnets by destination) is {not_in_data(n)}."}
    rows = []
    for d in n.destinations:
        name = csvfile.safe_markdown(d.partner) + (" (group)" if d.aggregate else "")
        share = "–" if d.share_pct is None else f"{d.share_pct:.1f}%"
        rows.append([name, _figure(d.quantity, short=True), share, signed(d.mom_pct),
                     yearly(d.yoy_pct, d.yoy_published)] if d.quantity.known
                    else [name, "not published", "", "", ""])
    rows.append(["**Total**", f"**{_figure(n.magnets_total, short=True)}**", "100%",
                 signed(n.magnets_mom_pct), yearly(n.magnets_yoy_pct, n.magnets_yoy_published)]
                if n.magnets_total.known
                else ["**Total**", "not published", "", "", ""])
    lines = [f"## Magnets by destination (HS 85051110), {period_words(n)}", "", stage[n.stage], "",
             table(["destination", "tonnes", "share of total", "m/m", "y/y"], rows)]
    published = any(d.yoy_published is not None for d in n.destinations) or (
        n.magnets_yoy_published is not None)
    lines += ["", "Changes are computed where both months are known (derived months count)"
              + ("; where the month a year before is not, a y/y marked published is the change "
                 "the release itself gave" if published else "")
              + "; a group such as the EU is not counted in the shares. " + TABLE_KEY]
    if latest := latest_sentence(n):
        lines += ["", latest]
    if n.magnets_judged is not None and (judged := judged_sentence(n)):
        lines += ["", judged]
    if n.mirror:
        lines += ["", "Mirror check (UN Comtrade, partners' own imports from China): "
                  + " ".join(csvfile.safe_markdown(line) for line in n.mirror)]
    return "\n".join(lines)


def period_words(n: Numbers) -> str:
    """The brief's period in words: the month, or January–February for a combined release."""
    return n.now.label if n.combined else f"{n.month:%B %Y}"


def latest_sentence(n: Numbers) -> str:
    """Where the month's magnet figures are not published, the latest of the year before,
    grouped by month (newest first), so the table stays one line a destination."""
    latest = [(csvfile.safe_markdown(d.partner), d.latest) for d in n.destinations
              if d.latest is not None] + [("the total", n.magnets_latest)] * (
        n.magnets_latest is not None)
    if not latest:
        return ""
    months = sorted({number.start for _, number in latest}, reverse=True)
    groups = [", ".join(f"{name} {_figure(number, short=True)}"
                        for name, number in latest if number.start == m)
              + f" in {pd.Period(m, 'M'):%B %Y}" for m in months]
    return f"Latest figures where {period_words(n)} is not published: {'; '.join(groups)}."


def judged_sentence(n: Numbers) -> str:
    """How the month's magnet figures rank among each series' own past one-month forecast
    errors (``helpers.screen``), or that the series are too short to say; nothing when the
    month has no magnet figure to judge (a preliminary release only)."""
    series = [("the total", n.magnets_judged)] * n.magnets_total.known + [
        (csvfile.safe_markdown(d.partner), d.judged) for d in n.destinations
        if d.judged is not None and d.quantity.known and not d.aggregate]
    if not series:
        return ""
    ranked = [f"{name} {p:.0f}" + (" (beyond the central 95%)" if p < 2.5 or p > 97.5 else "")
              for name, (p, _) in series if p is not None]
    most = max(k for _, (_, k) in series)
    if not ranked:
        have = f"these series have at most {most}" if most else "these series have none yet"
        return (f"Against their own past: too short to judge (a percentile needs "
                f"{evaluate.MIN_JUDGED} past one-month forecast errors; {have}).")
    rest = "; the others are too short to judge" if len(ranked) < len(series) else ""
    return ("Percentile of the month's forecast error among the series' own past ones "
            f"(50 as expected): {', '.join(ranked)}{rest}.")


def definitions_section(n: Numbers) -> str:
    """The three totals the news mixes up, side by side for the month."""
    rows = [("Customs 稀土 line (preliminary release)", n.now),
            ("Bloomberg “rare-earth products incl. magnets”", n.bbg),
            ("Magnets, HS 85051110 (detailed release)", n.magnets_total)]
    if sum(number.known for _, number in rows) < 2:
        return ""
    lines = ["## Three totals that news stories mix up", "",
             table(["definition", "tonnes"],
                   ([label, _figure(number, short=True) if number.known else "not in the data"]
                    for label, number in rows))]
    lines += ["", "The 稀土 line is GACC's own aggregate of rare-earth ores, metals and "
              "compounds; Bloomberg adds up lines of the detailed release, magnets among "
              "them; magnets are one HS code. They measure different baskets, so one is "
              "never a revision of another."]
    return "\n".join(lines)


def policy_section(n: Numbers) -> str:
    """Events of the six months up to the month, none after it."""
    if not len(n.events):
        return f"## Policy\n\nNo policy event in the six months up to {n.month:%B %Y}."
    lines = [f"## Policy: the six months up to {n.month:%B %Y}", ""]
    for _, event in n.events.iterrows():
        url = csvfile.safe_url(event["url"])
        source = csvfile.safe_markdown(event.get("source") or "source")
        link = f"[{source}]({url})" if url else source
        lines.append(f"- **{event['date']:%d %b %Y}** ({KIND_WORDS.get(event['kind'], 'other')}): "
                     f"{csvfile.safe_markdown(event['title'])}. {link}")
    return "\n".join(lines)


def sources_section(n: Numbers) -> str:
    """The numbered notes: outlet and headline with their link, never internal notes."""
    lines = ["## Sources", ""]
    for number, source in enumerate(n.sources, start=1):
        url = csvfile.safe_url(source.url)
        text = csvfile.safe_markdown(source.title)
        cited = f"[{text}]({url})" if url else text
        flag = " (weak source)" if source.weak else ""
        lines.append(f"{number}. {cited}, {csvfile.safe_markdown(source.published)}{flag}")
    notes = []
    if n.missing_months:
        notes.append(f"Months of the chart window nobody published singly: "
                     f"{', '.join(n.missing_months)}.")
    for c in n.contradictions:
        notes.append(f"{c['interval']}: published {c['published']:,.1f} t, its months sum to "
                     f"{c['sum_of_months']:,.1f} t (reported, not averaged).")
    if n.alerts:
        notes.append("Alerts: " + " ".join(a["sentence"] for a in n.alerts))
    return "\n".join(lines + ([""] + [f"- {t}" for t in notes] if notes else []))


def chart_key(legend: list[str]) -> str:
    """The numbered events of the brief's charts (the same numbers on both), in one line."""
    if not legend:
        return ""
    return ("<div class='key'>Events on the charts: "
            + "; ".join(html.escape(line) for line in legend) + ".</div>")


def chart_alt(n: Numbers, chart: str) -> str:
    """The alternative text of the brief's `chart` ("destinations" or "headline"): what it
    draws, over which months, and where its numbers are in words, for a reader who cannot see
    it (nbconvert's default says only that no description was provided)."""
    events = " and the policy events as numbered vertical lines, listed below the chart"
    if chart == "destinations":
        panel = n.destination_panel
        drawn = [c for c in panel.columns if panel[c].notna().any()]
        return (f"Line chart of magnet exports (HS 85051110) in tonnes per month to "
                f"{_listed(drawn)}, {panel.index[0]:%B %Y} to {n.month:%B %Y},{events}. The "
                f"month's figures by destination are in the table above.")
    months = n.chart_months.index
    fan = (", with the forecast made before the release and its 80% and 95% intervals"
           if n.surprise is not None else "")
    return (f"Line chart of the customs 稀土 (rare earths) line in tonnes per month, "
            f"{months[0]:%B %Y} to {n.month:%B %Y}{fan},{events}. The month's figures are in "
            f"the table above.")


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def forecast_frame(n: Numbers) -> pd.DataFrame:
    """The forecast for the chart: one row; a combined release at its monthly average."""
    s = n.surprise
    if s is None:
        return pd.DataFrame()
    scale = 0.5 if n.combined else 1.0
    return pd.DataFrame({k: [scale * getattr(s, k)] for k in ("mean", "lo80", "hi80", "lo95",
                                                               "hi95")},
                        index=pd.PeriodIndex([n.month], freq="M"))
