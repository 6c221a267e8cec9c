"""What policy events did to a monthly series: event studies with calibrated intervals, and a
regression with SARIMA errors.

**Event study** (`event_study`). The forecast made the month before an announcement is the
expectation had nothing happened; each later month's abnormal volume is actual/expected − 1.
The expectation's band is calibrated on the model's own past misses: median × exp(±z·rmse) with
rmse from `helpers.evaluate.past_rmse` (errors known at the forecast origin), the model's interval
where too few are known (column ``band`` says which). `cumulative` sums a window of months and
simulates the combined path of the horizons: it resamples whole rows of past errors (one origin's
misses at every horizon, so their correlation across horizons is kept), or draws from the model's
joint forecast distribution when too few rows are known (``method`` says which).

Events are taken as they are: the expectation is formed before the announcement (`announced`),
the measure bites from the month it takes effect (`effective`, the announcement month when the
timeline gives none), and a relaxation that names it in ``ends`` closes its window the month
before the relaxation's month. Months from the announcement to the effective month are the
"announced" phase; the `stockpiling` window is the three months before the announcement, from a
forecast made before them. `placebos` repeats the study on months with no event nearby: where
the real abnormal falls in that distribution says whether it is unusual for the series.

When the requested model cannot forecast every month of the window that has a figure (a gappy
series leaves calendar months without an earlier value), the study falls back to seasonal naive,
then naive, for the whole window, and ``Study.note`` says so.

**Regression** (`intervention`): SARIMAX on log volume with step, pulse or ramp regressors at the
event months; the coefficient is the effect, the forecast with regressors at zero the
counterfactual. It suits a long series with lasting shifts; on an aggregate the measures barely
cover, or after a measure suspended a month later, it says little.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tsa.statespace.sarimax import SARIMAX

from helpers import evaluate, models

REGRESSORS = ("step", "pulse", "ramp")
MEASURES = ("measure", "informal")
STOCKPILING = 3  # months before an announcement in which buyers may run ahead of a measure
RECENT = 4  # figures needed in the 12 months to a forecast origin: a third of a year at least
WINDOW, MIN_ERRORS = 36, 12  # past errors used for a band or a path, and the fewest accepted
MIN_PLACEBOS = 10  # fewer placebo windows than this cannot place an abnormal
DRAWS, SEED = 20_000, 0
_LEVELS = {"lo80": 0.10, "hi80": 0.90, "lo95": 0.025, "hi95": 0.975}


@dataclass(frozen=True)
class Event:
    """One policy event, in months: announced, effective (same when unknown), and the month of
    the relaxation that ends it (None if none is known)."""

    id: str
    kind: str
    title: str
    date: pd.Timestamp
    effective_date: pd.Timestamp
    ended_by: str | None = None
    end_date: pd.Timestamp | None = None

    @property
    def announced(self) -> pd.Period:
        return pd.Period(self.date, freq="M")

    @property
    def effective(self) -> pd.Period:
        return pd.Period(self.effective_date, freq="M")

    @property
    def ended(self) -> pd.Period | None:
        return None if self.end_date is None else pd.Period(self.end_date, freq="M")

    def marks(self) -> pd.DataFrame:
        """Dates to draw on a chart (date, kind, title): announcement, effect, end."""
        rows = [(self.date, self.kind, f"{self.title} (announced)" if
                 self.effective_date != self.date else self.title)]
        if self.effective_date != self.date:
            rows.append((self.effective_date, self.kind, f"{self.title} (takes effect)"))
        if self.end_date is not None:
            rows.append((self.end_date, "relaxation", f"ended by {self.ended_by}"))
        return pd.DataFrame(rows, columns=["date", "kind", "title"])


def _date(value: Any) -> pd.Timestamp | None:
    """A timestamp from a date, month or text; None when it is not one (NaT and blanks too)."""
    try:
        stamp = value.to_timestamp() if isinstance(value, pd.Period) else pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(stamp) else stamp


def _field(row: Mapping[str, Any], name: str) -> Any:
    """An optional timeline column (effective, ends): None when absent or blank."""
    value = row.get(name) if hasattr(row, "get") else None
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) \
        or value == "" else value


def event_of(event: Event | str | pd.Timestamp | pd.Period | pd.Series,
             events: pd.DataFrame | None = None) -> Event:
    """An `Event` from an id (looked up in `events`, a timeline frame such as ``events.pick``),
    a row of such a frame, or a bare date (a measure with no known end). The relaxation whose
    ``ends`` names the event, if the frame has that column, ends it."""
    if isinstance(event, Event):
        return event
    if isinstance(event, pd.Series):
        row = event
    elif events is not None and isinstance(event, str) and (events["id"] == event).any():
        row = events.loc[events["id"] == event].iloc[0]
    else:
        date = _date(event)
        if date is None:
            raise ValueError(f"unknown event {event!r}: neither an id of the events "
                            "frame given nor a date")
        return Event(str(event), "measure", f"event of {date:%Y-%m-%d}", date, date)
    for column in ("id", "date", "kind"):
        if column not in row.index:
            raise ValueError(f"the event row lacks {column!r}")
    date = _date(row["date"])
    if date is None:
        raise ValueError(f"event {row['id']!r} has no date")
    effective = _date(_field(row, "effective")) or date
    end_id = end_date = None
    if events is not None and "ends" in events.columns:
        enders = events[events["ends"].astype(str) == str(row["id"])]
        if len(enders):
            dates = [_date(_field(r, "effective")) or _date(r["date"])
                     for _, r in enders.iterrows()]
            first = int(np.argmin(dates))
            end_id, end_date = str(enders.iloc[first]["id"]), dates[first]
    return Event(str(row["id"]), str(row["kind"]), str(row.get("title", row["id"])), date,
                 effective, end_id, end_date)


@dataclass
class Study:
    """An event study. `frame` (monthly index): actual, expected (forecast median made at
    `origin`), lo80/hi80/lo95/hi95, band ("past errors" or "model"), abnormal_pct with
    abnormal_lo80/hi80/lo95/hi95, and phase (before, announced, in force, ended). `model` made
    the forecast; `note` says why when it is not the requested one."""

    frame: pd.DataFrame
    event: Event
    origin: pd.Period
    requested: str
    model: str
    note: str
    fit: models.Fit
    errors: pd.DataFrame

    def window(self, months: int) -> tuple[pd.Period, pd.Period] | None:
        """The first `months` months in force (from the effective month), cut at the month
        before the event's end; None when it ended before it took effect."""
        start = self.event.effective
        end = start + months - 1
        if self.event.ended is not None:
            end = min(end, self.event.ended - 1)
        return (start, end) if end >= start else None


