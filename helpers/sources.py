"""Build data/figures.csv from the raw source files, normalising ids, periods and units.

Raw files keep each figure exactly as read: free-form series names, `YYYY-Qn`-style periods,
units such as `USD mn`. Two layouts exist:

- the shared file (`data/sources/shared_figures.csv`, `RAW_COLUMNS`: a verbatim copy of the
  team's sourced figures, kept in the project so that a clone can rebuild its data), whose
  free-text `source_title` carries the outlet, the quoted words and the flags; they are mined
  from it;
- the project's own file (`data/sources/found_figures.csv`, `OWN_COLUMNS`), which names them in
  explicit columns (outlet, headline, quote, flags, comment): `python -m helpers add` appends
  to it and nothing is mined.

This module maps both onto the figures schema and writes nothing unless every row validates,
so data/figures.csv is always a complete, checked file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import csvfile, figures, paths
from helpers.errors import DataError

RAW_COLUMNS = ["period", "series", "value", "unit", "source_title", "source_address", "published"]
OWN_COLUMNS = ["period", "series", "value", "unit", "outlet", "headline", "quote", "url",
               "published", "flags", "comment"]
SHARED_FILE = paths.DATA / "sources" / "shared_figures.csv"
OWN_FILE = paths.DATA / "sources" / "found_figures.csv"
#: The flags a raw row may carry (`note` of the figure).
FLAGS = ("weak source", "rounded", "conflicting copies", "publication date uncertain")
CORRECTION_COLUMNS = ["source_address", "series", "period", "corrected_period", "reason"]
ANNOTATION_COLUMNS = ["source_address", "series", "period", "flag", "as_published", "reason"]

_PARTNERS = {"US": "United States", "SouthKorea": "South Korea", "HongKong": "Hong Kong",
             "EU27": "European Union", "EU": "European Union"}
_WIDE_MAGNETS = re.compile(r"magnets_and_magnet_alloys|incl_powder_alloys|magnets_materials")
_WIDE_NOTE = re.compile(r"wider product scope", re.I)
_WEAK = re.compile(r"weak|rewrite|low-quality|aggregator|forum|copy site|mirror|blog|"
                   r"single source", re.I)
# "rounded" or "approximate" said of the figure (not "unrounded"); "about", "around"... only
# where they qualify the figure's own number ("about 1346 t"), not another ("of about 6146 t").
_ROUNDED = re.compile(r"(?<!un)rounded|\bapprox", re.I)
_QUALIFIED = re.compile(r"(?:\babout|\baround|\broughly|\bnearly|\bsome|~|約|约|약)\s*"
                        r"(?:USD|US\$|\$|CNY)?\s*(\d[\d,.]*)", re.IGNORECASE)
_QUOTED = re.compile(r"'([^']*\d[^']*)'|\"([^\"]*\d[^\"]*)\"|“([^”]*\d[^”]*)”|「([^」]*\d[^」]*)」")
_CONFLICT = re.compile(r"conflict|disagree|contradict", re.I)
_INTERVAL = r"(_ytd_Jan-\w+|_fullyear|_quarter_Q[1-4])?$"
_HEADLINE = re.compile(r"^(export|import)_rare_earths_(volume|value)" + _INTERVAL)
_WITH_MAGNETS = re.compile(r"^(export|import)_rare_earths_incl_magnets_(volume|value)" + _INTERVAL)
_QUOTA_ERA = re.compile(r"^export_rare_earths?_(quota_era|ore_metals_compounds|ores_metals_"
                        r"compounds|elements_and_compounds|and_products_headline)")
_MAGNETS = re.compile(r"^export_magnets(_to_(?P<partner>[A-Za-z0-9]+))?_(volume|value)"
                      r"(_85051110)?(_ytd_Jan-\w+|_fullyear)?$")
_BBG = re.compile(r"^export_rare_earth_products_volume_bloomberg_calc$")
_UNITS = {"t": ("quantity_t", 1.0), "USD mn": ("value_usd", 1e6), "CNY mn": ("value_cny", 1e6),
          "USD": ("value_usd", 1.0), "CNY": ("value_cny", 1.0)}
_QUARTER_OR_HALF = {"Q": 3, "H": 6}
#: A published change on the year, when it is the first note after the source's name.
_YOY = re.compile(r"[+\-−]\d+(\.\d+)?% y/y")


@dataclass(frozen=True)
class Mapping:
    """Where a raw series lands in the figures schema."""

    flow: str
    product: str
    partner: str


def classify(series: str, start_year: int, title: str) -> Mapping | None:
    """Map a raw series name to (flow, product, partner); None for series not modelled here."""
    flow = "import" if series.startswith("import_") else "export"
    if _QUOTA_ERA.match(series) or (_HEADLINE.match(series) and flow == "export"
                                    and start_year <= 2014):
        return Mapping("export", "rare_earths_quota_era", "World")
    if _HEADLINE.match(series):
        return Mapping(flow, "rare_earths", "World")
    if _WITH_MAGNETS.match(series):
        return Mapping(flow, "rare_earths_incl_magnets", "World")
    if _BBG.match(series):
        return Mapping("export", "rare_earth_products_bbg", "World")
    if _WIDE_MAGNETS.search(series):
        partner = re.search(r"_to_([A-Za-z]+)_", series)
        return Mapping("export", "magnets_wide",
                       _PARTNERS.get(partner[1], partner[1]) if partner else "World")
    match = _MAGNETS.match(series)
    if match:
        raw = match["partner"] or "World"
        if raw not in _PARTNERS and raw not in figures.PARTNERS:
            return None
        product = "magnets_wide" if _WIDE_NOTE.search(title) else "magnets"
        return Mapping("export", product, _PARTNERS.get(raw, raw))
    return None


def period_bounds(period: str) -> tuple[str, str]:
    """`2025-03` → one month; `2025` → the year; `2025-01..07`, `2025-Q1`, `2025-H1` → from January."""
    month = r"(0[1-9]|1[0-2])"
    if re.fullmatch(rf"\d{{4}}-{month}", period):
        return period, period
    if re.fullmatch(r"\d{4}", period):
        return f"{period}-01", f"{period}-12"
    match = re.fullmatch(rf"(\d{{4}})-({month})\.\.({month})", period)
    if match:
        return f"{match[1]}-{match[2]}", f"{match[1]}-{match[4]}"
    match = re.fullmatch(r"(\d{4})-([QH])([1-4])", period)
    if match:
        return f"{match[1]}-01", f"{match[1]}-{_QUARTER_OR_HALF[match[2]] * int(match[3]):02d}"
    raise ValueError(f"period {period!r} is not YYYY, YYYY-MM, YYYY-MM..MM, YYYY-Qn or YYYY-Hn")


def as_published(value: str, unit: str, title: str, measure: str) -> str:
    """The source's own wording when the title quotes it with its unit, else value and unit."""
    digits = value.replace(".", "").lstrip("0")[:3]
    for match in _QUOTED.finditer(title):
        quote = next(filter(None, match.groups()))
        if (digits and digits in re.sub(r"[^\d]", "", quote)
                and figures.UNIT_WORDS[measure].search(quote)):
            return quote
    return f"{value} {unit}"


