"""Interval sums to months: choice among copies, derivation chains, Jan-Feb, contradictions."""

import math

import pandas as pd
import pytest

from helpers import figures, series
from conftest import figure


def build(write_figures, rows):
    return series.build(figures=write_figures(rows))


def test_single_months_and_gaps(write_figures):
    s = series.monthly(figures=write_figures([figure("2024-03", "2024-03", 10),
                                              figure("2024-06", "2024-06", 40)]))
    assert list(s.index.astype(str)) == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert s.index.freqstr == "M"
    assert s["2024-03"] == 10 and s["2024-06"] == 40
    assert math.isnan(s["2024-04"]) and math.isnan(s["2024-05"])


def test_december_from_full_year_minus_jan_nov(write_figures):
    # 55,431 - 52,105 = 3,326 (the reported December 2024)
    rows = [figure("2024-01", "2024-11", 52105, url="https://x.org/1"),
            figure("2024-01", "2024-12", 55431, url="https://x.org/2")]
    built = build(write_figures, rows)
    dec = built.months.loc[pd.Period("2024-12", "M")]
    assert dec["origin"] == "derived"
    assert dec["value"] == pytest.approx(3326)
    # each total is given to the tonne (+-0.5), so their difference is known to +-1.0
    assert dec["tol"] == pytest.approx(1.0)
    assert sorted(dec["ids"]) == sorted(figures.figure_id(r) for r in rows)


def test_longer_chain(write_figures):
    # Jan-Apr 400, Mar 100, Apr 120, Jan 90 -> Feb = 400 - 90 - 100 - 120 = 90
    rows = [figure("2023-01", "2023-04", 400), figure("2023-01", "2023-01", 90),
            figure("2023-03", "2023-03", 100), figure("2023-04", "2023-04", 120)]
    months = build(write_figures, rows).months
    assert months.loc[pd.Period("2023-02", "M"), "origin"] == "derived"
    assert months.loc[pd.Period("2023-02", "M"), "value"] == pytest.approx(90)
    # four figures to the tonne (+-0.5 each): February is known to +-2.0
    assert months.loc[pd.Period("2023-02", "M"), "tol"] == pytest.approx(2.0)


def test_two_step_chain_through_a_derived_month(write_figures):
    # Jan-Oct - Jan-Sep = Oct; then Jan-Nov - Jan-Sep - Oct = Nov
    rows = [figure("2025-01", "2025-09", 48355.7), figure("2025-01", "2025-10", 52699.2),
            figure("2025-01", "2025-11", 58193.1)]
    months = build(write_figures, rows).months
    assert months.loc[pd.Period("2025-10", "M"), "value"] == pytest.approx(4343.5)
    assert months.loc[pd.Period("2025-11", "M"), "value"] == pytest.approx(5493.9)


def test_january_february_stay_missing_with_combined_known(write_figures):
    rows = [figure("2022-01", "2022-02", 7835), figure("2022-03", "2022-03", 4845.2)]
    built = build(write_figures, rows)
    assert built.months.loc[pd.Period("2022-01", "M"), "origin"] == "missing"
    assert built.months.loc[pd.Period("2022-02", "M"), "origin"] == "missing"
    assert built.janfeb.loc[2022, "value"] == 7835
    assert series.janfeb(figures=write_figures(rows))[2022] == 7835


def test_interval_total_published_summed_or_unknown(write_figures):
    # Jan-Feb 7,835 + Mar 4,845.2 = 12,680.2 for Jan-Mar; the Jan-Feb figure shares Jan-Mar's
    # start but not its end, so it is not Jan-Mar as published. April is missing.
    rows = [figure("2022-01", "2022-02", 7835), figure("2022-03", "2022-03", 4845.2),
            figure("2022-05", "2022-05", 5000)]
    built = build(write_figures, rows)
    total, how = series.interval_total(built, "2022-01", "2022-03")
    assert total == pytest.approx(12680.2) and how == "Jan+Feb combined plus the later months"
    assert series.interval_total(built, "2022-01", "2022-02") == (7835, "published")
    assert series.interval_total(built, "2022-03", "2022-03") == (4845.2, "published")
    assert series.interval_total(built, "2022-03", "2022-05") is None
    assert series.interval_total(built, "2022-01", "2022-05") is None
    # a Jan-Feb derived from Jan-Mar 11,837 minus March 4,446 = 7,391 stands in for both months
    derived = build(write_figures, [figure("2023-01", "2023-03", 11837),
                                    figure("2023-03", "2023-03", 4446)])
    total, _ = series.interval_total(derived, "2023-01", "2023-02")
    assert total == pytest.approx(7391)


