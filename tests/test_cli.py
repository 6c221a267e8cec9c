"""The command line a newcomer meets: status and coverage."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from helpers import coverage, series, wording
from conftest import digest


def run(*args):
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True,
                          text=True)


def test_status_lists_every_series_with_counts():
    done = run("status")
    assert done.returncode == 0, done.stderr
    months = series.build().months
    reported = int((months["origin"] == "reported").sum())
    line = next(ln for ln in done.stdout.splitlines()
                if ln.startswith("export rare_earths World quantity_t"))
    assert line.split()[6:9] == [str(reported), str(int((months["origin"] == "derived").sum())),
                                 str(int((months["origin"] == "missing").sum()))]
    last = months.index[months["origin"] != "missing"][-1]
    assert f"Latest headline month: {last}: {wording.tonnes(months.at[last, 'value'])} " \
           f"({months.at[last, 'origin']}" in done.stdout
    if months.at[last, "rank"] >= 4:  # a single weak source
        assert "unconfirmed" in done.stdout


def test_status_spans_each_series_from_its_first_to_its_last_month():
    row = coverage.status().loc["export rare_earths World quantity_t"]
    # the headline line starts in January 2015 (earlier figures are the quota era's)
    assert (row["first"], row["last"]) == ("2015-01", str(series.build().months.index[-1]))


def test_coverage_markdown_names_the_2023_contradiction():
    text = coverage.markdown()
    assert "2023-01..2023-07 | 31,662.0 | 31,422.0 | +240.0" in text
    assert "| 2017 | 0 | 0 | 12 |" in text


def test_usage_error_exits_2():
    assert run("no-such-command").returncode == 2
    bare = run()
    assert bare.returncode == 2 and "the following arguments are required: command" in bare.stderr


def test_disk_fault_is_one_line_with_its_file(monkeypatch, capsys):
    import errno

    from helpers import __main__ as cli

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device", "data/figures.csv")

    monkeypatch.setattr(coverage, "status", full)
    assert cli.main(["status"]) == 2
    assert capsys.readouterr().err == "error: No space left on device: data/figures.csv\n"


@pytest.mark.parametrize("given, missing", [("--to", "--from"), ("--from", "--to")])
def test_briefs_needs_both_ends_of_its_range(given, missing):
    done = run("briefs", given, "2025-12")
    assert done.returncode == 2
    assert f"the following arguments are required: {missing}" in done.stderr


def test_export_says_what_it_wrote(tmp_path):
    done = run("export", "--out", str(tmp_path / "series.csv"), "--as-of", "2025-06-30")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "series.csv")
    counts = table["origin"].value_counts()
    assert done.stdout == (
        f"wrote {tmp_path / 'series.csv'}: {table['series'].nunique()} series, {len(table)} rows "
        f"({counts['reported']} reported, {counts['derived']} derived, {counts['missing']} "
        f"missing; {(table['start'] != table['end']).sum()} of them combined January-February)\n")
    bad = run("export", "--out", str(tmp_path / "x.csv"), "--as-of", "2025-13-01")
    assert bad.returncode == 2 and not (tmp_path / "x.csv").exists()
    assert bad.stderr == "error: --as-of '2025-13-01' is not a date YYYY-MM-DD\n"


def test_build_data_rebuilds_the_committed_files_exactly(project):
    before = digest(project / "data")
    done = subprocess.run([sys.executable, "-m", "helpers", "build-data"], capture_output=True,
                          text=True, cwd=project, env={"PYTHONPATH": str(project),
                                                        "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert digest(project / "data") == before
    rows = len(pd.read_csv(project / "data" / "figures.csv"))
    assert done.stdout.startswith(f"data/figures.csv: {rows} figures (raw rows left out: ")
    # the shared sources hold rows with no publication date (10 blank cells), left out
    assert re.search(r"left out: (\d+ [a-z ]+, )*\d+ no publication date", done.stdout)
    assert done.stdout.endswith("); manifest and COVERAGE.md rewritten\n")