def _phase(index: pd.PeriodIndex, event: Event) -> np.ndarray:
    phase = np.where(index < event.announced, "before",
                     np.where(index < event.effective, "announced", "in force"))
    if event.ended is not None:
        phase = np.where(index >= event.ended, "ended", phase)
    return phase


def _errors(cache: dict[str, pd.DataFrame], y: pd.Series, model: str, horizons: int
            ) -> pd.DataFrame:
    """`evaluate.errors` of `model` on y for horizons 1..`horizons`, computed once per model."""
    table = cache.get(model)
    if table is None or table.columns.max() < horizons:
        table = cache[model] = evaluate.errors(y, model, range(1, horizons + 1))
    return table


def _study(y: pd.Series, event: Event, origin: pd.Period, first: pd.Period, last: pd.Period,
           model: str, cache: dict[str, pd.DataFrame]) -> Study:
    """Study of y over first..last, from the forecast made at `origin` (first <= origin < last
    is allowed: months up to the origin get no expectation)."""
    recent = y.loc[origin - 11:origin].notna().sum() if origin >= y.index[0] else 0
    if recent < RECENT:
        raise ValueError(f"{recent} figure(s) in the 12 months to {origin}: too "
                        f"little history to forecast from (at least {RECENT} needed)")
    index = pd.period_range(first, last, freq="M")
    actual = y.reindex(index)
    horizon = (last - origin).n
    ahead = pd.period_range(origin + 1, last, freq="M")
    needed = ahead[actual.reindex(ahead).notna().to_numpy()]
    notes, train = [], y.loc[:origin]
    for name in dict.fromkeys((model, *models.FALLBACKS)):
        fitted = models.fit(train, name)
        # the model's own band: only the median is kept where past errors are known (below)
        forecast = fitted.forecast(horizon, intervals="model")
        if forecast.loc[needed, "mean"].notna().all():
            break
        notes.append(f"{fitted.model} has no forecast for "
                     f"{', '.join(str(m) for m in needed[forecast.loc[needed, 'mean'].isna()])}")
    if fitted.failures:
        notes.append("; ".join(f"{k} could not be fitted: {v}" for k, v in fitted.failures.items()))
    errors = _errors(cache, y, fitted.model, horizon)
    rmse = evaluate.past_rmse(errors, origin, WINDOW, MIN_ERRORS).reindex(range(1, horizon + 1))
    frame = pd.DataFrame({"actual": actual}, index=index)
    frame["expected"] = forecast["mean"]
    spread = pd.Series(rmse.to_numpy(), index=ahead)
    calibrated = spread.notna()
    for level, z in models.Z.items():
        for side, sign in (("lo", -1), ("hi", 1)):
            column = f"{side}{level}"
            band = forecast["mean"] * np.exp(sign * z * spread)
            frame[column] = band.where(calibrated, forecast[column])
    frame["band"] = pd.Series(np.where(calibrated, "past errors", "model"), index=ahead)
    frame["abnormal_pct"] = 100 * (frame["actual"] / frame["expected"] - 1)
    for level in models.Z:
        frame[f"abnormal_lo{level}"] = 100 * (frame["actual"] / frame[f"hi{level}"] - 1)
        frame[f"abnormal_hi{level}"] = 100 * (frame["actual"] / frame[f"lo{level}"] - 1)
    frame["phase"] = _phase(index, event)
    frame.index.name = "month"
    return Study(frame, event, origin, model, fitted.model, "; ".join(notes), fitted, errors)


