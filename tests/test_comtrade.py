"""`fetch comtrade`, snapshots and the Comtrade products, with a fake client (never the network).

The fake (tests/comtrade_fake.py) replaces `comtradeapicall.previewFinalData` and
`getFinalData` and answers in the API's column layout from made-up rows.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from comtrade_fake import RETRIEVED, FakeAPI, http_body, install, snapshot_folder

from helpers import comtrade, customs, figures, series, snapshots
from helpers.__main__ import main
from helpers.errors import DataError

EXPORTS = ["fetch", "comtrade", "--reporter", "China", "--flow", "X", "--cmd", "850511",
           "--period", "2025-01:2025-02"]


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(comtrade, "PAUSE_S", 0)
    monkeypatch.delenv(comtrade.KEY_VARIABLE, raising=False)
    return install(monkeypatch, FakeAPI())


def fetch(tmp_path, *extra):
    return main([*EXPORTS, "--out", str(tmp_path / "snap"), *extra])


def files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- fetching -------------------------------------------------------------------------------

def test_multi_partner_export_months(fake, tmp_path, capsys):
    assert fetch(tmp_path) == 0
    out = capsys.readouterr().out
    day = date.today().isoformat()
    name = f"r156_X_pall_hs850511_202501-202502_{day}.csv"
    assert files(tmp_path / "snap") == [name, name.replace(".csv", ".json")]
    assert "all partners, HS 850511, 2025-01..2025-02: 2 calls without a key" in out
    assert f"wrote {tmp_path / 'snap' / name} (10 rows" in out
    saved = pd.read_csv(tmp_path / "snap" / name, dtype=str)
    assert list(saved.columns) == list(FakeAPI().rows[0]) and len(saved) == 10  # API columns
    assert (tmp_path / "snap" / name).stat().st_mode & 0o044 == 0o044  # readable by others
    record = json.loads((tmp_path / "snap" / name.replace(".csv", ".json")).read_text())
    assert record["rows"] == 10 and record["access"] == "preview"
    assert record["sha256"] == snapshots.sha256((tmp_path / "snap" / name).read_bytes())
    assert record["query"] == {"reporter": "156", "reporter_name": "China", "partner": "all",
                               "partner_name": "all", "flow": "X", "cmd": ["850511"],
                               "start": "2025-01", "end": "2025-02", "frequency": "M",
                               "classification": "HS"}
    assert record["dataset_version"]["classificationCode"] == ["H6"]
    rows = customs.snapshot_figures(tmp_path / "snap")
    got = {(r.partner, r.start, r.measure): r.value for r in rows.itertuples()}
    assert got[("Japan", "2025-01", "quantity_t")] == 1200.0
    assert got[("World", "2025-01", "quantity_t")] == 5000.0  # partner 0 as published
    assert got[("Germany", "2025-01", "value_usd")] == 45_000_000.0
    assert ("Germany", "2025-02", "quantity_t") not in got  # not in the data: stays missing
    japan = rows[(rows["partner"] == "Japan") & (rows["start"] == "2025-01")].iloc[0]
    assert japan["product"] == "magnets_hs6"
    assert japan["source"].startswith("UN Comtrade, reporter China, HS 850511, retrieved " + day)
    assert japan["url"] == record["url"] and japan["published"] == day
    assert japan["as_published"] == "1,200,000 kg = 1,200 t"


def test_partner_import_month(fake, tmp_path, capsys):
    args = ["fetch", "comtrade", "--reporter", "392", "--partner", "China", "--flow", "m",
            "--cmd", "850511", "--period", "2025-02", "--out", str(tmp_path)]
    assert main(args) == 0
    assert "reporter 392 (Japan), imports, partner 156 (China)" in capsys.readouterr().out
    assert [c["partnerCode"] for c in fake.calls] == ["156"]
    tidy = customs.read_comtrade(tmp_path, reporter="392")
    assert list(tidy[["flow", "partner", "quantity_t", "value_usd"]].itertuples(
        index=False, name=None)) == [("import", "China", 1100.0, 54_000_000.0)]
    with pytest.raises(DataError, match="no snapshot with reporter code 156"):
        customs.read_comtrade(tmp_path)  # China's own reports: none in this folder


def test_request_split_into_calls_with_pauses(tmp_path):
    fake, pauses = FakeAPI(), []
    q = comtrade.query("156", None, "X", "850511,280530", "2025-01:2025-03")
    saved = comtrade.fetch(q, "secret-key", tmp_path, client=fake, sleep=pauses.append,
                           now=RETRIEVED)
    assert [(c["period"], c["cmdCode"]) for c in fake.calls] == [
        ("202501", "850511"), ("202501", "280530"), ("202502", "850511"),
        ("202502", "280530"), ("202503", "850511"), ("202503", "280530")]
    assert {c["key"] for c in fake.calls} == {"secret-key"}  # getFinalData with the key
    assert {c["maxRecords"] for c in fake.calls} == {comtrade.ROW_CAP["key"]}
    assert pauses == [comtrade.PAUSE_S] * 5
    assert saved.rows == 12 and saved.path.name == \
        "r156_X_pall_hs850511-280530_202501-202503_2026-12-01.csv"
    record = snapshots.manifest(saved.path)
    assert record["calls"] == 6
    assert record["calls_without_rows"] == ["202502 HS 280530", "202503 HS 850511",
                                            "202503 HS 280530"]
    assert record["url"].startswith("https://comtradeapi.un.org/data/v1/get/C/M/HS?")
    assert "period=202501,202502,202503" in record["url"]
    for path in tmp_path.iterdir():
        assert "secret-key" not in path.read_text()
    rows = customs.snapshot_figures(tmp_path)
    metals = rows[(rows["product"] == "rare_earth_metals_hs6") & (rows["partner"] == "Japan")]
    assert metals.set_index("measure")["value"].to_dict() == {"quantity_t": 100.0,
                                                              "value_usd": 5_000_000.0}


def test_query_text():
    q = comtrade.query(" china ", "All", "x", "850511, 2846", "2025-11:2026-02",
                       today=date(2026, 3, 5))
    assert (q.reporter, q.partner, q.flow, q.cmd) == ("156", None, "X", ("850511", "2846"))
    assert q.months() == ["202511", "202512", "202601", "202602"]
    assert comtrade.query("392", "156", "M", "850511", "2025-03").months() == ["202503"]
    with pytest.raises(ValueError, match="2026-03 is in the future"):
        comtrade.query("156", None, "X", "850511", "2026-03", today=date(2026, 2, 28))


def test_key_from_environment(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(comtrade.KEY_VARIABLE, "env-key")
    assert fetch(tmp_path) == 0
    assert {c["key"] for c in fake.calls} == {"env-key"}
    assert "2 calls with a key" in capsys.readouterr().out


def test_same_query_same_day(fake, tmp_path, capsys):
    assert fetch(tmp_path) == 0
    first = files(tmp_path / "snap")
    assert fetch(tmp_path) == 0
    assert "nothing written" in capsys.readouterr().out.splitlines()[-1]
    assert files(tmp_path / "snap") == first
    fake.rows[1]["netWgt"] = 1_250_000  # a revision published the same day
    assert fetch(tmp_path) == 0
    names = files(tmp_path / "snap")
    assert len(names) == 4 and names[2].endswith("_2.csv") and names[3].endswith("_2.json")
    tidy = customs.read_comtrade(tmp_path / "snap")  # the newest retrieval of the query
    assert set(tidy["source_file"]) == {names[2]}
    assert tidy.loc[tidy["partner"] == "Japan", "quantity_t"].iloc[0] == 1250.0


def test_newest_snapshot_of_each_query_is_read(tmp_path):
    fake = FakeAPI()
    q = comtrade.query("156", None, "X", "850511", "2025-01")
    comtrade.fetch(q, None, tmp_path, client=fake, sleep=lambda s: None, now=RETRIEVED)
    fake.rows[1]["netWgt"] = 1_300_000
    later = datetime(2026, 12, 5, tzinfo=timezone.utc)
    comtrade.fetch(q, None, tmp_path, client=fake, sleep=lambda s: None, now=later)
    assert len(list(tmp_path.glob("*.csv"))) == 2  # the older one is kept as the record
    tidy = customs.read_comtrade(tmp_path)
    assert tidy.loc[tidy["partner"] == "Japan", "quantity_t"].tolist() == [1300.0]
    assert set(tidy["retrieved"]) == {"2026-12-05"}


# --- failures -------------------------------------------------------------------------------

FAILURES = [
    (http_body(401, "Access denied due to invalid subscription key. Make sure to provide a "
               "valid key for an active subscription."), "invalid key (HTTP 401"),
    (http_body(429, "Rate limit is exceeded. Try again in 2 seconds."), "rate limit (HTTP 429"),
    (http_body(403, "Out of call volume quota. Quota will be replenished in 05:27:39."),
     "quota used up (HTTP 403"),
    # classified by the status alone when the body's words say nothing
    (http_body(401, "Unauthorized"), "invalid key (HTTP 401: Unauthorized)"),
    (http_body(429, "Too Many Requests"), "rate limit (HTTP 429: Too Many Requests)"),
    (http_body(403, "Forbidden"), "quota used up (HTTP 403: Forbidden)"),
    (http_body(500, "Internal server error"), "HTTP error 500 (Internal server error)"),
    ("Request error: HTTPSConnectionPool(host='comtradeapi.un.org', port=443): Max retries",
     "no connection (Request error"),
    (KeyError("data"), "unexpected response (KeyError"),
]


@pytest.mark.parametrize("failure, words", FAILURES)
def test_a_failed_call_writes_nothing(fake, tmp_path, capsys, failure, words):
    fake.failures[("202502", "850511")] = failure  # the second call fails, after one success
    assert fetch(tmp_path) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: UN Comtrade query reporter 156 (China), exports, all "
                             "partners, HS 850511, 2025-01..2025-02: 202502 HS 850511: ")
    assert words in err[0] and err[0].endswith("; nothing written")
    assert files(tmp_path / "snap") == []
    del fake.failures[("202502", "850511")]  # re-running after the failure is safe
    assert fetch(tmp_path) == 0 and len(files(tmp_path / "snap")) == 2


def test_the_key_never_reaches_a_message(fake, tmp_path, capsys):
    fake.failures[("202501", "850511")] = (
        "Request error: HTTPSConnectionPool(host='comtradeapi.un.org', port=443): Max retries "
        "exceeded with url: /data/v1/get/C/M/HS?period=202501&subscription-key=secret-key")
    assert fetch(tmp_path, "--key", "secret-key") == 2
    err = capsys.readouterr().err
    assert "no connection" in err and "subscription-key=***" in err
    assert "secret-key" not in err


def test_unexpected_columns_and_unwritable_out(fake, tmp_path, capsys):
    for row in fake.rows:
        del row["netWgt"]
    assert fetch(tmp_path) == 2
    assert "202501 HS 850511: unexpected response (no column netWgt)" in capsys.readouterr().err
    assert files(tmp_path / "snap") == []
    fake.rows = FakeAPI().rows
    (tmp_path / "file").write_text("not a folder")
    assert main([*EXPORTS, "--out", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the snapshot in" in err[0], err


def test_a_failed_manifest_write_removes_its_csv(fake, tmp_path, monkeypatch, capsys):
    write = snapshots._write_new

    def full_disk(path, data):
        if path.suffix == ".json":
            raise OSError(28, "No space left on device")
        write(path, data)

    monkeypatch.setattr(snapshots, "_write_new", full_disk)
    assert fetch(tmp_path) == 2
    assert "(No space left on device); nothing written" in capsys.readouterr().err
    assert files(tmp_path / "snap") == []


def test_empty_result(fake, tmp_path, capsys):
    assert main([*EXPORTS[:-1], "2024-01:2024-02", "--out", str(tmp_path / "snap")]) == 2
    err = capsys.readouterr().err
    assert "2024-01..2024-02: empty result (2 calls, no rows); nothing written" in err
    assert files(tmp_path / "snap") == []


def test_a_call_at_the_row_cap_is_refused(fake, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(comtrade.ROW_CAP, "preview", 6)
    assert fetch(tmp_path) == 2
    assert "202501 HS 850511: 6 rows, the cap of one call" in capsys.readouterr().err
    assert files(tmp_path / "snap") == []


@pytest.mark.parametrize("option, value, words", [
    ("--period", "2025-13:2025-12", "expected YYYY-MM:YYYY-MM"),
    ("--period", "202501", "expected YYYY-MM:YYYY-MM"),
    ("--period", "2025-05:2025-01", "the first month is after the last"),
    ("--period", "2099-01", "is in the future"),
    ("--cmd", "85051", "expected HS codes of 2, 4 or 6 digits"),
    ("--cmd", "850511,8505111", "'8505111': expected HS codes"),
    ("--reporter", "Atlantis", "--reporter 'Atlantis': expected an M49 code"),
    ("--partner", "12345", "--partner '12345': expected an M49 code"),
    ("--flow", "R", "--flow 'R': expected X (exports) or M (imports)"),
])
def test_malformed_query(fake, tmp_path, capsys, option, value, words):
    args = EXPORTS + ["--out", str(tmp_path / "snap")]
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: UN Comtrade query: ") and words in err[0]
    assert fake.calls == [] and files(tmp_path / "snap") == []


# --- figures --------------------------------------------------------------------------------

def test_hs6_is_never_the_press_series(tmp_path):
    snapshot_folder(tmp_path)
    tidy = customs.read_comtrade(tmp_path)
    with pytest.raises(DataError, match=r"no export or import rows with HS codes \['85051110'\]"):
        customs.to_figures(tidy, "magnets", published=None)  # 85051110 is not in HS6 data
    with pytest.raises(ValueError, match="published=None needs a frame read from Comtrade"):
        customs.to_figures(tidy.drop(columns="retrieved"), "magnets_hs6", published=None)
    nested = pd.concat([tidy, tidy.head(1).assign(hs_code="8505", source_line=99)])
    with pytest.raises(DataError, match="HS 8505 and 850511 both present"):
        customs.to_figures(nested, "magnets_wide", hs_codes=["8505"], published="2026-12-01")


def test_fetch_to_snapshot_to_figures_to_series(fake, tmp_path):
    assert fetch(tmp_path) == 0
    converted = tmp_path / "comtrade.figures.csv"
    customs.snapshot_figures(tmp_path / "snap").to_csv(converted)
    loaded = figures.load(converted)  # the converted rows pass the figures schema
    japan = series.monthly("magnets_hs6", "export", "Japan", "quantity_t", figures=converted)
    assert japan.to_dict() == {pd.Period("2025-01", "M"): 1200.0,
                               pd.Period("2025-02", "M"): 1000.0}
    assert set(loaded["product"]) == {"magnets_hs6"}


def test_snapshots_of_no_known_product_are_a_clear_error(tmp_path):
    # HS 850519 (non-metal magnets) is no product of this package: nothing to convert
    fake = FakeAPI(rows=[(156, "X", "202501", 392, "850519", 1_000, 50_000)])
    comtrade.fetch(comtrade.query("China", "all", "X", "850519", "2025-01"), None, tmp_path,
                   client=fake, sleep=lambda s: None, now=RETRIEVED)
    with pytest.raises(DataError, match=r"no HS code of a known product in these snapshots "
                                        r"\(\['850519'\]\); expected one of .*850511"):
        customs.snapshot_figures(tmp_path)


def test_a_snapshot_folder_is_one_holding_a_snapshot_with_its_manifest(tmp_path):
    folder = snapshot_folder(tmp_path / "snap")
    assert snapshots.is_folder(folder)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert not snapshots.is_folder(tmp_path / "empty")  # a CSV without its manifest
    assert not snapshots.is_folder(next(folder.glob("*.csv")))  # a file, not a folder
    assert not snapshots.is_folder(tmp_path / "none")
