"""The monthly brief: numbers against hand-computed values, bad months, atomic rendering."""

import json
import re
import subprocess
import sys
from datetime import date

import nbformat
import pandas as pd
import pytest

from helpers import paths, releases, render
from helpers.brief import Brief
from helpers.releases import MonthError


def test_december_2025_metrics_by_hand():
    m = Brief("2025-12").metrics()
    assert m["month"] == "2025-12" and m["product"] == "rare_earths"
    assert m["quantity_t"] == 4392.0
    assert m["mom_pct"] == round(100 * (4392 / 5493.9 - 1), 1) == -20.1
    assert m["yoy_pct"] == round(100 * (4392 / 3326 - 1), 1) == 32.1
    assert m["ytd_t"] == 62585.2
    assert m["ytd_yoy_pct"] == round(100 * (62585.2 / 55431 - 1), 1) == 12.9
    f = m["forecast"]
    assert f["lo95"] < f["lo80"] < f["mean"] < f["hi80"] < f["hi95"]
    assert 0 <= m["surprise_pct"] <= 100 and m["flag"] is False
    assert m["sources"][0] == {"start": "2025-12", "end": "2025-12", "value": 4392.0,
                               "source": m["sources"][0]["source"],
                               "url": m["sources"][0]["url"]}
    assert m["sources"][0]["url"].startswith("http")


def test_combined_february_by_hand():
    m = Brief("2026-02").metrics()
    assert m["period"] == "2026-01..2026-02"
    assert m["quantity_t"] == 10468.0
    assert m["mom_pct"] is None
    assert m["yoy_pct"] == round(100 * (10468 / 8511 - 1), 1) == 23.0
    assert m["ytd_t"] == 10468.0


def test_june_2025_year_to_date_published():
    m = Brief("2025-06").metrics()
    assert m["quantity_t"] == 7742.2
    assert m["ytd_t"] == 32569.2
    assert m["ytd_yoy_pct"] == round(100 * (32569.2 / 29095.2 - 1), 1)


@pytest.mark.parametrize("month, message", [
    ("2025-13", "is not YYYY-MM"), ("30-01", "is not YYYY-MM"),
    ("2030-01", "no published figure for 2030-01"),
    ("2022-01", "published only combined with February"),
])
def test_bad_month_one_line_exit_2(month, message, tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "brief", "--month", month,
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stderr
    assert "latest available month is" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_month_error_type():
    with pytest.raises(MonthError):
        Brief("2025-13")


def test_render_then_failing_template_keeps_the_good_brief(tmp_path):
    good = render.render("2025-06", tmp_path, pdf=False)
    assert good.ok
    assert render.headline(good.folder).startswith("2025-06: 7,742.2 t (+32.0% m/m, +60.3% y/y)")
    folder = tmp_path / "2025-06"
    assert {p.name for p in folder.iterdir()} == {"brief.ipynb", "brief.html", "metrics.json"}
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["quantity_t"] == 7742.2
    html = (folder / "brief.html").read_text()
    assert "7,742.2 t" in html
    assert not re.search(r"<script[^>]+src=", html)  # nothing fetched from a CDN
    assert "from helpers.brief import" not in html  # no code cells
    assert "data:image/png;base64" in html
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    broken = nbformat.read(paths.BRIEF_TEMPLATE, as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('template broke')"))
    bad_template = tmp_path / "broken.ipynb"
    nbformat.write(broken, bad_template)
    failed = render.render("2025-06", tmp_path, pdf=False, template=bad_template)
    assert not failed.ok
    assert "RuntimeError: template broke" in failed.message and "cell 4" in failed.message
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert (tmp_path / "2025-06.failed" / "brief.ipynb").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_month_without_enough_history_has_no_forecast():
    early = Brief("2018-06")
    m = early.metrics()
    assert m["quantity_t"] == 5456.0
    assert m["forecast"]["mean"] is None and m["surprise_pct"] is None
    assert early.expectation_text().startswith("No forecast for 2018-06:")


def test_surprise_ranked_against_earlier_months():
    assert "the lowest relative to expectation" in Brief("2020-07").expectation_text()


@pytest.mark.parametrize("content, message", [
    (None, "nope.csv: file not found"),
    ("a,b\n1,2\n", "bad.csv:1: header is neither the figures schema"),
])
def test_bad_data_file_one_line_exit_2(tmp_path, content, message):
    path = tmp_path / ("nope.csv" if content is None else "bad.csv")
    if content is not None:
        path.write_text(content)
    out = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-m", "helpers", "brief", "--month", "2025-12",
                           "--out", str(out), "--data", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_metrics_say_how_current_the_data_are():
    today = date(2026, 12, 1)
    b = Brief("2025-12")
    c = b.currency(today)
    used = b.data[b.data["end"] <= "2025-12"]
    assert c["data_as_of"] == used["published"].max() and c["generated"] == "2026-12-01"
    end = pd.Period(c["data_end"], "M")
    assert c["releases_missing"] == [str(m) for m in releases.due(end, today)]
    assert {"data_as_of", "generated", "releases_missing"} <= set(b.metrics())


def test_banner_warns_only_on_the_latest_month():
    today = date(2026, 12, 1)
    latest = Brief()
    c = latest.currency(today)
    text = latest.banner_text(today)
    assert text.count("Data as of") == 1
    if c["releases_missing"]:
        assert f"GACC has published {c['releases_missing'][0]}" in text
    assert "GACC has published" not in Brief("2025-06").banner_text(today)