def event_study(series: pd.Series, event: Event | str | pd.Timestamp | pd.Series,
                before: int = 6, after: int = 12, model: str = "default",
                events: pd.DataFrame | None = None) -> Study:
    """The study of one event on a monthly series, from `before` months before the announcement
    to `after` months after the effective month, against the forecast made the month before the
    announcement. `event`: an id of `events` (a timeline frame), a row of it, or a date."""
    if before < 0 or after < 0:
        raise ValueError(f"before and after must be >= 0, got {before} and {after}")
    y, ev = models.check_series(series), event_of(event, events)
    return _study(y, ev, ev.announced - 1, ev.announced - before, ev.effective + after, model, {})


def cumulative(study: Study, start: str | pd.Period, end: str | pd.Period, draws: int = DRAWS,
               seed: int = SEED) -> dict[str, Any]:
    """Cumulative abnormal volume over start..end: tonnes (actual − expected) and percent
    (100·(Σactual/Σexpected − 1)), each with 80% and 95% intervals from simulated paths of the
    expectation (see module docstring; ``method`` says which simulation). Months without a figure
    are left out and listed in ``missing``; ``months`` counts those used."""
    start, end = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    frame = study.frame
    if start <= study.origin or end > frame.index[-1] or end < start:
        raise ValueError(f"window {start}..{end} must lie within {study.origin + 1}.."
                         f"{frame.index[-1]}")
    part = frame.loc[start:end]
    usable = part["actual"].notna() & part["expected"].notna()
    out: dict[str, Any] = {"start": str(start), "end": str(end), "months": int(usable.sum()),
                           "missing": [str(m) for m in part.index[~usable.to_numpy()]],
                           "model": study.model}
    used = part[usable]
    if used.empty:
        return {**out, "method": "no figure", **dict.fromkeys(
            ["actual", "expected", "tonnes", "pct"] + [f"{k}_{q}" for k in ("tonnes", "pct")
                                                      for q in _LEVELS], np.nan)}
    horizons = [(m - study.origin).n for m in used.index]
    rows = study.errors[horizons][study.errors.index + max(horizons) <= study.origin].dropna()
    rows = rows.iloc[-WINDOW:]
    rng = np.random.default_rng(seed)
    if len(rows) >= MIN_ERRORS:
        picked = rows.to_numpy()[rng.integers(len(rows), size=draws)]
        paths = (used["expected"].to_numpy() * np.exp(picked)).sum(axis=1)
        out["method"] = f"past errors ({len(rows)} origins resampled)"
    else:
        paths = models._sum_draws(study.fit, used.index, draws, seed)
        out["method"] = f"model distribution (only {len(rows)} complete past error rows)"
    actual, expected = float(used["actual"].sum()), float(used["expected"].sum())
    out.update(actual=actual, expected=expected, tonnes=actual - expected,
               pct=100 * (actual / expected - 1))
    for key, q in _LEVELS.items():  # a high expectation is a low abnormal
        out[f"tonnes_{key}"] = float(actual - np.quantile(paths, 1 - q))
        out[f"pct_{key}"] = float(100 * (actual / np.quantile(paths, 1 - q) - 1))
    return out


