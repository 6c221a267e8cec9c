"""The brief's sentences, word for word, on fixed past months and on hand-made variants of them:
the wording paths a mutation run of helpers/wording.py found unchecked."""

import dataclasses
from datetime import date
from functools import cache

import pandas as pd
import pytest

from helpers import brief, evaluate, wording
from helpers.brief import Number


@cache
def numbers(month: str) -> brief.Numbers:
    return brief.compute(month, today=date(2026, 12, 1))


@pytest.mark.parametrize("value, text", [
    (None, "not known"), (float("nan"), "not known"), (4392.0, "4,392 t"),
    (5493.9, "5,493.9 t"), (4392.04, "4,392 t"), (4392.06, "4,392.1 t"), (0.0, "0 t")])
def test_tonnes_drop_the_decimal_only_of_a_whole_figure(value, text):
    assert wording.tonnes(value) == text


def test_a_derived_figure_says_so_and_a_weak_one_says_unconfirmed_first():
    derived = Number("March 2024", "2024-03", "2024-03", 100.0, "derived", (2,))
    assert wording._figure(derived, short=True) == "100 t [2] (derived)"
    assert wording._figure(derived) == "100 t [2] (derived from year-to-date totals)"
    weak = dataclasses.replace(derived, weak=True)
    assert wording._figure(weak) == "100 t [2] (unconfirmed: a single weak source)"
    assert wording._figure(dataclasses.replace(derived, origin="reported")) == "100 t [2]"


def test_key_points_of_december_2025_word_for_word():
    points = wording.key_points(numbers("2025-12"))
    assert len(points) == 5
    assert points[0] == ("Rare-earth exports on the customs 稀土 line: **4,392 t [1]** in December "
                         "2025, -20.1% on the month and +32.1% on the year.")
    assert points[2].startswith("Magnets (HS 85051110): **5,952 t [5]**, -3.2% on the month; "
                                "to Japan 280 t (-8.2% m/m), ")
    assert points[4] == ("Bloomberg's “rare-earth products incl. magnets” total was 6,745 t [9]: "
                         "a wider basket than the 稀土 line's 4,392 t, not a different count of "
                         "the same goods.")


def test_key_points_of_a_combined_release_have_no_month_change_and_no_bloomberg_total():
    points = wording.key_points(numbers("2026-02"))
    assert points[0] == ("Rare-earth exports on the customs 稀土 line: **10,468 t [1]** in "
                         "January–February 2026 (January and February are released together), "
                         "+23.0% on the year.")
    assert len(points) == 4 and not any("Bloomberg" in p for p in points)


def test_key_points_of_magnets_by_destination_without_their_total():
    # February 2025: only the US figure of the month was published
    assert wording.key_points(numbers("2025-02"))[2] == (
        "Magnets (HS 85051110): total not published; to United States 405 t (-53.8% m/m); not "
        "published for Japan, Germany, South Korea, India, Vietnam.")


def test_key_points_mark_only_the_year_change_as_published():
    # May 2025: the data lack May 2024, so the year change is the release's own
    assert wording.key_points(numbers("2025-05"))[2].startswith(
        "Magnets (HS 85051110): **1,238 t [6]**, -52.9% on the month and -74% on the year as "
        "published [7]; ")


def test_a_month_without_the_preliminary_release_says_what_the_brief_rests_on():
    assert wording.key_points(numbers("2026-03"))[0] == (
        "The preliminary 稀土 figure for March 2026 is not in the data; this brief rests on the "
        "detailed release.")


@pytest.mark.parametrize("percentile, verdict", [
    (9.9, "lower than in 9 of 10 past forecasts"), (10.0, "within the usual range"),
    (90.0, "within the usual range"), (90.1, "higher than in 9 of 10 past forecasts")])
def test_the_verdict_of_a_percentile_changes_beyond_10_and_90(percentile, verdict):
    n = numbers("2025-12")
    s = dataclasses.replace(n.surprise, percentile=percentile)
    assert f"among the model's past errors, {verdict} (a miss" in wording.surprise_sentence(
        dataclasses.replace(n, surprise=s))


def test_june_2025_is_higher_than_in_9_of_10_past_forecasts():
    assert ("it is 64.3% above: percentile 95 among the model's past errors, higher than in 9 "
            "of 10 past forecasts (a miss this large either way came in about 10% of past "
            "forecasts).") in wording.surprise_sentence(numbers("2025-06"))


@pytest.mark.parametrize("held80, held95, pvalue, ending", [
    # 20 of 36 inside the 80% interval (56%): the binomial test rejects 80%
    (20, 30, 0.001, "(Sep 2022–Nov 2025; 56%) and its 95% interval in 30: lately narrower than "
                    "it claims."),
    (27, 34, 0.5, "(Sep 2022–Nov 2025; 75%) and its 95% interval in 34.")])  # not rejected
def test_a_record_has_a_verdict_only_when_the_binomial_test_rejects_it(held80, held95, pvalue,
                                                                       ending):
    s = numbers("2025-12").surprise
    record = evaluate.Record(36, held80, held95, pd.Period("2022-09", "M"),
                             pd.Period("2025-11", "M"), pvalue)
    assert wording.record_sentence(dataclasses.replace(s, record=record)).endswith(ending)
    empty = evaluate.Record(0, 0, 0, None, None, float("nan"))
    assert wording.record_sentence(dataclasses.replace(s, record=empty)) == ""


