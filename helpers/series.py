"""Gap-aware monthly series built from interval sums, with provenance for every month.

Every figure is a sum over an interval of months (one month, January..m, January-February, a
year). For one series this module (1) picks one value per interval among disagreeing copies,
by a documented rule, (2) derives months that the interval sums pin down uniquely (December =
year - January..November; longer chains too), (3) reports interval sums that contradict each
other beyond rounding instead of averaging them, and (4) leaves every other month missing.

Choice among copies of one interval, in order:
  1. for a single month, agreement with the difference of the same year's year-to-date totals
     (January..m minus January..m-1): a copy that makes the identity hold beats one that breaks it;
  2. the majority: the number of copies that publish the same value, perhaps rounded;
  3. source rank: official GACC > wire services (Reuters, Bloomberg, Xinhua, ...) > trade
     press (SMM, Argus, ...) > others > sources marked weak;
  4. number of copies that agree with it within rounding;
  5. precision (more decimals), then earliest publication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import figures as figures_mod
from helpers import outlets, paths
from helpers.errors import DataError

_ORDINAL = attrgetter("ordinal")  # a month's sort key

Figures = pd.DataFrame | str | Path | None


def source_rank(source: str, url: str, note: str) -> int:
    """0 official GACC, 1 wire service, 2 trade press, 3 other, 4 marked weak: the ranks of
    data/reference/outlets.csv (``helpers.outlets``)."""
    return outlets.rank(source, url, note)


def half_unit(value: float, measure: str = "quantity_t", note: str = "") -> float:
    """Half of the last published digit: the rounding a figure can carry.

    Read from the value itself: decimals give 0.5·10^-d; a whole figure marked rounded, or a
    value published in millions (USD, CNY), carries half of its trailing zeros
    (34,800 t rounded -> 50 t; USD 488.8 mn -> USD 50,000); a figure noted "truncated" (cut
    to tens, say, not rounded) carries a whole unit of its last digit.
    """
    text = f"{value:.10g}"
    if "." in text:
        half = 0.5 * 10 ** -len(text.split(".")[1])
    elif "rounded" in note or measure != "quantity_t":
        half = 0.5 * 10 ** (len(text) - len(text.rstrip("0")))
    else:
        half = 0.5
    return 2 * half if "truncated" in note else half  # cut, not rounded: a whole unit


def _agree(a: float, b: float, tol_a: float, tol_b: float) -> bool:
    return abs(a - b) <= tol_a + tol_b + 1e-9


@dataclass
class Interval:
    """One interval sum of the series: the chosen copy and the others."""

    start: pd.Period
    end: pd.Period
    value: float
    tol: float
    rank: int
    ids: list[str]
    sources: list[dict[str, str]]
    alternatives: list[dict[str, object]] = field(default_factory=list)

    @property
    def months(self) -> tuple[pd.Period, ...]:
        return _months(self.start, self.end)


@lru_cache(maxsize=4096)
def _months(start: pd.Period, end: pd.Period) -> tuple[pd.Period, ...]:
    """The months start..end, made once per pair: derivation asks for the same few thousand
    times per build. A tuple, not a PeriodIndex: iterating an index boxes every month anew."""
    return tuple(pd.period_range(start, end, freq="M"))


@dataclass
class Built:
    """Everything known about one series: months, intervals, contradictions."""

    months: pd.DataFrame
    intervals: list[Interval]
    contradictions: list[dict[str, object]]
    janfeb: pd.DataFrame


def select(figures: Figures, product: str, flow: str, partner: str,
           measure: str) -> pd.DataFrame:
    """The validated figures of one series (data/figures.csv unless a frame or path is given)."""
    if figures is None:
        frame = _load_default()
    elif isinstance(figures, pd.DataFrame):
        frame = figures
    else:
        frame = figures_mod.load(figures)
    mask = ((frame["product"] == product) & (frame["flow"] == flow)
            & (frame["partner"] == partner) & (frame["measure"] == measure))
    return frame[mask]


@lru_cache(maxsize=1)
def _load_default_cached(mtime: float) -> pd.DataFrame:
    return figures_mod.load(paths.FIGURES)


def _load_default() -> pd.DataFrame:
    return _load_default_cached(paths.FIGURES.stat().st_mtime)


def _copies(rows: pd.DataFrame) -> list[dict[str, object]]:
    out = []
    for figure_id, row in zip(rows.index, rows.to_dict("records"), strict=True):
        out.append({"id": str(figure_id), "value": float(row["value"]),
                    "tol": half_unit(float(row["value"]), row["measure"], row["note"]),
                    "rank": source_rank(row["source"], row["url"], row["note"]),
                    "published": row["published"], "source": row["source"], "url": row["url"]})
    return out


def _choose(copies: list[dict[str, object]], support: dict[str, int]) -> list[dict[str, object]]:
    """Order copies by the module's rule; the first is chosen. `support` counts identities held."""
    def agreeing(copy: dict[str, object]) -> int:
        return sum(_agree(copy["value"], other["value"], copy["tol"], other["tol"])
                   for other in copies)

    def same(copy: dict[str, object]) -> int:
        """Copies that publish this value, perhaps rounded (3,188 and 3,187 are two values;
        5,853.9 and 5,854 one)."""
        return sum(abs(copy["value"] - other["value"]) <= max(copy["tol"], other["tol"]) + 1e-9
                   for other in copies)

    return sorted(copies, key=lambda c: (-support.get(c["id"], 0), -same(c), c["rank"],
                                         -agreeing(c), c["tol"], c["published"], c["url"],
                                         c["id"]))