def stockpiling(series: pd.Series, event: Event | str | pd.Timestamp | pd.Series,
                months: int = STOCKPILING, model: str = "default",
                events: pd.DataFrame | None = None) -> dict[str, Any]:
    """`cumulative` over the `months` months before the announcement, against the forecast made
    the month before them: positive when buyers ran ahead of the measure."""
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    y, ev = models.check_series(series), event_of(event, events)
    first, last = ev.announced - months, ev.announced - 1
    study = _study(y, ev, first - 1, first, last, model, {})
    return cumulative(study, first, last)


def placebos(series: pd.Series, events: pd.DataFrame, months: int = 3, model: str = "default",
             kinds: Iterable[str] | None = None, margin: int = STOCKPILING) -> pd.DataFrame:
    """The cumulative abnormal over the first `months` months after each calm month: a month
    with no event (of `kinds`, all when None) from `margin` months before it to the end of its
    window, a figure in that window, and data before it to forecast from. One row per placebo
    month (columns of `cumulative`); ordinary months put a real abnormal in context."""
    y = models.check_series(series)
    dates = events if kinds is None else events[events["kind"].isin(list(kinds))]
    busy = {pd.Period(d, freq="M") for d in pd.to_datetime(dates["date"])}
    first = y.index[y.notna().to_numpy()][0] + 1
    cache: dict[str, pd.DataFrame] = {}
    rows = {}
    for m in pd.period_range(first + 1, y.index[-1], freq="M"):
        span = pd.period_range(m - margin, m + months - 1, freq="M")
        if busy.intersection(span) or y.reindex(span[margin:]).isna().all():
            continue
        placebo = Event(f"placebo {m}", "placebo", f"placebo {m}", m.to_timestamp(),
                        m.to_timestamp())
        try:
            study = _study(y, placebo, m - 1, m, m + months - 1, model, cache)
        except ValueError:
            continue
        rows[m] = cumulative(study, m, m + months - 1)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.PeriodIndex(table.index, freq="M", name="month") if rows else table.index
    return table


def placebo_share(value: float, table: pd.DataFrame) -> dict[str, Any]:
    """Share of placebo cumulative abnormals (percent) at least as far from zero on the same
    side as `value`: a small share means the real abnormal is rare in ordinary months."""
    pct = table["pct"].dropna() if "pct" in table else pd.Series(dtype=float)
    if not len(pct) or np.isnan(value):
        return {"n": len(pct), "share": np.nan}
    hits = pct <= value if value < 0 else pct >= value
    return {"n": len(pct), "share": float(hits.mean())}


def since_last_measure(series: pd.Series, month: str | pd.Period, events: pd.DataFrame,
                       after: int = 12, model: str = "default") -> dict[str, Any] | None:
    """The cumulative abnormal from the latest measure in force at `month` to `month`, using only
    the figures and events known by then; None when `month` is in no study window (no measure
    announced within `after` months, or the last one ended) or has no figure to compare.
    `events`: the timeline entries that apply to the series (a measure on one destination
    belongs to that destination's series). The dict is `cumulative`'s plus the event's id,
    title, date and effective date."""
    month = pd.Period(month, freq="M")
    known = events[pd.to_datetime(events["date"]) < month.end_time]
    candidates = [event_of(row, known) for _, row in known[known["kind"].isin(MEASURES)]
                  .iterrows()]
    live = [e for e in candidates if e.announced <= month <= e.effective + after
            and (e.ended is None or month < e.ended)]
    if not live:
        return None
    event = max(live, key=lambda e: (e.date, e.id))
    y = models.check_series(series.loc[:month])
    try:
        study = _study(y, event, event.announced - 1, event.announced, month, model, {})
    except ValueError:
        return None
    start = event.effective if month >= event.effective else event.announced
    result = cumulative(study, start, month)
    if not result["months"]:
        return None
    result.update(event=event.id, title=event.title, date=event.date,
                  effective=event.effective_date)
    return result


