"""Mirror statistics on the fake client's snapshots (tests/comtrade_fake.py), against numbers
computed by hand from its made-up rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from comtrade_fake import FakeAPI, install, snapshot_folder

from helpers import comtrade, customs, figures, mirror
from helpers.__main__ import main


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return snapshot_folder(tmp_path_factory.mktemp("snap"))


def row(table, month):
    return table.loc[pd.Period(month, "M")]


def test_compare_japan_by_hand(folder):
    table = mirror.compare(folder, "Japan", "850511")
    assert list(table.columns) == mirror.COLUMNS
    assert [str(m) for m in table.index] == ["2025-01", "2025-02", "2025-03"]
    jan, feb, mar = (row(table, m) for m in ["2025-01", "2025-02", "2025-03"])
    # China: 1,200,000 kg and 60 m USD; Japan: 1,150,000 kg and 61 m USD
    assert (jan["exports_t"], jan["partner_imports_t"], jan["gap_t"]) == (1200.0, 1150.0, -50.0)
    assert jan["ratio_t"] == pytest.approx(1150 / 1200)
    assert jan["ratio_t_next"] == pytest.approx(1100 / 1200)  # Japan's February
    assert jan["ratio_usd"] == pytest.approx(61 / 60) and jan["gap_usd"] == 1_000_000.0
    assert feb["ratio_t"] == pytest.approx(1.1) and feb["gap_t"] == 100.0
    assert feb["ratio_t_next"] == pytest.approx(1.3)
    assert math.isnan(mar["exports_t"]) and mar["partner_imports_t"] == 1300.0
    assert math.isnan(mar["ratio_t"]) and mar["caveats"] == "one side only"
    # January: 50 t to 'Areas, nes'; February: Japan above China while 250 t went to Hong Kong
    assert jan["caveats"] == "China reports 50.0 t to unallocated partners ('Areas, nes')"
    assert feb["caveats"].startswith("Japan reports more than China: China's exports to Hong "
                                     "Kong that month were 250.0 t")


def test_summary_and_snapshot_list_by_hand(folder):
    table = mirror.summary(mirror.tables([folder], ["Japan", "Germany"]))
    japan = table.loc["Japan"]
    # both sides in January and February: 1150/1200 and 1.1; a month on, 1100/1200 and 1.3
    assert (japan["months_both"], japan["first"], japan["last"]) == (2, "2025-01", "2025-02")
    assert japan["median_ratio_t"] == pytest.approx((1150 / 1200 + 1.1) / 2)
    assert japan["median_ratio_t_next"] == pytest.approx((1100 / 1200 + 1.3) / 2)
    assert table.loc["Germany", "months_both"] == 0 and pd.isna(table.loc["Germany", "first"])
    assert mirror.status([folder]).splitlines()[3] == (
        "- reporter Japan, imports, partner China, HS 850511, 2025-01 to 2025-03: 3 rows, "
        "retrieved 2026-12-01")


def test_compare_missing_weight_and_missing_partner(folder):
    us = mirror.compare(folder, "842")
    feb = row(us, "2025-02")
    assert feb["exports_t"] == 600.0 and math.isnan(feb["partner_imports_t"])
    assert feb["ratio_usd"] == pytest.approx(28.5 / 27)
    assert feb["caveats"] == "the report of United States has no weight on 1 line(s)"
    germany = mirror.compare(folder, "Germany")  # no snapshot of Germany's own imports
    assert row(germany, "2025-01")["exports_t"] == 900.0
    assert germany["partner_imports_t"].isna().all()
    with pytest.raises(ValueError, match="cmd '8505': expected the HS code of one product"):
        mirror.compare(folder, "Japan", "8505")
    with pytest.raises(ValueError, match="partner 'China': expected one of"):
        mirror.compare(folder, "China")


def test_compare_from_a_figures_frame(folder):
    frame = customs.snapshot_figures(folder)
    table = mirror.compare(frame, "Japan", imports=folder)
    assert table["exports_t"].dropna().tolist() == [1200.0, 1000.0]
    assert table["partner_imports_t"].tolist() == [1150.0, 1100.0, 1300.0]
    alone = mirror.compare(frame, "Japan")  # China's side only
    assert alone["partner_imports_t"].isna().all()


def test_brief_line(folder, tmp_path):
    assert mirror.brief_line(folder, "Japan", "2025-02") == (
        "Mirror check, HS 850511, 2025-02: China reported 1,000.0 t of exports to Japan; Japan "
        "reported 1,100.0 t of imports from China (ratio 1.10; shipping time, re-exports via "
        "Hong Kong and CIF/FOB valuation keep the two apart).")
    assert mirror.brief_line([folder], "Japan", "2025-02") == mirror.brief_line(
        folder, "Japan", "2025-02")  # a list of snapshot folders, as `brief --data` gives
    assert mirror.brief_line(folder, "Japan", "2025-03") is None  # China's side missing
    assert mirror.brief_line(folder, "Germany", "2025-01") is None  # no partner report
    assert mirror.brief_line(tmp_path, "Japan", "2025-02") is None  # no snapshot at all


def test_reconcile_with_press_series(folder):
    press = pd.DataFrame([
        {"flow": "export", "product": "magnets", "partner": "World", "measure": "quantity_t",
         "start": month, "end": month, "value": value, "as_published": f"{value} t",
         "source": "Test wire", "url": "https://example.org/x", "published": "2025-03-20",
         "note": ""} for month, value in [("2025-01", 4500.0), ("2025-03", 4100.0)]],
        columns=figures.COLUMNS)
    table = mirror.reconcile(folder, press)
    assert [str(m) for m in table.index] == ["2025-01"]  # the only month both have
    jan = row(table, "2025-01")
    assert (jan["press"], jan["comtrade_hs6"], jan["diff"]) == (4500.0, 5000.0, 500.0)
    assert jan["share"] == pytest.approx(0.9)
    assert mirror.reconcile(folder, press, partner="Japan").empty


def test_whole_path_offline(monkeypatch, tmp_path, capsys):
    """fetch (command line) -> snapshots -> figures -> series -> mirror, fake client only."""
    monkeypatch.setattr(comtrade, "PAUSE_S", 0)
    monkeypatch.delenv(comtrade.KEY_VARIABLE, raising=False)
    install(monkeypatch, FakeAPI())
    out = str(tmp_path / "snap")
    for args in (["--reporter", "China", "--flow", "X", "--period", "2025-01:2025-02"],
                 ["--reporter", "Japan", "--partner", "156", "--flow", "M",
                  "--period", "2025-01:2025-02"]):
        assert main(["fetch", "comtrade", "--cmd", "850511", "--out", out, *args]) == 0
    converted = tmp_path / "figures.csv"
    customs.snapshot_figures(out).to_csv(converted)
    table = mirror.compare(figures.load(converted), "Japan", imports=out)
    assert table["ratio_t"].tolist() == pytest.approx([1150 / 1200, 1100 / 1000])
    assert capsys.readouterr().err == ""


def test_brief_reads_a_snapshot_folder_and_says_the_mirror_check(folder):
    from datetime import date

    from helpers import brief, wording

    n = brief.compute("2025-02", data_files=[folder], today=date(2026, 12, 1))
    line = mirror.brief_line([folder], "Japan", "2025-02")
    assert line is not None and line in n.mirror
    assert "Mirror check" in wording.magnets_section(n)


def test_research_notebooks_data_files_take_a_snapshot_folder(folder):
    data = figures.load_all([folder])
    assert "magnets_hs6" in set(data["product"])
    assert "magnets_hs6" not in set(figures.load()["product"])
