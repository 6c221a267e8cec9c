"""The monthly brief: numbers against hand-computed values, bad months, atomic rendering."""

import dataclasses
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from scipy import stats

from helpers import brief, evaluate, figures, paths, releases, render, series, wording
from helpers.releases import MonthError


def metrics(month):
    return brief.metrics(brief.compute(month, today=date(2026, 12, 1)))


def test_december_2025_metrics_by_hand():
    m = metrics("2025-12")
    assert m["month"] == "2025-12" and m["product"] == "rare_earths"
    assert m["quantity_t"] == 4392.0
    assert m["mom_pct"] == round(100 * (4392 / 5493.9 - 1), 1) == -20.1
    assert m["yoy_pct"] == round(100 * (4392 / 3326 - 1), 1) == 32.1
    assert m["ytd_t"] == 62585.2
    assert m["ytd_yoy_pct"] == round(100 * (62585.2 / 55431 - 1), 1) == 12.9
    f = m["forecast"]
    assert f["lo95"] < f["lo80"] < f["mean"] < f["hi80"] < f["hi95"]
    assert 0 <= m["surprise_pct"] <= 100 and m["flag"] is False
    assert m["sources"][0]["start"] == m["sources"][0]["end"] == "2025-12"
    assert m["sources"][0]["url"].startswith("http")


def test_december_2025_magnets_and_definitions_by_hand():
    m = metrics("2025-12")
    by = {d["partner"]: d for d in m["magnets"]["destinations"]}
    assert [d["partner"] for d in m["magnets"]["destinations"]][:6] == brief.MAIN_DESTINATIONS
    assert by["Japan"]["quantity_t"] == 280 and by["United States"]["quantity_t"] == 564
    assert by["Germany"]["quantity_t"] == 1106
    assert by["India"]["quantity_t"] is None  # listed as not published, never dropped
    total = m["magnets"]["total_t"]
    assert by["Japan"]["share_pct"] == round(100 * 280 / total, 1)
    assert all(d["url"].startswith("http") for d in by.values() if d["quantity_t"])
    assert m["definitions"] == {"rare_earths_t": 4392.0, "rare_earth_products_bbg_t": 6745.0,
                                "magnets_t": total}


def test_a_missing_detailed_release_is_awaited_only_before_its_date():
    # August 2023: the detailed release came out in September 2023 but is not in the data
    late = brief.compute("2023-08", today=date(2026, 12, 1))
    assert "September 2023 (GACC's usual latest day): not in the data. Data as of" in (
        wording.top(late))
    assert "is not in the data." in wording.magnets_section(late)
    early = brief.compute("2023-08", today=date(2023, 9, 15))  # made between the two releases
    assert wording.not_in_data(early) == "not in the data yet"
    # the detailed release's latest day is 23 September 2023: out from that day on
    assert early.detailed.date == date(2023, 9, 23)
    eve = brief.compute("2023-08", today=date(2023, 9, 22))
    assert wording.not_in_data(eve) == "not in the data yet"
    assert wording.not_in_data(brief.compute("2023-08", today=date(2023, 9, 23))) == \
        "not in the data"


def test_december_2025_says_which_way_past_forecasts_missed():
    # 7.9% above the forecast yet percentile 52: the figure came in above 34 of the 48 ranked
    # one-month forecasts (two-sided binomial p = 0.006), which the brief says
    n = brief.compute("2025-12", today=date(2026, 12, 1))
    assert n.surprise.n_past == 48 and n.surprise.above_pct == pytest.approx(100 * 34 / 48)
    # 4,392 t against a median forecast of 4,069 t: 100 * (4392 / 4068.7 - 1) = 7.9% above
    assert n.surprise.actual == 4392 and round(n.surprise.mean) == 4069
    assert ("4,069 t (80% interval 3,019–5,483 t), it is 7.9% above: percentile 52 among the "
            "model's past errors, within the usual range (a miss this large either way came in "
            "about 96% of past forecasts)") in wording.surprise_sentence(n)  # 2 * (100 - 52)
    assert ("Those past forecasts were mostly too low: the figure came in above 71% of them."
            in wording.surprise_sentence(n))
    assert brief.metrics(n)["past_lean"] == {
        "above_pct": 70.8, "binomial_pvalue": round(stats.binomtest(34, 48, 0.5).pvalue, 3)}
    assert brief.metrics(brief.compute("2018-12", today=date(2026, 12, 1)))["past_lean"] is None


@pytest.mark.parametrize("month, verdict", [
    # percentile 91.1, not flagged: outside the 10th-90th; a miss this large 2 * (100 - 91.1)%
    ("2021-09", "percentile 91 among the model's past errors, higher than in 9 of 10 past "
                "forecasts (a miss this large either way came in about 18% of past forecasts)"),
    # percentile 98.1: beyond 97.5, flagged
    ("2021-07", "percentile 98 among the model's past errors, beyond the central 95% of past "
                "misses: unusual (a miss this large either way came in about 4% of past "
                "forecasts)"),
])
def test_surprise_verdict_by_percentile(month, verdict):
    assert verdict in wording.surprise_sentence(brief.compute(month, today=date(2026, 12, 1)))


@pytest.mark.parametrize("above, pvalue, said", [
    (25.0, 0.01, " Those past forecasts were mostly too high: the figure came in below 75% of "
                 "them."),
    (60.0, 0.2, ""),
    (float("nan"), float("nan"), ""),
])
def test_the_lean_is_said_only_when_a_test_finds_one(above, pvalue, said):
    from types import SimpleNamespace
    assert wording.lean_sentence(SimpleNamespace(above_pct=above, above_pvalue=pvalue)) == said