def summary(study: Study, series: pd.Series, placebo_tables: Mapping[int, pd.DataFrame],
            windows: Sequence[int] = (1, 3, 6)) -> pd.DataFrame:
    """One row per window: the first n months in force (see `Study.window`; the announced phase
    when the measure ended before it took effect) and the stockpiling window, with `cumulative`'s
    columns and ``placebo_share`` against the placebo table of the same length."""
    rows = {}
    for n in windows:
        span = study.window(n)
        if span is None:
            span = (study.event.announced, study.event.ended - 1)
        if span[1] > study.frame.index[-1]:
            span = (span[0], study.frame.index[-1])
        result = cumulative(study, *span)
        table = placebo_tables.get(n, pd.DataFrame())
        rows[f"first {n} month{'s' * (n > 1)}"] = {
            **result, "placebo_share": placebo_share(result["pct"], table)["share"],
            "placebos": len(table)}
    try:
        result = stockpiling(series, study.event, model=study.requested)
    except ValueError as err:
        result = {"method": f"no study: {err}", "months": 0, "pct": np.nan}
    rows[f"stockpiling ({STOCKPILING} months before)"] = result
    return pd.DataFrame.from_dict(rows, orient="index")


def _span(start: str, end: str) -> str:
    return start if start == end else f"{start}–{end}"


def verdict(label: str, study: Study, table: pd.DataFrame) -> str:
    """What the study says in words, from its numbers; plain where the data cannot say."""
    frame = study.frame
    after = frame[(frame.index >= study.event.announced) & frame["actual"].notna()
                  & frame["expected"].notna()]
    if after.empty:
        last = frame["actual"].last_valid_index()
        return (f"{label}: no figure after the measure yet (latest figure "
                f"{last if last is not None else 'before the window'}).")
    rows = table[table.index.str.startswith("first") & (table["months"] > 0)]
    head = rows.loc["first 3 months"] if "first 3 months" in rows.index else rows.iloc[0]
    side = "below" if head["pct"] < 0 else "above"
    clear = head["pct_hi95"] < 0 or head["pct_lo95"] > 0
    text = (f"{label}: {abs(head['pct']):.0f}% {side} expectation over "
            f"{_span(head['start'], head['end'])} ({head['tonnes']:+,.0f} t; 95% interval "
            f"{head['pct_lo95']:+.0f}% to {head['pct_hi95']:+.0f}%")
    if head["months"] < len(pd.period_range(head["start"], head["end"], freq="M")):
        text += f"; {head['months']} month(s) with figures"
    text += "), " + ("clearly: the interval excludes zero" if clear else
                     "not distinguishable from an ordinary miss")
    if head["placebos"] >= MIN_PLACEBOS:
        text += (f"; {100 * head['placebo_share']:.0f}% of {head['placebos']:.0f} placebo windows "
                 f"were as far {side}")
    elif head["placebos"]:
        text += (f"; only {head['placebos']:.0f} calm window(s) of that length have figures, too "
                 "few for a placebo comparison")
    else:
        text += "; no calm window of that length has figures, so no placebo comparison"
    below = after["abnormal_hi95"] < 0
    if below.iloc[0]:
        run = int(below.cumprod().sum())
        text += f". Below the 95% band for {run} month(s) with figures from {after.index[0]}"
        if run < len(after):
            text += f", back within it by {after.index[run]}"
    stock = table.iloc[-1]
    if stock["months"] and not np.isnan(stock["pct"]):
        ahead = "a sign of buying ahead" if stock["pct_lo95"] > 0 else "no clear sign of " \
            "buying ahead"
        text += (f". Three months before the announcement: {stock['pct']:+.0f}% "
                 f"({stock['pct_lo95']:+.0f}% to {stock['pct_hi95']:+.0f}%), {ahead}")
    else:
        text += ". Too few figures before the announcement for a stockpiling window"
    if study.window(1) is None:
        text += (f" — suspended from {study.event.ended} before it took effect, so this covers "
                 "the months between announcement and suspension")
    elif study.event.ended is not None:
        text += f" — ended by {study.event.ended_by} from {study.event.ended}"
    thin = []
    if study.model != models._resolve(study.requested):
        thin.append(f"the {study.requested} model could not forecast every month with a figure, "
                    f"so {study.model.replace('_', ' ')} is the expectation")
    if head["method"].startswith("model"):
        thin.append("too few past errors to calibrate the interval (the model's own is used)")
    if thin:
        text += ". History is short: " + "; ".join(thin)
    return text + "."