def _interval_from(ordered: list[dict[str, object]], start: str, end: str) -> Interval:
    best = ordered[0]
    same = [c for c in ordered if _agree(c["value"], best["value"], c["tol"], best["tol"])]
    others = [c for c in ordered if c not in same]
    return Interval(
        start=pd.Period(start, "M"), end=pd.Period(end, "M"), value=best["value"],
        tol=best["tol"], rank=best["rank"], ids=[best["id"]],
        sources=[{"source": c["source"], "url": c["url"], "published": c["published"],
                  "id": c["id"]} for c in same],
        alternatives=[{"value": c["value"], "source": c["source"], "url": c["url"],
                       "id": c["id"]} for c in others])


def _support(groups: dict[tuple[str, str], list[dict[str, object]]]) -> dict[str, int]:
    """For each single-month copy, how many year-to-date differences (pairs of intervals
    January..m-1 and January..m of the series) it agrees with; only totals precise enough to
    derive from (to the unit, not weak) arbitrate, so a rounded copy never picks a month."""
    def precise(copies: list[dict[str, object]]) -> list[dict[str, object]]:
        return [c for c in copies if c["tol"] <= 0.5 and c["rank"] < 4]

    support: dict[int, int] = {}
    for (start, end), copies in groups.items():
        if start != end or end.endswith("-01"):
            continue
        month = pd.Period(end, "M")
        year_start = f"{month.year}-01"
        big = precise(groups.get((year_start, end), []))
        small = precise(groups.get((year_start, str(month - 1)), []))
        for copy in copies:
            if any(_agree(b["value"] - s["value"], copy["value"], b["tol"] + s["tol"],
                          copy["tol"]) for b in big for s in small):
                support[copy["id"]] = 1
    return support


def intervals(product: str = "rare_earths", flow: str = "export", partner: str = "World",
              measure: str = "quantity_t", figures: Figures = None) -> list[Interval]:
    """One chosen value per published interval, with the copies that agree and disagree."""
    rows = select(figures, product, flow, partner, measure)
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    keys = zip(rows["start"], rows["end"], strict=True)
    for key, copy in zip(keys, _copies(rows), strict=True):
        groups.setdefault(key, []).append(copy)  # one to_dict for all rows: the brief's hot spot
    groups = dict(sorted(groups.items()))
    support = _support(groups)
    return [_interval_from(_choose(copies, support), start, end)
            for (start, end), copies in groups.items()]


def _usable(interval: Interval) -> bool:
    """Derive only from figures published to the unit or finer and not from weak sources."""
    return interval.tol <= 0.5 and interval.rank < 4