def test_december_2025_says_how_often_its_intervals_held():
    n = brief.compute("2025-12", today=date(2026, 12, 1))
    origin = pd.Period("2025-11", "M")  # the last month before December 2025 with a figure
    y = series.monthly().loc[:origin]
    expected = evaluate.track_record(evaluate.errors(y, "default", [1]), origin, 1)
    assert n.surprise.record == expected and expected.n == evaluate.N_ORIGINS
    assert expected.last == origin  # nothing after the origin is counted
    got = brief.metrics(n)["interval_record"]
    assert (got["forecasts"], got["held80"], got["held95"]) == \
        (expected.n, expected.held80, expected.held95)
    assert (f"Its 80% interval held in {expected.held80} of the model's last {expected.n} "
            "one-month-ahead forecasts") in wording.surprise_sentence(n)
    # both fixed windows, as known in November 2025: the later one so far
    table = evaluate.errors(y, "default", [1])
    windows = dict(n.surprise.windows)
    assert list(windows) == list(evaluate.WINDOWS)
    for name, window in evaluate.WINDOWS.items():
        assert windows[name] == evaluate.track_record(table, origin, 1, None, window)
        assert got["windows"][name]["held80"] == windows[name].held80
    later = windows["2022-11..2025-11"]
    assert (str(later.first), str(later.last)) == ("2022-12", "2025-11")
    shown = wording.record_table(n.surprise)
    assert f"| origins 2022-11..2025-11 | Dec 2022–Nov 2025 | {later.n} | {later.held80} (" in shown


def test_combined_february_by_hand():
    m = metrics("2026-02")
    assert m["period"] == "2026-01..2026-02"
    assert m["quantity_t"] == 10468.0
    assert m["mom_pct"] is None
    assert m["yoy_pct"] == round(100 * (10468 / 8511 - 1), 1) == 23.0
    assert m["ytd_t"] == 10468.0
    us = next(d for d in m["magnets"]["destinations"] if d["partner"] == "United States")
    assert us["quantity_t"] == 994  # January-February 2026, published combined


def test_weak_february_is_unconfirmed():
    n = brief.compute("2026-02", today=date(2026, 12, 1))
    assert n.february is not None and n.february.value == 4407 and n.february.weak
    assert "unconfirmed" in wording.headline_section(n)


def test_published_year_to_date_change_is_quoted():
    n = brief.compute("2024-06", today=date(2026, 12, 1))
    assert brief.metrics(n)["ytd_yoy_pct"] == 10.9  # GACC's own, as Reuters quoted it
    text = wording.headline_section(n)
    # the months held give +11.9% (GACC compares against revised 2023 figures): both are said
    assert round(n.ytd_yoy_pct_computed, 1) == 11.9
    assert "as GACC published it: +10.9%" in text and ("from the months held: +11.9%, because "
                                                       "GACC compares against its revised 2023 "
                                                       "figures") in text
    # September 2024: published and computed agree (+6.4%), so only the published one is said
    agree = wording.headline_section(brief.compute("2024-09", today=date(2026, 12, 1)))
    assert "as GACC published it: +6.4%" in agree and "from the months held" not in agree


def test_no_hindsight_in_a_2025_brief():
    n = brief.compute("2025-04", today=date(2026, 12, 1))
    assert (n.events["date"] < pd.Timestamp("2025-05-01")).all()
    assert (n.chart_events["date"] < pd.Timestamp("2025-05-01")).all()
    text = " ".join([wording.top(n), wording.magnets_section(n), wording.policy_section(n)])
    assert "2026" not in text.replace(n.currency["generated"], "").replace(
        n.currency["data_as_of"], "")


def test_policy_section_spans_the_six_months_up_to_the_month():
    # February 2026: September 2025 to February 2026, so the rules of 22 August 2025 are out;
    # March 2026: October 2025 on, so the Busan meeting of 30 October 2025 is in
    today = date(2026, 12, 1)
    february, march = (brief.compute(m, today=today) for m in ("2026-02", "2026-03"))
    assert "2025-08-quota-rules" not in set(february.events["id"])
    assert "2025-10-busan" in set(march.events["id"])
    assert wording.policy_section(march).startswith("## Policy: the six months up to March 2026")


@pytest.fixture
def without_march_2026_headline(monkeypatch):
    """The data as if GACC's preliminary release for March 2026 were not held (as on
    2026-12-01): a detailed-release-only month that a later figure cannot take away."""
    load = brief.load_data

    def trimmed(data_files=None):
        data, folders = load(data_files)
        headline = (data["product"] == "rare_earths") & (data["end"] == "2026-03")
        return data[~headline], folders

    monkeypatch.setattr(brief, "load_data", trimmed)


def test_a_month_with_only_the_detailed_release(without_march_2026_headline):
    n = brief.compute("2026-03", today=date(2026, 12, 1))
    assert n.stage == "detailed release only" and not n.now.known
    m = brief.metrics(n)
    assert m["magnets"]["total_t"] == 5238.0
    us = next(d for d in m["magnets"]["destinations"] if d["partner"] == "United States")
    assert us["quantity_t"] == 406


def row(product, partner, month, value, published, start=None, measure="quantity_t"):
    """A hand-made figure (tonnes unless said) with a made-up story for its source."""
    return {"flow": "export", "product": product, "partner": partner,
            "measure": measure, "start": start or month, "end": month, "value": value,
            "as_published": f"{value} {'t' if measure == 'quantity_t' else 'USD'}",
            "source": f"Story on {partner} {month} {measure}",
            "url": f"https://example.org/{partner.replace(' ', '')}/{month}",
            "published": published, "note": ""}


def only_these_figures(rows, tmp_path, monkeypatch):
    """Briefs computed from these rows alone (not data/figures.csv); their validated frame."""
    path = tmp_path / "figures.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    data = figures.load_all(base=path)
    monkeypatch.setattr(brief, "load_data", lambda data_files=None: (data, []))
    return data


