"""Taking in a published figure: checks before writing, ids kept, nothing changed on bad input."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from helpers import figures, intake, sources
from conftest import digest

TODAY = date(2026, 12, 1)
GOOD = {"month": "2026-03", "product": "rare_earths", "tonnes": "4321.5",
        "ytd_tonnes": "14789.8", "source": "Test Wire: China's March rare earth exports",
        "url": "https://example.org/march", "published": "2026-04-14"}


@pytest.mark.parametrize("change, message", [
    ({"month": "2026-12"}, "2026-12 is not complete yet on 2026-12-01"),
    ({"published": "2026-03-31"}, "cannot be published before the month is over"),
    ({"published": "2027-01-02"}, "expected a date not after today"),
    ({"ytd_tonnes": "4000"}, "is less than --tonnes"),
    ({"source": "no outlet"}, 'expected "OUTLET: headline"'),
    ({"source": "=HYPERLINK(1): x"}, "--source starts with '=': expected the words as "
                                     "published, not a spreadsheet formula"),
    ({"quote": " @SUM(1)"}, "--quote starts with '@'"),
    ({"url": "ftp://x"}, "--url 'ftp://x'"),
    ({"tonnes": "1e400"}, "expected a finite number"),
    ({"tonnes": "-1"}, "--tonnes '-1': expected a finite number >= 0"),
    ({"usd": "nan"}, "--usd 'nan': expected a finite number"),
    ({"tonnes": "", "ytd_tonnes": ""}, "expected at least one of --tonnes, --ytd-tonnes"),
    ({"month": "2026-01", "tonnes": "5294", "ytd_tonnes": "6000", "published": "2026-02-10"},
     "--ytd-tonnes 6000 differs from --tonnes 5294: the year to date of January is January"),
    ({"month": "", "start": "2026-01", "end": "2026-02"},
     "--ytd-tonnes goes with --month"),
    ({"product": "magnet"}, "--product 'magnet': expected one of"),
    ({"partner": "JAPAN"}, "--partner 'JAPAN'"),
    ({"start": "2026-01"}, "--month or --start/--end, not both"),
    ({"month": "", "start": "2026-03", "end": "2026-01", "ytd_tonnes": ""},
     "--start 2026-03 .. --end 2026-01: expected an interval within one year"),
    ({"month": "", "start": "2025-12", "end": "2026-01", "ytd_tonnes": ""},
     "--start 2025-12 .. --end 2026-01: expected an interval within one year"),
])
def test_bad_options_name_the_option(change, message):
    with pytest.raises(intake.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        intake.story({**GOOD, **change}, TODAY)


@pytest.mark.parametrize("product, flow, partner, measure, start, end", [
    ("rare_earths", "export", "World", "quantity_t", "2026-03", "2026-03"),
    ("rare_earths", "export", "World", "quantity_t", "2026-01", "2026-03"),
    ("rare_earths", "import", "World", "value_usd", "2026-01", "2026-12"),
    ("magnets", "export", "South Korea", "quantity_t", "2026-03", "2026-03"),
    ("magnets", "export", "United States", "quantity_t", "2026-01", "2026-02"),
    ("rare_earth_products_bbg", "export", "World", "quantity_t", "2026-03", "2026-03"),
])
def test_raw_series_maps_back_to_the_same_series(product, flow, partner, measure, start, end):
    name = intake.raw_series(product, flow, partner, measure, pd.Period(start, "M"),
                             pd.Period(end, "M"))
    mapping = sources.classify(name, int(start[:4]), "")
    if start != end:
        assert name.endswith("_fullyear" if end.endswith("-12") else f"_ytd_Jan-{pd.Period(end, 'M'):%b}")
    assert (mapping.flow, mapping.product, mapping.partner) == (flow, product, partner)


def test_story_gives_month_year_to_date_and_value_rows():
    rows = intake.raw_rows(intake.story({**GOOD, "usd": "25000000", "weak": "yes"}, TODAY))
    assert [(r["period"], r["series"], r["value"], r["unit"]) for r in rows] == [
        ("2026-03", "export_rare_earths_volume", "4321.5", "t"),
        ("2026-01..03", "export_rare_earths_volume_ytd_Jan-Mar", "14789.8", "t"),
        ("2026-03", "export_rare_earths_value", "25000000", "USD")]
    assert {r["flags"] for r in rows} == {"weak source"}
    assert rows[0]["outlet"] == "Test Wire" and rows[0]["headline"].startswith("China's March")


def test_zero_today_and_a_headline_with_colons_are_accepted():
    item = intake.story({**GOOD, "tonnes": "0", "ytd_tonnes": "",
                         "source": "Test Wire: Exports: none to the US"}, TODAY)
    assert item.tonnes == 0.0
    assert intake.story({**GOOD, "published": TODAY.isoformat()}, TODAY).published == TODAY
    # January's year to date is the month: accepted when equal, and written once
    january = intake.story({**GOOD, "month": "2026-01", "tonnes": "5294", "ytd_tonnes": "5294.0",
                            "published": "2026-02-10"}, TODAY)
    assert [r["period"] for r in intake.raw_rows(january)] == ["2026-01"]
    pair = intake.story({**GOOD, "month": "", "start": "2026-01", "end": "2026-02",
                         "ytd_tonnes": ""}, TODAY)
    assert [r["series"] for r in intake.raw_rows(pair)] == ["export_rare_earths_volume_ytd_Jan-Feb"]
    [row] = intake.raw_rows(item)
    assert (row["outlet"], row["headline"], row["value"]) == ("Test Wire",
                                                              "Exports: none to the US", "0")


def test_year_to_date_must_agree_with_the_data():
    data = figures.load()
    # the data hold January-November 2025, so a full year of 70,000 t cannot go with a
    # December of 4,392 t
    bad = intake.story({**GOOD, "month": "2025-12", "tonnes": "4392", "ytd_tonnes": "70000",
                        "published": "2026-01-14"}, TODAY)
    with pytest.raises(intake.InputError, match="minus the data's January–November total"):
        intake.check(bad, data)


@pytest.mark.parametrize("ytd, agrees", [("62585", True), ("62586", True), ("62587", False)])
def test_year_to_date_agrees_within_the_rounding(ytd, agrees):
    """January-November 2025 is 58,193.1 t in the data, so a full year of 62,585 t implies a
    December of 4,391.9 t. The slack is half a unit of each of the two figures given plus
    0.5 t: 1.5 t for 4,392 and a whole full-year figure, so 62,586 (implied 4,392.9) passes
    and 62,587 (4,393.9) does not."""
    item = intake.story({**GOOD, "month": "2025-12", "tonnes": "4392", "ytd_tonnes": ytd,
                         "published": "2026-01-14"}, TODAY)
    if agrees:
        intake.check(item, figures.load())
        assert item.notes == []
    else:
        with pytest.raises(intake.InputError, match="is 4,393.9 t, not --tonnes 4,392.0"):
            intake.check(item, figures.load())


@pytest.mark.parametrize("change, note", [
    # copies of shipped figures, each beside other series of the same month that differ
    ({"month": "2025-09", "tonnes": "4000.3", "published": "2025-10-14"}, None),
    ({"month": "2025-12", "product": "magnets", "partner": "Japan", "tonnes": "280",
      "published": "2026-01-20"}, None),
    ({"month": "2025-09", "tonnes": "", "usd": "59600000", "published": "2025-10-14"}, None),
    # 5,494 is within half a tonne of the data's 5,493.9 for November 2025
    ({"month": "2025-11", "tonnes": "5494", "published": "2025-12-09"}, None),
    ({"month": "2025-11", "tonnes": "5490.3", "published": "2025-12-09"},
     "conflicting copies: the data hold 5,490.0, 5,493.9, 5,494.0 t for this period"),
    ({"month": "2025-12", "tonnes": "4400", "published": "2026-01-14"},
     "conflicting copies: the data hold 4,392.0 t for this period"),
])
def test_a_different_value_for_the_same_series_and_period_is_noted(change, note):
    item = intake.story({**GOOD, "ytd_tonnes": "", **change}, TODAY)
    intake.check(item, figures.load())
    assert item.notes == ([note] if note else [])


def rows_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


ROW = "Test Wire: by destination,https://example.org/d,2026-04-20"


@pytest.mark.parametrize("text, message", [
    ("month,product,tonnage\n2026-03,magnets,1\n", "--file rows.csv:1: expected a header"),
    ("month,partner,tonnes\n2026-03,Japan,1\n", "--file rows.csv:1: expected a header"),
    (f"month,product,partner,tonnes,source,url,published\n2026-03,magnets,Japan,300,{ROW}\n"
     f"2026-03,magnets,Japan,x,{ROW}\n", "--file rows.csv:3: --tonnes 'x': expected a number"),
    (f"month,product,partner,tonnes,source,url,published\n2026-3,magnets,Japan,1,{ROW}\n",
     "--file rows.csv:2: --month '2026-3': expected a month YYYY-MM"),
    (f"month,product,partner,tonnes,source,url,published\n2026-03,magnet,Japan,1,{ROW}\n",
     "--file rows.csv:2: --product 'magnet'"),
    (f"month,product,partner,tonnes,source,url,published\n2026-03,magnets,Japan,{ROW}\n",
     "--file rows.csv:2: 6 fields; expected 7"),
    ("month,product,partner,tonnes,source,url,published\n", "--file rows.csv: no rows"),
])
def test_file_errors_name_the_line_once(tmp_path, text, message):
    with pytest.raises(intake.InputError) as caught:
        intake.read_file(rows_file(tmp_path, text), TODAY)
    assert str(caught.value).startswith(message)
    assert str(caught.value).count("rows.csv") == 1


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "helpers", "add", *args, "--no-notebooks",
                           "--no-brief"], capture_output=True, text=True, cwd=root, env=env)


def test_add_appends_rebuilds_and_keeps_every_id(project):
    before = pd.read_csv(project / "data" / "figures.csv", dtype=str)
    done = run(project, "--month", "2026-03", "--product", "magnets", "--partner", "Germany",
               "--tonnes", "1234", "--source", "Test Wire: magnets to Germany",
               "--quote", "1,234 tonnes to Germany", "--url", "https://example.org/de",
               "--published", "2026-04-20")
    assert done.returncode == 0, done.stderr
    after = pd.read_csv(project / "data" / "figures.csv", dtype=str).set_index("id")
    assert set(before["id"]) < set(after.index)
    new = after.loc[sorted(set(after.index) - set(before["id"]))]
    assert len(new) == 1 and new.iloc[0]["partner"] == "Germany"
    assert new.iloc[0]["as_published"] == "1,234 tonnes to Germany"
    assert f"added 1 figure ({new.index[0]})" in done.stdout
    unchanged = after.loc[before["id"], ["value", "start", "end", "url"]]
    assert (unchanged.reset_index(drop=True) == before[["value", "start", "end", "url"]]).all().all()
    again = run(project, "--month", "2026-03", "--product", "magnets", "--partner", "Germany",
                "--tonnes", "1234.0", "--source", "Test Wire: magnets to Germany",
                "--url", "https://example.org/de", "--published", "2026-04-20")
    assert again.returncode == 0 and "nothing added" in again.stdout
    assert len(pd.read_csv(project / "data" / "figures.csv")) == len(after)


def test_add_a_detailed_release_from_a_file(project, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("month,product,partner,tonnes,source,url,published\n"
                    "2026-03,magnets,Japan,300,Test Wire: by destination,https://example.org/d,2026-04-20\n"
                    "2026-03,magnets,India,200,Test Wire: by destination,https://example.org/d,2026-04-20\n",
                    encoding="utf-8")
    done = run(project, "--file", str(rows))
    assert done.returncode == 0, done.stderr
    assert "added 2 figures" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["--month", "2026-03", "--product", "rare_earths", "--tonnes", "x"], "--tonnes 'x'"),
    (["--product", "rare_earths", "--tonnes", "1"], "--month YYYY-MM"),
    (["--file", "rows.csv", "--month", "2026-03"], "--file or --month, not both"),
])
def test_bad_input_exits_2_and_changes_nothing(project, args, message):
    before = digest(project / "data")
    done = run(project, *args, "--source", "A: b", "--url", "https://example.org/x",
               "--published", "2026-04-14")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert digest(project / "data") == before


def test_add_rebuilds_exactly_what_build_data_builds(project):
    """The rebuild after `add` keeps the annotations and corrections (TASS's truncated copies
    stay flagged), so only the new figure differs from the shipped figures.csv."""
    before = pd.read_csv(project / "data" / "figures.csv", dtype=str).set_index("id")
    done = run(project, "--month", "2026-03", "--product", "magnets", "--partner", "India",
               "--tonnes", "77", "--source", "Test Wire: magnets to India",
               "--url", "https://example.org/in", "--published", "2026-04-20")
    assert done.returncode == 0, done.stderr
    after = pd.read_csv(project / "data" / "figures.csv", dtype=str).set_index("id")
    assert after.drop(index=sorted(set(after.index) - set(before.index))).equals(before)
