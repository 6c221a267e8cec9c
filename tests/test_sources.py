"""Normalising raw source rows: periods, products, units, and the atomic, validated build."""

import csv

import pytest

from helpers import DataError, figures, series, sources


@pytest.mark.parametrize("period, bounds", [
    ("2025-03", ("2025-03", "2025-03")), ("2024", ("2024-01", "2024-12")),
    ("2025-01..07", ("2025-01", "2025-07")), ("2024-Q1", ("2024-01", "2024-03")),
    ("2025-H1", ("2025-01", "2025-06")),
])
def test_period_bounds(period, bounds):
    assert sources.period_bounds(period) == bounds


@pytest.mark.parametrize("series, year, title, expected", [
    ("export_rare_earths_volume", 2025, "", ("export", "rare_earths", "World")),
    ("export_rare_earths_volume_ytd_Jan-Oct", 2025, "", ("export", "rare_earths", "World")),
    ("export_rare_earths_volume", 2014, "", ("export", "rare_earths_quota_era", "World")),
    ("export_rare_earths_volume", 2015, "", ("export", "rare_earths", "World")),
    ("import_rare_earths_volume", 2024, "", ("import", "rare_earths", "World")),
    ("export_magnets_to_SouthKorea_volume", 2025, "", ("export", "magnets", "South Korea")),
    ("export_magnets_to_Japan_volume", 2025, "wider product scope than HS 85051110",
     ("export", "magnets_wide", "Japan")),
    ("export_magnets_and_magnet_alloys_volume_fullyear", 2024, "",
     ("export", "magnets_wide", "World")),
    ("export_magnets_and_magnet_alloys_to_US_volume", 2025, "",
     ("export", "magnets_wide", "United States")),
    ("export_rare_earth_products_volume_bloomberg_calc", 2025, "",
     ("export", "rare_earth_products_bbg", "World")),
])
def test_classify(series, year, title, expected):
    mapping = sources.classify(series, year, title)
    assert (mapping.flow, mapping.product, mapping.partner) == expected


def test_unmodelled_series_are_skipped():
    assert sources.classify("export_lanthanum_oxide_volume", 2019, "") is None