def test_a_missing_magnet_figure_shows_the_latest_of_the_year_before(tmp_path, monkeypatch):
    # hand-made figures only: Japan last had a figure in March 2025, Germany only 13 months
    # before June 2025 (too old to show), the US has June itself; the total is missing in July
    rows = [row("rare_earths", "World", "2025-06", 5000, "2025-07-14"),
            row("rare_earths", "World", "2025-07", 5200, "2025-08-07"),
            row("magnets", "World", "2025-06", 3000, "2025-07-20"),
            row("magnets", "Japan", "2025-03", 200, "2025-04-20"),
            row("magnets", "Germany", "2024-05", 150, "2024-06-20"),
            row("magnets", "United States", "2025-06", 400, "2025-07-20")]
    only_these_figures(rows, tmp_path, monkeypatch)
    june = brief.compute("2025-06", today=date(2026, 12, 1))
    by = {d.partner: d for d in june.destinations}
    assert (by["Japan"].latest.start, by["Japan"].latest.value) == ("2025-03", 200)
    assert by["Germany"].latest is None and by["United States"].latest is None
    note = by["Japan"].latest.notes[0]
    assert june.sources[note - 1].url == "https://example.org/Japan/2025-03"
    table = wording.magnets_section(june)
    assert f"Latest figures where June 2025 is not published: Japan 200 t [{note}] in March 2025." in table
    assert ("to United States 400 t; not published for Japan, Germany, South Korea, India, "
            "Vietnam.") in " ".join(wording.key_points(june))
    japan = next(d for d in brief.metrics(june)["magnets"]["destinations"]
                 if d["partner"] == "Japan")
    assert japan["latest"] == {"month": "2025-03", "quantity_t": 200.0, "unconfirmed": False,
                               "source": "Story on Japan 2025-03 quantity_t",
                               "url": "https://example.org/Japan/2025-03"}
    july = brief.compute("2025-07", today=date(2026, 12, 1))
    assert (july.magnets_latest.start, july.magnets_latest.value) == ("2025-06", 3000)
    assert brief.metrics(july)["magnets"]["latest"]["quantity_t"] == 3000
    us, japan = (next(d.latest.notes[0] for d in july.destinations if d.partner == p)
                 for p in ("United States", "Japan"))
    assert (f"July 2025 is not published: United States 400 t [{us}], the total 3,000 t "
            f"[{july.magnets_latest.notes[0]}] in June 2025; Japan 200 t [{japan}] in March "
            "2025.") in wording.magnets_section(july)
    # July has no magnet figure at all: nothing to judge against its past, so no such sentence
    assert july.magnets_judged is not None and wording.judged_sentence(july) == ""
    assert "own past" not in wording.magnets_section(july)


def test_chart_alternative_text_by_hand(tmp_path, monkeypatch):
    # hand-made figures: the 稀土 line from May 2025, magnets to Japan in May and to Germany and
    # Thailand in June 2025, to Italy in May only, nothing to the others: the destination chart
    # spans 24 months to June 2025
    only_these_figures([row("rare_earths", "World", "2025-05", 5000, "2025-06-09"),
                        row("rare_earths", "World", "2025-06", 5200, "2025-07-14"),
                        row("magnets", "Japan", "2025-05", 200, "2025-06-20"),
                        row("magnets", "Germany", "2025-06", 900, "2025-07-20"),
                        row("magnets", "Thailand", "2025-06", 50, "2025-07-20"),
                        row("magnets", "Italy", "2025-05", 40, "2025-06-20")],
                       tmp_path, monkeypatch)
    june = brief.compute("2025-06", today=date(2026, 12, 1))
    # a destination outside the six main ones is listed only in a month it has a figure
    assert [d.partner for d in june.destinations] == [*brief.MAIN_DESTINATIONS, "Thailand"]
    assert june.surprise is None  # far too short to forecast: no fan on the chart
    assert wording.chart_alt(june, "destinations") == (
        "Line chart of magnet exports (HS 85051110) in tonnes per month to Japan and Germany, "
        "July 2023 to June 2025, and the policy events as numbered vertical lines, listed below "
        "the chart. The month's figures by destination are in the table above.")
    assert wording.chart_alt(june, "headline") == (
        "Line chart of the customs 稀土 (rare earths) line in tonnes per month, May 2025 to June "
        "2025, and the policy events as numbered vertical lines, listed below the chart. The "
        "month's figures are in the table above.")


@pytest.mark.parametrize("names, said", [(["Japan"], "Japan"),
                                         (["Japan", "India"], "Japan and India"),
                                         (["Japan", "India", "Vietnam"], "Japan, India and Vietnam")])
def test_destinations_are_listed_as_a_sentence_lists_them(names, said):
    assert wording._listed(names) == said


def test_a_month_known_only_from_later_totals_gets_no_brief(tmp_path, monkeypatch):
    # January 2025 = January-March 15,000 - February 4,000 - March 6,000 = 5,000 t, but every
    # figure of that sum ends after January, so January's own brief would hold nothing
    data = only_these_figures([row("rare_earths", "World", "2025-03", 15000, "2025-04-14",
                                   start="2025-01"),
                               row("rare_earths", "World", "2025-02", 4000, "2025-03-10"),
                               row("rare_earths", "World", "2025-03", 6000, "2025-04-14")],
                              tmp_path, monkeypatch)
    built = series.build(figures=data)
    assert (built.months.at[pd.Period("2025-01", "M"), "value"],
            built.months.at[pd.Period("2025-01", "M"), "origin"]) == (5000, "derived")
    assert releases.available_months(built, None) == list(pd.period_range("2025-01", "2025-03",
                                                                           freq="M"))
    assert [str(m) for m in releases.available_months(built, None, data["end"])] == [
        "2025-02", "2025-03"]
    assert releases.known_later(built, None, data["end"]) == {pd.Period("2025-01", "M")}
    with pytest.raises(MonthError, match="2025-01 is known only from totals that end after it"):
        brief.compute("2025-01", today=date(2026, 12, 1))
    assert brief.compute("2025-02", today=date(2026, 12, 1)).now.value == 4000


