"""Raw customs downloads: GACC's online database (English or Chinese interface) and UN Comtrade
CSVs saved from ``comtradeapicall``, read into one tidy frame; ``to_figures`` turns that frame
into rows of the ``data/figures.csv`` schema so a download feeds `helpers.series` directly.

Both readers share one parser: a layout is a table of header aliases, every line is checked,
and bad input raises `DataError` naming the file and the physical line (header = line 1).
Nothing here writes to disk.
"""

from __future__ import annotations

import codecs
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pandas as pd

from helpers import csvfile, figures, snapshots
from helpers.errors import DataError

LOG = logging.getLogger("helpers.customs")

WORLD = "World"
VALUE_COLUMNS = ["value_usd", "value_cny"]
TIDY_COLUMNS = ["period", "flow", "hs_code", "commodity", "partner_code", "partner",
                "regime_code", "regime", "province", "quantity", "unit", "quantity_t",
                *VALUE_COLUMNS, "dataset", "source_file", "source_line"]

#: A row's identity: two rows with the same key in one call are an error, not a sum.
KEY = ["flow", "period", "partner_code", "partner", "hs_code", "regime_code", "regime",
       "province"]

Paths = str | Path | Iterable[str | Path]


@dataclass(frozen=True)
class _Layout:
    """One kind of file: header aliases per field, and what every file of the kind must have."""

    name: str
    reader: str
    dataset: str  # source title prefix; `{language}` is the interface language of the header
    aliases: Mapping[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each entry: any one of these fields
    defaults: Mapping[str, str] = field(default_factory=dict)  # fields the layout implies
    fixed: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # field: (value, meaning)


_REQUIRED = (("period", "year"), ("hs_code",), ("quantity",), ("unit",), tuple(VALUE_COLUMNS))

_GACC = _Layout(
    name="GACC database download",
    reader="read_gacc",
    dataset="GACC database download ({language} interface)",
    aliases={
        "period": ("Date of data", "数据年月", "统计年月"),
        "partner_code": ("Trading partner code", "贸易伙伴编码"),
        "partner": ("Trading partner", "贸易伙伴名称", "贸易伙伴", "产销国名称",
                    "原产国（地区）名称", "最终目的国（地区）名称"),
        "hs_code": ("Commodity code", "商品编码"),
        "commodity": ("Commodity", "商品名称"),
        "regime_code": ("Customs Regime code", "贸易方式编码"),
        "regime": ("Customs Regime", "贸易方式名称", "贸易方式"),
        "province_code": ("注册地编码",),
        "province": ("注册地名称",),
        "quantity": ("Quantity", "第一数量"),
        "unit": ("Unit", "第一计量单位"),
        "supp_quantity": ("Supplimentary Quantity", "Supplementary Quantity", "第二数量"),
        "supp_unit": ("Supplimentary Unit", "Supplementary Unit", "第二计量单位"),
        "value_usd": ("US dollar", "美元"),
        "value_cny": ("RMB", "Renminbi", "Renminbi Yuan", "人民币"),
    },
    required=_REQUIRED,
)

_COMTRADE = _Layout(
    name="UN Comtrade CSV (comtradeapicall)",
    reader="read_comtrade",
    dataset="UN Comtrade download (comtradeapicall)",
    aliases={
        "period": ("period",),
        "year": ("refYear",),
        "month": ("refMonth",),
        "flow": ("flowCode",),
        "reporter_code": ("reporterCode",),
        "reporter_iso": ("reporterISO",),
        "reporter": ("reporterDesc",),
        "partner_code": ("partnerCode",),
        "partner": ("partnerDesc",),
        "hs_code": ("cmdCode",),
        "commodity": ("cmdDesc",),
        "regime_code": ("customsCode",),
        "regime": ("customsDesc",),
        "quantity": ("netWgt",),
        "supp_quantity": ("qty",),
        "supp_unit": ("qtyUnitAbbr",),
        "value_usd": ("primaryValue",),
    },
    required=(*_REQUIRED, ("flow",), ("reporter_code", "reporter_iso", "reporter")),
    defaults={"unit": "kg"},
    fixed={"reporter_code": ("156", "China (reporter code 156) as reporter"),
           "reporter_iso": ("chn", "China (reporter CHN) as reporter"),
           "reporter": ("china", "China as reporter")},
)

_LAYOUTS = (_GACC, _COMTRADE)

#: A field that is useless without its companion column.
_COMPANIONS = {"partner_code": "partner", "year": "month", "month": "year"}

#: Kilograms per unit, keyed by the normalised unit name (see `_norm`).
_KG_PER_UNIT = {"kilogram": 1.0, "kilograms": 1.0, "kg": 1.0, "千克": 1.0, "公斤": 1.0,
                "ton": 1e3, "tons": 1e3, "tonne": 1e3, "tonnes": 1e3, "t": 1e3, "吨": 1e3,
                "metricton": 1e3, "gram": 1e-3, "grams": 1e-3, "g": 1e-3, "克": 1e-3,
                "10000t": 1e7, "万吨": 1e7}

#: The earliest year a download may hold: an earlier period is a typo, not data.
FIRST_YEAR = 1990

_FLOW_CODES = {"X": "export", "M": "import", "RX": "re-export", "RM": "re-import"}

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?")
_PERIOD = re.compile(r"(\d{4})(?:(\d{2})|[-/.年](\d{1,2})月?)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

#: Partner names met in downloads, mapped onto the figures schema's names.
PARTNER_NAMES = {
    "世界": WORLD, "总值": WORLD,
    "日本": "Japan",
    "美国": "United States", "USA": "United States", "United States of America": "United States",
    "德国": "Germany",
    "韩国": "South Korea", "Korea": "South Korea", "Rep. of Korea": "South Korea",
    "Republic of Korea": "South Korea", "Korea, Rep.": "South Korea",
    "Korea, Republic of": "South Korea",
    "印度": "India",
    "越南": "Vietnam", "Viet Nam": "Vietnam",
    "意大利": "Italy",
    "泰国": "Thailand",
    "中国香港": "Hong Kong", "香港": "Hong Kong", "China, Hong Kong SAR": "Hong Kong",
    "Hong Kong, China": "Hong Kong",
    "欧盟": "European Union", "欧洲联盟": "European Union", "EU": "European Union",
    "荷兰": "Netherlands",
    "缅甸": "Myanmar", "Burma": "Myanmar",
    "马来西亚": "Malaysia",
}


def read_gacc(paths: Paths, flow: str) -> pd.DataFrame:
    """Read GACC database downloads (a file, a list of files or a folder of CSVs) of one flow.

    The file does not say whether it holds exports or imports, hence `flow`. Files of one
    call must be one query (same splits, same currency); see `TIDY_COLUMNS` for the result.
    """
    if flow not in figures.FLOWS:
        raise ValueError(f"flow {flow!r}: expected one of {figures.FLOWS}")
    return _read(paths, _GACC, flow)


def read_comtrade(paths: Paths, *, reporter: str = "156") -> pd.DataFrame:
    """Read CSVs saved from `comtradeapicall` DataFrames (China as reporter) into the tidy frame.

    Net weight (kg) gives `quantity_t`, `primaryValue` gives `value_usd`; re-export and
    re-import rows (RX/RM) are kept as flows `re-export`/`re-import`, which `to_figures` skips.
    A snapshot folder (`python -m helpers fetch comtrade`) stands for the newest snapshot of
    each of its queries by `reporter` (another code reads a partner's own reports, for
    `helpers.mirror`); snapshot rows name their source as "UN Comtrade, reporter China, HS
    850511, retrieved YYYY-MM-DD" and carry `source_url` (the query, no key) and `retrieved`.
    """
    files = snapshots.expand(_paths(paths), reporter)
    layout = _COMTRADE if reporter == "156" else replace(
        _COMTRADE, required=(*_REQUIRED, ("flow",), ("reporter_code",)),
        fixed={"reporter_code": (reporter, f"reporter code {reporter}")})
    tidy = _read(files, layout, None)
    records = {path.name: snapshots.manifest(path) for path in files}
    manifests = tidy["source_file"].map(records)
    if manifests.notna().any():
        day = manifests.map(lambda m: m and m["retrieved"][:10])
        reporter_name = manifests.map(lambda m: m and m["query"]["reporter_name"])
        snapshot = manifests.notna()
        tidy.loc[snapshot, "dataset"] = ("UN Comtrade, reporter " + reporter_name + ", HS "
                                         + tidy["hs_code"] + ", retrieved " + day)[snapshot]
        tidy["source_url"] = manifests.map(lambda m: m and m["url"])
        tidy["retrieved"] = day
    return tidy


def read_download(paths: Paths, flow: str = "export") -> pd.DataFrame:
    """GACC downloads or Comtrade CSVs of one call, each file's layout told by its header.

    As with `read_gacc`, the files are one query: a long query split over files is read
    whole, and a row given twice is an error. A call mixing the two kinds is an error too.
    `flow` applies to GACC downloads (their files do not say it).
    """
    files = _files(paths)
    kinds = {path: layout_of(path) for path in files}
    for path, kind in kinds.items():
        if kind is None:
            raise DataError(path, 1, f"header is neither a {_GACC.name} nor a {_COMTRADE.name}; "
                            "expected columns such as 'Date of data', '数据年月' or 'period', "
                            "'refYear'")
        if kind is not kinds[files[0]]:
            raise DataError(path, 1, f"a {kind.name} among files read as {kinds[files[0]].name} "
                            f"({files[0].name}); expected one kind of download per call")
    layout = kinds[files[0]]
    return read_gacc(files, flow) if layout is _GACC else read_comtrade(files)


def layout_of(path: str | Path) -> _Layout | None:
    """Which download layout a file's header is (None: neither); DataError if it is unreadable."""
    path = Path(path)
    text, _ = _decode(path)
    first = next(csvfile.records(path, text), None)
    if first is None:
        raise DataError(path, 1, f"empty file; expected the header line of a {_GACC.name} or a "
                        f"{_COMTRADE.name}")
    names = {_norm(column) for column in first[1]}
    known = [sum(_norm(alias) in names for aliases in layout.aliases.values() for alias in aliases)
             for layout in _LAYOUTS]
    return _LAYOUTS[known.index(max(known))] if max(known) else None


def to_figures(frame: pd.DataFrame, product: str = "magnets", *, published: str | None,
               measure: str = "quantity_t", hs_codes: Sequence[str] | None = None,
               partners: str | Sequence[str] = "all", covers_all_partners: bool = False,
               partner_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Monthly figures (data/figures.csv schema) of one product from a tidy customs frame.

    Sums over customs regimes, provinces and the product's HS codes (an HS code matches every
    code of the data that starts with it). Rows without a partner split are `World`; a
    partner split gives a row per schema partner, and a `World` sum only when the caller
    says the download covers all partners (`covers_all_partners=True`). `published` is the
    date to record (a file's modification time would not be reproducible); None takes the
    retrieval date of Comtrade snapshots, whose figures also get the query as address.
    """
    codes = _product_codes(product, hs_codes)
    if measure not in figures.MEASURES:
        raise ValueError(f"measure {measure!r}: expected one of {list(figures.MEASURES)}")
    if published is None:
        if "retrieved" not in frame.columns or frame["retrieved"].isna().any():
            raise ValueError("published=None needs a frame read from Comtrade snapshots; "
                             "pass the date YYYY-MM-DD to record")
        when = None
    else:
        when = _published_date(published)
    files = ", ".join(sorted(frame["source_file"].unique()))
    if measure not in frame.columns:
        raise DataError(files, None, f"no {measure} column; expected a download in "
                        f"{figures.MEASURES[measure]} for measure {measure!r}")
    rows = frame[frame["hs_code"].str.startswith(tuple(codes))]
    other_flows = ~rows["flow"].isin(figures.FLOWS)
    if other_flows.any():
        kinds = "/".join(sorted(rows.loc[other_flows, "flow"].unique()))
        LOG.info("to_figures: %s not used (figures hold exports and imports only)",
                 _count(other_flows.sum(), f"{kinds} row"))
        rows = rows[~other_flows]
    if rows.empty:
        raise DataError(files, None, f"no export or import rows with HS codes {codes}; expected "
                        f"some among the data's {sorted(frame['hs_code'].unique())}")
    present = sorted(rows["hs_code"].unique())
    nested = [(a, b) for a in present for b in present if a != b and b.startswith(a)]
    if nested:
        raise DataError(files, None, f"HS {nested[0][0]} and {nested[0][1]} both present; the "
                        "first includes the second, so summing them counts it twice; expected "
                        "codes of one level")
    latest = rows["period"].max()
    if when is not None and when < latest.start_time.date():
        raise ValueError(f"published {published} is before the data's last month {latest}; "
                         "expected the date the download was made")
    if measure == "quantity_t":
        _require_tonnes(rows)
    named = sorted(rows["partner"].unique())
    rows = rows.assign(partner=_schema_partners(rows, partner_names))
    spec = {"product": product, "measure": measure, "codes": codes, "published": published}
    out = [_figure(part, *key, **spec)
           for key, part in rows.groupby(["flow", "period", "partner"])]
    if covers_all_partners:
        given = set(rows.loc[rows["partner"] == WORLD, ["flow", "period"]]
                    .itertuples(index=False, name=None))
        split = rows[rows["partner"] != WORLD]
        out += [_figure(part, flow, period, WORLD, **spec, extra="World = sum over partners "
                        "(the download covers all partners)")
                for (flow, period), part in split.groupby(["flow", "period"])
                if (flow, period) not in given]
    result = figures.with_ids(pd.DataFrame(out, columns=figures.CONTENT))
    if result.empty:
        raise DataError(files, None, f"no partner of the figures schema; the data's partners "
                        f"{named} are all outside helpers.figures.PARTNERS (pass "
                        "partner_names={...}, or covers_all_partners=True for a World sum)")
    if partners != "all":
        missing = sorted(set(partners) - set(result["partner"]))
        if missing:
            raise DataError(files, None, f"no rows for partners {missing}; expected partners "
                            f"among {sorted(result['partner'].unique())}")
        result = result[result["partner"].isin(partners)]
    return result.sort_values(["flow", "partner", "start"], ignore_index=True)


def snapshot_figures(paths: Paths) -> pd.DataFrame:
    """Validated figures (tonnes and US dollars) of every product with an HS definition found in
    Comtrade snapshots of China's trade (a snapshot folder, or snapshot files).

    Comtrade's HS6/HS4 lines become their own products (`magnets_hs6`...), never the press
    series; a line without a net weight gives no tonnes figure (logged), not a zero.
    """
    tidy = read_comtrade(paths)
    out = []
    for product, spec in figures.PRODUCTS.items():
        codes = tuple(spec["hs_codes"])
        if not codes or not tidy["hs_code"].str.startswith(codes).any():
            continue
        for measure in ("quantity_t", "value_usd"):
            rows = tidy.dropna(subset=[measure])
            if len(rows) < len(tidy):
                LOG.info("snapshot_figures: %s without %s", _count(len(tidy) - len(rows),
                                                                    "line"), measure)
            if rows["hs_code"].str.startswith(codes).any():
                out.append(to_figures(rows, product, published=None, measure=measure))
    if not out:
        raise DataError(_paths(paths)[0], None, "no HS code of a known product in these "
                        f"snapshots ({sorted(tidy['hs_code'].unique())}); expected one of "
                        + ", ".join(c for s in figures.PRODUCTS.values() for c in s["hs_codes"]))
    frame = pd.concat(out, ignore_index=True).astype(str)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return figures.validate(frame, _paths(paths)[0]).set_index("id")


# --- reading -------------------------------------------------------------------------------

def _read(paths: Paths, layout: _Layout, flow: str | None) -> pd.DataFrame:
    """Read every file of one call, check they are one query, and reject duplicate keys."""
    frames, first = [], None
    for path in _files(paths):
        frame, shape, header_line = _read_file(path, layout, flow)
        if first is None:
            first = (path, shape)
        elif shape != first[1]:
            raise DataError(path, header_line, f"columns split the data as {shape}, "
                            f"{first[0].name} as {first[1]}; expected files of one query")
        frames.append(frame)
    tidy = pd.concat(frames, ignore_index=True)
    tidy.attrs["files"] = {name: path for f in frames for name, path in f.attrs["files"].items()}
    _check_duplicates(tidy)
    return tidy


def _paths(paths: Paths) -> list[Path]:
    return [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]


def _files(paths: Paths) -> list[Path]:
    """The files of one call: a folder stands for the .csv files in it, by name."""
    items = _paths(paths)
    if not items:
        raise ValueError("no files given")
    files = []
    for item in map(Path, items):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
            if not found:
                raise DataError(item, None, "no .csv file in this folder; expected downloads "
                                "saved as CSV")
            files += found
        else:
            files.append(item)
    return files


def _read_file(path: Path, layout: _Layout, flow: str | None
               ) -> tuple[pd.DataFrame, str, int]:
    """One file as a tidy frame, with the split of its columns and its header line."""
    text, encoding = _decode(path)
    records = csvfile.records(path, text)
    first = next(records, None)
    if first is None:
        raise DataError(path, 1, f"empty file; expected the header line of a {layout.name}")
    header_line, header = first
    columns = _columns(path, header_line, header, layout)
    width = max(i for i, name in enumerate(header) if name.strip()) + 1
    language = "Chinese" if any(_CJK.search(name) for name in header) else "English"
    dataset = layout.dataset.format(language=language)
    tidy = [_tidy_row(_Row(path, line, cells, columns, width, layout), flow, dataset)
            for line, cells in records]
    if not tidy:
        raise DataError(path, header_line + 1, "no data line; expected rows below the header")
    frame = pd.DataFrame(tidy)
    frame["period"] = pd.PeriodIndex(frame["period"], freq="M")
    frame = frame[[c for c in TIDY_COLUMNS if c in frame.columns]]
    frame.attrs["files"] = {path.name: path}
    _log(path, frame, dataset, encoding)
    shape = ", ".join(f for f in ("partner", "regime", "province", *VALUE_COLUMNS)
                      if f in columns or f"{f}_code" in columns) or "no split"
    return frame, shape, header_line


def _decode(path: Path) -> tuple[str, str]:
    """Text of a file in UTF-8 (with or without BOM), GBK/GB2312 or UTF-16 with a BOM.

    Nothing is guessed: a file that is not valid UTF-8 is taken as GBK only when every
    character it decodes to is simplified Chinese text (GB2312); Shift-JIS, Latin-1 or UTF-8
    mixed with GBK are refused, naming the first line that does not fit.
    """
    data = csvfile.read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise DataError(path, None, "an Excel workbook; expected a CSV file (save the download "
                        "as CSV first)")
    encodings = [enc for bom, enc in _BOMS if data.startswith(bom)][:1]
    if encodings:
        return csvfile.decode(path, data, encodings[0]), encodings[0]
    if b"\x00" in data:
        raise DataError(path, data[:data.index(b"\x00")].count(b"\n") + 1,
                        "NUL bytes; expected CSV text (UTF-16 needs its byte-order mark)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    expected = ("expected one encoding for the whole file: UTF-8, GBK/GB2312 or UTF-16 with a "
                "byte-order mark")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DataError(path, data[:exc.start].count(b"\n") + 1, "undecodable bytes; "
                        + expected) from None
    try:
        text.encode("gb2312")
    except UnicodeEncodeError as exc:
        utf8_line = data[:utf8_error.start].count(b"\n") + 1
        raise DataError(path, text[:exc.start].count("\n") + 1, "bytes that are neither UTF-8 "
                        "nor simplified Chinese GBK (another codec such as Shift-JIS or "
                        f"Latin-1, or UTF-8 mixed with GBK: UTF-8 fails at line {utf8_line}); "
                        + expected) from None
    return text, "gbk"


def _norm(name: str) -> str:
    """Spelling-insensitive form of a header, unit or partner name: NFKC, case-folded, without
    spaces or invisible characters (byte-order marks, zero-width spaces, other format marks)."""
    return re.sub(r"\s+", "", _visible(name)).casefold()


def _visible(text: str) -> str:
    """NFKC text without format characters (Unicode category Cf), stripped."""
    return "".join(c for c in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(c) != "Cf").strip()


def _columns(path: Path, line: int, header: list[str], layout: _Layout
             ) -> dict[str, tuple[int, str]]:
    """Field -> (index, header name) for the header's known columns; DataError if unusable."""
    def matches(lay: _Layout) -> dict[str, tuple[int, str]]:
        lookup = {_norm(alias): name for name, aliases in lay.aliases.items() for alias in aliases}
        found: dict[str, tuple[int, str]] = {}
        for index, column in enumerate(header):
            name = lookup.get(_norm(column))
            if name in found:
                raise DataError(path, line, f"two columns for one field ({found[name][1]!r} and "
                                f"{column.strip()!r}); expected one", column=column.strip())
            if name is not None:
                found[name] = (index, column.strip())
        return found

    def spell(name: str) -> str:
        return " or ".join(repr(alias) for alias in layout.aliases.get(name, ()))

    columns = matches(layout)
    if not columns:
        others = [lay for lay in _LAYOUTS if lay is not layout and matches(lay)]
        hint = f" (this looks like a {others[0].name}: use {others[0].reader})" if others else ""
        raise DataError(path, line, f"header is neither layout of a {layout.name}; expected "
                        f"columns such as {spell('period')}, {spell('hs_code')}{hint}")
    for alternatives in layout.required:
        if not any(name in columns or name in layout.defaults for name in alternatives):
            raise DataError(path, line, "required column missing; expected "
                            + " or ".join(spell(name) for name in alternatives))
    for name, companion in _COMPANIONS.items():
        if name in columns and companion not in columns:
            raise DataError(path, line, f"required column missing; expected {spell(companion)} "
                            f"with {columns[name][1]!r}", column=columns[name][1])
    return columns


class _Row:
    """One data line: its fields by name, and errors that name file, line and column."""

    def __init__(self, path: Path, line: int, cells: list[str],
                 columns: Mapping[str, tuple[int, str]], width: int, layout: _Layout) -> None:
        self.path, self.line, self.cells, self.columns = path, line, cells, columns
        self.defaults = layout.defaults
        if len(cells) < width:
            self.fail(None, f"truncated line: {len(cells)} fields; expected {width} as in the "
                            "header")
        if any(cell.strip() for cell in cells[width:]):
            self.fail(None, f"{len(cells)} fields; expected {width} as in the header")
        given = [name for name in layout.fixed if self.has(name) and self.text(name)]
        for name in given:
            value, meaning = layout.fixed[name]
            if _norm(self.text(name).removesuffix(".0")) != value:
                self.fail(name, f"{self.text(name)!r}; expected {meaning}")
        if layout.fixed and not given:
            named = next((name for name in layout.fixed if self.has(name)), None)
            self.fail(named, "empty; expected " + " or ".join(
                meaning for _, meaning in layout.fixed.values()))

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str) -> str:
        if name not in self.columns:
            return self.defaults.get(name, "")
        return self.cells[self.columns[name][0]].strip()

    def fail(self, name: str | None, message: str) -> NoReturn:
        column = self.columns[name][1] if name in self.columns else None
        raise DataError(self.path, self.line, message, column=column)

    def number(self, name: str, required: bool) -> float:
        """A non-negative number (thousands separators allowed); NaN if empty and optional."""
        text = self.text(name)
        if not text and not required:
            return math.nan
        if not _NUMBER.fullmatch(text):
            self.fail(name, f"{text!r}; expected a number")
        value = float(text.replace(",", ""))
        if value < 0:
            self.fail(name, f"{text!r}; expected a number >= 0")
        if not math.isfinite(value):
            self.fail(name, f"{text[:40]!r}{'...' if len(text) > 40 else ''} is too large; "
                      "expected a finite number")
        return value


def _tidy_row(row: _Row, flow: str | None, dataset: str) -> dict[str, object]:
    """One line of the tidy frame, every field checked."""
    quantity = row.number("quantity", required=False)
    unit = row.text("unit")
    supplementary = (row.number("supp_quantity", required=False), row.text("supp_unit"))
    tidy = {
        "period": _period(row), "flow": flow or _flow(row), "hs_code": _hs_code(row),
        "commodity": row.text("commodity"), "partner_code": row.text("partner_code"),
        "partner": _visible(row.text("partner")) if row.has("partner") else WORLD,
        "regime_code": row.text("regime_code"), "regime": row.text("regime"),
        "province": row.text("province") or row.text("province_code"),
        "quantity": quantity, "unit": unit,
        "quantity_t": _tonnes((quantity, unit), supplementary),
        "dataset": dataset, "source_file": row.path.name, "source_line": row.line,
    }
    if not tidy["partner"]:
        row.fail("partner", "empty; expected a partner name")
    if not math.isfinite(tidy["quantity_t"]) and not math.isnan(tidy["quantity_t"]):
        row.fail("quantity", f"{quantity:g} {unit} is too large in tonnes; expected a finite "
                 "quantity")
    tidy.update({name: row.number(name, required=True) for name in VALUE_COLUMNS if row.has(name)})
    return tidy


def _period(row: _Row) -> str:
    """`YYYY-MM` from YYYYMM (or YYYY-MM, 2025年1月), or from separate year and month columns."""
    name = "period" if row.has("period") else "month"
    text = row.text("period") if row.has("period") else f"{row.text('year')}-{row.text('month')}"
    match = _PERIOD.fullmatch(text)
    year, month = (int(match[1]), int(match[2] or match[3])) if match else (0, 0)
    if not FIRST_YEAR <= year <= date.today().year or not 1 <= month <= 12:
        row.fail(name, f"impossible period {text!r}; expected a month YYYYMM from "
                 f"{FIRST_YEAR} to this year")
    if (year, month) > (date.today().year, date.today().month):
        row.fail(name, f"period {text!r} is in the future; expected a month already past")
    return f"{year}-{month:02d}"


def _flow(row: _Row) -> str:
    code = row.text("flow").upper()
    if code not in _FLOW_CODES:
        row.fail("flow", f"{code!r}; expected one of {', '.join(_FLOW_CODES)}")
    return _FLOW_CODES[code]


def _hs_code(row: _Row) -> str:
    """Digits as text; a leading zero lost to a spreadsheet or `to_csv` (odd length) restored."""
    code = row.text("hs_code").removesuffix(".0")
    code = "0" + code if len(code) % 2 else code
    if not (code.isascii() and code.isdigit() and 2 <= len(code) <= 10):
        row.fail("hs_code", f"{row.text('hs_code')!r}; expected an HS code of 2 to 10 digits")
    return code


def _tonnes(*pairs: tuple[float, str]) -> float:
    """Tonnes from the first (quantity, unit) given in a weight unit; NaN if there is none."""
    for quantity, unit in pairs:
        kilograms = _KG_PER_UNIT.get(_norm(unit))
        if kilograms is not None and not math.isnan(quantity):
            return quantity * kilograms / 1000
    return math.nan


def _log(path: Path, frame: pd.DataFrame, dataset: str, encoding: str) -> None:
    """The one line a loaded file logs: rows read and used, months and partners covered."""
    used = frame["flow"].isin(figures.FLOWS)
    other = _count((~used).sum(), "re-export/re-import row")
    kept = "" if used.all() else f" ({other} kept, not used)"
    months = frame["period"].drop_duplicates().sort_values()
    partners = frame["partner"].nunique()
    LOG.info("%s: %s, %s: %d rows read, %d used%s; %s to %s (%s); %s", path.name, dataset,
             encoding, len(frame), used.sum(), kept, months.iloc[0], months.iloc[-1],
             _count(len(months), "month"), "no partner split (World)"
             if (frame["partner"] == WORLD).all() else _count(partners, "partner"))


def _check_duplicates(frame: pd.DataFrame) -> None:
    """Two rows with one key (in one file or across the files of a call) are an error, and so
    are two rows whose key differs only in spelling: 总值 and 世界 are both the World total, an
    English and a Chinese download of one query name every row twice."""
    identity = pd.DataFrame({
        "flow": frame["flow"], "period": frame["period"], "hs_code": frame["hs_code"],
        "partner": _schema_partners(frame, None, quiet=True).fillna(
            frame["partner_code"].where(frame["partner_code"] != "",
                                        _by_value(frame["partner"], _norm))),
        "regime": frame["regime_code"].where(frame["regime_code"] != "",
                                             _by_value(frame["regime"], _norm)),
        "province": _by_value(frame["province"], _norm)})
    for key, why in ((frame[KEY], "same period, partner, commodity code and customs regime"),
                     (identity, "same period, partner, commodity code and customs regime, "
                      "spelled differently: two total rows, or one query downloaded twice")):
        repeated = key.duplicated()
        if repeated.any():
            group = key.groupby(list(key.columns), sort=False, dropna=False).ngroup()
            later = frame.loc[repeated.idxmax()]
            first = frame.loc[group.eq(group[later.name]).idxmax()]
            raise DataError(_path_of(frame, later["source_file"]), later["source_line"],
                            f"duplicate of {first['source_file']}:{first['source_line']} "
                            f"({why}); expected each once across the files of one call")


def _by_value(column: pd.Series, func) -> pd.Series:
    """`column.map(func)`, calling `func` once per distinct value (downloads repeat names)."""
    return column.map({value: func(value) for value in column.unique()})


def _path_of(frame: pd.DataFrame, name: str) -> Path | str:
    """The full path of a file the frame was read from (its rows keep the name only)."""
    return frame.attrs.get("files", {}).get(name, name)


# --- figures -------------------------------------------------------------------------------

def _product_codes(product: str, hs_codes: Sequence[str] | None) -> list[str]:
    """The HS codes of a product: its definition's, or the caller's where it has none."""
    if product not in figures.PRODUCTS:
        raise ValueError(f"product {product!r}: expected one of {list(figures.PRODUCTS)}")
    defined = list(figures.PRODUCTS[product]["hs_codes"])
    if defined and hs_codes is not None and list(hs_codes) != defined:
        raise ValueError(f"product {product!r} is HS {defined}; hs_codes={list(hs_codes)} "
                         "would mislabel the figures")
    codes = defined or list(hs_codes or [])
    if not codes:
        raise ValueError(f"product {product!r} has no HS definition; pass hs_codes=[...]")
    return codes


def _require_tonnes(rows: pd.DataFrame) -> None:
    """Tonnes were asked for: every row must have had a weight unit."""
    missing = rows[rows["quantity_t"].isna()]
    if not missing.empty:
        bad = missing.iloc[0]
        raise DataError(_path_of(rows, bad["source_file"]), bad["source_line"],
                        f"unit {bad['unit']!r} has no tonnes (nor has the supplementary unit); "
                        "expected kilograms or tonnes for measure 'quantity_t'", column="unit")


def _schema_partners(rows: pd.DataFrame, extra: Mapping[str, str] | None,
                     quiet: bool = False) -> pd.Series:
    """Each row's partner as named in the figures schema, None (logged) if it has no name there.

    Names match whatever their case, width or invisible characters (`_norm`); where the file
    has partner codes, a code names one partner, so a row whose name is not in the reference
    takes the partner its code has on other rows, and a code given to two partners is an error.
    """
    aliases = {**{p: p for p in figures.PARTNERS}, **PARTNER_NAMES, **(extra or {})}
    table = {_norm(k): v for k, v in aliases.items()}
    named = _by_value(rows["partner"], lambda name: table.get(_norm(name)))
    coded = named.notna() & (rows["partner_code"] != "")
    pairs = pd.DataFrame({"code": rows["partner_code"], "partner": named})[coded]
    by_code: dict[str, str] = {}
    for index, code, partner in pairs.drop_duplicates().itertuples():
        if by_code.setdefault(code, partner) != partner:
            raise DataError(_path_of(rows, rows.at[index, "source_file"]),
                            rows.at[index, "source_line"], f"partner code {code!r} is "
                            f"{partner}, on an earlier line {by_code[code]}; expected one "
                            "partner per code", column="partner_code")
    result = named.fillna(rows["partner_code"].map(by_code))
    outside = sorted(rows.loc[result.isna(), "partner"].unique())
    if outside and not quiet:
        LOG.info("to_figures: %s outside the figures schema get no rows of their own (they "
                 "count in World when the download covers all partners): %s",
                 _count(len(outside), "partner"), ", ".join(outside))
    return result.astype(object).where(result.notna(), None)


def _figure(rows: pd.DataFrame, flow: str, period: pd.Period, partner: str, *, product: str,
            measure: str, codes: list[str], published: str | None,
            extra: str = "") -> dict[str, object]:
    """One figures row: the sum of `rows`, with the files and lines it came from."""
    try:
        value = round(math.fsum(rows[measure]), 6)  # exact sum; overflow raises, no warning
    except OverflowError:
        last = rows.iloc[-1]
        raise DataError(_path_of(rows, last["source_file"]), last["source_line"],
                        f"the {measure} sum for {partner} {period} is too large; expected a "
                        "finite total") from None
    datasets = []
    for dataset, part in rows.groupby("dataset"):
        files = "; ".join(f"{name} {_line_ranges(lines)}"
                          for name, lines in part.groupby("source_file")["source_line"])
        datasets.append(f"{dataset} {files}")
    note = (f"{_count(len(rows), 'row')} of HS {', '.join(codes)} summed over customs regimes "
            "and HS codes by helpers.customs.to_figures")
    return {"flow": flow, "product": product, "partner": partner, "measure": measure,
            "start": str(period), "end": str(period), "value": value,
            "as_published": _as_published(rows, measure, value), "source": "; ".join(datasets),
            "url": _address(rows), "published": published or max(rows["retrieved"]),
            "note": "; ".join(filter(None, [note, extra]))}


def _address(rows: pd.DataFrame) -> str:
    """The query of a snapshot (without the key), else `file:` and the files' base names."""
    if "source_url" in rows.columns and rows["source_url"].notna().all():
        return ",".join(sorted(rows["source_url"].unique()))
    return "file:" + ",".join(quote(name) for name in sorted(rows["source_file"].unique()))


def _published_date(published: str) -> date:
    """The `published` argument as a real date that is not in the future."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
            raise ValueError
        when = date.fromisoformat(published)
    except (TypeError, ValueError):
        raise ValueError(f"published {published!r}: expected a real date YYYY-MM-DD") from None
    if when > date.today():
        raise ValueError(f"published {published}: in the future; expected the date the "
                         "download was made")
    return when


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _line_ranges(lines: pd.Series) -> str:
    """`line 5` or `lines 2-5, 9`."""
    numbers = sorted(lines)
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"line{'s' if len(numbers) > 1 else ''} {text}"


def _as_published(rows: pd.DataFrame, measure: str, value: float) -> str:
    """The figure in the source's own unit where one unit covers all rows, and in the measure's."""
    text = f"{value:,.15g} " + {"quantity_t": "t", "value_usd": "US dollars",
                                "value_cny": "yuan"}[measure]
    units = rows["unit"].unique()
    if (measure == "quantity_t" and len(units) == 1 and _norm(units[0]) in _KG_PER_UNIT
            and rows["quantity"].notna().all()):
        text = f"{rows['quantity'].sum():,.15g} {units[0]} = {text}"
    return text if len(rows) == 1 else f"{text} (sum of {len(rows)} rows)"