def test_combined_derived_from_first_quarter(write_figures):
    rows = [figure("2023-01", "2023-03", 11837), figure("2023-03", "2023-03", 4446)]
    jf = build(write_figures, rows).janfeb
    assert jf.loc[2023, "origin"] == "derived"
    assert jf.loc[2023, "value"] == pytest.approx(7391)


def test_single_january_and_february_used_when_published(write_figures):
    rows = [figure("2025-01", "2025-02", 8511), figure("2025-01", "2025-01", 5294),
            figure("2025-02", "2025-02", 3217)]
    built = build(write_figures, rows)
    assert built.months.loc[pd.Period("2025-01", "M"), "value"] == 5294
    assert built.contradictions == []


def test_conflict_choice_prefers_ytd_agreement_then_rank(write_figures):
    rows = [
        figure("2021-08", "2021-08", 3936.1, source="Some blog", url="https://b.org"),
        figure("2021-08", "2021-08", 3990, source="Reuters", url="https://r.org"),
        figure("2021-01", "2021-07", 27000.0, url="https://y.org/7"),
        figure("2021-01", "2021-08", 30936.1, url="https://y.org/8"),
    ]
    months = build(write_figures, rows).months
    aug = months.loc[pd.Period("2021-08", "M")]
    # the blog's copy makes Jan-Aug - Jan-Jul hold, so it beats the better-ranked wire copy
    assert aug["value"] == pytest.approx(3936.1)
    assert aug["conflict"]
    assert [a["value"] for a in aug["alternatives"]] == [3990]


def test_conflict_choice_by_rank_without_ytd(write_figures):
    rows = [figure("2021-08", "2021-08", 3990, source="Some site", url="https://b.org"),
            figure("2021-08", "2021-08", 3936.1, source="Reuters", url="https://r.org")]
    assert series.monthly(figures=write_figures(rows))["2021-08"] == pytest.approx(3936.1)


def test_contradiction_reported_not_averaged(write_figures):
    rows = [figure("2023-01", "2023-02", 100), figure("2023-03", "2023-03", 50),
            figure("2023-01", "2023-03", 150), figure("2023-01", "2023-04", 400),
            figure("2023-04", "2023-04", 60)]
    built = build(write_figures, rows)
    assert [c["interval"] for c in built.contradictions] == ["2023-01..2023-04"]
    assert built.contradictions[0]["difference"] == pytest.approx(400 - 210)
    assert built.months.loc[pd.Period("2023-04", "M"), "value"] == 60
    # a first quarter (Jan-Feb 100 + March 50) published as 160 contradicts it by 10
    quarter = build(write_figures, [figure("2023-01", "2023-02", 100),
                                    figure("2023-03", "2023-03", 50),
                                    figure("2023-01", "2023-03", 160)])
    assert [(c["interval"], c["difference"]) for c in quarter.contradictions] == \
        [("2023-01..2023-03", pytest.approx(10))]


@pytest.mark.parametrize("december, contradicts", [(9645, True), (9644, False)])
def test_tolerance_is_per_published_figure(write_figures, december, contradicts):
    # imports 2024: year 116,000 minus Jan-Nov 106,357 = 9,643; three whole-tonne figures
    # allow 3 x 0.5 = 1.5 t, so a published December of 9,645 contradicts, 9,644 does not
    rows = [figure("2024-01", "2024-11", 106357, flow="import"),
            figure("2024-01", "2024-12", 116000, flow="import"),
            figure("2024-12", "2024-12", december, flow="import")]
    built = series.build(flow="import", figures=write_figures(rows))
    found = [c for c in built.contradictions
             if c["interval"] == "2024-01..2024-12 - 2024-01..2024-11"]
    assert bool(found) == contradicts
    if found:
        assert found[0]["difference"] == pytest.approx(-2)
        assert found[0]["tolerance"] == pytest.approx(1.5)


def test_tolerance_does_not_grow_with_months_summed(write_figures):
    # twelve months to the tenth of a tonne and a whole-tonne year total: 0.5 + 12 x 0.05 =
    # 1.1 t of rounding, so a year 1.8 t above its months contradicts them
    rows = [figure(f"2021-{m:02d}", f"2021-{m:02d}", 1000.1) for m in range(1, 13)]
    rows.append(figure("2021-01", "2021-12", 12004.2 - 1.2))
    built = build(write_figures, rows)
    assert [c["interval"] for c in built.contradictions] == ["2021-01..2021-12"]
    assert built.contradictions[0]["tolerance"] == pytest.approx(0.5 + 0.6)