def test_export_value_change_says_when_tonnes_cannot_compare(tmp_path, monkeypatch):
    # value 60 against 50 million USD: +20.0%; tonnes 5,000 against a June 2024 not held
    def value(month, usd, published):
        return row("rare_earths", "World", month, usd, published, measure="value_usd")

    only_these_figures([row("rare_earths", "World", "2025-06", 5000, "2025-07-14"),
                        value("2025-06", 60_000_000, "2025-07-14"),
                        value("2024-06", 50_000_000, "2024-07-14")], tmp_path, monkeypatch)
    text = wording.headline_section(brief.compute("2025-06", today=date(2026, 12, 1)))
    assert "(+20.0% on the year, tonnes not comparable), 12,000 USD per tonne" in text


def test_a_release_date_by_the_rule_reads_as_a_latest_day():
    # a rule date is GACC's latest usual day: "by" it, never "expected" once it has passed
    n = brief.compute("2025-12", today=date(2026, 12, 1))
    month = pd.Period("2025-12", "M")
    n = dataclasses.replace(
        n, preliminary=releases.Release(month, "preliminary", date(2026, 1, 14), "rule"),
        detailed=releases.Release(month, "monthly_tables", date(2026, 1, 20), "reported"))
    assert ("Preliminary release by 14 January 2026 (GACC's usual latest day); detailed release "
            "(HS codes by destination) 20 January 2026 (as reported).") in wording.top(n)


def test_june_2025_year_to_date_published():
    m = metrics("2025-06")
    assert m["quantity_t"] == 7742.2
    assert m["ytd_t"] == 32569.2
    assert m["ytd_yoy_pct_computed"] == round(100 * (32569.2 / 29095.2 - 1), 1)
    assert m["magnets"]["total_t"] == 3188  # five copies say 3,188, one 3,187


def test_data_text_is_inert_in_the_brief(tmp_path):
    hostile = '<img src=x onerror=alert(1)> **fake** [x](javascript:alert(1))'
    row = {"id": "", "flow": "export", "product": "magnets", "partner": "Thailand",
           "measure": "quantity_t", "start": "2025-12", "end": "2025-12", "value": "4392",
           "as_published": "4392 t", "source": hostile,
           "url": "https://example.org/x?a=)](javascript:alert(1))",
           "published": "2026-01-14", "note": ""}
    path = tmp_path / "hostile.csv"
    pd.DataFrame([row]).drop(columns="id").to_csv(path, index=False)
    n = brief.compute("2025-12", data_files=[path], today=date(2026, 12, 1))
    assert any(s.title.startswith("<img") for s in n.sources)  # cited, so printed
    text = wording.sources_section(n) + wording.magnets_section(n)
    assert "&lt;img" in text and "<img" not in text
    assert "](javascript" not in text and "**fake**" not in text


