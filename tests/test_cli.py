"""The command line a newcomer meets: status and coverage."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from helpers import coverage, paths, series, wording
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


class Recorder:
    """A stand-in for a render function: keeps its calls, returns what it is given."""

    def __init__(self, result):
        self.result, self.calls = result, []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.result


@pytest.mark.parametrize("extra, pdf", [([], True), (["--pdf"], True), (["--no-pdf"], False)])
def test_every_render_command_prints_a_pdf_unless_told_not_to(tmp_path, monkeypatch, extra, pdf):
    from helpers import __main__ as cli
    from helpers import intake, render

    one = Recorder(render.Result("2019-12", True, tmp_path, "written"))
    many = Recorder(([render.Result("2019-12", True, tmp_path, "written")], []))
    monkeypatch.setattr(render, "render", one)
    monkeypatch.setattr(render, "render_range", many)
    monkeypatch.setattr(render, "headline", lambda folder: "2019-12: headline")
    monkeypatch.setattr(render, "write_index", lambda out: out / "index.html")
    monkeypatch.setattr(intake, "add", lambda items: (["new-id"], []))
    assert cli.main(["brief", "--month", "2019-12", *extra]) == 0
    assert cli.main(["briefs", "--from", "2019-12", "--to", "2019-12", *extra]) == 0
    assert cli.main(["add", "--month", "2019-12", "--product", "rare_earths", "--tonnes", "1",
                     "--source", "A: b", "--url", "https://example.org/x",
                     "--published", "2020-01-14", "--no-notebooks", *extra]) == 0
    assert [kwargs["pdf"] for _, kwargs in one.calls] == [pdf, pdf]
    assert many.calls[0][1]["pdf"] is pdf


def test_add_renders_the_brief_of_its_latest_month_and_exits_1_if_that_fails(
        tmp_path, monkeypatch, capsys):
    from helpers import __main__ as cli
    from helpers import intake, notebooks, render

    rows = tmp_path / "rows.csv"
    rows.write_text("month,product,partner,tonnes,source,url,published\n"
                    "2026-02,magnets,Japan,300,A: b,https://example.org/d,2026-03-20\n"
                    "2026-03,magnets,Japan,200,A: b,https://example.org/d,2026-04-20\n",
                    encoding="utf-8")
    monkeypatch.setattr(intake, "add", lambda items: (["a", "b"], []))
    monkeypatch.setattr(notebooks, "execute_all", lambda: [paths.NOTEBOOKS / "01_x.ipynb"])
    failed = Recorder(render.Result("2026-03", False, tmp_path, "brief 2026-03 failed: cell 4"))
    monkeypatch.setattr(render, "render", failed)
    assert cli.main(["add", "--file", str(rows)]) == 1
    assert failed.calls[0][0][0] == "2026-03"  # the later of the two months, not the first
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "executed notebooks/01_x.ipynb"
    assert err == "brief 2026-03 failed: cell 4\n"


def test_briefs_exits_1_when_a_month_fails_and_lists_only_the_good_ones(
        tmp_path, monkeypatch, capsys):
    from helpers import __main__ as cli
    from helpers import render

    good = render.Result("2025-11", True, tmp_path / "2025-11", "written")
    bad = render.Result("2025-12", False, tmp_path / "2025-12", "brief 2025-12 failed: cell 4")
    monkeypatch.setattr(render, "headline", lambda folder: f"{folder.name}: headline")
    indexed = Recorder(tmp_path / "index.html")
    monkeypatch.setattr(render, "write_index", indexed)
    monkeypatch.setattr(render, "render_range", lambda *a, **k: ([good, bad], []))
    argv = ["briefs", "--from", "2025-11", "--to", "2025-12", "--out", str(tmp_path)]
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    assert out == (f"2025-11: headline\n1 briefs written to {tmp_path}, 1 failed\n"
                   f"archive: {tmp_path / 'index.html'}\n")
    assert err == "brief 2025-12 failed: cell 4\n"
    monkeypatch.setattr(render, "render_range", lambda *a, **k: ([bad], []))
    assert cli.main(argv) == 1
    assert "archive" not in capsys.readouterr().out and len(indexed.calls) == 1


def test_notebooks_command_lists_what_it_executed(monkeypatch, capsys):
    from helpers import __main__ as cli
    from helpers import notebooks

    monkeypatch.setattr(notebooks, "execute_all", lambda: [paths.NOTEBOOKS / "01_x.ipynb"])
    assert cli.main(["notebooks"]) == 0
    assert capsys.readouterr().out == f"executed {paths.NOTEBOOKS / '01_x.ipynb'}\n"