@dataclass
class Panel:
    """Event studies of several events on several series: `studies` and `tables` (see `summary`)
    and `verdicts` keyed by (series label, event id); `skipped` says why a pair has no study."""

    studies: dict[tuple[str, str], Study]
    tables: dict[tuple[str, str], pd.DataFrame]
    verdicts: dict[tuple[str, str], str]
    skipped: dict[tuple[str, str], str]


def panel(series_by_label: Mapping[str, pd.Series], chosen: pd.DataFrame, events: pd.DataFrame,
          windows: Sequence[int] = (1, 3, 6), model: str = "default", before: int = 6,
          after: int = 12) -> Panel:
    """`event_study`, `summary` (against each series' own placebos, all events of `events`
    excluded from the calm months) and `verdict` for every series and every event of `chosen`."""
    out = Panel({}, {}, {}, {})
    for label, y in series_by_label.items():
        calm = {n: placebos(y, events, months=n, model=model) for n in windows}
        for _, row in chosen.iterrows():
            key = (label, str(row["id"]))
            try:
                study = event_study(y, row, before, after, model, events)
            except ValueError as err:
                out.skipped[key] = f"{label}: no study — {str(err).split(': ', 1)[-1]}."
                continue
            out.studies[key] = study
            out.tables[key] = summary(study, y, calm, windows)
            out.verdicts[key] = verdict(label, study, out.tables[key])
    return out


def record(result: Panel) -> dict[str, Any]:
    """The numbers of a panel a reader would quote, rounded, for ``notebooks.record``."""
    keep = ["start", "end", "months", "pct", "pct_lo95", "pct_hi95", "tonnes", "tonnes_lo95",
            "tonnes_hi95", "method", "placebo_share"]
    studies = {}
    for (label, event), table in result.tables.items():
        rows = {name: {k: (round(float(v), 1) if isinstance(v, float) else v)
                       for k, v in row.items() if k in keep} for name, row in table.iterrows()}
        studies[f"{label}|{event}"] = {"model": result.studies[(label, event)].model, **rows}
    return {"studies": studies,
            "verdicts": {f"{k[0]}|{k[1]}": v for k, v in result.verdicts.items()},
            "skipped": {f"{k[0]}|{k[1]}": v for k, v in result.skipped.items()}}


def _event_dates(events: pd.DataFrame | Sequence[Any], kinds: Iterable[str] | None) -> pd.Series:
    """Event dates keyed by id, from a timeline frame (such as ``events.pick``) or a list of
    dates (keyed by themselves), keeping only `kinds` when given."""
    if isinstance(events, pd.DataFrame):
        missing = {"id", "date", "kind"} - set(events.columns)
        if missing:
            raise ValueError(f"the events frame lacks {', '.join(sorted(missing))}")
        table = events.loc[:, ["id", "date", "kind"]]
    else:
        rows = []
        for value in events:
            date = _date(value)
            if date is None:
                raise ValueError(f"{value!r} is not a date; pass event ids as a "
                                "frame from helpers.events.pick")
            rows.append([date.strftime("%Y-%m-%d"), date, None])
        table = pd.DataFrame(rows, columns=["id", "date", "kind"])
    if kinds is not None:
        table = table[table["kind"].isin(list(kinds))]
    if table.empty:
        raise ValueError("no event left to estimate")
    return pd.Series(pd.to_datetime(table["date"]).to_numpy(), index=table["id"].astype(str))


@dataclass
class Intervention:
    """Effects of policy events on log volume, estimated by regression with SARIMA errors.

    `effects`: one row per event (date, month, regressor, coef on the log scale, effect_pct =
    100·(exp(coef)−1) with its 95% CI lo95/hi95, pvalue); for a ramp the effect is per month.
    `path`: per month, the actual, the counterfactual (the model's forecast from the month before
    the first event with every regressor at zero, median and 95% interval) and effect_pct, the
    combined effect the model attributes to the events that month.
    """

    effects: pd.DataFrame
    path: pd.DataFrame
    warnings: list[str]
    aic: float
    n_obs: int