def _derive(chosen: list[Interval]) -> Built:
    """Peel the interval system: fix single months, then derive any month left alone."""
    first = min(i.start for i in chosen)
    last = max(i.end for i in chosen)
    index = pd.period_range(first, last, freq="M")
    # plain dicts while peeling (a frame's .at is slow in these loops), a frame at the end
    months = {m: {"value": np.nan, "origin": "missing", "tol": 0.0, "ids": [], "sources": [],
                  "conflict": False, "alternatives": [], "derivation": "", "usable": False,
                  "rank": 0} for m in index}
    for interval in chosen:
        if interval.start == interval.end:
            m = interval.start
            months[m]["value"] = interval.value
            months[m]["origin"] = "reported"
            months[m]["tol"] = interval.tol
            months[m]["ids"] = list(interval.ids)
            months[m]["sources"] = interval.sources
            months[m]["alternatives"] = interval.alternatives
            months[m]["conflict"] = bool(interval.alternatives)
            months[m]["usable"] = _usable(interval)
            months[m]["rank"] = interval.rank
    # Candidate equations: each interval, and each difference of two nested intervals that
    # share their start (January..Oct minus January..Sep = October).
    multi = [i for i in chosen if i.start != i.end and _usable(i)]
    equations = [(set(i.months), i.value, i.tol, list(i.ids), f"{i.start}..{i.end}")
                 for i in multi]
    for big in multi:
        for small in multi:
            if small.start == big.start and small.end < big.end:
                equations.append((set(big.months) - set(small.months), big.value - small.value,
                                  big.tol + small.tol, big.ids + small.ids,
                                  f"{big.start}..{big.end} - {small.start}..{small.end}"))
    janfeb: dict[int, dict[str, object]] = {}
    for interval in chosen:
        if interval.start.month == 1 and interval.end.month == 2:
            janfeb[interval.start.year] = {"value": interval.value, "origin": "reported",
                                           "ids": list(interval.ids),
                                           "derivation": f"{interval.start}..{interval.end}"}
    contradictions: list[dict[str, object]] = []
    while True:
        # Among equations that leave one month (or Jan+Feb together) unknown, use the one
        # resting on the fewest published rows: the same release's chain before long sums.
        candidates = []
        for months_set, value, tol, ids, label in equations:
            known = sorted((m for m in months_set if months[m]["origin"] != "missing"),
                           key=_ORDINAL)  # ordinals: comparing Periods is slow here
            unknown = sorted(months_set - set(known), key=_ORDINAL)
            is_janfeb = (len(unknown) == 2 and [m.month for m in unknown] == [1, 2]
                         and unknown[0].year not in janfeb)
            if (len(unknown) != 1 and not is_janfeb) or not all(
                    months[m]["usable"] for m in known):
                continue  # a month is derived only from precise, non-weak figures
            used = sorted(set(ids + [i for m in known for i in months[m]["ids"]]))
            candidates.append((len(used), label, unknown, value, tol, known, used))
        if not candidates:
            break
        _, label, unknown, value, tol, known, used = min(candidates, key=lambda c: c[:2])
        rest = value - sum(months[m]["value"] for m in known)
        how = label + "".join(f" - {m}" for m in known)
        if len(unknown) == 1:
            m = unknown[0]
            months[m]["value"] = rest
            months[m]["origin"] = "derived"
            months[m]["tol"] = tol + sum(months[k]["tol"] for k in known)
            months[m]["ids"] = used
            months[m]["derivation"] = how
            months[m]["usable"] = True
        else:
            janfeb[unknown[0].year] = {"value": rest, "origin": "derived", "ids": used,
                                       "derivation": how}
    # Checks: each interval against its months, then each difference of nested intervals
    # (a year minus January..November against December) unless one of the two intervals
    # already contradicts its months. Rounding allowed: half a unit of the last digit of
    # each published figure in the equation, not of each month summed.
    tolerance = {i: interval.tol for interval in chosen for i in interval.ids}
    checks = [(list(i.months), i.value, list(i.ids), f"{i.start}..{i.end}", ()) for i in chosen
              if i.start != i.end and i.end.month != 2]  # Jan-Feb is summed below
    checks += [(sorted(m, key=_ORDINAL), value, ids, label, tuple(label.split(" - ")))
               for m, value, _, ids, label in equations if " - " in label]
    for covered, value, ids, label, parts in checks:
        if any(part == c["interval"] for part in parts for c in contradictions):
            continue
        figures_used, total = set(ids), 0.0
        jan_feb_unknown = any(months[m]["origin"] == "missing" for m in covered[:2])
        if (covered[0].month == 1 and len(covered) > 1 and jan_feb_unknown
                and covered[0].year in janfeb):
            total += janfeb[covered[0].year]["value"]
            figures_used |= set(janfeb[covered[0].year]["ids"])
            covered = covered[2:]
        if any(months[m]["origin"] == "missing" for m in covered):
            continue
        total += sum(months[m]["value"] for m in covered)
        figures_used |= {i for m in covered for i in months[m]["ids"]}
        slack = sum(tolerance.get(i, 0.5) for i in sorted(figures_used))  # same sum every run
        if abs(total - value) > slack + 1e-9:
            contradictions.append({"interval": label, "published": value,
                                   "sum_of_months": total, "difference": value - total,
                                   "tolerance": slack, "ids": list(ids)})
    for year in sorted({m.year for m in index}):
        jan, feb = pd.Period(f"{year}-01", "M"), pd.Period(f"{year}-02", "M")
        if year not in janfeb and all(m in months and months[m]["origin"] != "missing"
                                      for m in (jan, feb)):
            janfeb[year] = {"value": months[jan]["value"] + months[feb]["value"],
                            "origin": "sum of months",
                            "ids": sorted(set(months[jan]["ids"] + months[feb]["ids"])),
                            "derivation": f"{jan} + {feb}"}
    jf = pd.DataFrame.from_dict(janfeb, orient="index").sort_index()
    jf.index.name = "year"
    rows = [months[m] for m in index]  # by column: from_dict(orient="index") is ten times slower
    frame = pd.DataFrame({column: [row[column] for row in rows] for column in rows[0]},
                         index=index)
    frame["value"] = frame["value"].astype(float)
    return Built(months=frame, intervals=chosen, contradictions=contradictions, janfeb=jf)


