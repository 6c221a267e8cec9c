"""The shipped data: known figures, derivations that reproduce published months, the contract."""

import json
import shutil

import pandas as pd
import pytest

from helpers import DataError, events, figures, manifest, paths, series


@pytest.fixture(scope="module")
def data():
    return figures.load()


@pytest.fixture(scope="module")
def headline(data):
    return series.build(figures=data)


def test_every_figure_has_source_address_and_date(data):
    assert (data["url"].str.len() > 0).all()
    assert (data["published"].str.len() >= 4).all()
    assert (data["source"].str.len() > 0).all()


@pytest.mark.parametrize("month, tonnes", [("2025-06", 7742.2), ("2025-12", 4392),
                                           ("2025-11", 5493.9), ("2024-12", 3326),
                                           ("2025-01", 5294), ("2025-02", 3217)])
def test_known_months(headline, month, tonnes):
    assert headline.months.loc[pd.Period(month, "M"), "value"] == pytest.approx(tonnes)


def test_january_2022_missing_but_combined_known(headline):
    assert headline.months.loc[pd.Period("2022-01", "M"), "origin"] == "missing"
    assert headline.janfeb.loc[2022, "value"] == pytest.approx(7835)


def test_december_2024_derivation_matches_the_reported_figure(data):
    without = data[~((data["product"] == "rare_earths") & (data["flow"] == "export")
                     & (data["measure"] == "quantity_t") & (data["start"] == "2024-12"))]
    dec = series.build(figures=without).months.loc[pd.Period("2024-12", "M")]
    assert dec["origin"] == "derived"
    assert dec["value"] == pytest.approx(55431 - 52105)


def test_october_2025_from_the_same_release_chain(data):
    rows = data[(data["product"] == "rare_earths") & (data["measure"] == "quantity_t")
                & (data["flow"] == "export") & (data["start"] == "2025-10")]
    without = data.drop(rows.index)
    octo = series.build(figures=without).months.loc[pd.Period("2025-10", "M")]
    assert octo["value"] == pytest.approx(52699.2 - 48355.7)


def test_2023_january_july_contradiction_is_reported(headline):
    intervals = [c["interval"] for c in headline.contradictions]
    assert "2023-01..2023-07" in intervals


def test_mislabelled_magnet_total_sits_in_2024_and_adds_up(data):
    # Metalnomist's "January-October 2023" total is 2024's (data/period_corrections.csv):
    # 38,138 (Jan-Aug 2024) + 4,915 (Sep 2024) + 4,725 (Oct 2024) = 47,778
    magnets = series.build("magnets", figures=data)
    total = [i for i in magnets.intervals if str(i.start) == "2024-01" and str(i.end) == "2024-10"]
    assert [i.value for i in total] == [47778]
    assert not [i for i in magnets.intervals if str(i.start) == "2023-01"
                and str(i.end) == "2023-10"]
    assert not [c for c in magnets.contradictions if c["interval"].startswith("2024-01")]


def test_bloomberg_total_is_its_own_product(data):
    bbg = series.monthly("rare_earth_products_bbg", figures=data)
    assert bbg["2025-11"] == 6958 and bbg["2025-12"] == 6745


def test_events_load_and_are_unique():
    timeline = events.load()
    assert timeline["id"].is_unique
    licences = events.pick(timeline, ["2025-04-licences"])
    assert licences["date"].iloc[0] == pd.Timestamp("2025-04-04")
    assert set(timeline["kind"]) <= set(events.KINDS)
    with pytest.raises(DataError, match="no event with id"):
        events.pick(timeline, ["1999-no-such-event"])


def test_manifest_matches_the_data_files():
    manifest.check()