def _digits(number: str) -> str:
    """Significant digits of a number as written: `34,800` and `3.48` are both `348`."""
    return re.sub(r"\D", "", number).lstrip("0").rstrip("0")


def approximate(title: str, value: str) -> bool:
    """Whether the title says the figure itself is rounded or approximate: "rounded" (not
    "unrounded"), "approx...", or "about"/"around"/"約"... directly before the figure's own
    digits; such a word before another number says nothing about this one."""
    if _ROUNDED.search(title):
        return True
    own = _digits(value)
    return bool(own) and any(_digits(m[1]) == own for m in _QUALIFIED.finditer(title))


def note_for(title: str, unit: str, published: str, value: str = "") -> str:
    """Flags readers need: weak source, rounded figure, conflicting copies, uncertain date."""
    flags = ["publication date uncertain"] if published.endswith("?") else []
    if _WEAK.search(title):
        flags.append("weak source")
    if approximate(title, value) or "approx" in unit:
        flags.append("rounded")
    if _CONFLICT.search(title):
        flags.append("conflicting copies")
    return "; ".join(flags)


def _read(path: Path, columns: list[str] | tuple[list[str], ...]
          ) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of a raw CSV whose header is `columns` (or one of several layouts), read
    by the package's one strict reader."""
    layouts = columns if isinstance(columns, tuple) else (columns,)
    frame = csvfile.read_table(path, layouts[0], also=layouts[1:])
    return [(int(line), row.to_dict()) for line, row in frame.iterrows()]