def write_raw(path, rows, columns=sources.RAW_COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def test_build_normalises_units_and_quotes(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [
        ["2025-11", "export_rare_earths_volume", "5493.9", "t", "Reuters; 'exported 5,493.9 t'",
         "https://r.example/1", "2025-12-08"],
        ["2024", "export_rare_earths_value_fullyear", "488.8", "USD mn", "Reuters (rounded)",
         "https://r.example/2", "2025-01"],
        ["2019-07", "export_lanthanum_oxide_volume", "966", "t", "SCMP", "https://s.example",
         "2019-08"],
    ])
    out = tmp_path / "figures.csv"
    assert sources.build([raw], out) == (2, {"series not modelled": 1})
    data = figures.load(out)
    value = data[data["measure"] == "value_usd"].iloc[0]
    assert value["value"] == pytest.approx(488.8e6)
    assert value["start"] == "2024-01" and value["end"] == "2024-12"
    assert value["note"] == "rounded"
    quantity = data[data["measure"] == "quantity_t"].iloc[0]
    assert quantity["as_published"] == "exported 5,493.9 t"


@pytest.mark.parametrize("title, expected", [
    ('"독일 1,119톤에 이어" (SNM뉴스)', "독일 1,119톤에 이어"),
    ("Kyodo 「日本向けは1,119トン」", "日本向けは1,119トン"),
    ("Reuters “shipped 1,119 tonnes”; 'up 5%'", "shipped 1,119 tonnes"),
    ('"up 5% on the year" (no figure with a unit)', "1119 t"),
])
def test_as_published_takes_the_quoted_wording_in_any_quotes(title, expected):
    assert sources.as_published("1119", "t", title, "quantity_t") == expected


def test_build_writes_nothing_on_a_bad_row(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [
        ["2025-13", "export_rare_earths_volume", "1", "t", "x", "https://x.example", "2025"]])
    out = tmp_path / "figures.csv"
    out.write_text("previous content")
    with pytest.raises(DataError, match=r"raw.csv:2: column 'period'"):
        sources.build([raw], out)
    assert out.read_text() == "previous content"


def write_corrections(path, rows):
    return write_raw(path, rows, sources.CORRECTION_COLUMNS)


MISLABELLED = ["2023-01..10", "export_magnets_volume_85051110_ytd_Jan-Oct", "47778", "t",
               "Metalnomist; labelled 2023", "https://m.example/1", "2025-01"]


def test_period_correction_moves_the_row_and_says_why(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [MISLABELLED])
    fixes = write_corrections(tmp_path / "fix.csv", [
        ["https://m.example/1", MISLABELLED[1], "2023-01..10", "2024-01..10", "sums to 2024's"]])
    out = tmp_path / "figures.csv"
    sources.build([raw], out, corrections_file=fixes)
    row = figures.load(out).iloc[0]
    assert (row["start"], row["end"], row["value"]) == ("2024-01", "2024-10", 47778)
    assert row["note"] == "period corrected from 2023-01..10: sums to 2024's"
    sources.build([raw], out)  # without the corrections file the row stays as published
    assert figures.load(out).iloc[0]["start"] == "2023-01"


@pytest.mark.parametrize("fix, message", [
    (["https://m.example/other", MISLABELLED[1], "2023-01..10", "2024-01..10", "why"],
     r"fix.csv:2: no raw row has source_address, series and period"),
    (["https://m.example/1", MISLABELLED[1], "2023-01..10", "2024-13", "why"],
     r"fix.csv:2: column 'corrected_period': period '2024-13' is not"),
    (["https://m.example/1", MISLABELLED[1], "2023-01..10", "2024-01..10", " "],
     r"fix.csv:2: column 'reason': a correction needs its reason"),
])
def test_bad_correction_is_a_clear_error_and_writes_nothing(tmp_path, fix, message):
    raw = write_raw(tmp_path / "raw.csv", [MISLABELLED])
    out = tmp_path / "figures.csv"
    out.write_text("previous content")
    with pytest.raises(DataError, match=message):
        sources.build([raw], out, corrections_file=write_corrections(tmp_path / "fix.csv", [fix]))
    assert out.read_text() == "previous content"


def test_missing_corrections_file_is_a_clear_error(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [MISLABELLED])
    with pytest.raises(DataError, match=r"nowhere.csv: file not found"):
        sources.build([raw], tmp_path / "figures.csv", corrections_file=tmp_path / "nowhere.csv")


@pytest.mark.parametrize("title, value, rounded", [
    ("exact (unrounded) copy of the 2015 total", "34832", False),
    ("Tradium; 'Germany ... with 1346 tonnes' of about 6146 t", "1346", False),
    ("Tsunagi Finance; Japan about 5.1x May", "131", False),
    ("Bloomberg mirror; value about USD 60 mn", "1238", False),
    ("GlobalSpark (about 406 t a month against Reuters' 226-305 t)", "4877.6", False),
    ("Quest Metals blog; 'roughly 11477 metric tons' to Europe", "11477", True),
    ("reprint gives only '約3.48萬t'", "34800", True),
    ("exports of about 5,000 t", "5000", True),
    ("Reuters (rounded)", "488.8", True),
    ("approximate ('around')", "21519", True),
])
def test_rounded_only_when_said_of_the_figure_itself(title, value, rounded):
    assert ("rounded" in sources.note_for(title, "t", "2025-01", value)) == rounded


TRUNCATED = ["2025-01..09", "export_rare_earths_volume_ytd_Jan-Sep", "48350", "t",
             "TASS: exports up 12.6% in Jan-Sep", "https://t.example/1", "2025-10-13"]
EXACT = ["2025-01..09", "export_rare_earths_volume_ytd_Jan-Sep", "48355.7", "t",
         "Reuters: exports in Jan-Sep", "https://r.example/9", "2025-10-13"]


def test_annotation_marks_a_truncated_copy_rounded(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [TRUNCATED, EXACT])
    flags = write_raw(tmp_path / "flags.csv", [
        ["https://t.example/1", TRUNCATED[1], "2025-01..09", "rounded", "",
         "truncated to tens: the exact figure is 48,355.7 t"]], sources.ANNOTATION_COLUMNS)
    out = tmp_path / "figures.csv"
    sources.build([raw], out, annotations_file=flags)
    data = figures.load(out).set_index("url")
    assert data.loc["https://t.example/1", "note"] == (
        "rounded; truncated to tens: the exact figure is 48,355.7 t")
    assert data.loc["https://r.example/9", "note"] == ""
    # a truncated copy carries a whole unit of its last digit (10 t): it agrees with the exact
    # copy instead of being called conflicting
    [interval] = series.intervals(figures=out)
    assert interval.value == 48355.7 and interval.alternatives == []
    assert len(interval.sources) == 2


def test_annotation_keeps_the_page_words_and_gives_the_reading(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [EXACT])
    notes = write_raw(tmp_path / "notes.csv", [
        ["https://r.example/9", EXACT[1], "2025-01..09", "", "48.355,7 metric tons",
         "the page's decimal comma: read 48,355.7 t"]], sources.ANNOTATION_COLUMNS)
    out = tmp_path / "figures.csv"
    sources.build([raw], out, annotations_file=notes)
    row = figures.load(out).iloc[0]
    assert row["as_published"] == "48.355,7 metric tons" and row["value"] == 48355.7
    assert row["note"] == "the page's decimal comma: read 48,355.7 t"


@pytest.mark.parametrize("flag, words, key, message", [
    ("rounded", "", "https://t.example/other", r"notes.csv:2: no raw row has source_address"),
    ("approximately", "", "https://t.example/1", r"notes.csv:2: column 'flag': 'approximately'"),
    ("", "", "https://t.example/1", r"notes.csv:2: column 'flag': an annotation gives a flag"),
])
def test_bad_annotation_is_a_clear_error(tmp_path, flag, words, key, message):
    raw = write_raw(tmp_path / "raw.csv", [TRUNCATED])
    notes = write_raw(tmp_path / "notes.csv",
                      [[key, TRUNCATED[1], "2025-01..09", flag, words, "why"]],
                      sources.ANNOTATION_COLUMNS)
    with pytest.raises(DataError, match=message):
        sources.build([raw], tmp_path / "figures.csv", annotations_file=notes)


@pytest.mark.parametrize("series_name, product", [
    ("export_rare_earths_volume_quarter_Q3", "rare_earths"),
    ("import_rare_earths_incl_magnets_volume_ytd_Jan-Jun", "rare_earths_incl_magnets"),
    ("export_rare_earths_incl_magnets_volume_ytd_Jan-Jun", "rare_earths_incl_magnets"),
])
def test_quarters_and_wider_baskets_are_classified(series_name, product):
    assert sources.classify(series_name, 2023, "").product == product
    assert product in figures.PRODUCTS


def test_an_undated_modelled_row_is_counted_as_undated(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [
        ["2022-07..09", "export_rare_earths_volume_quarter_Q3", "11638.4", "t",
         "quarterly review (weak source)", "https://q.example/1", ""], EXACT])
    assert sources.build([raw], tmp_path / "figures.csv") == (1, {"no publication date": 1})


def test_a_published_change_on_the_year_is_kept_as_data(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [
        ["2024-01..06", "export_rare_earths_volume_ytd_Jan-Jun", "29095", "t",
         "China's June rare earths exports drop (Reuters); +10.9% y/y", "https://r.example/1",
         "2024-07-12"],
        ["2024-06", "export_rare_earths_volume", "4000", "t",
         "A story (Reuters); imports +5% y/y", "https://r.example/2", "2024-07-12"],
    ])
    out = tmp_path / "figures.csv"
    sources.build([raw], out)
    data = figures.load(out)
    change = data[data["measure"] == "yoy_pct"]
    assert len(change) == 1  # "imports +5% y/y" is not the figure's own change
    assert change.iloc[0]["value"] == 10.9 and change.iloc[0]["as_published"] == "+10.9% y/y"


def test_a_title_starting_with_a_formula_is_written_inert(tmp_path):
    raw = write_raw(tmp_path / "raw.csv", [
        ["2025-11", "export_rare_earths_volume", "5493.9", "t", "=HYPERLINK(1) (Reuters)",
         "https://r.example/1", "2025-12-08"]])
    out = tmp_path / "figures.csv"
    sources.build([raw], out)
    assert figures.load(out).iloc[0]["source"].startswith("'=HYPERLINK")


def test_own_finds_name_their_outlet_and_default_to_value_and_unit(tmp_path):
    # the project's own layout: explicit columns, nothing mined from a title
    row = {"period": "2025-06", "series": "export_magnets_to_Vietnam_volume", "value": "340",
           "unit": "t", "outlet": "Dan Viet", "headline": "Magnets to Vietnam", "quote": "",
           "url": "https://d.example/1", "published": "2025-07", "flags": "weak source",
           "comment": ""}
    out = tmp_path / "figures.csv"
    sources.build([write_raw(tmp_path / "own.csv", [list(row.values())],
                             columns=sources.OWN_COLUMNS)], out)
    found = figures.load(out).iloc[0]
    assert (found["partner"], found["as_published"], found["note"]) == ("Vietnam", "340 t",
                                                                        "weak source")
    quoted = write_raw(tmp_path / "quoted.csv", [list({**row, "quote": "340 tonnes"}.values())],
                       columns=sources.OWN_COLUMNS)
    sources.build([quoted], out)
    assert figures.load(out).iloc[0]["as_published"] == "340 tonnes"
    nameless = write_raw(tmp_path / "nameless.csv", [list({**row, "outlet": " "}.values())],
                         columns=sources.OWN_COLUMNS)
    with pytest.raises(DataError, match=r"nameless.csv:2: column 'outlet': every figure needs"):
        sources.build([nameless], tmp_path / "never.csv")
    assert not (tmp_path / "never.csv").exists()