@pytest.mark.parametrize("month, message", [
    ("2025-13", "is not YYYY-MM"), ("30-01", "is not YYYY-MM"),
    ("2030-01", "no published figure for 2030-01"),
    ("2023-01", "published only combined with February"),
])
def test_bad_month_one_line_exit_2(month, message, tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "brief", "--month", month,
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stderr
    assert "latest available month is" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("month, warned", [(None, True), ("2019-12", False)])
def test_only_the_default_month_warns_that_releases_are_due(tmp_path, monkeypatch, capsys,
                                                            month, warned):
    """`make brief` (no --month) ends with the note on releases due but not in the data; a
    brief of a chosen past month does not, since it is not meant to be current. The render
    is replaced by one whose data end in December 2019, so releases are always due."""
    from helpers import __main__ as cli

    (tmp_path / "metrics.json").write_text('{"data_end": "2019-12"}', encoding="utf-8")
    monkeypatch.setattr(render, "render", lambda *a, **k: render.Result("2019-12", True,
                                                                        tmp_path, "written"))
    monkeypatch.setattr(render, "headline", lambda folder: "2019-12: headline")
    assert cli.main(["brief", "--no-pdf", *(["--month", month] if month else [])]) == 0
    err = capsys.readouterr().err
    # January 2020 came out with February, so the first release due is 2020-02
    assert err.startswith("note: GACC has published 2020-02 to ") if warned else err == ""


def test_month_error_type():
    with pytest.raises(MonthError):
        brief.compute("2025-13")


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
    # each chart says in words what it draws (nbconvert's default says nothing was provided)
    assert "No description has been provided" not in html
    assert html.count('alt="Line chart of ') == 2
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
    early = brief.compute("2018-06", today=date(2026, 12, 1))
    m = brief.metrics(early)
    assert m["quantity_t"] == 5456.0
    assert m["forecast"]["mean"] is None and m["surprise_pct"] is None
    assert wording.surprise_sentence(early).startswith("No forecast for June 2018:")
    assert wording.forecast_frame(early).empty  # nothing for the chart to draw


def test_chart_forecast_is_the_release_forecast_a_combined_one_at_its_monthly_average():
    december = brief.compute("2025-12", today=date(2026, 12, 1))
    drawn = wording.forecast_frame(december)
    assert list(drawn.index.astype(str)) == ["2025-12"]
    assert drawn.to_dict("records") == [pytest.approx(
        {k: getattr(december.surprise, k) for k in ("mean", "lo80", "hi80", "lo95", "hi95")})]
    combined = brief.compute("2026-02", today=date(2026, 12, 1))  # January-February 2026
    assert combined.combined
    assert wording.forecast_frame(combined).loc["2026-02", "hi95"] == \
        pytest.approx(combined.surprise.hi95 / 2)


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
    n = brief.compute("2025-12", today=today)
    c = n.currency
    data = figures.load()
    assert c["data_as_of"] == data[data["end"] <= "2025-12"]["published"].max()
    assert c["generated"] == "2026-12-01"
    assert c["releases_missing"] == [str(m) for m in releases.due(pd.Period(c["data_end"], "M"),
                                                                   today)]
    assert {"data_as_of", "generated", "releases_missing"} <= set(brief.metrics(n))


def test_banner_warns_only_on_the_latest_month():
    today = date(2026, 12, 1)
    latest = brief.compute(today=today)
    missing = latest.currency["releases_missing"]
    assert latest.currency["latest"]
    if missing:
        assert f"GACC has published the preliminary releases of {missing[0]}" in wording.top(latest)
    assert "GACC has published" not in wording.top(brief.compute("2025-06", today=today))


def test_briefs_range_writes_the_archive_page(tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "briefs", "--from", "2025-11",
                           "--to", "2025-12", "--out", str(tmp_path), "--no-pdf"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "2025-11: 5,493.9 t" in done.stdout and "2025-12: 4,392 t" in done.stdout
    assert f"2 briefs written to {tmp_path}, 0 failed" in done.stdout
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.count("<tr><td>2025-") == 2
    assert "<tr><td>2025-12</td><td>4,392 t (-20.1% m/m" in page  # the month is not repeated
    assert 'href="2025-12/brief.html"' in page and "<script" not in page
    assert "<html lang='en'>" in page  # a screen reader reads it as English, like the briefs
    assert page.count("<td>no</td>") == 2  # percentiles 66 and 52: neither flagged


def test_archive_flag_cell_says_why():
    judged = {"forecast": {"mean": 4000.0}, "surprise_pct": 98.5, "flag": True}
    assert render.flag_cell(judged) == "yes: beyond the central 95% of the model's past misses"
    assert render.flag_cell({**judged, "surprise_pct": None}).startswith(
        "yes: outside the 95% interval")
    assert render.flag_cell({**judged, "surprise_pct": 52.0, "flag": False}) == "no"
    assert render.flag_cell({"forecast": {"mean": None}, "surprise_pct": None, "flag": None}) == "–"


def headline_of(tmp_path: Path, **metrics) -> str:
    (tmp_path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return render.headline(tmp_path)


def test_headline_line_by_hand(tmp_path):
    m = {"period": "2025-12", "stage": "preliminary release", "quantity_t": 4392.0,
         "unconfirmed": False, "mom_pct": -20.06, "yoy_pct": None,
         "forecast": {"mean": 5012.4}, "surprise_pct": 97.6, "flag": True}
    assert headline_of(tmp_path, **m) == (
        "2025-12: 4,392 t (-20.1% m/m, y/y not comparable); forecast 5,012 t, percentile 98, "
        "flagged: beyond the central 95% of the model's past misses")
    assert headline_of(tmp_path, **{**m, "unconfirmed": True, "surprise_pct": None,
                                    "flag": False}) == (
        "2025-12: 4,392 t (unconfirmed) (-20.1% m/m, y/y not comparable); forecast 5,012 t, "
        "too few past forecasts to judge")
    assert headline_of(tmp_path, **{**m, "forecast": {"mean": None}, "yoy_pct": 3.04}) == (
        "2025-12: 4,392 t (-20.1% m/m, +3.0% y/y)")
    detailed = {"period": "2026-03", "stage": "detailed release only", "quantity_t": None,
                "magnets": {"total_t": 5238.0, "unconfirmed": True}}
    assert headline_of(tmp_path, **detailed) == (
        "2026-03: detailed release only; magnets (HS 85051110) 5,238 t (unconfirmed)")
    detailed["magnets"]["unconfirmed"] = False
    assert headline_of(tmp_path, **detailed).endswith("85051110) 5,238 t")


def test_archive_lists_finished_months_newest_first(tmp_path):
    m = {"period": "", "stage": "preliminary release", "quantity_t": 4392.0,
         "unconfirmed": False, "mom_pct": None, "yoy_pct": None, "forecast": {"mean": None},
         "surprise_pct": None, "flag": None}
    for name in ("2025-11", "2025-12", "drafts"):
        (tmp_path / name).mkdir()
        headline_of(tmp_path / name, **{**m, "period": name})
    (tmp_path / "2025-12" / "brief.html").write_text("x")
    (tmp_path / "2025-10").mkdir()                  # no metrics.json: not a finished brief
    (tmp_path / "2025-09").write_text("a file")
    page = render.write_index(tmp_path).read_text(encoding="utf-8")
    assert re.findall(r"<tr><td>([^<]+)</td>", page) == ["2025-12", "2025-11"]
    assert 'href="2025-12/brief.html">HTML</a></td>' in page and "2025-11/brief" not in page


def test_briefs_range_lists_months_without_a_figure(tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "briefs", "--from", "2017-01",
                           "--to", "2017-03", "--out", str(tmp_path), "--no-pdf"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert ("skipped (no figure of the month, or one derived only from later totals): "
            "2017-01, 2017-02, 2017-03") in done.stdout


@pytest.mark.skipif(render.find_chromium() is None and not os.environ.get("CI"),
                    reason="needs Debian's chromium (CI installs it, and fails without it)")
@pytest.mark.parametrize("month", ["2025-12", "2026-02"])
def test_pdf_fits_on_two_pages_with_its_title(tmp_path, month):
    result = render.render(month, tmp_path, pdf=True)
    assert result.ok and "no PDF" not in result.message, result.message
    info = subprocess.run(["pdfinfo", str(result.folder / "brief.pdf")], capture_output=True,
                          text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert 1 <= pages <= 2
    assert f"China rare-earth exports — {pd.Period(month, 'M'):%B %Y}" in info


@pytest.mark.parametrize("source, shown", [
    ("China's rare earth exports jump (Reuters via ima-api.org); +26.5% m/m",
     "China's rare earth exports jump (Reuters via ima-api.org)"),
    ("Китай нарастил экспорт (PRIME/1prime.ru, Russian; '10,468 тысячи тонн')",
     "Китай нарастил экспорт (PRIME/1prime.ru, Russian)"),
    ("China exports more magnet materials (MineralPrices.com; Argus)",
     "China exports more magnet materials (MineralPrices.com; Argus)"),
    ('"Shipments were 447 tonnes" (SCMP print edition) — weak source',
     '"Shipments were 447 tonnes" (SCMP print edition)'),
])
def test_link_text_is_outlet_and_headline_without_curator_notes(source, shown):
    assert brief.display_title(source) == shown


def test_since_measure_names_its_series_and_the_months_without_figures():
    since = {"series": "magnets", "title": "Licences (No.18)", "date": pd.Timestamp("2025-04-04"),
             "effective": pd.Timestamp("2025-04-04"), "start": "2025-04", "end": "2026-03", "months": 10,
             "missing": ["2026-01", "2026-02"], "actual": 47363.4, "expected": 53240.2,
             "pct": -11.04, "pct_lo95": -44.4, "pct_hi95": 33.6}
    assert wording.since_measure_sentence(since) == (
        "Magnets \\(HS 85051110\\) since the latest rare\\-earth export control in force on all "
        "destinations \\(Licences \\(No\\.18\\), 04 April 2025\\)\\: April 2025–March 2026, 47,363 t against "
        "53,240 t expected, \\-11% \\(95% interval \\-44% to \\+34%; 10 of 12 months with "
        "figures\\)\\.")
    one = wording.since_measure_sentence({**since, "series": "headline", "start": "2026-03",
                                          "months": 1, "missing": []})
    assert one.startswith("The 稀土 line since") and "March 2026, " in one
    assert one.endswith("1 month\\)\\.")
    # announced in October, to take effect in November: not in force in an October brief
    soon = wording.since_measure_sentence({**since, "title": "Expansion",
                                           "date": pd.Timestamp("2025-10-09"),
                                           "effective": pd.Timestamp("2025-11-08"),
                                           "start": "2025-10", "end": "2025-10", "months": 1,
                                           "missing": []})
    assert ("control announced for all destinations \\(Expansion, 09 October 2025, to take "
            "effect 08 November 2025\\)\\: October 2025") in soon
    later = wording.since_measure_sentence({**since, "effective": pd.Timestamp("2025-05-01")})
    assert "in force on all destinations \\(Licences \\(No\\.18\\), announced 04 April 2025, " \
           "in force 01 May 2025\\)" in later


def test_december_2025_since_measure_is_on_magnets_since_the_april_licences():
    n = brief.compute("2025-12", today=date(2026, 12, 1))
    assert brief.metrics(n)["since_last_measure"]["series"] == "magnets"
    assert "Licences for seven medium/heavy rare earths" in n.since_measure["title"]
    assert n.since_measure["start"] == "2025-04" and n.since_measure["end"] == "2025-12"
    assert wording.top(n).count("Magnets \\(HS 85051110\\) since the latest rare\\-earth export "
                                "control") == 1


@pytest.mark.parametrize("month, event", [
    ("2023-08", None),  # the gallium and germanium controls of July 2023 are not rare earths
    ("2023-12", "2023-12-technology-ban"),
    ("2024-06", "2023-12-technology-ban"),  # the regulations manage supply: not an export control
    ("2024-09", "2023-12-technology-ban"),  # a magnet figure, too little magnet history: 稀土
    ("2024-12", "2023-12-technology-ban"),  # the ban of that month is on gallium etc. to the US
    ("2025-02", None),  # tungsten and others: not rare earths; the technology ban is over a year old
    ("2025-04", "2025-04-licences"),
])
def test_since_measure_counts_only_rare_earth_export_controls_on_all_partners(month, event):
    n = brief.compute(month, today=date(2026, 12, 1))
    assert (n.since_measure or {}).get("event") == event


@pytest.mark.parametrize("month, alerts", [
    # 4,392 t against 3,326 t in December 2024: +32.1%, both from wire copies
    ("2025-12", [("yoy", "rare_earths", "Rare earths (稀土 line) +32.1% on the year (beyond "
                  "±30%).", False)]),
    # 406 t to the US in March 2026, from one weak source, against 584 t: -30.5%
    ("2026-03", [("yoy", "magnets United States", "Magnets to United States -30.5% on the year "
                  "(unconfirmed: a single weak source).", True)]),
    ("2025-04", []),
    # May 2025: no May 2024 total; Kyodo's "74%減" is given as written, not as -74.0%; the US
    # computed from 46 t against 689 t
    ("2025-05", [("yoy", "magnets", "Magnets -74% on the year as published (beyond ±30%).",
                  False),
                 ("yoy", "magnets United States", "Magnets to United States -93.3% on the "
                  "year.", False)]),
    # October 2025: no October 2024 figure for Japan, Germany or South Korea in the data; the
    # release's own changes, +30.2%, +55.9% and +31.3%, are beyond ±30%
    ("2025-10", [("yoy", "magnets Japan", "Magnets to Japan +30.2% on the year as published.",
                  False),
                 ("yoy", "magnets Germany", "Magnets to Germany +55.9% on the year as "
                  "published.", False),
                 ("yoy", "magnets South Korea", "Magnets to South Korea +31.3% on the year as "
                  "published.", False)]),
])
def test_alerts_by_hand_and_unconfirmed_when_their_figure_is_weak(month, alerts):
    got = brief.metrics(brief.compute(month, today=date(2026, 12, 1)))["alerts"]
    assert [(a["kind"], a["series"], a["sentence"], a["unconfirmed"]) for a in got] == alerts


def test_metrics_say_when_the_magnet_change_on_the_year_is_as_published():
    may = brief.metrics(brief.compute("2025-05", today=date(2026, 12, 1)))["magnets"]
    assert (may["yoy_pct"], may["yoy_as_published"]) == (-74.0, True)  # Kyodo's "74%減"
    march = brief.metrics(brief.compute("2026-03", today=date(2026, 12, 1)))["magnets"]
    assert (march["yoy_pct"], march["yoy_as_published"]) == (-1.6, False)  # from the months


def test_a_derived_month_cites_the_totals_it_comes_from(tmp_path, monkeypatch):
    # December 2025 = January-December 62,585.2 - January-November 58,193.1 = 4,392.1 t
    only_these_figures([row("rare_earths", "World", "2025-11", 58193.1, "2025-12-08",
                            start="2025-01"),
                        row("rare_earths", "World", "2025-12", 62585.2, "2026-01-14",
                            start="2025-01")], tmp_path, monkeypatch)
    december = brief.compute("2025-12", today=date(2026, 12, 1))
    assert (december.now.origin, december.now.value) == ("derived", pytest.approx(4392.1))
    assert sorted(december.sources[k - 1].url for k in december.now.notes) == \
        ["https://example.org/World/2025-11", "https://example.org/World/2025-12"]


def test_chart_draws_combined_january_february_up_to_the_month_only():
    march = brief.compute("2025-03", today=date(2026, 12, 1))
    assert march.chart_janfeb.index[-1] == 2025 and march.chart_janfeb[2025] == 8511
    assert march.chart_months.index[-1] == pd.Period("2025-03", "M")


def test_an_aggregate_destination_gets_its_change_on_the_year(tmp_path, monkeypatch):
    # the European Union 150 t in June 2025 against 100 t in June 2024: +50%, no share
    only_these_figures([row("rare_earths", "World", "2025-06", 5000, "2025-07-14"),
                        row("magnets", "World", "2025-06", 3000, "2025-07-20"),
                        row("magnets", "European Union", "2024-06", 100, "2024-07-20"),
                        row("magnets", "European Union", "2025-06", 150, "2025-07-20")],
                       tmp_path, monkeypatch)
    eu = next(d for d in brief.compute("2025-06", today=date(2026, 12, 1)).destinations
              if d.partner == "European Union")
    assert (eu.aggregate, eu.yoy_pct, eu.share_pct) == (True, 50.0, None)


def test_a_combined_release_compares_each_destination_with_january_february_before(
        tmp_path, monkeypatch):
    # Germany 300 t in January-February 2026 against 200 t in January-February 2025: +50%
    only_these_figures([row("rare_earths", "World", "2026-02", 10000, "2026-03-10",
                            start="2026-01"),
                        row("magnets", "Germany", "2025-02", 200, "2025-03-20", start="2025-01"),
                        row("magnets", "Germany", "2026-02", 300, "2026-03-20", start="2026-01")],
                       tmp_path, monkeypatch)
    germany = next(d for d in brief.compute("2026-02", today=date(2026, 12, 1)).destinations
                   if d.partner == "Germany")
    assert (germany.quantity.value, germany.yoy_pct, germany.mom_pct) == (300, 50.0, None)


def test_the_latest_policy_event_point_is_about_rare_earths():
    # January 2025: no rare-earth export control within a year; the latest event of the six
    # months is the US ban on gallium, germanium and antimony (3 December 2024), the latest
    # bearing on rare earths KIA's capture of Myanmar's mining area (23 October 2024)
    points = wording.key_points(brief.compute("2025-01", today=date(2026, 12, 1)))
    assert ("Latest policy event on rare earths: 23 October 2024, KIA takes Myanmar's main "
            "rare\\-earth mining area (supply).") in points
    assert not any("Gallium" in p for p in points)


def test_brief_charts_draw_rare_earth_events_not_controls_on_other_goods():
    drawn = set(brief.compute("2025-04", today=date(2026, 12, 1)).chart_events["id"])
    assert {"2023-12-technology-ban", "2024-10-regulations", "2025-04-licences"} <= drawn
    assert not drawn & {"2023-07-gallium-germanium", "2024-08-antimony", "2024-12-us-ban",
                        "2025-02-minor-metals"}


def test_brief_charts_mark_events_of_the_24_months_drawn():
    # November 2025's charts start in December 2023: the technology ban of 21 December 2023 is
    # drawn, the reporting rule of 7 November 2023 is a month too early
    drawn = set(brief.compute("2025-11", today=date(2026, 12, 1)).chart_events["id"])
    assert "2023-12-technology-ban" in drawn and "2023-11-reporting" not in drawn


@pytest.mark.parametrize("month", ["2025-12", "2026-02", "2026-03"])
def test_every_numbered_source_is_cited_in_the_brief(month, without_march_2026_headline):
    """2026-03 without its preliminary figure: the headline table still shows the month before
    and the year before, whose sources the brief numbers."""
    n = brief.compute(month, today=date(2026, 12, 1))
    assert month != "2026-03" or n.stage == "detailed release only"
    text = " ".join([wording.top(n), wording.magnets_section(n), wording.headline_section(n),
                     wording.definitions_section(n)])
    cited = {int(k) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", text)
             for k in group.split(", ")}
    assert cited == set(range(1, len(n.sources) + 1))
    # and the notes carry those numbers, in order, each with its own source's address
    notes = re.findall(r"^(\d+)\. \[.*?\]\(([^)]*)\)", wording.sources_section(n), re.M)
    assert [(int(k), url) for k, url in notes] == \
        [(k, source.url) for k, source in enumerate(n.sources, start=1)]


def test_magnet_total_changes_by_hand():
    april = brief.compute("2025-04", today=date(2026, 12, 1))  # licences: magnets halved
    assert brief.metrics(april)["magnets"]["mom_pct"] == round(100 * (2627 / 5324 - 1), 1) == -50.7
    assert "**2,627 t [4]**, -50.7% on the month;" in wording.top(april)
    assert "| -50.7% |" in wording.magnets_section(april).replace("  ", " ")
    combined = brief.metrics(brief.compute("2026-02", today=date(2026, 12, 1)))["magnets"]
    assert combined["mom_pct"] is None  # January-February has no month before to compare
    assert combined["yoy_pct"] == round(100 * (10763 / (6357 + 3586) - 1), 1) == 8.2


def test_magnets_judged_against_their_own_past_by_hand():
    from types import SimpleNamespace

    def dest(partner, judged, aggregate=False):
        number = brief.Number(partner, "2025-12", "2025-12", 100.0, "reported")
        return brief.Destination(partner, number, None, None, None, None, aggregate, judged)

    total = brief.Number("World", "2025-12", "2025-12", 1000.0, "reported")
    short = SimpleNamespace(magnets_judged=(None, 8), magnets_total=total, destinations=(
        dest("Japan", (None, 0)), dest("United States", (None, 5))))
    assert wording.judged_sentence(short) == (
        "Against their own past: too short to judge (a percentile needs 24 past one-month "
        "forecast errors; these series have at most 8).")
    none = SimpleNamespace(magnets_judged=(None, 0), magnets_total=total,
                           destinations=(dest("Japan", (None, 0)),))
    assert wording.judged_sentence(none).endswith("errors; these series have none yet).")
    some = SimpleNamespace(magnets_judged=(12.0, 40), magnets_total=total, destinations=(
        dest("Germany", (98.0, 30)), dest("Japan", (None, 3)), dest("EU", (50.0, 30), True)))
    assert wording.judged_sentence(some) == (
        "Percentile of the month's forecast error among the series' own past ones (50 as "
        "expected): the total 12, Germany 98 (beyond the central 95%); the others are too short "
        "to judge.")
    no_total = dataclasses.replace(total, value=None, origin="missing")
    germany_only = SimpleNamespace(magnets_judged=(None, 40), magnets_total=no_total,
                                   destinations=(dest("Germany", (60.0, 30)),))
    assert wording.judged_sentence(germany_only) == (  # a missing total is not "too short"
        "Percentile of the month's forecast error among the series' own past ones (50 as "
        "expected): Germany 60.")
    december = brief.compute("2025-12", today=date(2026, 12, 1))
    assert december.magnets_judged[0] is None  # the total has too few past errors to rank
    assert wording.judged_sentence(december) in wording.magnets_section(december)


def test_december_2025_key_point_gives_destination_changes_by_hand():
    text = wording.top(brief.compute("2025-12", today=date(2026, 12, 1)))
    assert round(100 * (280 / 305 - 1), 1) == -8.2 and round(100 * (564 / 582 - 1), 1) == -3.1
    assert "to Japan 280 t (-8.2% m/m), United States 564 t (-3.1% m/m), Germany 1,106 t" in text


def test_a_destination_without_its_year_before_month_shows_the_published_change():
    # September 2025: the data hold no September 2024 figure for Germany, Japan, South Korea or
    # Vietnam, so the y/y is the release's own; the total's September 2024 (4,915 t) is held,
    # so its change is computed, and agrees with the published +17.5%
    n = brief.compute("2025-09", today=date(2026, 12, 1))
    by = {d.partner: d for d in n.destinations}
    assert {p: by[p].yoy_pct for p in ("Japan", "Germany", "South Korea", "Vietnam")} == {
        "Japan": 20.8, "Germany": 27.9, "South Korea": 84.5, "Vietnam": 18.3}
    assert all(by[p].yoy_published.origin == "published" for p in ("Japan", "Germany"))
    assert n.magnets_yoy_pct == round(100 * (5774 / 4915 - 1), 1) == 17.5
    assert n.magnets_yoy_published is None
    table = wording.magnets_section(n)
    note = by["Germany"].yoy_published.notes[0]
    # one weak copy (a rewrite site, data/annotations.csv) gives Germany's figure and change;
    # the US figure has a stronger copy, its change only the weak one
    assert (f"| Germany | 1,288 t [{note}] (unconfirmed) | 22.3% | -4.3% | +27.9% [{note}] "
            "published (unconfirmed) |") in table
    assert "a y/y marked published is the change the release itself gave" in table
    top = wording.top(n)
    assert f"Germany 1,288 t (unconfirmed; -4.3% m/m, +27.9% y/y as published [{note}])" in top
    assert f"-29.5% y/y as published [{note}], unconfirmed)" in top
    m = {d["partner"]: d for d in brief.metrics(n)["magnets"]["destinations"]}
    assert m["Germany"]["yoy_as_published"] and m["United States"]["yoy_as_published"]
    assert m["United States"]["yoy_pct"] == -29.5
    # the figures themselves: Germany's rests on the weak copy alone, the US's does not
    assert (m["Germany"]["unconfirmed"], m["United States"]["unconfirmed"]) == (True, False)
    # where the year before is held, nothing is marked: December 2025 has neither
    december = brief.compute("2025-12", today=date(2026, 12, 1))
    assert all(d.yoy_published is None for d in december.destinations)
    assert "marked published" not in wording.magnets_section(december)