def build(product: str = "rare_earths", flow: str = "export", partner: str = "World",
          measure: str = "quantity_t", figures: Figures = None) -> Built:
    """Choose, derive and check one series; see the module docstring for the rules."""
    chosen = intervals(product, flow, partner, measure, figures)
    if not chosen:
        raise DataError(figures if isinstance(figures, (str, Path)) else paths.FIGURES, None,
                        f"no figures for {flow} {product} {partner} {measure}")
    return _derive(chosen)


def monthly(product: str = "rare_earths", flow: str = "export", partner: str = "World",
            measure: str = "quantity_t", figures: Figures = None) -> pd.Series:
    """One value per month (PeriodIndex, freq M), first to last month with data, NaN if unknown."""
    months = build(product, flow, partner, measure, figures).months
    series = months["value"].astype(float).rename(f"{flow} {product} {partner} {measure}")
    series.index.name = "month"
    return series


def janfeb(product: str = "rare_earths", flow: str = "export", partner: str = "World",
           measure: str = "quantity_t", figures: Figures = None) -> pd.Series:
    """Combined January+February per year (reported, derived, or the sum of both months)."""
    jf = build(product, flow, partner, measure, figures).janfeb
    if jf.empty:
        return pd.Series(dtype=float, name="janfeb")
    return jf["value"].astype(float).rename("janfeb")


def provenance(product: str = "rare_earths", flow: str = "export", partner: str = "World",
               measure: str = "quantity_t", figures: Figures = None) -> pd.DataFrame:
    """Per month: value, origin (reported|derived|missing), sources, ids of the figures used,
    conflict, alternatives."""
    months = build(product, flow, partner, measure, figures).months
    out = months[["value", "origin", "sources", "ids", "derivation", "conflict",
                  "alternatives"]].copy()
    out.index.name = "month"
    return out


def interval_total(built: Built, start: str | pd.Period, end: str | pd.Period
                   ) -> tuple[float, str] | None:
    """The sum over start..end: as published if that interval was, else from the months
    (the combined Jan-Feb figure standing in for both months); None when it is not known."""
    start, end = pd.Period(start, "M"), pd.Period(end, "M")
    for interval in built.intervals:
        if interval.start == start and interval.end == end:
            return interval.value, "published"
    months = built.months
    span = list(pd.period_range(start, end, freq="M"))
    total, how = 0.0, "sum of months"
    if (start.month == 1 and end.month >= 2 and start.year in built.janfeb.index
            and any(m not in months.index or months.at[m, "origin"] == "missing"
                    for m in span[:2])):
        total += float(built.janfeb.loc[start.year, "value"])
        span = span[2:]
        how = "Jan+Feb combined plus the later months"
    if any(m not in months.index or months.at[m, "origin"] == "missing" for m in span):
        return None
    return total + float(sum(months.at[m, "value"] for m in span)), how