def source_text(outlet: str, headline: str, comment: str) -> str:
    """The figures' `source` of an own-file row: `headline (outlet); comment`."""
    text = f"{headline} ({outlet})" if headline else outlet
    return f"{text}; {comment}" if comment else text


def _own_fields(path: Path, line: int, raw: dict[str, str]) -> dict[str, str]:
    """Source, address, as_published and note of a row in the explicit layout."""
    if not raw["outlet"].strip():
        raise DataError(path, line, "every figure needs its outlet", column="outlet")
    flags = [f.strip() for f in raw["flags"].split(";") if f.strip()]
    unknown = [f for f in flags if f not in FLAGS]
    if unknown:
        raise DataError(path, line, f"flags {unknown} are not among {list(FLAGS)}",
                        column="flags")
    return {"source": source_text(raw["outlet"].strip(), raw["headline"].strip(),
                                  raw["comment"].strip()),
            "url": raw["url"], "note": "; ".join(flags),
            "as_published": raw["quote"].strip() or f"{raw['value']} {raw['unit']}"}


@dataclass(frozen=True)
class Correction:
    """A raw row whose source mislabels its period: the period it belongs to, and why."""

    period: str
    reason: str
    line: int


Corrections = dict[tuple[str, str, str], Correction]


@dataclass(frozen=True)
class Annotation:
    """What a raw row's source title does not show: a flag it needs (e.g. a copy truncated to
    tens) and/or the page's own words for `as_published`, with the evidence."""

    flag: str
    as_published: str
    reason: str
    line: int


Annotations = dict[tuple[str, str, str], Annotation]


def read_annotations(path: Path = paths.ANNOTATIONS) -> Annotations:
    """Annotations keyed by (source_address, series, period as published)."""
    out: Annotations = {}
    for line, row in _read(path, ANNOTATION_COLUMNS):
        if row["flag"] and row["flag"] not in FLAGS:
            raise DataError(path, line, f"{row['flag']!r} is not among {list(FLAGS)}",
                            column="flag")
        if not (row["flag"] or row["as_published"].strip()):
            raise DataError(path, line, "an annotation gives a flag or the page's words",
                            column="flag")
        if not row["reason"].strip():
            raise DataError(path, line, "an annotation needs its reason", column="reason")
        out[(row["source_address"], row["series"], row["period"])] = Annotation(
            row["flag"], row["as_published"].strip(), row["reason"].strip(), line)
    return out


def read_corrections(path: Path = paths.PERIOD_CORRECTIONS) -> Corrections:
    """Period corrections keyed by (source_address, series, period as published)."""
    out: Corrections = {}
    for line, row in _read(path, CORRECTION_COLUMNS):
        try:
            period_bounds(row["corrected_period"])
        except ValueError as exc:
            raise DataError(path, line, str(exc), column="corrected_period") from None
        if not row["reason"].strip():
            raise DataError(path, line, "a correction needs its reason", column="reason")
        out[(row["source_address"], row["series"], row["period"])] = Correction(
            row["corrected_period"], row["reason"].strip(), line)
    return out