def test_manifest_names_a_changed_file(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    monkeypatch.setattr(paths, "DATA", copy)
    monkeypatch.setattr(paths, "FIGURES", copy / "figures.csv")
    monkeypatch.setattr(paths, "EVENTS", copy / "events.csv")
    monkeypatch.setattr(paths, "OUTLETS", copy / "reference" / "outlets.csv")
    with open(copy / "events.csv", "a", encoding="utf-8") as handle:
        handle.write("x,2026-01,other,t,d,https://e.org,s,\n")
    with pytest.raises(DataError, match=r"events.csv: sha256 differs"):
        manifest.check(copy / "datapackage.json")


def test_manifest_lists_schema():
    package = json.loads(paths.MANIFEST.read_text())
    figures_entry = next(r for r in package["resources"] if r["path"] == "figures.csv")
    assert [f["name"] for f in figures_entry["schema"]["fields"]] == figures.COLUMNS
    types = {f["name"]: f["type"] for f in figures_entry["schema"]["fields"]}
    assert types.pop("value") == "number" and set(types.values()) == {"string"}


def test_committed_manifest_is_what_write_writes(tmp_path):
    """Rebuilt from the committed files, the manifest comes out byte for byte as committed
    (rows, hashes, schemas and indentation)."""
    manifest.write(tmp_path / "datapackage.json")
    assert (tmp_path / "datapackage.json").read_bytes() == paths.MANIFEST.read_bytes()


def test_manifest_counts_records_not_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "DATA", tmp_path)
    data_file = tmp_path / "x.csv"
    data_file.write_text('a,quote\n1,"two\nlines"\n2,b\n', encoding="utf-8")
    assert manifest._resource(data_file)["rows"] == 2


@pytest.mark.parametrize("edit, words", [
    (lambda r: r[0]["schema"]["fields"].reverse(), r"^data/figures.csv:1: header \['id', .* differs from the manifest \['note'"),
    (lambda r: r.append({**r[0], "path": "sources/gone.csv"}),
     r"^data/sources/gone.csv: listed in datapackage.json but missing"),
    (lambda r: r.pop(0), r"^data/figures.csv: not listed in datapackage.json"),
])
def test_manifest_names_what_differs(tmp_path, edit, words):
    package = json.loads(paths.MANIFEST.read_text())
    assert package["resources"][0]["path"] == "figures.csv"
    edit(package["resources"])
    changed = tmp_path / "datapackage.json"
    changed.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DataError, match=words):
        manifest.check(changed)


def test_second_audit_flags(data):
    def note(url_part, start, end, value):
        rows = data[data["url"].str.contains(url_part, regex=False) & (data["start"] == start)
                    & (data["end"] == end) & (data["value"] == value)]
        assert len(rows) == 1
        return rows["note"].iloc[0]

    assert "rounded" not in note("asianmetal.com", "2015-01", "2015-12", 34832)
    assert "rounded" not in note("tradium.com", "2025-08", "2025-08", 1346)
    assert note("tradingkey.com", "2025-08", "2025-08", 590) == "weak source"
    for start, end, value in (("2025-01", "2025-09", 48350), ("2025-01", "2025-12", 62580),
                              ("2026-01", "2026-02", 10460)):
        assert note("tass.com", start, end, value).startswith("rounded; truncated to tens")
    assert "conflicting" not in note("bravotv.co.kr", "2025-03", "2025-03", 5666.3)
    machine = data[data["url"].str.contains("energynews.oedigital.com/mining/2026", regex=False)
                   & (data["start"] == "2025-01") & (data["end"] == "2025-12")]
    assert machine["as_published"].tolist() == ["62.585 metric tons"]
    assert "read 62,585 t" in machine["note"].iloc[0] and machine["value"].iloc[0] == 62585
    ytn = data[data["url"].str.contains("ytn.co.kr/_ln/0104_202508201627179318", regex=False)
               & (data["start"] == "2025-05")]
    assert ytn["as_published"].tolist() == ["5월엔 1,238t까지 내려앉았다가"]
    gifu = data[data["url"].str.contains("gifu-np", regex=False)]
    assert len(gifu) == 3 and set(gifu["published"]) == {"2025-07"}


def test_december_2024_imports_contradiction_is_listed():
    built = series.build(flow="import")
    [found] = [c for c in built.contradictions
               if c["interval"] == "2024-01..2024-12 - 2024-01..2024-11"]
    assert (found["published"], found["sum_of_months"]) == (9643, 9645)
    assert found["tolerance"] == pytest.approx(1.5)
    assert "| 2024-01..2024-12 - 2024-01..2024-11 | 9,643.0 | 9,645.0 |" in (
        paths.COVERAGE.read_text(encoding="utf-8"))