def test_a_quarter_is_an_interval_sum(write_figures):
    # July-September 2022 published as one quarter: September is what July and August leave
    rows = [figure("2022-07", "2022-07", 4000.5), figure("2022-08", "2022-08", 3900.2),
            figure("2022-07", "2022-09", 11638.4)]
    built = build(write_figures, rows)
    sep = built.months.loc[pd.Period("2022-09", "M")]
    assert sep["origin"] == "derived" and sep["value"] == pytest.approx(3737.7)
    assert built.contradictions == []
    rows.append(figure("2022-09", "2022-09", 3800.0))
    assert [c["interval"] for c in build(write_figures, rows).contradictions] == [
        "2022-07..2022-09"]


def test_rounded_or_weak_totals_do_not_derive(write_figures):
    rows = [figure("2015-01", "2015-11", 30000, note="rounded"),
            figure("2015-01", "2015-12", 34800, note="rounded")]
    months = build(write_figures, rows).months
    assert months.loc[pd.Period("2015-12", "M"), "origin"] == "missing"


def test_weak_single_month_does_not_derive_its_neighbour(write_figures):
    # Jan+Feb 10,468 is sound, but February (4,407) comes only from a weak source:
    # January must stay missing rather than become 10,468 - 4,407 = 6,061.
    rows = [figure("2026-01", "2026-02", 10468),
            figure("2026-02", "2026-02", 4407, note="weak source")]
    months = build(write_figures, rows).months
    assert months.loc[pd.Period("2026-02", "M"), "origin"] == "reported"
    assert months.loc[pd.Period("2026-01", "M"), "origin"] == "missing"
    rows[1] = figure("2026-02", "2026-02", 4407)
    months = build(write_figures, rows).months
    assert months.loc[pd.Period("2026-01", "M"), "value"] == pytest.approx(6061)


def test_provenance_columns(write_figures):
    prov = series.provenance(figures=write_figures([figure("2024-01", "2024-01", 1)]))
    assert list(prov.columns) == ["value", "origin", "sources", "ids", "derivation",
                                  "conflict", "alternatives"]
    assert prov.iloc[0]["sources"][0]["url"] == "https://example.org/a"


def test_unknown_series_is_a_clear_error(write_figures):
    from helpers import DataError

    with pytest.raises(DataError, match=r"figures.csv: no figures for export magnets Japan"):
        series.monthly("magnets", partner="Japan",
                       figures=write_figures([figure("2024-01", "2024-01", 1)]))


def test_a_rounded_total_does_not_pick_the_month(write_figures):
    # Jan-Sep has an exact copy and one truncated to tens (10 t of slack); only the exact
    # difference 52,699.2 - 48,355.7 = 4,343.5 may support a copy of October
    rows = [figure("2025-01", "2025-09", 48355.7), figure("2025-01", "2025-10", 52699.2),
            figure("2025-01", "2025-09", 48350, url="https://t.example", note="rounded; truncated"),
            figure("2025-10", "2025-10", 4345.5, source="Reuters", url="https://r.example"),
            figure("2025-10", "2025-10", 4343.5, source="A blog", url="https://b.example")]
    months = build(write_figures, rows).months
    assert months.loc[pd.Period("2025-10", "M"), "value"] == 4343.5


def test_majority_copy_wins_over_rank(write_figures):
    # five copies of 3,188 from trade press against one of 3,187 from a wire: the majority
    rows = [figure("2025-06", "2025-06", 3187, source="Kyodo", url="https://k.example/1")]
    rows += [figure("2025-06", "2025-06", 3188, source="Some Press", url=f"https://p.example/{i}")
             for i in range(5)]
    assert build(write_figures, rows).months.iloc[0]["value"] == 3188


def test_a_rounded_copy_counts_with_the_precise_figure(write_figures):
    rows = [figure("2024-01", "2024-01", 5853.9, url="https://a.example/1"),
            figure("2024-01", "2024-01", 5854, url="https://b.example/2"),
            figure("2024-01", "2024-01", 5854, url="https://c.example/3")]
    assert build(write_figures, rows).months.iloc[0]["value"] == 5853.9