def test_record_table_of_december_2025_word_for_word():
    n = numbers("2025-12")
    table = wording.record_table(n.surprise)
    assert table.endswith(
        "| its last 36 forecasts | Sep 2022–Nov 2025 | 36 | 35 (97%) | 35 (97%) |\n"
        "| origins 2019-06..2022-10 | Jun 2021–Nov 2022 | 15 | 13 (87%) | 15 (100%) |\n"
        "| origins 2022-11..2025-11 | Dec 2022–Nov 2025 | 33 | 32 (97%) | 32 (97%) |")
    assert wording.headline_section(n).endswith("\n\n" + table)


def test_value_and_imports_lines_of_july_2025():
    text = wording.headline_section(numbers("2025-07"))
    assert "\nExport value 36.4 million USD [5], 6,072 USD per tonne.\n" in text
    assert "\nImports on the same line: 9,622.7 t [5].\n" in text
    assert "Imports" not in wording.headline_section(numbers("2025-12"))
    caveat = dataclasses.replace(numbers("2025-07"), value_caveat="value of a wider basket")
    assert "6,072 USD per tonne (value of a wider basket)." in wording.headline_section(caveat)


def test_magnets_section_names_a_combined_period_and_published_changes():
    assert wording.magnets_section(numbers("2026-02")).startswith(
        "## Magnets by destination (HS 85051110), January–February 2026\n")
    published = "where the month a year before is not, a y/y marked published is the change"
    assert published in wording.magnets_section(numbers("2025-07"))  # the US figure's
    assert published not in wording.magnets_section(numbers("2025-12"))


@pytest.mark.parametrize("percentile, beyond", [(2.4, True), (2.5, False), (97.5, False),
                                                (97.6, True)])
def test_a_magnet_series_is_beyond_the_central_95_only_outside_2_5_to_97_5(percentile, beyond):
    n = dataclasses.replace(numbers("2025-12"), magnets_judged=(percentile, 30),
                            destinations=[])
    assert wording.judged_sentence(n) == (
        "Percentile of the month's forecast error among the series' own past ones (50 as "
        f"expected): the total {percentile:.0f}"
        + (" (beyond the central 95%)" if beyond else "") + ".")


def test_definitions_need_two_totals_and_say_which_is_missing():
    assert wording.definitions_section(numbers("2024-04")) == ""  # the 稀土 line only
    assert ("| Bloomberg “rare-earth products incl. magnets” | not in the data |"
            in wording.definitions_section(numbers("2026-02")))


def test_an_event_without_an_address_is_cited_by_its_source_alone():
    n = numbers("2025-12")
    events = n.events.tail(1).assign(url="", source="MOFCOM notice")
    line = wording.policy_section(dataclasses.replace(n, events=events)).splitlines()[-1]
    assert line.endswith(". MOFCOM notice") and "](" not in line


def test_sources_mark_weak_ones_and_list_missing_months_and_alerts():
    lines = wording.sources_section(numbers("2026-03")).splitlines()
    assert lines[2].endswith(", 2026\\-03\\-10 (weak source)")
    assert lines[3].endswith(", 2025\\-04\\-14")
    assert lines[-2:] == [
        "- Months of the chart window nobody published singly: 2022-01, 2022-02, 2023-01, "
        "2023-02, 2026-01.",
        "- Alerts: Magnets to United States -30.5% on the year (unconfirmed: a single weak "
        "source)."]


def test_too_few_past_forecasts_to_judge_is_said_plainly():
    # June 2020: the model had fewer than evaluate.MIN_JUDGED past one-month errors
    assert wording.surprise_sentence(numbers("2020-06")) == (
        "Against the forecast made before the release, 3,971 t (80% interval 2,797–5,639 t), it "
        "is 27.2% below: too few past forecasts to judge how unusual that is.")


def test_tables_use_the_short_words_for_a_weak_figure():
    assert "\n| February 2026 alone | 4,407 t [1] (unconfirmed) |  |\n" in (
        wording.headline_section(numbers("2026-02")))
    n = numbers("2025-12")
    weak = dataclasses.replace(n, now=dataclasses.replace(n.now, weak=True))
    assert ("| Customs 稀土 line (preliminary release) | 4,392 t [1] (unconfirmed) |"
            in wording.definitions_section(weak))


@pytest.mark.parametrize("end, words", [
    ("2025-11", "announced for all destinations (Wider controls, 09 October 2025, to take effect "
                "01 December 2025)"),
    ("2025-12", "in force on all destinations (Wider controls, announced 09 October 2025, in "
                "force 01 December 2025)")])
def test_a_control_counts_as_in_force_from_the_month_it_takes_effect(end, words):
    since = {**numbers("2025-12").since_measure, "title": "Wider controls", "start": "2025-10",
             "end": end, "date": pd.Timestamp("2025-10-09"),
             "effective": pd.Timestamp("2025-12-01")}
    assert words in wording.since_measure_sentence(since).replace("\\", "")


def test_chart_key_lists_the_numbered_events_escaped():
    assert wording.chart_key([]) == ""
    assert wording.chart_key(["1: Licences (04 Apr 2025)", "2: a<b"]) == (
        "<div class='key'>Events on the charts: 1: Licences (04 Apr 2025); 2: a&lt;b.</div>")