def normalise(path: Path, corrections: Corrections | None = None,
              applied: set[tuple[str, str, str]] | None = None,
              annotations: Annotations | None = None
              ) -> tuple[list[dict[str, str]], Counter]:
    """Rows of one raw file in the figures schema, and how many raw rows were left out, by
    reason (series not modelled, no publication date).

    A row listed in `corrections` takes the corrected period, one listed in `annotations` its
    flag and words; its note says so and why, and its key is added to `applied`.
    """
    raw_rows = _read(path, (RAW_COLUMNS, OWN_COLUMNS))
    rows, skipped = [], Counter()
    for line, raw in raw_rows:
        own = "outlet" in raw
        key = (raw["url" if own else "source_address"], raw["series"], raw["period"])
        fix = (corrections or {}).get(key)
        flag = (annotations or {}).get(key)
        if (fix or flag) and applied is not None:
            applied.add(key)
        try:
            start, end = period_bounds(fix.period if fix else raw["period"])
        except ValueError as exc:
            raise DataError(path, line, str(exc), column="period") from None
        unit = raw["unit"].split(" (")[0]
        title = raw["comment"] if own else raw["source_title"]
        mapping = classify(raw["series"], int(start[:4]), title)
        if mapping is None or unit not in _UNITS:
            skipped["series not modelled"] += 1
            continue
        if not raw["published"].strip():
            skipped["no publication date"] += 1  # a figure enters only with its date
            continue
        measure, scale = _UNITS[unit]
        try:
            value = float(raw["value"]) * scale
        except ValueError:
            raise DataError(path, line, f"{raw['value']!r} is not a number",
                            column="value") from None
        fields = _own_fields(path, line, raw) if own else {
            "source": raw["source_title"], "url": raw["source_address"],
            "as_published": as_published(raw["value"], raw["unit"], raw["source_title"],
                                         measure),
            "note": note_for(raw["source_title"], raw["unit"], raw["published"], raw["value"])}
        row = {
            "flow": mapping.flow, "product": mapping.product, "partner": mapping.partner,
            "measure": measure, "start": start, "end": end, "value": f"{value:.10g}",
            "as_published": flag.as_published if flag and flag.as_published
            else fields["as_published"], "source": fields["source"],
            "url": fields["url"], "published": raw["published"].rstrip("?"),
            "note": "; ".join(filter(None, [
                fields["note"],
                flag.flag if flag and flag.flag not in fields["note"].split("; ") else "",
                flag.reason if flag else "",
                f"period corrected from {raw['period']}: {fix.reason}" if fix else ""])),
        }
        rows.append(row)
        change = published_change(raw, own) if measure == "quantity_t" else None
        if change:
            rows.append({**row, "measure": "yoy_pct", "as_published": change,
                         "value": change.split("%")[0].replace("−", "-").lstrip("+")})
    return rows, skipped


def published_change(raw: dict[str, str], own: bool) -> str | None:
    """The source's own change on the year (`+10.9% y/y`) when the note right after the
    source's name is exactly that: the change of the figure itself, kept as data."""
    if own:
        first = raw["comment"].split(";")[0]
    else:
        parts = raw["source_title"].split(";")
        first = parts[1] if len(parts) > 1 and parts[0].rstrip().endswith(")") else ""
    first = first.strip()
    return first if _YOY.fullmatch(first) else None


def raw_files() -> list[Path]:
    """The shared figures file first, then the project's own finds in data/sources/."""
    return [SHARED_FILE, *sorted(p for p in (paths.DATA / "sources").glob("*.csv")
                                 if p != SHARED_FILE)]


def build(files: list[Path], out: Path = paths.FIGURES, corrections_file: Path | None = None,
          annotations_file: Path | None = None) -> tuple[int, Counter]:
    """Normalise `files` into `out`, validating first and writing atomically.

    Returns (rows written, raw rows left out by reason). Exact duplicates (same figure, same
    address) are written once. `corrections_file` (data/period_corrections.csv) moves rows whose
    source mislabels the period, `annotations_file` (data/annotations.csv) adds what a row's
    title does not say; a correction or annotation that matches no raw row is an error.
    """
    corrections = read_corrections(corrections_file) if corrections_file else {}
    annotations = read_annotations(annotations_file) if annotations_file else {}
    rows, skipped, applied = [], Counter(), set()
    for path in files:
        file_rows, file_skipped = normalise(path, corrections, applied, annotations)
        rows += file_rows
        skipped += file_skipped
    for file, fixes in ((corrections_file, corrections), (annotations_file, annotations)):
        for key, fix in fixes.items():
            if key not in applied:
                raise DataError(file, fix.line, f"no raw row has source_address, series and "
                                f"period {key}; a correction must name a row as published")
    frame = figures.with_ids(pd.DataFrame(rows, columns=figures.CONTENT, dtype=str))
    frame = frame.drop_duplicates(subset="id")
    frame = frame.sort_values(["flow", "product", "partner", "measure", "start", "end",
                               "published", "url"], kind="stable").reset_index(drop=True)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    for column in ("source", "note"):  # a title is never a live spreadsheet formula
        frame[column] = frame[column].map(csvfile.neutral)
    figures.validate(frame, out)
    csvfile.write_frame(out, frame)
    return len(frame), skipped


def build_shipped() -> tuple[int, Counter]:
    """Rebuild data/figures.csv from the shared and the project's raw files with the project's
    period corrections and annotations: what `build-data` and `add` both run."""
    return build(raw_files(), corrections_file=paths.PERIOD_CORRECTIONS,
                 annotations_file=paths.ANNOTATIONS)
