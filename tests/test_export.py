"""The monthly series as one CSV with provenance: checked by hand on made-up figures."""

from datetime import date

import pandas as pd
import pytest

from helpers import export, figures
from helpers.__main__ import main

WORLD = "export rare_earths World quantity_t"


def story(start, end, value, published, url, note=""):
    return {"flow": "export", "product": "rare_earths", "partner": "World",
            "measure": "quantity_t", "start": start, "end": end, "value": value,
            "as_published": f"{value} t", "source": f"Story {url}",
            "url": f"https://example.org/{url}", "published": published, "note": note}


@pytest.fixture
def data(tmp_path):
    rows = [story("2025-01", "2025-02", 10000, "2025-03-07", "janfeb"),
            story("2025-01", "2025-03", 15000, "2025-04-14", "q1"),
            story("2025-04", "2025-04", 4000, "2025-05-09", "april-a"),
            story("2025-04", "2025-04", 4000, "2025-05-08", "april-b"),
            story("2025-05", "2025-05", 3000, "2025-06-09", "may", note="weak source")]
    path = tmp_path / "figures.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return figures.load_all(base=path)


def test_every_month_with_its_origin_and_provenance(data):
    table = export.frame(data)
    assert list(table.columns) == export.COLUMNS
    assert set(table["series"]) == {WORLD}  # the other series have no figure here
    by = table.set_index(["start", "end"])
    assert list(by.index) == [("2025-01", "2025-01"), ("2025-01", "2025-02"),
                              ("2025-02", "2025-02"), ("2025-03", "2025-03"),
                              ("2025-04", "2025-04"), ("2025-05", "2025-05")]
    # January and February alone: gaps, never filled; their sum as its own row
    assert by.loc[("2025-01", "2025-01"), "origin"] == "missing"
    assert pd.isna(by.loc[("2025-02", "2025-02"), "value"])
    jf = by.loc[("2025-01", "2025-02")]
    assert (jf["value"], jf["origin"], jf["known_since"]) == (10000, "reported", "2025-03-07")
    assert not jf["unconfirmed"]
    assert jf["sources"] == "https://example.org/janfeb"
    # March = January-March less January-February, known once the second story came out
    march = by.loc[("2025-03", "2025-03")]
    assert (march["value"], march["origin"]) == (5000, "derived")
    assert march["derivation"] == "2025-01..2025-03 - 2025-01..2025-02"
    assert march["known_since"] == "2025-04-14"
    assert set(march["sources"].split(" | ")) == {"https://example.org/q1",
                                                  "https://example.org/janfeb"}
    assert len(march["figure_ids"].split()) == 2
    # two copies of April: both listed, known since the earlier
    april = by.loc[("2025-04", "2025-04")]
    assert april["known_since"] == "2025-05-08" and not april["unconfirmed"]
    assert len(april["sources"].split(" | ")) == 2 and len(april["figure_ids"].split()) == 2
    may = by.loc[("2025-05", "2025-05")]
    assert may["unconfirmed"] and may["origin"] == "reported"


def test_a_combined_release_on_a_weak_copy_alone_is_unconfirmed(tmp_path):
    path = tmp_path / "figures.csv"
    pd.DataFrame([story("2025-01", "2025-02", 10000, "2025-03-07", "janfeb",
                        note="weak source")]).to_csv(path, index=False)
    table = export.frame(figures.load_all(base=path)).set_index(["start", "end"])
    jf = table.loc[("2025-01", "2025-02")]
    assert jf["unconfirmed"] and jf["origin"] == "reported"


def test_a_vintage_holds_only_what_was_out_by_its_day(data):
    # the day before the January-March total: the series ends with January-February
    before = export.frame(data, as_of=date(2025, 4, 13)).set_index(["start", "end"])
    assert list(before.index) == [("2025-01", "2025-01"), ("2025-01", "2025-02"),
                                  ("2025-02", "2025-02")]
    assert before.loc[("2025-01", "2025-02"), "value"] == 10000
    on_the_day = export.frame(data, as_of=date(2025, 4, 14)).set_index(["start", "end"])
    assert on_the_day.loc[("2025-03", "2025-03"), "value"] == 5000
    # one copy of April was out on 8 May, the other on 9 May
    assert len(export.frame(data, as_of=date(2025, 5, 8)).set_index(["start", "end"]).loc[
        ("2025-04", "2025-04"), "sources"].split(" | ")) == 1


def test_a_date_given_as_a_month_counts_from_its_last_day(data):
    data = data.assign(published=["2025-03", "2025-04-14", "2025-05-09", "2025-05-08",
                                  "2025-06-09"])
    assert len(figures.published_by(data, date(2025, 3, 30))) == 0
    assert len(figures.published_by(data, date(2025, 3, 31))) == 1


def test_the_command_writes_the_shipped_series(tmp_path):
    out = tmp_path / "new" / "series.csv"
    assert main(["export", "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == export.COLUMNS
    rows = table[table["series"] == WORLD].set_index(["start", "end"])
    # a fixed month of the shipped data: December 2025 as GACC published it
    assert (rows.loc[("2025-12", "2025-12"), "value"],
            rows.loc[("2025-12", "2025-12"), "origin"]) == ("4392.0", "reported")
    # whatever is added later: a combined row only where a single month is missing, a missing
    # month without a value, a derived one saying how, no float noise
    for (start, end), row in table.set_index(["start", "end"]).iterrows():
        if start != end:
            alone = table[(table["series"] == row["series"])
                          & table["start"].isin([start, end]) & (table["start"] == table["end"])]
            assert "missing" in set(alone["origin"]), (row["series"], start)
    assert (table.loc[table["origin"] == "missing", "value"] == "").all()
    assert (table.loc[table["origin"] == "derived", "derivation"] != "").all()
    assert table["value"].str.fullmatch(r"|\d+\.\d{1,6}").all()


def test_a_folder_as_the_output_is_one_line(tmp_path, capsys):
    (tmp_path / "series.csv").mkdir()
    assert main(["export", "--out", str(tmp_path / "series.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "series.csv" in err and "\n" not in err
    assert main(["export", "--as-of", "2025-02-30", "--out", str(tmp_path / "v.csv")]) == 2
    assert capsys.readouterr().err.strip() == ("error: --as-of '2025-02-30' is not a date "
                                               "YYYY-MM-DD")
    assert not (tmp_path / "v.csv").exists()