def _regressors(index: pd.PeriodIndex, months: pd.Series, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Step (1 from the event month), pulse (1 in it) or ramp (1, 2, 3... from it) per event."""
    position = np.arange(len(index))
    columns = {}
    for event, month in months.items():
        since = position - (month - index[0]).n
        kind = kinds[event]
        if kind not in REGRESSORS:
            raise ValueError(f"regressor for {event} must be one of {REGRESSORS}, "
                            f"got {kind!r}")
        columns[event] = {"step": since >= 0, "pulse": since == 0, "ramp": np.clip(since + 1, 0,
                                                                                     None)}[kind]
    return pd.DataFrame(columns, index=index).astype(float)


def intervention(series: pd.Series, events: pd.DataFrame | Sequence[Any],
                 kinds: Iterable[str] | None = None, regressor: str | Mapping[str, str] = "step",
                 start: str | pd.Period | None = None, lag: int = 0,
                 order: tuple[int, int, int] = models.Settings.order,
                 seasonal_order: tuple[int, int, int, int] = models.Settings.seasonal_order
                 ) -> Intervention:
    """Estimate what policy events did to a series: SARIMAX on log volume with one regressor per
    event, placed in the month of its date plus `lag` months.

    `events`: a timeline frame (columns id, date, kind, as ``helpers.events.pick``) or a list of
    dates; `kinds` keeps only events of those kinds; `regressor` is "step",
    "pulse" or "ramp" for all events, or a mapping from event id to one of them. `start` trims the
    series (e.g. to skip the sparse early years). Events whose regressors cannot be told apart
    from each other or from the level on the available months raise ValueError.
    """
    y = models.check_series(series if start is None else series.loc[pd.Period(start, freq="M"):])
    dates = _event_dates(events, kinds)
    months = pd.Series([pd.Period(d, freq="M") + lag for d in dates], index=dates.index)
    outside = months[(months <= y.index[0]) | (months > y.index[-1])]
    if len(outside):
        raise ValueError(f"events outside the series window {y.index[0]}–"
                        f"{y.index[-1]}: {', '.join(outside.index)}")
    kind_of = ({e: regressor for e in months.index} if isinstance(regressor, str)
               else dict(regressor))
    missing = set(months.index) - set(kind_of)
    if missing:
        raise ValueError(f"no regressor given for {', '.join(sorted(missing))}")
    x = _regressors(y.index, months, kind_of)
    available = y.notna().to_numpy()
    design = np.column_stack([np.ones(available.sum()), x.to_numpy()[available]])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ValueError("the events' regressors cannot be told apart on the available "
                        "months (same month, or no available month before/after an event)")
    z = np.log(y.to_numpy())
    model = SARIMAX(z, exog=x.to_numpy(), order=order, seasonal_order=seasonal_order,
                    use_exact_diffuse=True)
    try:
        res, caught = models._capture(model.fit, disp=False, method="lbfgs",
                                      maxiter=models.Settings.maxiter)
    except Exception as err:  # report which model failed and why, in the package's error type
        raise ValueError(f"SARIMAX{order}{seasonal_order} with the event regressors "
                        f"could not be fitted: {type(err).__name__}: {err}") from err
    k = x.shape[1]
    coef, ci = res.params[:k], res.conf_int(0.05)[:k]
    effects = pd.DataFrame({
        "date": dates.to_numpy(), "month": months.to_numpy(),
        "regressor": [kind_of[e] for e in months.index], "coef": coef,
        "effect_pct": 100 * np.expm1(coef), "lo95": 100 * np.expm1(ci[:, 0]),
        "hi95": 100 * np.expm1(ci[:, 1]), "pvalue": res.pvalues[:k]}, index=months.index)
    first = int((months.min() - y.index[0]).n)
    before = SARIMAX(z[:first], exog=x.to_numpy()[:first], order=order,
                     seasonal_order=seasonal_order, use_exact_diffuse=True)
    fc, more = models._capture(lambda: before.filter(res.params).get_forecast(
        len(z) - first, exog=np.zeros((len(z) - first, k))))
    band = np.full((len(z), 3), np.nan)
    band[first:] = np.column_stack([fc.predicted_mean, fc.conf_int(alpha=0.05)])
    path = pd.DataFrame({"actual": y, "counterfactual": np.exp(band[:, 0]),
                         "lo95": np.exp(band[:, 1]), "hi95": np.exp(band[:, 2]),
                         "effect_pct": 100 * np.expm1(x.to_numpy() @ coef)}, index=y.index)
    return Intervention(effects, path, caught + more, float(res.aic), int(available.sum()))
