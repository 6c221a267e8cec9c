"""GACC database downloads and Comtrade CSVs: layouts, encodings, units, bad input, to_figures.

Every fixture is written here, from one made-up data set (ROWS), in the layouts of
../shared/sources/NOTES.md: GACC English (all fields quoted, thousands separators, trailing
comma, CRLF), GACC Chinese (GBK or UTF-8 with BOM, LF) and a `comtradeapicall` DataFrame
saved with `to_csv`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import figures
from helpers.customs import TIDY_COLUMNS, read_comtrade, read_gacc, to_figures
from helpers.errors import DataError

PUBLISHED = "2025-03-20"

# partner: (GACC code, Chinese name, Comtrade code, Comtrade name)
PARTNERS = {"Japan": ("116", "日本", "392", "Japan"),
            "United States": ("502", "美国", "842", "USA"),
            "Germany": ("304", "德国", "276", "Germany")}
REGIMES = {"10": ("Ordinary Trade", "一般贸易"), "15": ("Processing with Imported Materials",
                                                  "进料加工贸易")}
COMMODITIES = {"85051110": ("Permanent magnets of metal, rare-earth", "稀土永磁铁"),
               "85051190": ("Other permanent magnets of metal", "其他金属永磁铁"),
               "28469019": ("Other compounds of rare-earth metals", "其他稀土金属化合物")}
# period, partner, HS code, regime, kilograms, US dollars, items (first unit "Number of item")
ROWS = [
    ("202501", "Japan", "85051110", "10", 1_200_500, 45_000_000, None),
    ("202501", "Japan", "85051110", "15", 300_250, 9_500_000, None),
    ("202501", "United States", "85051110", "10", 800_000, 30_123_456, None),
    ("202501", "Germany", "85051110", "10", 950_750, 36_000_000, None),
    ("202501", "Germany", "85051190", "10", 12_345, 400_000, 5_000),
    ("202502", "Japan", "85051110", "10", 1_100_000, 41_000_000, None),
    ("202502", "United States", "85051110", "15", 700_500, 26_000_000, None),
    ("202502", "Japan", "28469019", "10", 50_000, 2_000_000, None),
]
EN_HEADER = ["Date of data", "Trading partner code", "Trading partner", "Commodity code",
             "Commodity", "Customs Regime code", "Customs Regime", "Quantity", "Unit",
             "Supplimentary Quantity", "Supplimentary Unit", "US dollar"]
ZH_HEADER = ["数据年月", "贸易伙伴编码", "贸易伙伴名称", "商品编码", "商品名称", "贸易方式编码",
             "贸易方式名称", "第一数量", "第一计量单位", "第二数量", "第二计量单位", "美元"]


def en_table(rows=ROWS) -> list[list[str]]:
    """English interface: kilograms, thousands separators, items with kilograms as supplement."""
    table = [list(EN_HEADER)]
    for period, partner, hs, regime, kg, usd, items in rows:
        first = [f"{items:,}", "Number of item"] if items else [f"{kg:,}", "Kilogram"]
        second = [f"{kg:,}", "Kilogram"] if items else ["0", "-"]
        table.append([period, PARTNERS[partner][0], partner, hs, COMMODITIES[hs][0], regime,
                      REGIMES[regime][0], *first, *second, f"{usd:,}"])
    return table


def zh_table(rows=ROWS) -> list[list[str]]:
    """Chinese interface: plain numbers; United States rows in tonnes (吨), others in 千克."""
    table = [list(ZH_HEADER)]
    for period, partner, hs, regime, kg, usd, items in rows:
        if items:
            first = [str(items), "个"]
        elif partner == "United States":
            first = [f"{kg / 1000:g}", "吨"]
        else:
            first = [str(kg), "千克"]
        second = [str(kg), "千克"] if items else ["0", "-"]
        table.append([period, PARTNERS[partner][0], PARTNERS[partner][1], hs, COMMODITIES[hs][1],
                      regime, REGIMES[regime][1], *first, *second, str(usd)])
    return table


def write(path: Path, table: list[list[str]], *, encoding: str = "utf-8", quote: bool = True,
          eol: str = "\r\n", drop: tuple[str, ...] = ()) -> Path:
    """A GACC-style CSV: optional quoting, a trailing comma on every line, chosen line ends."""
    keep = [i for i, name in enumerate(table[0]) if name not in drop]
    cell = (lambda c: f'"{c}"') if quote else str
    lines = [",".join(cell(row[i]) for i in keep if i < len(row)) + "," for row in table]
    text = "".join(line + eol for line in lines)
    path.write_bytes(text.encode(encoding))
    return path


def write_comtrade(path: Path, rows=ROWS, extra: list[dict] | None = None) -> Path:
    """What `comtradeapicall.getFinalData(...).to_csv(path)` gives for ROWS: HS6, no regimes."""
    frame = pd.DataFrame([(p, partner, hs[:6], kg, usd)
                          for p, partner, hs, _, kg, usd, _ in rows],
                         columns=["period", "partner", "cmd", "kg", "usd"])
    frame = frame.groupby(["period", "partner", "cmd"], as_index=False).sum()
    records = [{"typeCode": "C", "freqCode": "M", "refPeriodId": int(r.period + "01"),
                "refYear": int(r.period[:4]), "refMonth": int(r.period[4:]),
                "period": int(r.period), "reporterCode": 156, "reporterISO": "CHN",
                "reporterDesc": "China", "flowCode": "X", "flowDesc": "Export",
                "partnerCode": int(PARTNERS[r.partner][2]), "partnerISO": "",
                "partnerDesc": PARTNERS[r.partner][3], "partner2Code": 0, "cmdCode": int(r.cmd),
                "cmdDesc": "Permanent magnets, of metal", "customsCode": "C00",
                "customsDesc": "TOTAL CPC", "motCode": 0, "qtyUnitAbbr": "kg",
                "qty": float(r.kg), "altQty": None, "netWgt": float(r.kg),
                "grossWgt": None, "cifvalue": None, "fobvalue": float(r.usd),
                "primaryValue": float(r.usd)} for r in frame.itertuples()]
    pd.DataFrame(records + (extra or [])).to_csv(path)
    return path


def english(tmp_path: Path) -> Path:
    """The English download as a long query split over two files in a folder."""
    folder = tmp_path / "en"
    folder.mkdir()
    table = en_table()
    write(folder / "part1.csv", table[:6])
    write(folder / "part2.csv", table[:1] + table[6:])
    return folder


def raises(call, name: str, line: int | None, *words: str) -> DataError:
    """Assert a DataError naming the file `name` (a path ending in it), `line` and `words`."""
    with pytest.raises(DataError) as caught:
        call()
    message = str(caught.value)
    where = f"{name}:{line}:" if line else f"{name}:"
    assert re.match(rf"(.*/)?{re.escape(where)}", message), message
    for word in words:
        assert word in message, message
    return caught.value


def by_key(frame: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    return {(r.flow, r.partner, r.start): r.value for r in frame.itertuples()}


# --- reading --------------------------------------------------------------------------------

def test_english_folder_split_over_files(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="helpers.customs"):
        tidy = read_gacc(english(tmp_path), "export")
    assert list(tidy.columns) == [c for c in TIDY_COLUMNS if c != "value_cny"]
    assert len(tidy) == len(ROWS)
    assert str(tidy["period"].dtype) == "period[M]"
    assert set(tidy["flow"]) == {"export"}
    assert list(tidy["source_file"]) == ["part1.csv"] * 5 + ["part2.csv"] * 3
    assert list(tidy["source_line"]) == [2, 3, 4, 5, 6, 2, 3, 4]
    first = tidy.iloc[0]
    assert (first["hs_code"], first["partner_code"], first["regime"]) == (
        "85051110", "116", "Ordinary Trade")
    assert first["quantity"] == 1_200_500 and first["quantity_t"] == 1200.5
    assert first["value_usd"] == 45_000_000
    assert first["commodity"] == "Permanent magnets of metal, rare-earth"
    items = tidy.iloc[4]  # "Number of item" with kilograms as the supplementary unit
    assert (items["quantity"], items["unit"], items["quantity_t"]) == (5000, "Number of item",
                                                                       12.345)
    lines = [r.getMessage() for r in caplog.records if r.name == "helpers.customs"]
    assert len(lines) == 2
    assert lines[0].startswith("part1.csv: GACC database download (English interface)")
    assert "5 rows read, 5 used; 2025-01 to 2025-01 (1 month); 3 partners" in lines[0]
    assert "3 rows read, 3 used; 2025-02 to 2025-02 (1 month); 2 partners" in lines[1]


def test_list_of_files_equals_folder(tmp_path):
    folder = english(tmp_path)
    listed = read_gacc([folder / "part1.csv", str(folder / "part2.csv")], "import")
    assert set(listed["flow"]) == {"import"}
    assert listed.drop(columns="flow").equals(read_gacc(folder, "export").drop(columns="flow"))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "gb18030", "utf-16"])
def test_chinese_encodings_tonnes_and_kilograms(tmp_path, encoding, caplog):
    path = write(tmp_path / "zh.csv", zh_table(), encoding=encoding, quote=False, eol="\n")
    with caplog.at_level(logging.INFO, logger="helpers.customs"):
        tidy = read_gacc(path, "export")
    assert "Chinese interface" in caplog.records[0].getMessage()
    english_frame = read_gacc(english(tmp_path), "export")
    assert list(tidy["partner"][:4]) == ["日本", "日本", "美国", "德国"]
    assert list(tidy["unit"][2:5]) == ["吨", "千克", "个"]
    assert tidy["quantity_t"].tolist() == pytest.approx(english_frame["quantity_t"].tolist())
    assert tidy["value_usd"].tolist() == english_frame["value_usd"].tolist()


def test_header_aliases_and_cny(tmp_path):
    table = zh_table(ROWS[:2])
    table[0] = ["统计年月", "贸易伙伴编码", "贸易伙伴", "商品编码", "商品名称", "贸易方式编码",
                "贸易方式", "第一数量", "第一计量单位", "第二数量", "第二计量单位", "人民币"]
    tidy = read_gacc(write(tmp_path / "cny.csv", table, encoding="gb18030"), "import")
    assert "value_cny" in tidy.columns and "value_usd" not in tidy.columns
    assert tidy["value_cny"].sum() == 54_500_000
    fig = to_figures(tidy, "magnets", measure="value_cny", published=PUBLISHED)
    assert fig.loc[0, "as_published"] == "54,500,000 yuan (sum of 2 rows)"
    raises(lambda: to_figures(tidy, "magnets", measure="value_usd", published=PUBLISHED),
           "cny.csv", None, "no value_usd column")


def test_missing_regime_and_partner_columns(tmp_path):
    no_regime = write(tmp_path / "nr.csv", en_table([r for r in ROWS if r[3] == "10"]),
                      drop=("Customs Regime code", "Customs Regime"))
    tidy = read_gacc(no_regime, "export")
    assert set(tidy["regime"]) == {""} and set(tidy["regime_code"]) == {""}
    no_partner = write(tmp_path / "np.csv", en_table([ROWS[0], ROWS[5]]),
                       drop=("Trading partner code", "Trading partner"))
    tidy = read_gacc(no_partner, "export")
    assert set(tidy["partner"]) == {"World"} and set(tidy["partner_code"]) == {""}
    fig = to_figures(tidy, "magnets", published=PUBLISHED)
    assert list(fig["partner"]) == ["World", "World"]
    assert list(fig["value"]) == [1200.5, 1100.0]


def test_province_split_is_part_of_the_key(tmp_path):
    table = zh_table(ROWS[:1] * 2)
    table[0] += ["注册地编码", "注册地名称"]
    table[1] += ["44", "广东省"]
    table[2] += ["32", "江苏省"]
    tidy = read_gacc(write(tmp_path / "prov.csv", table, encoding="gbk"), "export")
    assert list(tidy["province"]) == ["广东省", "江苏省"]
    fig = to_figures(tidy, "magnets", published=PUBLISHED)
    assert by_key(fig) == {("export", "Japan", "2025-01"): 2401.0}


def test_leading_zeros_kept(tmp_path):
    table = en_table(ROWS[:1])
    table[1][3] = "01012100"
    assert read_gacc(write(tmp_path / "z.csv", table), "export").loc[0, "hs_code"] == "01012100"
    path = write_comtrade(tmp_path / "c.csv", ROWS[:1])
    frame = pd.read_csv(path, index_col=0)
    frame["cmdCode"] = 10121  # what to_csv writes for "010121"
    frame.to_csv(path)
    assert read_comtrade(path).loc[0, "hs_code"] == "010121"


def test_comtrade(tmp_path, caplog):
    rx = {"period": 202501, "reporterCode": 156, "flowCode": "RX", "partnerCode": 392,
          "partnerDesc": "Japan", "cmdCode": 850511, "netWgt": 10.0, "primaryValue": 99.0}
    with caplog.at_level(logging.INFO, logger="helpers.customs"):
        tidy = read_comtrade(write_comtrade(tmp_path / "ct.csv", extra=[rx]))
        fig = to_figures(tidy, "magnets_wide", hs_codes=["850511"], published=PUBLISHED)
    assert list(tidy["flow"].value_counts().sort_index().items()) == [("export", 6),
                                                                       ("re-export", 1)]
    assert "7 rows read, 6 used (1 re-export/re-import row kept, not used)" in caplog.text
    assert set(tidy["hs_code"]) == {"850511", "284690"}
    assert tidy.loc[0, "unit"] == "kg" and tidy.loc[0, "regime_code"] == "C00"
    assert "to_figures: 1 re-export row not used" in caplog.text
    assert by_key(fig)[("export", "Japan", "2025-01")] == 1500.75


def test_comtrade_world_rows_are_taken_as_published(tmp_path):
    world = {"period": 202501, "reporterCode": 156, "flowCode": "X", "partnerCode": 0,
             "partnerDesc": "World", "cmdCode": 850511, "netWgt": 4_000_000.0,
             "primaryValue": 1.0}
    tidy = read_comtrade(write_comtrade(tmp_path / "ct.csv", extra=[world]))
    fig = by_key(to_figures(tidy, "magnets_wide", hs_codes=["850511"], published=PUBLISHED,
                            covers_all_partners=True, partners=["World"]))
    assert fig == {("export", "World", "2025-01"): 4000.0, ("export", "World", "2025-02"): 1800.5}


def test_comtrade_period_from_year_and_month(tmp_path):
    path = write_comtrade(tmp_path / "ct.csv")
    pd.read_csv(path, index_col=0).drop(columns="period").to_csv(path, index=False)
    tidy = read_comtrade(path)
    assert [str(p) for p in sorted(set(tidy["period"]))] == ["2025-01", "2025-02"]


# --- the same data in three layouts ---------------------------------------------------------

def test_three_layouts_same_tonnes_and_dollars(tmp_path):
    en = read_gacc(english(tmp_path), "export")
    zh = read_gacc(write(tmp_path / "zh.csv", zh_table(), encoding="gbk", quote=False), "export")
    ct = read_comtrade(write_comtrade(tmp_path / "ct.csv"))
    for measure in ("quantity_t", "value_usd"):
        wide = [by_key(to_figures(frame, "magnets_wide", hs_codes=["850511"], measure=measure,
                                  published=PUBLISHED, covers_all_partners=True))
                for frame in (en, zh, ct)]
        assert wide[0] == pytest.approx(wide[1]) and wide[0] == pytest.approx(wide[2])
        magnets = [to_figures(frame, measure=measure, published=PUBLISHED) for frame in (en, zh)]
        assert by_key(magnets[0]) == pytest.approx(by_key(magnets[1]))
    assert wide[0][("export", "World", "2025-01")] == 30_123_456 + 45_000_000 + 9_500_000 \
        + 36_000_000 + 400_000


# --- to_figures -----------------------------------------------------------------------------

def test_to_figures_sums_regimes_and_names_its_source(tmp_path):
    fig = to_figures(read_gacc(english(tmp_path), "export"), "magnets", published=PUBLISHED)
    assert list(fig.columns) == figures.COLUMNS
    assert set(fig["partner"]) == {"Japan", "United States", "Germany"}  # no World: not asked
    japan = fig[(fig["partner"] == "Japan") & (fig["start"] == "2025-01")].iloc[0]
    assert japan["value"] == 1500.75 and japan["end"] == "2025-01"
    assert japan["as_published"] == "1,500,750 Kilogram = 1,500.75 t (sum of 2 rows)"
    assert japan["source"] == "GACC database download (English interface) part1.csv lines 2-3"
    germany = fig[(fig["partner"] == "Germany") & (fig["start"] == "2025-01")].iloc[0]
    assert germany["as_published"] == "950,750 Kilogram = 950.75 t"  # one row: no sum
    assert germany["source"].endswith("part1.csv line 5")
    assert japan["url"] == "file:part1.csv"
    assert japan["published"] == PUBLISHED and japan["measure"] == "quantity_t"
    assert "customs regimes" in japan["note"]


def test_to_figures_world_only_when_all_partners_covered(tmp_path):
    tidy = read_gacc(english(tmp_path), "export")
    fig = to_figures(tidy, "magnets", published=PUBLISHED, covers_all_partners=True,
                     partners=["World", "Japan"])
    world = fig[fig["partner"] == "World"].set_index("start")["value"]
    assert world.to_dict() == pytest.approx({"2025-01": 3251.5, "2025-02": 1800.5})
    assert set(fig["partner"]) == {"World", "Japan"}
    assert "World = sum over partners" in fig[fig["partner"] == "World"].iloc[1]["note"]
    assert fig[fig["partner"] == "World"].iloc[1]["source"].endswith("part2.csv lines 2-3")
    raises(lambda: to_figures(tidy, "magnets", published=PUBLISHED, partners=["India"]),
           "part1.csv, part2.csv", None, "no rows for partners ['India']")


def test_partner_outside_schema_counts_in_world_only(tmp_path, caplog):
    table = en_table(ROWS[:1] + [("202501", "Japan", "85051110", "10", 1000, 50, None)])
    table[2][1:3] = ["410", "Brazil"]
    tidy = read_gacc(write(tmp_path / "b.csv", table), "export")
    with caplog.at_level(logging.INFO, logger="helpers.customs"):
        fig = to_figures(tidy, "magnets", published=PUBLISHED, covers_all_partners=True)
    assert by_key(fig) == {("export", "Japan", "2025-01"): 1200.5,
                           ("export", "World", "2025-01"): 1201.5}
    assert "1 partner outside the figures schema" in caplog.text and "Brazil" in caplog.text


def test_to_figures_arguments():
    frame = pd.DataFrame(columns=TIDY_COLUMNS)
    with pytest.raises(TypeError):
        to_figures(frame, "magnets")  # published is required
    with pytest.raises(ValueError, match="pass hs_codes"):
        to_figures(frame, "rare_earths", published=PUBLISHED)
    with pytest.raises(ValueError, match="mislabel"):
        to_figures(frame, "magnets", hs_codes=["850511"], published=PUBLISHED)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        to_figures(frame, "magnets", published="March 2025")


def test_figures_feed_series_monthly(tmp_path):
    series = pytest.importorskip("helpers.series")
    tidy = read_gacc(write(tmp_path / "zh.csv", zh_table(), encoding="gbk"), "export")
    path = tmp_path / "download_figures.csv"
    to_figures(tidy, "magnets", published=PUBLISHED).to_csv(path, index=False)
    assert len(figures.load(path)) == 5
    japan = series.monthly("magnets", "export", "Japan", "quantity_t", figures=path)
    assert japan.to_dict() == {pd.Period("2025-01", "M"): 1500.75,
                               pd.Period("2025-02", "M"): 1100.0}


# --- bad input ------------------------------------------------------------------------------

def bad_en(tmp_path: Path, row: int, column: str, value: str) -> Path:
    table = en_table()
    table[row][EN_HEADER.index(column)] = value
    return write(tmp_path / "bad.csv", table)


@pytest.mark.parametrize("column, value, words", [
    ("Quantity", "12a", ["column 'Quantity'", "'12a'; expected a number"]),
    ("US dollar", "n/a", ["column 'US dollar'", "expected a number"]),
    ("Quantity", "-5", ["expected a number >= 0"]),
    ("US dollar", "-1,000", ["column 'US dollar'", "expected a number >= 0"]),
    ("Date of data", "202513", ["impossible period '202513'"]),
    ("Commodity code", "8505A", ["expected an HS code"]),
])
def test_bad_fields(tmp_path, column, value, words):
    raises(lambda: read_gacc(bad_en(tmp_path, 3, column, value), "export"), "bad.csv", 4, *words)


@pytest.mark.parametrize("value, period", [("199001", "1990-01"), ("202512", "2025-12"),
                                           ("2025年12月", "2025-12"), ("2025-1", "2025-01")])
def test_periods_at_the_bounds_read(tmp_path, value, period):
    tidy = read_gacc(bad_en(tmp_path, 3, "Date of data", value), "export")
    assert str(tidy.loc[tidy["source_line"] == 4, "period"].item()) == period  # the row changed


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    raises(lambda: read_gacc(tmp_path / "empty.csv", "export"), "empty.csv", 1, "empty file")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    raises(lambda: read_gacc(tmp_path / "bom.csv", "export"), "bom.csv", 1, "empty file")
    header = write(tmp_path / "header.csv", en_table()[:1])
    raises(lambda: read_gacc(header, "export"), "header.csv", 2, "no data line")


def test_header_of_neither_layout(tmp_path):
    (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n")
    raises(lambda: read_gacc(tmp_path / "other.csv", "export"), "other.csv", 1,
           "neither layout", "'Date of data'")
    comtrade = write_comtrade(tmp_path / "ct.csv")
    raises(lambda: read_gacc(comtrade, "export"), "ct.csv", 1, "use read_comtrade")
    raises(lambda: read_comtrade(english(tmp_path) / "part1.csv"), "part1.csv", 1,
           "use read_gacc")


@pytest.mark.parametrize("dropped, expected", [
    (("Date of data",), "'Date of data' or '数据年月'"),
    (("Trading partner",), "'Trading partner' or '贸易伙伴名称'"),
    (("Commodity code",), "'Commodity code' or '商品编码'"),
    (("Quantity",), "'Quantity' or '第一数量'"),
    (("Unit",), "'Unit' or '第一计量单位'"),
    (("US dollar",), "'US dollar' or '美元'"),
])
def test_required_column_missing(tmp_path, dropped, expected):
    path = write(tmp_path / "cols.csv", en_table(), drop=dropped)
    raises(lambda: read_gacc(path, "export"), "cols.csv", 1, "required column missing", expected)


def test_duplicate_key_in_one_file_and_across_files(tmp_path):
    table = en_table()
    path = write(tmp_path / "dup.csv", table + [table[3]])
    raises(lambda: read_gacc(path, "export"), "dup.csv", 10, "duplicate of dup.csv:4")
    folder = english(tmp_path)
    shutil.copy(folder / "part2.csv", folder / "part3.csv")
    raises(lambda: read_gacc(folder, "export"), "part3.csv", 2, "duplicate of part2.csv:2",
           "across the files of one call")


def test_files_of_one_call_must_be_one_query(tmp_path):
    folder = english(tmp_path)
    write(folder / "part3.csv", en_table([("202503", "Japan", "85051110", "10", 1, 1, None)]),
          drop=("Customs Regime code", "Customs Regime"))
    raises(lambda: read_gacc(folder, "export"), "part3.csv", 1, "expected files of one query")


def test_truncated_last_line(tmp_path):
    path = write(tmp_path / "cut.csv", en_table())
    text = path.read_bytes()
    path.write_bytes(text[:-20])  # inside the quoted last field
    raises(lambda: read_gacc(path, "export"), "cut.csv", 9, "truncated")
    table = en_table()
    table[-1] = table[-1][:8]
    path = write(tmp_path / "short.csv", table)
    raises(lambda: read_gacc(path, "export"), "short.csv", 9, "truncated line: 9 fields; "
           "expected 12")


def test_unconvertible_units_only_when_tonnes_are_asked(tmp_path):
    table = en_table()
    table[5][EN_HEADER.index("Supplimentary Unit")] = "-"
    tidy = read_gacc(write(tmp_path / "units.csv", table), "export")
    assert math.isnan(tidy.loc[4, "quantity_t"])
    raises(lambda: to_figures(tidy, "magnets_wide", hs_codes=["850511"], published=PUBLISHED),
           "units.csv", 6, "column 'unit'", "'Number of item'", "kilograms or tonnes")
    values = to_figures(tidy, "magnets_wide", hs_codes=["850511"], measure="value_usd",
                        published=PUBLISHED)
    assert values["value"].sum() == sum(r[5] for r in ROWS if r[2].startswith("850511"))


@pytest.mark.parametrize("change, column, words", [
    ({"flowCode": "Z"}, "flowCode", ["'Z'; expected one of X, M, RX, RM"]),
    ({"reporterCode": 842}, "reporterCode", ["expected China (reporter code 156)"]),
    ({"netWgt": "heavy"}, "netWgt", ["expected a number"]),
    ({"period": 202500}, "period", ["impossible period '202500'"]),
])
def test_comtrade_bad_fields(tmp_path, change, column, words):
    path = write_comtrade(tmp_path / "ct.csv")
    frame = pd.read_csv(path, index_col=0).astype(object)
    for name, value in change.items():
        frame.loc[2, name] = value
    frame.to_csv(path)
    raises(lambda: read_comtrade(path), "ct.csv", 4, f"column {column!r}", *words)


def test_comtrade_required_column(tmp_path):
    path = write_comtrade(tmp_path / "ct.csv")
    pd.read_csv(path, index_col=0).drop(columns="netWgt").to_csv(path)
    raises(lambda: read_comtrade(path), "ct.csv", 1, "required column missing", "'netWgt'")


def test_other_bad_files(tmp_path):
    (tmp_path / "book.csv").write_bytes(b"PK\x03\x04rest of a zip")
    raises(lambda: read_gacc(tmp_path / "book.csv", "export"), "book.csv", None, "Excel")
    (tmp_path / "nul.csv").write_bytes('"Date of data",'.encode("utf-16-le"))
    raises(lambda: read_gacc(tmp_path / "nul.csv", "export"), "nul.csv", 1, "NUL bytes")
    raises(lambda: read_gacc(tmp_path / "missing.csv", "export"), "missing.csv", None,
           "file not found")
    (tmp_path / "none").mkdir()
    raises(lambda: read_gacc(tmp_path / "none", "export"), "none", None, "no .csv file")
    with pytest.raises(ValueError, match="flow"):
        read_gacc(tmp_path / "book.csv", "exports")


def test_failed_read_changes_nothing_on_disk(tmp_path):
    folder = english(tmp_path)
    shutil.copy(folder / "part1.csv", folder / "part3.csv")
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*")
              if p.is_file()}
    with pytest.raises(DataError):
        read_gacc(folder, "export")
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*")
             if p.is_file()}
    assert after == before and sorted(os.listdir(folder)) == ["part1.csv", "part2.csv",
                                                              "part3.csv"]
